//! The admin API, in-process: rules edited with `ETag` / `If-Match`, the audit log written with
//! each change and never rewritten, the admin guard (401 / 403 / CSRF), and a rule change seen
//! by tiles, the OGC proxy and the catalogue on the very next request. Callers carry RS256
//! bearer tokens signed here; `realm:indigeo-admin` maps to Kartenn's `admin`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/admin.rs"]
mod admin;
mod support;

use admin::{GET_MAP, TILE, app_on, fields, setup};
use kartenn::store::Store;
use serde_json::{Value, json};
use support::Reply;

#[tokio::test]
async fn every_admin_endpoint_serves_admins_and_refuses_others_with_401_or_403() {
    let s = setup().await;
    let (id, _) = s.create(json!({"layer": "a", "view": "public"})).await;
    let rule = json!({"rule": {"layer": "b"}});
    let bulk = json!({"layers": ["c"], "action": "view", "audience": "authenticated"});
    let one = format!("/api/admin/rules/{id}");
    let endpoints: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", "/api/admin/rules", None, 200),
        ("POST", "/api/admin/rules", Some(rule.clone()), 201),
        ("GET", &one, None, 200),
        ("PUT", &one, Some(rule), 200),
        ("POST", "/api/admin/rules/bulk", Some(bulk), 200),
        ("GET", "/api/admin/audit", None, 200),
        ("GET", "/api/admin/audit.csv", None, 200),
        ("GET", "/api/admin/audit/actions", None, 200),
        ("DELETE", &one, None, 204),
    ];
    let carol = s.token("carol", &["chercheur"]);
    for (method, uri, body, ok) in endpoints {
        let anonymous = s.call(method, uri, None, &[], body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {uri} anonymous");
        assert_eq!(anonymous.json()["code"], "unauthorized");
        let refused = s.call(method, uri, Some(&carol), &[], body.clone()).await;
        assert_eq!(refused.status, 403, "{method} {uri} non-admin");
        assert_eq!(refused.json()["code"], "forbidden");
        let etag = s.as_admin("GET", &one, None, None).await;
        let etag = etag.header("etag").map(str::to_owned);
        let reply = s.as_admin(method, uri, etag.as_deref(), body).await;
        assert_eq!(reply.status.as_u16(), ok, "{method} {uri} admin");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn invalid_rules_are_refused_with_422_naming_each_wrong_field() {
    let s = setup().await;
    let reply = s
        .as_admin(
            "POST",
            "/api/admin/rules",
            None,
            Some(json!({"rule": {"layer": "", "view": "everyone", "colour": 1}, "position": "x"})),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["code"], "invalid");
    let named = fields(&reply);
    for f in ["rule.layer", "rule.view", "rule.colour", "position"] {
        assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
    }
    let both = s
        .as_admin(
            "POST",
            "/api/admin/rules",
            None,
            Some(json!({"rule": {"layer": "a", "dataset": "d"}})),
        )
        .await;
    assert_eq!(fields(&both), ["rule.dataset"]);
    let missing = s
        .as_admin("POST", "/api/admin/rules", None, Some(json!({})))
        .await;
    assert_eq!(fields(&missing), ["rule"]);
    let bulk = s
        .as_admin(
            "POST",
            "/api/admin/rules/bulk",
            None,
            Some(json!({"layers": [], "action": "look"})),
        )
        .await;
    assert_eq!(bulk.status, 422);
    assert_eq!(fields(&bulk), ["layers", "action", "audience"]);
    let audit = s
        .as_admin("GET", "/api/admin/audit?since=yesterday", None, None)
        .await;
    assert_eq!(
        (audit.status.as_u16(), fields(&audit)),
        (422, vec!["since".to_owned()])
    );
    // Nothing was stored, nothing audited.
    assert!(s.audit("").await.is_empty());
}

#[tokio::test]
async fn a_second_update_with_the_same_if_match_loses_with_409_naming_who_changed_it() {
    let s = setup().await;
    let (id, etag) = s.create(json!({"layer": "a"})).await;
    assert_eq!(etag, "\"1\"");
    let uri = format!("/api/admin/rules/{id}");
    let bea = s.token("bea", &["indigeo-admin"]);
    let first = s
        .call(
            "PUT",
            &uri,
            Some(&bea),
            &[("if-match", &etag)],
            Some(json!({"rule": {"layer": "a", "view": "public"}})),
        )
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("etag"), Some("\"2\""));
    let second = s
        .as_admin(
            "PUT",
            &uri,
            Some(&etag),
            Some(json!({"rule": {"layer": "a", "query": "public"}})),
        )
        .await;
    assert_eq!(second.status, 409);
    assert_eq!(second.json()["code"], "conflict");
    let message = second.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("bea") && message.contains("version 2"),
        "{message}"
    );
    // Bea's change stands.
    let now = s.as_admin("GET", &uri, None, None).await.json();
    assert_eq!(now["rule"], json!({"layer": "a", "view": "public"}));
    let stale_delete = s.as_admin("DELETE", &uri, Some(&etag), None).await;
    assert_eq!(stale_delete.status, 409);

    // Truly concurrent: exactly one of two PUTs at version 2 wins.
    let body = |v: &str| Some(json!({"rule": {"layer": "a", "view": v}}));
    let (x, y) = tokio::join!(
        s.as_admin("PUT", &uri, Some("\"2\""), body("authenticated")),
        s.as_admin("PUT", &uri, Some("\"2\""), body("public")),
    );
    let mut statuses = [x.status.as_u16(), y.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(s.audit("?action=rule.update").await.len(), 2);
}

#[tokio::test]
async fn changes_without_if_match_get_428_and_unknown_rules_404() {
    let s = setup().await;
    let (id, _) = s.create(json!({"layer": "a"})).await;
    let uri = format!("/api/admin/rules/{id}");
    let put = s
        .as_admin("PUT", &uri, None, Some(json!({"rule": {"layer": "b"}})))
        .await;
    assert_eq!(put.status, 428);
    assert_eq!(put.json()["code"], "precondition_required");
    let delete = s.as_admin("DELETE", &uri, None, None).await;
    assert_eq!(delete.status, 428);
    let gone = s
        .as_admin("DELETE", "/api/admin/rules/999", Some("\"1\""), None)
        .await;
    assert_eq!(gone.status, 404);
    assert_eq!(s.audit("").await.len(), 1);
}

#[tokio::test]
async fn every_change_leaves_one_audit_row_with_who_before_and_after() {
    let s = setup().await;
    let (id, etag) = s.create(json!({"layer": "a", "view": "public"})).await;
    let uri = format!("/api/admin/rules/{id}");
    let put = s
        .call(
            "PUT",
            &uri,
            Some(&s.admin()),
            &[("if-match", &etag), ("user-agent", "probe/1")],
            Some(json!({"rule": {"layer": "a"}})),
        )
        .await;
    assert_eq!(put.status, 200);
    let del = s.as_admin("DELETE", &uri, Some("\"2\""), None).await;
    assert_eq!(del.status, 204);
    let bulk = s
        .as_admin(
            "POST",
            "/api/admin/rules/bulk",
            None,
            Some(json!({"layers": ["x", "y"], "action": "download", "audience": ["letg"]})),
        )
        .await;
    assert_eq!(bulk.status, 200);

    let rows = s.audit("").await;
    let actions: Vec<&str> = rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "rule.create",
            "rule.create",
            "rule.delete",
            "rule.update",
            "rule.create"
        ]
    );
    let update = &rows[3];
    assert_eq!(update["username"], "ann");
    assert_eq!(update["subject"], "sub-ann");
    assert_eq!(update["target"], format!("rule:{id}"));
    assert_eq!(
        update["before"]["rule"],
        json!({"layer": "a", "view": "public"})
    );
    assert_eq!(update["after"]["rule"], json!({"layer": "a"}));
    assert_eq!(update["after"]["version"], 2);
    assert_eq!(update["user_agent"], "probe/1");
    assert_eq!(rows[2]["after"], Value::Null);
    assert_eq!(rows[4]["before"], Value::Null);
    assert_eq!(
        rows[0]["after"]["rule"],
        json!({"layer": "y", "download": ["letg"]})
    );

    assert_eq!(s.audit("?action=rule.delete").await.len(), 1);
    assert_eq!(s.audit("?user=nobody").await.len(), 0);
    assert_eq!(s.audit("?limit=2").await.len(), 2);
    assert_eq!(
        s.audit("?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z")
            .await
            .len(),
        0
    );
    assert_eq!(s.audit("?since=2000-01-01T00:00:00Z").await.len(), 5);

    let csv = s.as_admin("GET", "/api/admin/audit.csv", None, None).await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(csv.body).unwrap();
    assert!(text.starts_with("id,at,subject,username,action,target,before,after"));
    assert_eq!(text.lines().count(), 6);

    let listed = s
        .as_admin("GET", "/api/admin/audit/actions", None, None)
        .await;
    assert_eq!(
        listed.json(),
        json!(["rule.create", "rule.delete", "rule.update"]),
        "the actions the log holds, once each, sorted"
    );
}

