//! The admin pages' reckoning, free of the browser: actions, how a layer is named for rules
//! (its id, source and upstream names), and the editor's audience field read from and written
//! to text. Who may do what under the rules is in [`crate::access`].

use kartenn_common::admin::{Audience, Keyword, Rule};

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

pub use kartenn_common::admin::glob;

/// Whether `rule` names `layer` (dataset rules never do).
pub fn matches(rule: &Rule, layer: &LayerName) -> bool {
    rule.names_layer(&layer.id, layer.source.as_deref(), &layer.names)
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
