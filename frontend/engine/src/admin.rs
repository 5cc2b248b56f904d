//! The admin pages' reckoning, free of the browser: who may view, query or download each layer
//! under a list of rules, with the same semantics as the backend's `acl` (the first rule whose
//! layer pattern — and source, if it names one — matches decides; an action it does not
//! mention is nobody's; no rule: `[access] default`), the rows of the permission matrix, and
//! the editor's audience field read from and written to text.

use kartenn_common::admin::{Audience, DefaultAccess, Keyword, Rule, RuleEntry};
use kartenn_common::{Catalog, CatalogLayer};

/// What a rule grants, per action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Act {
    View,
    Query,
    Download,
}

impl Act {
    pub const ALL: [Act; 3] = [Act::View, Act::Query, Act::Download];

    /// The action's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Act::View => "view",
            Act::Query => "query",
            Act::Download => "download",
        }
    }

    /// The audience a rule gives this action.
    pub fn of(self, rule: &Rule) -> Option<&Audience> {
        match self {
            Act::View => rule.view.as_ref(),
            Act::Query => rule.query.as_ref(),
            Act::Download => rule.download.as_ref(),
        }
    }
}

/// A layer as rules see it: its id, its OGC source and upstream names (harvested layers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayerName {
    pub id: String,
    pub title: String,
    pub source: Option<String>,
    pub names: Vec<String>,
}

impl LayerName {
    /// A catalogue layer: harvested ones carry their source and upstream name.
    pub fn of(layer: &CatalogLayer) -> Self {
        Self {
            id: layer.id.clone(),
            title: layer.title.clone(),
            source: layer.ogc.as_ref().map(|o| o.source.clone()),
            // The WMS (or WFS-only) name, and the WFS type name when it differs.
            names: layer
                .ogc
                .iter()
                .flat_map(|o| {
                    std::iter::once(o.name.clone()).chain(
                        o.wfs
                            .as_ref()
                            .map(|w| w.type_name.clone())
                            .filter(|t| *t != o.name),
                    )
                })
                .collect(),
        }
    }
}

pub use kartenn_common::admin::glob;

/// Whether `rule` names `layer` (dataset rules never do).
pub fn matches(rule: &Rule, layer: &LayerName) -> bool {
    rule.names_layer(&layer.id, layer.source.as_deref(), &layer.names)
}

/// Who may do an action, as the matrix shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Public,
    Authenticated,
    Roles(Vec<String>),
    Nobody,
}

impl Who {
    pub fn of(audience: Option<&Audience>) -> Self {
        match audience {
            None => Who::Nobody,
            Some(Audience::Keyword(Keyword::Public)) => Who::Public,
            Some(Audience::Keyword(Keyword::Authenticated)) => Who::Authenticated,
            Some(Audience::Roles(roles)) => Who::Roles(roles.clone()),
        }
    }
}

/// One cell of the matrix: who, and which rule (index in the list) decided; `None`: the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub who: Who,
    pub rule: Option<usize>,
}

/// The index of the rule that decides for `layer` (the first that matches).
pub fn deciding(rules: &[RuleEntry], layer: &LayerName) -> Option<usize> {
    rules.iter().position(|e| matches(&e.rule, layer))
}

/// Who may do `act` with `layer` under `rules` (in order) and `default`.
pub fn cell(rules: &[RuleEntry], default: DefaultAccess, layer: &LayerName, act: Act) -> Cell {
    match deciding(rules, layer) {
        Some(i) => Cell {
            who: Who::of(rules.get(i).and_then(|e| act.of(&e.rule))),
            rule: Some(i),
        },
        None => Cell {
            who: match default {
                DefaultAccess::Public => Who::Public,
                DefaultAccess::Deny => Who::Nobody,
            },
            rule: None,
        },
    }
}

/// Whether a caller (`None`: anonymous; else their roles) may do `act` with `layer`.
pub fn allows(
    rules: &[RuleEntry],
    default: DefaultAccess,
    layer: &LayerName,
    act: Act,
    caller: Option<&[String]>,
) -> bool {
    match deciding(rules, layer) {
        Some(i) => rules
            .get(i)
            .and_then(|e| act.of(&e.rule))
            .is_some_and(|audience| audience.admits(caller)),
        None => default == DefaultAccess::Public,
    }
}

/// Whether a pattern is a plain name (no glob characters).
fn literal(pattern: &str) -> bool {
    !pattern.contains(['*', '?'])
}

/// The matrix's rows: the catalogue's layers, then the layers rules name literally that the
/// catalogue does not hold, sorted by title then id; only those whose id, title or upstream
/// name contains `search` (case-insensitive).
pub fn rows(catalog: &Catalog, rules: &[RuleEntry], search: &str) -> Vec<LayerName> {
    let mut layers: Vec<LayerName> = catalog.layers.iter().map(LayerName::of).collect();
    for entry in rules {
        if let Some(pattern) = entry.rule.layer.as_deref().filter(|p| literal(p))
            && !layers
                .iter()
                .any(|l| l.id == pattern || l.names.iter().any(|n| n == pattern))
        {
            layers.push(LayerName {
                id: pattern.to_owned(),
                title: pattern.to_owned(),
                source: entry.rule.source.clone(),
                names: Vec::new(),
            });
        }
    }
    let needle = search.trim().to_lowercase();
    layers.retain(|l| {
        needle.is_empty()
            || [&l.id, &l.title]
                .into_iter()
                .chain(l.names.iter())
                .any(|s| s.to_lowercase().contains(&needle))
    });
    layers.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    layers
}

/// The editor's choice for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Public,
    Authenticated,
    Roles,
    Nobody,
}

impl Choice {
    pub const ALL: [Choice; 4] = [
        Choice::Public,
        Choice::Authenticated,
        Choice::Roles,
        Choice::Nobody,
    ];

    /// Its value in a `<select>`.
    pub fn key(self) -> &'static str {
        match self {
            Choice::Public => "public",
            Choice::Authenticated => "authenticated",
            Choice::Roles => "roles",
            Choice::Nobody => "nobody",
        }
    }

    pub fn from_key(key: &str) -> Self {
        Choice::ALL
            .into_iter()
            .find(|c| c.key() == key)
            .unwrap_or(Choice::Nobody)
    }
}

/// An audience as the editor shows it: the choice and the roles' text (comma-separated).
pub fn to_form(audience: Option<&Audience>) -> (Choice, String) {
    match audience {
        None => (Choice::Nobody, String::new()),
        Some(Audience::Keyword(Keyword::Public)) => (Choice::Public, String::new()),
        Some(Audience::Keyword(Keyword::Authenticated)) => (Choice::Authenticated, String::new()),
        Some(Audience::Roles(roles)) => (Choice::Roles, roles.join(", ")),
    }
}

/// The audience an editor's choice and roles' text mean. "Roles" with an empty text is sent as
/// an empty list, which the server refuses with a message next to the field.
pub fn from_form(choice: Choice, roles: &str) -> Option<Audience> {
    match choice {
        Choice::Public => Some(Audience::Keyword(Keyword::Public)),
        Choice::Authenticated => Some(Audience::Keyword(Keyword::Authenticated)),
        Choice::Nobody => None,
        Choice::Roles => Some(Audience::Roles(
            roles
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
    }
}

/// Text that is empty or blank means "none".
pub fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
#[path = "admin_tests.rs"]
mod tests;
