//! Role mappings through the admin API, in-process: Keycloak claims mapped to Kartenn roles
//! with `ETag` / `If-Match`, each change audited, and a mapping's effect on the very next
//! request of a user whose token (already verified and cached) does not change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/admin.rs"]
#[allow(dead_code)] // shared with the other admin tests
mod admin;
mod support;

use admin::{TILE, fields, setup};
use serde_json::{Value, json};

const LIST: &str = "/api/admin/role-mappings";

async fn create(s: &admin::Setup, body: Value) -> (String, String) {
    let reply = s.as_admin("POST", LIST, None, Some(body)).await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let location = reply.header("location").unwrap().to_owned();
    (location, reply.header("etag").unwrap().to_owned())
}

#[tokio::test]
async fn every_role_mapping_endpoint_serves_admins_and_refuses_others_with_401_or_403() {
    let s = setup().await;
    let (one, _) = create(&s, json!({"claim": "realm:a", "roles": ["x"]})).await;
    let body = json!({"claim": "realm:b", "roles": ["y"]});
    let endpoints: Vec<(&str, &str, Option<Value>, u16)> = vec![
        ("GET", LIST, None, 200),
        ("POST", LIST, Some(body.clone()), 201),
        ("GET", &one, None, 200),
        (
            "PUT",
            &one,
            Some(json!({"claim": "realm:a", "roles": ["z"]})),
            200,
        ),
        ("DELETE", &one, None, 204),
    ];
    let carol = s.token("carol", &["chercheur"]);
    for (method, uri, body, ok) in endpoints {
        let anonymous = s.call(method, uri, None, &[], body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {uri} anonymous");
        let refused = s.call(method, uri, Some(&carol), &[], body.clone()).await;
        assert_eq!(refused.status, 403, "{method} {uri} non-admin");
        let etag = s.as_admin("GET", &one, None, None).await;
        let etag = etag.header("etag").map(str::to_owned);
        let reply = s.as_admin(method, uri, etag.as_deref(), body).await;
        assert_eq!(reply.status.as_u16(), ok, "{method} {uri} admin");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
}

#[tokio::test]
async fn the_list_shows_stored_mappings_then_the_configurations_read_only() {
    let s = setup().await;
    create(
        &s,
        json!({"claim": "group:/letg", "roles": ["letg", "letg"]}),
    )
    .await;
    let list = s.as_admin("GET", LIST, None, None).await.json();
    let mappings = list["mappings"].as_array().unwrap();
    assert_eq!(mappings.len(), 2);
    assert_eq!(mappings[0]["claim"], "group:/letg");
    assert_eq!(mappings[0]["roles"], json!(["letg"]), "duplicates dropped");
    assert_eq!(mappings[0]["from_config"], false);
    assert_eq!(mappings[0]["version"], 1);
    assert_eq!(mappings[1]["claim"], "realm:indigeo-admin");
    assert_eq!(mappings[1]["roles"], json!(["admin"]));
    assert_eq!(mappings[1]["from_config"], true);
    assert!(mappings[1].get("id").is_none());
}

#[tokio::test]
async fn invalid_mappings_are_refused_with_422_naming_each_wrong_field() {
    let s = setup().await;
    let reply = s
        .as_admin(
            "POST",
            LIST,
            None,
            Some(json!({"claim": "chercheur", "roles": ["ok", "realm:x"], "colour": 1})),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json()["code"], "invalid");
    assert_eq!(fields(&reply), ["colour", "claim", "roles[1]"]);
    let empty = s
        .as_admin(
            "POST",
            LIST,
            None,
            Some(json!({"claim": "realm:a", "roles": []})),
        )
        .await;
    assert_eq!(fields(&empty), ["roles"]);
    create(&s, json!({"claim": "realm:a", "roles": ["x"]})).await;
    let twice = s
        .as_admin(
            "POST",
            LIST,
            None,
            Some(json!({"claim": "realm:a", "roles": ["y"]})),
        )
        .await;
    assert_eq!(
        (twice.status.as_u16(), fields(&twice)),
        (422, vec!["claim".to_owned()])
    );
    let not_json = s.call("POST", LIST, Some(&s.admin()), &[], None).await;
    assert_eq!(not_json.status, 400);
    // Only the one valid creation was stored and audited.
    let audit = s.audit("?action=role_mapping.create").await;
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn a_stale_if_match_loses_with_409_and_a_missing_one_gets_428() {
    let s = setup().await;
    let (uri, etag) = create(&s, json!({"claim": "realm:a", "roles": ["x"]})).await;
    let body = json!({"claim": "realm:a", "roles": ["y"]});
    let first = s
        .as_admin("PUT", &uri, Some(&etag), Some(body.clone()))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("etag"), Some("\"2\""));
    let second = s
        .as_admin("PUT", &uri, Some(&etag), Some(body.clone()))
        .await;
    assert_eq!(second.status, 409);
    let message = second.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("role mapping") && message.contains("ann"),
        "{message}"
    );
    let without = s.as_admin("PUT", &uri, None, Some(body)).await;
    assert_eq!(without.status, 428);
    let delete_stale = s.as_admin("DELETE", &uri, Some(&etag), None).await;
    assert_eq!(delete_stale.status, 409);
    let missing = s
        .as_admin("GET", "/api/admin/role-mappings/999", None, None)
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_mapping_change_shows_on_the_users_very_next_request_and_is_audited() {
    let s = setup().await;
    // `private` is for role `letg`; Bob's token carries realm role `maddog` only.
    s.create(json!({"layer": "private", "view": ["letg"]}))
        .await;
    let bob = s.token("bob", &["maddog"]);
    assert_eq!(s.call("GET", TILE, Some(&bob), &[], None).await.status, 403);

    let (uri, etag) = create(&s, json!({"claim": "realm:maddog", "roles": ["letg"]})).await;
    assert_eq!(
        s.call("GET", TILE, Some(&bob), &[], None).await.status,
        200,
        "same token, mapped now"
    );
    let me = s.call("GET", "/api/me", Some(&bob), &[], None).await.json();
    let roles = me["user"]["roles"].as_array().unwrap();
    assert!(roles.contains(&json!("letg")) && roles.contains(&json!("realm:maddog")));

    let moved = json!({"claim": "realm:maddog", "roles": ["neo"]});
    let reply = s.as_admin("PUT", &uri, Some(&etag), Some(moved)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        s.call("GET", TILE, Some(&bob), &[], None).await.status,
        403,
        "role taken away"
    );
    let reply = s.as_admin("DELETE", &uri, Some("\"2\""), None).await;
    assert_eq!(reply.status, 204);

    let audit = s.audit("?user=ann").await;
    let actions: Vec<&str> = audit
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "role_mapping.delete",
            "role_mapping.update",
            "role_mapping.create",
            "rule.create"
        ]
    );
    assert_eq!(audit[1]["before"]["roles"], json!(["letg"]));
    assert_eq!(audit[1]["after"]["roles"], json!(["neo"]));
    assert_eq!(audit[0]["after"], Value::Null);
    assert_eq!(audit[0]["target"], audit[2]["target"]);
}

#[tokio::test]
async fn stored_mappings_are_in_force_again_after_a_restart() {
    let s = setup().await;
    s.create(json!({"layer": "private", "view": ["letg"]}))
        .await;
    create(&s, json!({"claim": "realm:maddog", "roles": ["letg"]})).await;
    let again = admin::app_on(&s.config, &s.store, s.issuer.jwks()).await;
    let bob = s.token("bob", &["maddog"]);
    let request = axum::http::Request::builder()
        .uri(TILE)
        .header("authorization", format!("Bearer {bob}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(support::send(&again, request).await.status, 200);
}

#[tokio::test]
async fn the_openapi_document_describes_the_role_mapping_routes() {
    let s = setup().await;
    let doc = s
        .call("GET", "/api/openapi.json", None, &[], None)
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        (LIST, &["get", "post"][..]),
        (
            "/api/admin/role-mappings/{id}",
            &["get", "put", "delete"][..],
        ),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path}");
        }
    }
}
