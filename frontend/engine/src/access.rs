//! The permission matrix by roles: for each row — a layer or a chronicle dataset — and each
//! column — anonymous visitors, any signed-in user, one role — which of view / query /
//! download the rules in force allow, and which rule decides. Same semantics as the backend's
//! `acl` (the first rule naming the row decides; an action it does not mention is nobody's; no
//! rule: `[access] default`), through the rule methods shared in `kartenn_common::admin`.

use std::collections::BTreeSet;

use kartenn_common::admin::{Audience, DefaultAccess, Rule, RuleEntry};
use kartenn_common::admin_catalog::AdminLayer;

use crate::admin::{Act, LayerName, matches};

/// A row of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Layer(LayerName),
    /// A chronicle dataset (rules name it with `dataset`).
    Dataset {
        id: String,
        title: String,
    },
}

impl Target {
    pub fn id(&self) -> &str {
        match self {
            Target::Layer(l) => &l.id,
            Target::Dataset { id, .. } => id,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Target::Layer(l) => &l.title,
            Target::Dataset { title, .. } => title,
        }
    }

    /// Whether `rule` names this row.
    pub fn named_by(&self, rule: &Rule) -> bool {
        match self {
            Target::Layer(layer) => matches(rule, layer),
            Target::Dataset { id, .. } => rule.names_dataset(id),
        }
    }
}

/// A column of the matrix: who is asking.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    Anonymous,
    /// Signed in, holding no role that a rule names.
    SignedIn,
    Role(String),
}

impl Column {
    /// The caller this column stands for: `None` anonymous, else the roles held.
    pub fn roles(&self) -> Option<Vec<String>> {
        match self {
            Column::Anonymous => None,
            Column::SignedIn => Some(Vec::new()),
            Column::Role(role) => Some(vec![role.clone()]),
        }
    }
}

/// Anonymous, signed in, then every role the rules name and the `extra` ones (e.g. the roles
/// role mappings give), sorted, once each.
pub fn columns(rules: &[RuleEntry], extra: &[String]) -> Vec<Column> {
    let mut roles: BTreeSet<String> = extra.iter().cloned().collect();
    for entry in rules {
        for act in Act::ALL {
            if let Some(Audience::Roles(named)) = act.of(&entry.rule) {
                roles.extend(named.iter().cloned());
            }
        }
    }
    [Column::Anonymous, Column::SignedIn]
        .into_iter()
        .chain(roles.into_iter().map(Column::Role))
        .collect()
}

/// What one column may do with one row, and which rule (index) decided (`None`: the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub view: bool,
    pub query: bool,
    pub download: bool,
    pub rule: Option<usize>,
}

impl Grant {
    pub fn allows(&self, act: Act) -> bool {
        match act {
            Act::View => self.view,
            Act::Query => self.query,
            Act::Download => self.download,
        }
    }

    /// `V Q D` letters for the allowed actions (`—` for none).
    pub fn letters(&self) -> String {
        let text: Vec<&str> = [(self.view, "V"), (self.query, "Q"), (self.download, "D")]
            .into_iter()
            .filter_map(|(on, l)| on.then_some(l))
            .collect();
        if text.is_empty() {
            "—".to_owned()
        } else {
            text.join(" ")
        }
    }
}

/// The index of the rule that decides for `target` (the first naming it).
pub fn deciding(rules: &[RuleEntry], target: &Target) -> Option<usize> {
    rules.iter().position(|e| target.named_by(&e.rule))
}

/// What `column` may do with `target` under `rules` (in order) and `default`.
pub fn grant(
    rules: &[RuleEntry],
    default: DefaultAccess,
    target: &Target,
    column: &Column,
) -> Grant {
    let rule = deciding(rules, target);
    let roles = column.roles();
    let may = |act: Act| match rule.and_then(|i| rules.get(i)) {
        Some(entry) => act
            .of(&entry.rule)
            .is_some_and(|a| a.admits(roles.as_deref())),
        None => default == DefaultAccess::Public,
    };
    Grant {
        view: may(Act::View),
        query: may(Act::Query),
        download: may(Act::Download),
        rule,
    }
}

/// One layer of `GET /api/admin/layers` (every layer, whoever may see it) as a matrix row, with
/// its category path in force: chronicle layers are their dataset, the others layers named by
/// their id, source and upstream names.
pub fn target_of(layer: &AdminLayer) -> (Target, Vec<String>) {
    let title = layer.effective.title.clone();
    let target = match &layer.dataset {
        Some(dataset) => Target::Dataset {
            id: dataset.clone(),
            title,
        },
        None => Target::Layer(LayerName {
            id: layer.id.clone(),
            title,
            source: layer.source.clone(),
            names: layer.names.clone(),
        }),
    };
    (target, layer.effective.category.clone())
}

