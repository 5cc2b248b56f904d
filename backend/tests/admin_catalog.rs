//! The catalogue administration API, in-process: the category tree (create, rename, move
//! without cycles, delete with `move_to`), per-layer settings with `ETag` / `If-Match`, the
//! admin guard (401 / 403), validation (422 naming fields), conflicts (409 / 428) and audit
//! rows. Application: `support/catalog.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "support/admin.rs"]
mod admin;
#[allow(dead_code)]
#[path = "support/catalog.rs"]
mod catalog;
mod support;

use admin::fields;
use catalog::*;
use serde_json::{Value, json};

#[tokio::test]
async fn every_catalogue_admin_endpoint_serves_admins_and_refuses_others_with_401_or_403() {
    let s = setup().await;
    let id = category(&s, "Mer", None).await;
    let one = format!("/api/admin/categories/{id}");
    let settings = settings_uri("open");
    let endpoints: Vec<(&str, &str, &str, Option<Value>, u16)> = vec![
        ("GET", "/api/admin/categories", "", None, 200),
        (
            "POST",
            "/api/admin/categories",
            "",
            Some(json!({"title": "Terre"})),
            201,
        ),
        ("GET", &one, "", None, 200),
        ("PUT", &one, &one, Some(json!({"title": "Mers"})), 200),
        ("GET", "/api/admin/layers", "", None, 200),
        ("GET", &settings, "", None, 200),
        (
            "PUT",
            &settings,
            &settings,
            Some(json!({"title": "Ouvert"})),
            200,
        ),
        ("DELETE", &settings, &settings, None, 200),
        ("DELETE", &one, &one, None, 204),
    ];
    let carol = s.token("carol", &["chercheur"]);
    for (method, uri, etag_from, body, ok) in endpoints {
        let anonymous = s.call(method, uri, None, &[], body.clone()).await;
        assert_eq!(anonymous.status, 401, "{method} {uri} anonymous");
        let refused = s.call(method, uri, Some(&carol), &[], body.clone()).await;
        assert_eq!(refused.status, 403, "{method} {uri} non-admin");
        let etag = if etag_from.is_empty() {
            None
        } else {
            s.as_admin("GET", etag_from, None, None)
                .await
                .header("etag")
                .map(str::to_owned)
        };
        let reply = s.as_admin(method, uri, etag.as_deref(), body).await;
        assert_eq!(reply.status.as_u16(), ok, "{method} {uri} admin");
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    let actions: Vec<String> = s
        .audit("")
        .await
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "category.delete",
            "layer.settings.reset",
            "layer.settings.update",
            "category.update",
            "category.create",
            "category.create"
        ]
    );
}

#[tokio::test]
async fn invalid_categories_and_settings_are_refused_with_422_naming_each_wrong_field() {
    let s = setup().await;
    let bad = s
        .as_admin(
            "POST",
            "/api/admin/categories",
            None,
            Some(json!({"title": "a/b", "parent": "x", "colour": 1})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(fields(&bad), ["colour", "title", "parent"]);
    let orphan = s
        .as_admin(
            "POST",
            "/api/admin/categories",
            None,
            Some(json!({"title": "Mer", "parent": 999})),
        )
        .await;
    assert_eq!(fields(&orphan), ["parent"]);
    let settings = s
        .as_admin(
            "PUT",
            &settings_uri(DATA),
            Some("\"0\""),
            Some(json!({"style": "nope", "published": "yes", "category": 999,
                "time_default": "2024-01-01", "colour": 1, "title": ""})),
        )
        .await;
    assert_eq!(settings.status, 422);
    let mut named = fields(&settings);
    named.sort();
    assert_eq!(
        named,
        [
            "category",
            "colour",
            "published",
            "style",
            "time_default",
            "title"
        ]
    );
    let message = settings.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "style")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("default, bathy"), "{message}");
    let time = s
        .as_admin(
            "PUT",
            &settings_uri(SITES),
            Some("\"0\""),
            Some(json!({"time_default": "2030-01-01"})),
        )
        .await;
    assert_eq!(fields(&time), ["time_default"]);
    let unknown = s
        .as_admin(
            "PUT",
            &settings_uri("nowhere"),
            Some("\"0\""),
            Some(json!({"title": "x"})),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        s.as_admin("GET", &settings_uri("nowhere"), None, None)
            .await
            .status,
        404
    );
    // A second "Mer" at the root is refused.
    category(&s, "Mer", None).await;
    let twin = s
        .as_admin(
            "POST",
            "/api/admin/categories",
            None,
            Some(json!({"title": "Mer"})),
        )
        .await;
    assert_eq!(fields(&twin), ["title"]);
    assert_eq!(s.audit("").await.len(), 1, "only the first Mer was stored");
}

