//! The permission matrix by roles: for each row — a layer or a chronicle dataset — and each
//! column — anonymous visitors, any signed-in user, one role — which of view / query /
//! download the rules in force allow, and which rule decides. Same semantics as the backend's
//! `acl` (the first rule naming the row decides; an action it does not mention is nobody's; no
//! rule: `[access] default`), through the rule methods shared in `kartenn_common::admin`.

use std::collections::BTreeSet;

use kartenn_common::admin::{Audience, DefaultAccess, Rule, RuleEntry};

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
}
