//! Tests of the admin reckoning: a table of (rules, layer, caller, action, expected) cases with
//! the backend's semantics (through the matrix's [`grant`]) and the editor's audience text.

/// What a caller (`None`: anonymous; else the one role or none they hold) may do.
fn allows(
    rules: &[RuleEntry],
    default: DefaultAccess,
    layer: &LayerName,
    act: Act,
    caller: Option<&[String]>,
) -> bool {
    let column = match caller {
        None => Column::Anonymous,
        Some([]) => Column::SignedIn,
        Some([role]) => Column::Role(role.clone()),
        Some(more) => panic!("one role per column: {more:?}"),
    };
    grant(rules, default, &Target::Layer(layer.clone()), &column).allows(act)
}

use super::*;
use crate::access::{Column, Target, grant};
use kartenn_common::admin::{DefaultAccess, RuleEntry};

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