/// The matrix's rows: `entries` (targets with their category path), then the layers and datasets
/// rules name literally that are not among them; only those under `category` (a path prefix;
/// empty: all) whose id, title or upstream name contains `search` (case-insensitive); sorted by
/// title then id.
pub fn targets(
    entries: Vec<(Target, Vec<String>)>,
    rules: &[RuleEntry],
    search: &str,
    category: &[String],
) -> Vec<Target> {
    let mut rows = entries;
    for entry in rules {
        let literal = |p: &&String| !p.contains(['*', '?']);
        let named = match (&entry.rule.layer, &entry.rule.dataset) {
            (Some(layer), _) if literal(&layer) => Some(Target::Layer(LayerName {
                id: layer.clone(),
                title: layer.clone(),
                source: entry.rule.source.clone(),
                names: Vec::new(),
            })),
            (None, Some(dataset)) if literal(&dataset) => Some(Target::Dataset {
                id: dataset.clone(),
                title: dataset.clone(),
            }),
            _ => None,
        };
        if let Some(t) = named
            && !rows.iter().any(|(r, _)| same(r, &t))
        {
            rows.push((t, Vec::new()));
        }
    }
    let needle = search.trim().to_lowercase();
    let mut kept: Vec<Target> = rows
        .into_iter()
        .filter(|(_, path)| path.starts_with(category))
        .map(|(t, _)| t)
        .filter(|t| {
            let names = match t {
                Target::Layer(l) => l.names.as_slice(),
                Target::Dataset { .. } => &[],
            };
            needle.is_empty()
                || [t.id(), t.title()]
                    .into_iter()
                    .chain(names.iter().map(String::as_str))
                    .any(|s| s.to_lowercase().contains(&needle))
        })
        .collect();
    kept.sort_by(|a, b| {
        a.title()
            .to_lowercase()
            .cmp(&b.title().to_lowercase())
            .then_with(|| a.id().cmp(b.id()))
    });
    kept
}

/// Whether two rows are the same layer (by id or upstream name) or the same dataset.
fn same(a: &Target, b: &Target) -> bool {
    match (a, b) {
        (Target::Layer(x), Target::Layer(y)) => {
            x.id == y.id || x.names.contains(&y.id) || y.names.contains(&x.id)
        }
        (Target::Dataset { id: x, .. }, Target::Dataset { id: y, .. }) => x == y,
        _ => false,
    }
}