#[tokio::test]
async fn moving_a_category_under_itself_or_below_it_is_refused_with_422() {
    let s = setup().await;
    let mer = category(&s, "Mer", None).await;
    let fonds = category(&s, "Fonds", Some(mer)).await;
    let uri = format!("/api/admin/categories/{mer}");
    for parent in [mer, fonds] {
        let reply = s
            .as_admin(
                "PUT",
                &uri,
                Some("\"1\""),
                Some(json!({"title": "Mer", "parent": parent})),
            )
            .await;
        assert_eq!(reply.status, 422, "under {parent}");
        assert_eq!(fields(&reply), ["parent"]);
    }
    // Moving Fonds to the root and renaming Mer work.
    let moved = s
        .as_admin(
            "PUT",
            &format!("/api/admin/categories/{fonds}"),
            Some("\"1\""),
            Some(json!({"title": "Fonds", "parent": null})),
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json()["parent"], Value::Null);
    let renamed = s
        .as_admin("PUT", &uri, Some("\"1\""), Some(json!({"title": "Océan"})))
        .await;
    assert_eq!(renamed.header("etag"), Some("\"2\""));
    let tree = s
        .as_admin("GET", "/api/admin/categories", None, None)
        .await
        .json();
    let titles: Vec<&str> = tree["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !n["id"].is_null())
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Océan", "Fonds"]);
}

#[tokio::test]
async fn stale_versions_get_409_naming_who_changed_it_and_changes_without_if_match_get_428() {
    let s = setup().await;
    let mer = category(&s, "Mer", None).await;
    let uri = format!("/api/admin/categories/{mer}");
    let bea = s.token("bea", &["indigeo-admin"]);
    let first = s
        .call(
            "PUT",
            &uri,
            Some(&bea),
            &[("if-match", "\"1\"")],
            Some(json!({"title": "Mers"})),
        )
        .await;
    assert_eq!(first.status, 200);
    let second = s
        .as_admin("PUT", &uri, Some("\"1\""), Some(json!({"title": "Océan"})))
        .await;
    assert_eq!(second.status, 409);
    let message = second.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("bea") && message.contains("version 2"),
        "{message}"
    );
    assert_eq!(
        s.as_admin("DELETE", &uri, Some("\"1\""), None).await.status,
        409
    );
    assert_eq!(s.as_admin("DELETE", &uri, None, None).await.status, 428);
    assert_eq!(
        s.as_admin("PUT", &uri, None, Some(json!({"title": "X"})))
            .await
            .status,
        428
    );

    let settings = settings_uri("open");
    let (x, y) = tokio::join!(
        s.as_admin("PUT", &settings, Some("\"0\""), Some(json!({"title": "A"}))),
        s.as_admin("PUT", &settings, Some("\"0\""), Some(json!({"title": "B"}))),
    );
    let mut statuses = [x.status.as_u16(), y.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(
        s.as_admin("PUT", &settings, None, Some(json!({"title": "C"})))
            .await
            .status,
        428
    );
    assert_eq!(
        s.as_admin("DELETE", &settings, None, None).await.status,
        428
    );
    // A reset keeps counting versions: the ETag before it never matches again.
    let reset = s.as_admin("DELETE", &settings, Some("\"1\""), None).await;
    assert_eq!(reset.header("etag"), Some("\"2\""));
    assert_eq!(
        s.as_admin("PUT", &settings, Some("\"1\""), Some(json!({"title": "D"})))
            .await
            .status,
        409
    );
    assert_eq!(s.audit("?action=layer.settings.update").await.len(), 1);
}

#[tokio::test]
async fn a_category_holding_layers_or_sub_categories_is_kept_with_409_unless_move_to_says_where() {
    let s = setup().await;
    let mer = category(&s, "Mer", None).await;
    let fonds = category(&s, "Fonds", Some(mer)).await;
    let terre = category(&s, "Terre", None).await;
    assert_eq!(set(&s, "open", json!({"category": mer})).await.status, 200);
    let uri = format!("/api/admin/categories/{mer}");
    let refused = s.as_admin("DELETE", &uri, Some("\"1\""), None).await;
    assert_eq!(refused.status, 409);
    let message = refused.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("1 sub-categories and 1 layers"),
        "{message}"
    );
    for bad in ["nowhere", &fonds.to_string(), &mer.to_string()] {
        let reply = s
            .as_admin(
                "DELETE",
                &format!("{uri}?move_to={bad}"),
                Some("\"1\""),
                None,
            )
            .await;
        assert_eq!(reply.status, 422, "move_to={bad}");
        assert_eq!(fields(&reply), ["move_to"]);
    }
    let moved = s
        .as_admin(
            "DELETE",
            &format!("{uri}?move_to={terre}"),
            Some("\"1\""),
            None,
        )
        .await;
    assert_eq!(moved.status, 204);
    assert_eq!(s.as_admin("GET", &uri, None, None).await.status, 404);
    let fonds_now = s
        .as_admin("GET", &format!("/api/admin/categories/{fonds}"), None, None)
        .await
        .json();
    assert_eq!(fonds_now["parent"], terre);
    let open = s.as_admin("GET", &settings_uri("open"), None, None).await;
    assert_eq!(open.json()["settings"]["category"], terre);
    assert_eq!(
        listed(&s, "open").await.unwrap()["category"],
        json!(["Terre"])
    );
    let delete = &s.audit("?action=category.delete").await[0];
    assert_eq!(delete["after"]["layers"], json!(["open"]));
    assert_eq!(delete["after"]["categories"], json!([fonds]));
    assert_eq!(s.audit("?action=layer.settings.update").await.len(), 2);

    // To the root: sub-categories become roots, layers go back to their harvested category.
    let root = s
        .as_admin(
            "DELETE",
            &format!("/api/admin/categories/{terre}?move_to=root"),
            Some("\"1\""),
            None,
        )
        .await;
    assert_eq!(root.status, 204);
    let open = s.as_admin("GET", &settings_uri("open"), None, None).await;
    assert_eq!(open.json()["settings"]["category"], Value::Null);
    let open = listed(&s, "open").await.unwrap();
    assert!(open.get("category").is_none(), "{open}");
    // An empty category goes without move_to.
    let empty = category(&s, "Vide", None).await;
    let gone = s
        .as_admin(
            "DELETE",
            &format!("/api/admin/categories/{empty}"),
            Some("\"1\""),
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
}

#[tokio::test]
async fn the_tree_counts_layers_and_shows_harvested_paths_until_a_stored_category_adopts_them() {
    let s = setup().await;
    let tree = s
        .as_admin("GET", "/api/admin/categories", None, None)
        .await
        .json();
    assert_eq!(tree["uncategorised"], 2, "the two tile layers");
    let littoral = &tree["categories"][0];
    assert_eq!(littoral["id"], Value::Null);
    assert_eq!(littoral["title"], "Littoral");
    assert_eq!(
        (
            littoral["layers"].as_u64(),
            littoral["total_layers"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(
        littoral["children"][0]["path"],
        json!(["Littoral", "Traits"])
    );
    let id = category(&s, "Littoral", None).await;
    let tree = s
        .as_admin("GET", "/api/admin/categories", None, None)
        .await
        .json();
    assert_eq!(tree["categories"].as_array().unwrap().len(), 1);
    assert_eq!(tree["categories"][0]["id"], id);
    assert_eq!(tree["categories"][0]["total_layers"], 2);
    // A tile layer put in it counts there.
    assert_eq!(set(&s, "open", json!({"category": id})).await.status, 200);
    let tree = s
        .as_admin("GET", "/api/admin/categories", None, None)
        .await
        .json();
    assert_eq!(tree["categories"][0]["layers"], 2);
    assert_eq!(tree["uncategorised"], 1);
}

#[tokio::test]
async fn the_openapi_document_describes_the_catalogue_admin_routes() {
    let s = setup().await;
    let doc = s
        .call("GET", "/api/openapi.json", None, &[], None)
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/admin/categories", &["get", "post"][..]),
        ("/api/admin/categories/{id}", &["get", "put", "delete"][..]),
        ("/api/admin/layers", &["get"][..]),
        (
            "/api/admin/layers/{id}/settings",
            &["get", "put", "delete"][..],
        ),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
    for schema in ["CategoryTree", "Category", "LayerSettings", "AdminLayer"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

#[tokio::test]
async fn a_cookie_session_needs_its_csrf_token_for_catalogue_changes() {
    let s = setup().await;
    let (cookie, csrf) = support::cookie_session(&s.store, "ann", &["realm:indigeo-admin"]).await;
    let changes: [(&str, String, Option<Value>); 3] = [
        (
            "POST",
            "/api/admin/categories".into(),
            Some(json!({"title": "Mer"})),
        ),
        ("PUT", settings_uri("open"), Some(json!({"title": "X"}))),
        ("DELETE", settings_uri("open"), None),
    ];
    for (method, uri, body) in &changes {
        let refused = s
            .call(
                method,
                uri,
                None,
                &[("cookie", &cookie), ("if-match", "\"0\"")],
                body.clone(),
            )
            .await;
        assert_eq!(refused.status, 403, "{method} {uri}");
        assert_eq!(refused.json()["code"], "csrf");
    }
    assert!(s.audit("").await.is_empty(), "nothing changed");
    let read = s
        .call(
            "GET",
            "/api/admin/layers",
            None,
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(read.status, 200, "reads need no token");
    let created = s
        .call(
            "POST",
            "/api/admin/categories",
            None,
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            Some(json!({"title": "Mer"})),
        )
        .await;
    assert_eq!(created.status, 201);
}
