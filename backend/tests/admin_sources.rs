//! Data sources in the admin API, in-process, against a scripted upstream (see
//! `support/sources.rs`): CRUD with `ETag` / `If-Match` and the admin guard (401 / 403 / 422 /
//! 409 / 428), secrets never stored nor returned, connection tests, the OpenAPI document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "support/admin.rs"]
mod admin;
#[allow(dead_code)]
#[path = "support/sources.rs"]
mod sources;
mod support;

use admin::fields;
use serde_json::{Value, json};
use sources::{PASSWORD, harness, text};

#[tokio::test]
async fn every_sources_endpoint_serves_admins_and_refuses_others_with_401_or_403() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    let token = h.preview("geo").await["token"].clone();
    let one = "/api/admin/sources/geo";
    let endpoints: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", "/api/admin/sources", None, 200),
        (
            "POST",
            "/api/admin/sources",
            Some(h.source("other", "ok")),
            201,
        ),
        ("GET", one, None, 200),
        ("PUT", one, Some(h.source("geo", "ok")), 200),
        (
            "POST",
            "/api/admin/sources/test",
            Some(json!({"id": "geo"})),
            200,
        ),
        ("POST", "/api/admin/sources/geo/sync/preview", None, 200),
        (
            "POST",
            "/api/admin/sources/geo/sync/apply",
            Some(json!({ "preview": token })),
            200,
        ),
        ("DELETE", one, None, 200),
    ];
    let carol = h.s.token("carol", &["chercheur"]);
    for (method, uri, body, ok) in endpoints {
        let anonymous = h.s.call(method, uri, None, &[], body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {uri} anonymous");
        let refused = h.s.call(method, uri, Some(&carol), &[], body.clone()).await;
        assert_eq!(refused.status, 403, "{method} {uri} non-admin");
        assert_eq!(refused.json()["code"], "forbidden");
        let etag = h.s.as_admin("GET", one, None, None).await;
        let etag = etag.header("etag").map(str::to_owned);
        let reply = h.s.as_admin(method, uri, etag.as_deref(), body).await;
        assert_eq!(
            reply.status.as_u16(),
            ok,
            "{method} {uri} admin: {}",
            text(&reply.body)
        );
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn invalid_sources_are_refused_with_422_naming_each_wrong_field() {
    let h = harness().await;
    let reply =
        h.s.as_admin(
            "POST",
            "/api/admin/sources",
            None,
            Some(
                json!({"id": "Geo!", "url": "ftp://h/ows", "wms": false, "wfs": false,
                "timeout_s": 9000, "password": PASSWORD, "colour": "red"}),
            ),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["code"], "invalid");
    let named = fields(&reply);
    for f in ["id", "url", "wms", "timeout_s", "password", "colour"] {
        assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
    }
    assert!(
        !text(&reply.body).contains(PASSWORD),
        "a refused password is not echoed"
    );
    for (body, field) in [
        (
            json!({"id": "web", "url": "http://geo.example.org/ows"}),
            "url",
        ),
        (
            json!({"id": "web", "url": "https://u:p@geo.example.org/ows"}),
            "url",
        ),
        (
            json!({"id": "conf", "url": "https://geo.example.org/ows"}),
            "id",
        ),
        (
            json!({"id": "web", "url": "https://h/ows", "password_file": "/etc/shadow", "username": "k"}),
            "password_file",
        ),
    ] {
        let reply =
            h.s.as_admin("POST", "/api/admin/sources", None, Some(body.clone()))
                .await;
        assert_eq!(
            (reply.status.as_u16(), fields(&reply)),
            (422, vec![field.to_owned()]),
            "{body}"
        );
    }
    let etag = h.create(h.source("geo", "ok")).await;
    let twice =
        h.s.as_admin(
            "POST",
            "/api/admin/sources",
            None,
            Some(h.source("geo", "ok")),
        )
        .await;
    assert_eq!(fields(&twice), ["id"]);
    let renamed =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/geo",
            Some(&etag),
            Some(h.source("geo2", "ok")),
        )
        .await;
    assert_eq!(fields(&renamed), ["id"]);
    let test =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"url": "file:///etc/passwd"})),
        )
        .await;
    assert_eq!(
        (test.status.as_u16(), fields(&test)),
        (422, vec!["url".to_owned()])
    );
    let apply =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/geo/sync/apply",
            None,
            Some(json!({"token": 1})),
        )
        .await;
    assert_eq!(fields(&apply), ["token", "preview"]);
    // Only the one creation was stored and audited.
    let audit = h.s.audit("").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "source.create");
}