#[tokio::test]
async fn a_permission_change_shows_on_the_very_next_request_in_tiles_proxy_and_catalogue() {
    let s = setup().await;
    let catalog_ids = |reply: Reply| -> Vec<String> {
        reply.json()["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let anonymous = |uri: &'static str| s.call("GET", uri, None, &[], None);
    assert_eq!(anonymous(TILE).await.status, 401);
    assert_eq!(anonymous(GET_MAP).await.status, 404);
    assert_eq!(catalog_ids(anonymous("/api/catalog").await), ["open"]);

    let (id, etag) = s
        .create(json!({"layer": "*private*", "view": "public"}))
        .await;
    assert_eq!(anonymous(TILE).await.status, 200);
    assert_eq!(anonymous(GET_MAP).await.status, 200);
    let ids = catalog_ids(anonymous("/api/catalog").await);
    assert!(
        ids.contains(&"private".to_owned()) && ids.len() == 3,
        "{ids:?}"
    );

    // And back: the stored rule now says nobody, which beats the default.
    let closed = s
        .as_admin(
            "PUT",
            &format!("/api/admin/rules/{id}"),
            Some(&etag),
            Some(json!({"rule": {"layer": "*private*"}})),
        )
        .await;
    assert_eq!(closed.status, 200);
    assert_eq!(anonymous(TILE).await.status, 401);
    assert_eq!(anonymous(GET_MAP).await.status, 404);
    assert_eq!(catalog_ids(anonymous("/api/catalog").await), ["open"]);

    // Stored rules come first: one may close a layer the configuration opens.
    s.create(json!({"layer": "open"})).await;
    assert_eq!(anonymous("/tiles/open/8/125/88.mvt").await.status, 401);
    let list = s
        .as_admin("GET", "/api/admin/rules", None, None)
        .await
        .json();
    let from_config: Vec<bool> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["from_config"].as_bool().unwrap())
        .collect();
    assert_eq!(from_config, [false, false, true]);
    assert_eq!(list["default"], "deny");
}

#[tokio::test]
async fn stored_rules_are_in_force_again_after_a_restart() {
    let s = setup().await;
    s.create(json!({"layer": "private", "view": "public"}))
        .await;
    let restarted = app_on(
        &s.config,
        &Store::open(&s.db).await.unwrap(),
        s.issuer.jwks(),
    )
    .await;
    let reply = support::get(&restarted, TILE).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn audit_rows_cannot_be_changed_through_any_endpoint_nor_by_sql() {
    let s = setup().await;
    s.create(json!({"layer": "a"})).await;
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for uri in ["/api/admin/audit", "/api/admin/audit.csv"] {
            let reply = s
                .as_admin(method, uri, Some("\"1\""), Some(json!({})))
                .await;
            assert_eq!(reply.status, 405, "{method} {uri}");
        }
        let row = s
            .as_admin(method, "/api/admin/audit/1", Some("\"1\""), Some(json!({})))
            .await;
        assert_eq!(row.status, 404, "{method} one row");
    }
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", s.db.display()))
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_log SET username = 'mallory'")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let rows = s.audit("").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["username"], "ann");
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_for_admin_changes() {
    let s = setup().await;
    let (cookie, csrf) = support::cookie_session(&s.store, "ann", &["realm:indigeo-admin"]).await;
    let body = Some(json!({"rule": {"layer": "a"}}));
    let refused = s
        .call(
            "POST",
            "/api/admin/rules",
            None,
            &[("cookie", &cookie)],
            body.clone(),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["code"], "csrf");
    let listed = s
        .call(
            "GET",
            "/api/admin/rules",
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(listed.status, 200);
    let created = s
        .call(
            "POST",
            "/api/admin/rules",
            None,
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            body,
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(s.audit("").await.len(), 1);
}

#[tokio::test]
async fn the_openapi_document_describes_every_admin_route() {
    let s = setup().await;
    let doc = s
        .call("GET", "/api/openapi.json", None, &[], None)
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/admin/rules", &["get", "post"][..]),
        ("/api/admin/rules/{id}", &["get", "put", "delete"][..]),
        ("/api/admin/rules/bulk", &["post"][..]),
        ("/api/admin/audit", &["get"][..]),
        ("/api/admin/audit.csv", &["get"][..]),
        ("/api/admin/audit/actions", &["get"][..]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
    for schema in ["RuleEntry", "Rule", "AuditEntry", "RuleList"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

#[tokio::test]
async fn the_audit_row_records_the_peer_address_of_the_connection() {
    use axum::extract::ConnectInfo;
    let s = setup().await;
    let mut request = axum::http::Request::post("/api/admin/rules")
        .header("authorization", format!("Bearer {}", s.admin()))
        .body(axum::body::Body::from(r#"{"rule": {"layer": "a"}}"#))
        .unwrap();
    let peer: std::net::SocketAddr = "192.0.2.7:41000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    assert_eq!(support::send(&s.app, request).await.status, 201);
    assert_eq!(s.audit("").await[0]["origin"], "192.0.2.7");
}