/// Every category path of `entries` and its ancestors, sorted (for a filter).
pub fn category_paths(entries: &[(Target, Vec<String>)]) -> Vec<Vec<String>> {
    let mut paths = BTreeSet::new();
    for (_, path) in entries {
        for depth in 1..=path.len() {
            paths.insert(path[..depth].to_vec());
        }
    }
    paths.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use kartenn_common::admin::Keyword;

    use super::*;

    fn stored(rule: Rule) -> RuleEntry {
        RuleEntry {
            id: Some(1),
            position: Some(0),
            version: Some(1),
            updated_at: None,
            updated_by: None,
            from_config: false,
            rule,
        }
    }

    #[allow(clippy::unnecessary_wraps)] // fills `Option<Audience>` fields
    fn roles(list: &[&str]) -> Option<Audience> {
        Some(Audience::Roles(
            list.iter().map(|r| (*r).to_owned()).collect(),
        ))
    }

    fn layer(id: &str, names: &[&str]) -> Target {
        Target::Layer(LayerName {
            id: id.into(),
            title: id.into(),
            source: Some("geo".into()),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        })
    }

    #[test]
    fn columns_are_anonymous_signed_in_then_each_named_role_once() {
        let rules = [
            stored(Rule {
                layer: Some("a".into()),
                view: roles(&["letg", "neo"]),
                query: roles(&["letg"]),
                ..Rule::default()
            }),
            stored(Rule {
                dataset: Some("d".into()),
                download: roles(&["admin"]),
                ..Rule::default()
            }),
        ];
        let got = columns(&rules, &["oceano".to_owned(), "neo".to_owned()]);
        let want = ["admin", "letg", "neo", "oceano"].map(|r| Column::Role(r.into()));
        assert_eq!(got[..2], [Column::Anonymous, Column::SignedIn]);
        assert_eq!(got[2..], want);
    }

    #[test]
    fn each_column_gets_what_the_deciding_rule_gives_its_caller() {
        let rules = [
            stored(Rule {
                layer: Some("ws:traits_*".into()),
                view: Some(Audience::Keyword(Keyword::Public)),
                query: Some(Audience::Keyword(Keyword::Authenticated)),
                download: roles(&["letg"]),
                ..Rule::default()
            }),
            stored(Rule {
                dataset: Some("neo-*".into()),
                view: roles(&["neo"]),
                ..Rule::default()
            }),
        ];
        // Named by its WFS type name only.
        let traits = layer("geo-traits", &["ws:traits_cote"]);
        let deny = DefaultAccess::Deny;
        let g = |t: &Target, c: &Column| grant(&rules, deny, t, c);
        assert_eq!(g(&traits, &Column::Anonymous).letters(), "V");
        assert_eq!(g(&traits, &Column::SignedIn).letters(), "V Q");
        assert_eq!(g(&traits, &Column::Role("letg".into())).letters(), "V Q D");
        assert_eq!(g(&traits, &Column::Anonymous).rule, Some(0));

        let dataset = Target::Dataset {
            id: "neo-molene".into(),
            title: "Molène".into(),
        };
        assert_eq!(g(&dataset, &Column::Role("neo".into())).letters(), "V");
        assert_eq!(g(&dataset, &Column::Role("letg".into())).letters(), "—");
        assert_eq!(g(&dataset, &Column::Anonymous).rule, Some(1));

        let other = layer("geo-other", &["ws:other"]);
        assert_eq!(g(&other, &Column::Role("letg".into())).rule, None);
        assert_eq!(g(&other, &Column::Role("letg".into())).letters(), "—");
        let open = grant(&rules, DefaultAccess::Public, &other, &Column::Anonymous);
        assert_eq!(
            open.letters(),
            "V Q D",
            "the default covers what no rule names"
        );
    }

    #[test]
    fn rows_hold_entries_and_literal_rule_names_under_a_category_matching_the_search() {
        let entries = vec![
            (
                layer("geo-traits", &["ws:traits"]),
                vec!["Côte".into(), "Traits".into()],
            ),
            (layer("geo-houle", &["ws:houle"]), vec!["Océan".into()]),
            (
                Target::Dataset {
                    id: "neo".into(),
                    title: "Stations NEO".into(),
                },
                vec!["Chroniques".into()],
            ),
        ];
        let rules = [
            stored(Rule {
                layer: Some("ws:traits".into()),
                ..Rule::default()
            }),
            stored(Rule {
                layer: Some("zone_b".into()),
                ..Rule::default()
            }),
            stored(Rule {
                layer: Some("ws:*".into()),
                ..Rule::default()
            }),
            stored(Rule {
                dataset: Some("molene".into()),
                ..Rule::default()
            }),
        ];
        let ids = |rows: Vec<Target>| rows.iter().map(|t| t.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            ids(targets(entries.clone(), &rules, "", &[])),
            ["geo-houle", "geo-traits", "molene", "neo", "zone_b"],
            "an upstream name already listed and globs add no row"
        );
        assert_eq!(
            ids(targets(entries.clone(), &rules, "TRAITS", &[])),
            ["geo-traits"]
        );
        assert_eq!(
            ids(targets(entries.clone(), &rules, "", &["Côte".into()])),
            ["geo-traits"]
        );
        assert_eq!(
            category_paths(&entries),
            [
                vec!["Chroniques".to_owned()],
                vec!["Côte".to_owned()],
                vec!["Côte".to_owned(), "Traits".to_owned()],
                vec!["Océan".to_owned()],
            ]
        );
    }

    #[test]
    fn admin_layers_become_layer_rows_with_their_names_or_dataset_rows() {
        use kartenn_common::admin_catalog::{LayerSettingsEntry, LayerValues};
        let admin_layer = |id: &str, dataset: Option<&str>| AdminLayer {
            id: id.into(),
            kind: if dataset.is_some() {
                "chronicle"
            } else {
                "ogc"
            }
            .into(),
            source: dataset.is_none().then(|| "geo".to_owned()),
            names: vec!["ws:traits".into()],
            dataset: dataset.map(str::to_owned),
            styles: vec![],
            time: None,
            harvested: LayerValues::default(),
            settings: LayerSettingsEntry::default(),
            effective: LayerValues {
                title: "Traits".into(),
                category: vec!["Côte".into()],
                ..LayerValues::default()
            },
        };
        let (row, path) = target_of(&admin_layer("geo-traits", None));
        assert_eq!(path, ["Côte"]);
        let Target::Layer(layer) = &row else {
            panic!("{row:?}")
        };
        assert_eq!(
            (layer.title.as_str(), layer.names.as_slice()),
            ("Traits", &["ws:traits".to_owned()][..])
        );
        let (row, _) = target_of(&admin_layer("chronicle-neo", Some("neo")));
        assert_eq!(
            row,
            Target::Dataset {
                id: "neo".into(),
                title: "Traits".into()
            }
        );
    }
}