#[tokio::test]
async fn a_stale_if_match_loses_with_409_naming_who_changed_it_and_none_is_428() {
    let h = harness().await;
    let etag = h.create(h.source("geo", "ok")).await;
    assert_eq!(etag, "\"1\"");
    let bea = h.s.token("bea", &["indigeo-admin"]);
    let mut changed = h.source("geo", "ok");
    changed["title"] = json!("Géo Nord");
    let first =
        h.s.call(
            "PUT",
            "/api/admin/sources/geo",
            Some(&bea),
            &[("if-match", &etag)],
            Some(changed),
        )
        .await;
    assert_eq!(first.status, 200, "{}", text(&first.body));
    assert_eq!(first.header("etag"), Some("\"2\""));
    let second =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/geo",
            Some(&etag),
            Some(h.source("geo", "ok")),
        )
        .await;
    assert_eq!(second.status, 409);
    assert_eq!(second.json()["code"], "conflict");
    assert!(second.json()["message"].as_str().unwrap().contains("bea"));
    let stale_delete =
        h.s.as_admin("DELETE", "/api/admin/sources/geo", Some(&etag), None)
            .await;
    assert_eq!(stale_delete.status, 409);
    for method in ["PUT", "DELETE"] {
        let body = (method == "PUT").then(|| h.source("geo", "ok"));
        let reply =
            h.s.as_admin(method, "/api/admin/sources/geo", None, body)
                .await;
        assert_eq!(reply.status, 428, "{method}");
        assert_eq!(reply.json()["code"], "precondition_required");
    }
    let current =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await;
    assert_eq!(current.json()["source"]["title"], "Géo Nord");
    assert_eq!(current.json()["updated_by"], "bea");
    // The configuration's source is listed, read-only.
    let conf =
        h.s.as_admin("GET", "/api/admin/sources/conf", None, None)
            .await;
    assert_eq!(conf.json()["from_config"], true);
    assert!(conf.header("etag").is_none());
    let put =
        h.s.as_admin(
            "PUT",
            "/api/admin/sources/conf",
            Some("\"1\""),
            Some(h.source("conf", "ok")),
        )
        .await;
    assert_eq!(put.status, 409);
    assert!(
        put.json()["message"]
            .as_str()
            .unwrap()
            .contains("configuration file")
    );
    let missing =
        h.s.as_admin("GET", "/api/admin/sources/nope", None, None)
            .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn passwords_are_used_upstream_but_never_stored_nor_returned() {
    let h = harness().await;
    let mut with_file = h.source("geo", "ok");
    with_file["username"] = json!("kartenn");
    with_file["password_file"] = json!(
        h.s.config
            .ogc
            .password_dir
            .as_ref()
            .unwrap()
            .join("geo")
            .display()
            .to_string()
    );
    h.create(with_file).await;
    let mut from_env = h.source("from_env", "ok");
    from_env["username"] = json!("kartenn");
    h.create(from_env).await;
    let list = h.s.as_admin("GET", "/api/admin/sources", None, None).await;
    let sources = list.json()["sources"].as_array().unwrap().clone();
    let ids: Vec<&str> = sources
        .iter()
        .map(|s| s["source"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["conf", "from_env", "geo"],
        "configuration first, then stored"
    );
    let passwords: Vec<bool> = sources
        .iter()
        .map(|s| s["has_password"].as_bool().unwrap())
        .collect();
    assert_eq!(passwords, [false, true, true]);
    let test =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "geo"})),
        )
        .await;
    assert_eq!(test.json()["ok"], true);
    let seen = h.script.authorizations.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the service account was sent: {seen:?}");
    assert!(seen[0].starts_with("Basic "));
    let mut replies = vec![list.body, test.body];
    for uri in [
        "/api/admin/sources/geo",
        "/api/admin/sources/from_env",
        "/api/admin/audit",
        "/api/admin/audit.csv",
    ] {
        replies.push(h.s.as_admin("GET", uri, None, None).await.body);
    }
    for body in replies {
        assert!(!text(&body).contains(PASSWORD), "{}", text(&body));
    }
    for file in ["kartenn.db", "kartenn.db-wal"] {
        let path = h.s.db.with_file_name(file);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !text(&bytes).contains(PASSWORD),
                "{file} holds the password"
            );
        }
    }
}

