//! Reading and checking a source body: each wrong field named, URLs, passwords.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::*;

fn map(v: &Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

fn no_env() -> Env {
    Arc::new(|_: &str| None)
}

#[test]
fn a_source_with_id_and_url_takes_the_defaults_of_the_configuration() {
    let spec = parse_spec(
        &map(&json!({"id": "geo", "url": "https://h/ows"})),
        &OgcLimits::default(),
        true,
    )
    .unwrap();
    assert_eq!(spec, SourceSpec::new("geo", "https://h/ows"));
}

#[test]
fn each_wrong_field_of_a_source_is_named() {
    let errors = parse_spec(
        &map(
            &json!({"id": "Bad Id", "url": "ftp://h/ows", "wms": false, "wfs": false,
            "wms_version": "1.0", "timeout_s": 0, "sync_minutes": -1, "max_response_mb": 0,
            "title": 3, "password": "x", "colour": 1}),
        ),
        &OgcLimits::default(),
        true,
    )
    .unwrap_err();
    let named = fields(&errors);
    for f in [
        "id",
        "url",
        "wms",
        "wms_version",
        "timeout_s",
        "sync_minutes",
        "max_response_mb",
        "title",
        "password",
        "colour",
    ] {
        assert!(named.contains(&f), "{f} missing from {named:?}");
    }
    let password = errors.iter().find(|e| e.field == "password").unwrap();
    assert!(
        password.message.contains("never stored"),
        "{}",
        password.message
    );
    let missing = parse_spec(&map(&json!({})), &OgcLimits::default(), true).unwrap_err();
    assert_eq!(fields(&missing), ["id", "url"]);
    let test = parse_spec(
        &map(&json!({"url": "https://h/ows"})),
        &OgcLimits::default(),
        false,
    );
    assert!(test.is_ok(), "a test may leave the id out");
}

#[test]
fn urls_are_https_or_plain_http_to_loopback_without_credentials_or_query() {
    for ok in [
        "https://geo.example.org/geoserver/ows",
        "http://127.0.0.1:8080/ows",
        "http://localhost/ows",
        "http://[::1]:81/ows",
    ] {
        assert_eq!(check_url(ok, false), Ok(()), "{ok}");
    }
    for bad in [
        "http://geo.example.org/ows",
        "https://user:pw@geo.example.org/ows",
        "https://geo.example.org/ows?service=WMS",
        "https://geo.example.org/ows#x",
        "file:///etc/passwd",
        "gopher://h/ows",
        "https:// h/ows",
        "not a url",
    ] {
        assert!(check_url(bad, false).is_err(), "{bad}");
    }
    assert_eq!(check_url("http://geo.example.org/ows", true), Ok(()));
    assert!(check_url("https://user@h/ows", true).is_err());
}

#[test]
fn a_password_file_must_lie_in_the_password_directory_and_holds_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("geo"), "s3cret\n").unwrap();
    std::fs::write(secrets.join("two"), "a\nb\n").unwrap();
    std::fs::write(dir.path().join("outside"), "x\n").unwrap();
    let mut spec = SourceSpec::new("geo", "https://h/ows");
    spec.username = Some("kartenn".into());
    let limits = OgcLimits {
        password_dir: Some(secrets.clone()),
        ..OgcLimits::default()
    };
    spec.password_file = Some(secrets.join("geo").display().to_string());
    let source = to_config(&spec, &limits, &no_env()).unwrap();
    assert_eq!(source.password, Some(Secret("s3cret".into())));
    for (file, limits) in [
        (secrets.join("two"), limits.clone()),
        (secrets.join("../outside"), limits.clone()),
        (secrets.join("missing"), limits.clone()),
        (secrets.join("geo"), OgcLimits::default()),
    ] {
        spec.password_file = Some(file.display().to_string());
        let errors = to_config(&spec, &limits, &no_env()).unwrap_err();
        assert_eq!(fields(&errors), ["password_file"], "{}", file.display());
    }
}

#[test]
fn the_environment_gives_the_password_and_a_password_needs_a_username() {
    let env: Env =
        Arc::new(|key: &str| (key == "KARTENN_SOURCE_GEO_NORD_PASSWORD").then(|| "pw".to_owned()));
    let mut spec = SourceSpec::new("geo-nord", "https://h/ows");
    let errors = to_config(&spec, &OgcLimits::default(), &env).unwrap_err();
    assert_eq!(fields(&errors), ["username"]);
    spec.username = Some("kartenn".into());
    let source = to_config(&spec, &OgcLimits::default(), &env).unwrap();
    assert_eq!(source.password, Some(Secret("pw".into())));
    assert_eq!(spec_of(&source).password_file, None);
}
