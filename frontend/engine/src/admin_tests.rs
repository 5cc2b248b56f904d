//! Tests of the admin reckoning: a table of (rules, layer, caller, action, expected) cases with
//! the backend's semantics, the matrix rows and the editor's audience text.

use super::*;
use kartenn_common::CatalogLayer;

fn entry(json: &str) -> RuleEntry {
    RuleEntry::config(serde_json::from_str(json).unwrap())
}

fn layer(id: &str, source: Option<&str>, names: &[&str]) -> LayerName {
    LayerName {
        id: id.into(),
        title: id.into(),
        source: source.map(str::to_owned),
        names: names.iter().map(|n| (*n).to_owned()).collect(),
    }
}

fn roles(list: &[&str]) -> Vec<String> {
    list.iter().map(|r| (*r).to_owned()).collect()
}

#[test]
fn globs_match_runs_single_characters_and_exact_text() {
    let cases = [
        ("indigeo:*", "indigeo:traits", true),
        ("*", "", true),
        ("a?c", "abc", true),
        ("a?c", "ac", false),
        ("*_private*", "sites_private_2024", true),
        ("indigeo:*", "maddog:traits", false),
        ("communes", "communes", true),
        ("communes", "communes2", false),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false),
        ("c?te", "côte", true),
        ("*é*", "Traits de côte, levé", true),
        ("c?te", "cte", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(glob(pattern, text), expected, "{pattern} ~ {text}");
    }
}

#[test]
fn the_table_of_cases_decides_like_the_backend() {
    let rules = vec![
        entry(r#"{"layer":"private_*"}"#),
        entry(r#"{"layer":"communes","view":"public"}"#),
        entry(
            r#"{"layer":"indigeo:*","source":"indigeo","view":"authenticated","query":["letg"]}"#,
        ),
        entry(r#"{"layer":"secret","view":["realm:maddog","letg"],"download":"public"}"#),
        entry(r#"{"dataset":"*","view":"public"}"#),
    ];
    let anon: Option<&[String]> = None;
    let bob = roles(&["realm:maddog"]);
    let letg = roles(&["letg"]);
    let guest = roles(&[]);
    let private = layer("private_sites", None, &[]);
    let communes = layer("communes", None, &[]);
    let traits = layer("t", Some("indigeo"), &["indigeo:traits"]);
    let other_source = layer("t2", Some("maddog"), &["indigeo:traits"]);
    let secret = layer("secret", None, &[]);
    let unruled = layer("elsewhere", None, &[]);
    let cases: Vec<(&LayerName, Option<&[String]>, Act, bool)> = vec![
        (&private, Some(&letg), Act::View, false),
        (&communes, anon, Act::View, true),
        (&communes, anon, Act::Query, false),
        (&traits, anon, Act::View, false),
        (&traits, Some(&guest), Act::View, true),
        (&traits, Some(&guest), Act::Query, false),
        (&traits, Some(&letg), Act::Query, true),
        (&other_source, Some(&letg), Act::View, false),
        (&secret, anon, Act::View, false),
        (&secret, Some(&bob), Act::View, true),
        (&secret, Some(&guest), Act::View, false),
        (&secret, anon, Act::Download, true),
        (&unruled, Some(&letg), Act::View, false),
    ];
    for (layer, caller, act, expected) in cases {
        assert_eq!(
            allows(&rules, DefaultAccess::Deny, layer, act, caller),
            expected,
            "{} {:?} {caller:?}",
            layer.id,
            act
        );
    }
    assert!(allows(
        &rules,
        DefaultAccess::Public,
        &unruled,
        Act::Download,
        None
    ));
}

#[test]
fn a_cell_names_the_first_matching_rule_or_none_for_the_default() {
    let rules = vec![
        entry(r#"{"layer":"a*","view":"public"}"#),
        entry(r#"{"layer":"ab","view":["r"]}"#),
    ];
    let c = cell(
        &rules,
        DefaultAccess::Deny,
        &layer("ab", None, &[]),
        Act::View,
    );
    assert_eq!(
        c,
        Cell {
            who: Who::Public,
            rule: Some(0)
        }
    );
    let q = cell(
        &rules,
        DefaultAccess::Deny,
        &layer("ab", None, &[]),
        Act::Query,
    );
    assert_eq!(
        q,
        Cell {
            who: Who::Nobody,
            rule: Some(0)
        }
    );
    let d = cell(
        &rules,
        DefaultAccess::Public,
        &layer("z", None, &[]),
        Act::View,
    );
    assert_eq!(
        d,
        Cell {
            who: Who::Public,
            rule: None
        }
    );
}

#[test]
fn matrix_rows_add_layers_rules_name_literally_and_follow_the_search() {
    let catalog = Catalog {
        layers: Vec::<CatalogLayer>::new(),
    };
    let rules = vec![
        entry(r#"{"layer":"zones_private","view":"public"}"#),
        entry(r#"{"layer":"any_*","view":"public"}"#),
    ];
    let all = rows(&catalog, &rules, "");
    assert_eq!(
        all.iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
        ["zones_private"]
    );
    assert!(rows(&catalog, &rules, "PRIV").len() == 1);
    assert!(rows(&catalog, &rules, "nothing").is_empty());
}

#[test]
fn the_editor_reads_and_writes_audiences_as_a_choice_and_comma_separated_roles() {
    let roles_audience = Audience::Roles(roles(&["realm:maddog", "letg"]));
    assert_eq!(
        to_form(Some(&roles_audience)),
        (Choice::Roles, "realm:maddog, letg".to_owned())
    );
    assert_eq!(
        from_form(Choice::Roles, " realm:maddog ,, letg "),
        Some(roles_audience)
    );
    assert_eq!(from_form(Choice::Nobody, "x"), None);
    assert_eq!(
        from_form(Choice::Public, ""),
        Some(Audience::Keyword(Keyword::Public))
    );
    assert_eq!(to_form(None), (Choice::Nobody, String::new()));
    assert_eq!(Choice::from_key("authenticated"), Choice::Authenticated);
    assert_eq!(optional("  "), None);
}