#[tokio::test]
async fn a_connection_test_answers_title_layers_and_time_or_why_it_failed() {
    let h = harness().await;
    let ok =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(h.source("new", "ok")),
        )
        .await;
    assert_eq!(ok.status, 200);
    let ok = ok.json();
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["services"][0]["service"], "WMS");
    assert_eq!(ok["services"][0]["title"], "Fake GeoServer");
    assert_eq!(ok["services"][0]["layers"], 2);
    assert!(ok["elapsed_ms"].is_u64());
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut down = h.source("new", "ok");
    down["url"] = json!(format!("http://127.0.0.1:{closed}/ows"));
    for body in [down, h.source("new", "html"), h.source("new", "redirect")] {
        let reply =
            h.s.as_admin("POST", "/api/admin/sources/test", None, Some(body.clone()))
                .await;
        assert_eq!(reply.status, 200);
        let result = reply.json();
        assert_eq!(result["ok"], false, "{body}");
        assert_eq!(result["services"][0]["ok"], false);
        assert!(!result["services"][0]["error"].as_str().unwrap().is_empty());
    }
    let with_wfs = json!({"url": format!("{}/ok/ows", h.base)});
    let both =
        h.s.as_admin("POST", "/api/admin/sources/test", None, Some(with_wfs))
            .await
            .json();
    assert_eq!(
        (
            both["ok"].as_bool(),
            both["services"].as_array().unwrap().len()
        ),
        (Some(false), 2)
    );
    assert_eq!(
        (
            both["services"][0]["ok"].as_bool(),
            both["services"][1]["ok"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let configured =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "conf"})),
        )
        .await;
    assert_eq!(configured.json()["ok"], true);
    let unknown =
        h.s.as_admin(
            "POST",
            "/api/admin/sources/test",
            None,
            Some(json!({"id": "nope"})),
        )
        .await;
    assert_eq!(unknown.status, 404);
    // Nothing was stored or audited.
    let list =
        h.s.as_admin("GET", "/api/admin/sources", None, None)
            .await
            .json();
    assert_eq!(list["sources"].as_array().unwrap().len(), 1);
    assert!(h.s.audit("").await.is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_every_sources_route() {
    let h = harness().await;
    let doc =
        h.s.call("GET", "/api/openapi.json", None, &[], None)
            .await
            .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/admin/sources", &["get", "post"][..]),
        ("/api/admin/sources/{id}", &["get", "put", "delete"][..]),
        ("/api/admin/sources/test", &["post"][..]),
        ("/api/admin/sources/{id}/sync/preview", &["post"][..]),
        ("/api/admin/sources/{id}/sync/apply", &["post"][..]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
    for schema in [
        "SourceSpec",
        "SourceEntry",
        "SourceList",
        "SourceTest",
        "SyncPreview",
        "SyncApplied",
    ] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}
