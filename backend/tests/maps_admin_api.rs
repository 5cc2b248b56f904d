//! Saved maps through the admin API, in-process: administrators list, move and delete
//! everyone's maps and set the landing map (a public one), each change audited in its own
//! transaction; the landing map is served at `/api/maps/default` while it stays visible; the
//! OpenAPI document lists every saved-map route. `ann` is an administrator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/admin.rs"]
#[allow(dead_code)]
mod admin;
#[path = "support/maps.rs"]
#[allow(dead_code)]
mod maps;
mod support;

use admin::{fields, setup};
use maps::{alice, bob, folder, map, save, state, status};
use serde_json::{Value, json};

#[tokio::test]
async fn admins_list_move_and_delete_anyones_maps_and_each_change_is_audited() {
    let s = setup().await;
    let a = alice(&s);
    let (f, _) = folder(&s, &a, "Work").await;
    let (id, etag) = save(&s, &a, map("Secret", "private")).await;
    let carol = s.token("carol", &["chercheur"]);
    for (method, uri, body) in [
        ("GET", "/api/admin/maps".to_owned(), None),
        (
            "PUT",
            format!("/api/admin/maps/{id}/folder"),
            Some(json!({"folder": f})),
        ),
        ("DELETE", format!("/api/admin/maps/{id}"), None),
        (
            "PUT",
            "/api/admin/default-map".to_owned(),
            Some(json!({"map": null})),
        ),
    ] {
        let anonymous = s
            .call(method, &uri, None, &[("if-match", &etag)], body.clone())
            .await;
        assert_eq!(status(&anonymous), 401, "{method} {uri}");
        let refused = s
            .call(method, &uri, Some(&carol), &[("if-match", &etag)], body)
            .await;
        assert_eq!(status(&refused), 403, "{method} {uri}");
    }
    let list = s.as_admin("GET", "/api/admin/maps", None, None).await;
    assert_eq!(status(&list), 200);
    let list = list.json();
    assert_eq!(list["maps"][0]["owner"], "alice");
    assert_eq!(list["maps"][0]["visibility"], "private");
    assert_eq!(list["folders"][0]["name"], "Work");
    // The admin reads the private map too.
    assert_eq!(
        status(
            &s.as_admin("GET", &format!("/api/maps/{id}"), None, None)
                .await
        ),
        200
    );
    let move_uri = format!("/api/admin/maps/{id}/folder");
    let bad = s
        .as_admin("PUT", &move_uri, Some(&etag), Some(json!({"folder": "x"})))
        .await;
    assert_eq!(
        (status(&bad), fields(&bad)),
        (422, vec!["folder".to_owned()])
    );
    let no_etag = s
        .as_admin("PUT", &move_uri, None, Some(json!({"folder": f})))
        .await;
    assert_eq!(status(&no_etag), 428);
    let moved = s
        .as_admin("PUT", &move_uri, Some(&etag), Some(json!({"folder": f})))
        .await;
    assert_eq!(status(&moved), 200);
    assert_eq!(moved.json()["folder"], f);
    let stale = s
        .as_admin("PUT", &move_uri, Some(&etag), Some(json!({"folder": null})))
        .await;
    assert_eq!(status(&stale), 409);
    let audit = s.audit("?action=map.move").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["target"], format!("map:{id}"));
    assert_eq!(audit[0]["username"], "ann");
    assert_eq!(audit[0]["before"]["folder"], Value::Null);
    assert_eq!(audit[0]["after"]["folder"], f);
    // An admin's change to someone's map through the user API is audited as well.
    let renamed = s
        .as_admin(
            "PUT",
            &format!("/api/maps/{id}"),
            Some("\"2\""),
            Some(map("Renamed", "private")),
        )
        .await;
    assert_eq!(status(&renamed), 200);
    assert_eq!(s.audit("?action=map.update").await.len(), 1);
    let deleted = s
        .as_admin(
            "DELETE",
            &format!("/api/admin/maps/{id}"),
            Some("\"3\""),
            None,
        )
        .await;
    assert_eq!(status(&deleted), 204);
    let audit = s.audit("?action=map.delete").await;
    assert_eq!(audit[0]["before"]["title"], "Renamed");
    assert_eq!(
        status(
            &s.call("GET", &format!("/api/maps/{id}"), Some(&a), &[], None)
                .await
        ),
        404
    );
}

#[tokio::test]
async fn the_admin_sets_a_public_default_map_that_the_viewer_lands_on() {
    let s = setup().await;
    let a = alice(&s);
    let (public, _) = save(&s, &a, map("Landing", "public")).await;
    let (private, _) = save(&s, &a, map("Secret", "private")).await;
    let none = s.call("GET", "/api/maps/default", None, &[], None).await;
    assert_eq!(status(&none), 404);
    let refused = s
        .as_admin(
            "PUT",
            "/api/admin/default-map",
            None,
            Some(json!({"map": private})),
        )
        .await;
    assert_eq!(
        (status(&refused), fields(&refused)),
        (422, vec!["map".to_owned()])
    );
    let unknown = s
        .as_admin(
            "PUT",
            "/api/admin/default-map",
            None,
            Some(json!({"map": "nope"})),
        )
        .await;
    assert_eq!(
        (status(&unknown), fields(&unknown)),
        (422, vec!["map".to_owned()])
    );
    let set = s
        .as_admin(
            "PUT",
            "/api/admin/default-map",
            None,
            Some(json!({"map": public})),
        )
        .await;
    assert_eq!(status(&set), 200);
    let landing = s.call("GET", "/api/maps/default", None, &[], None).await;
    assert_eq!(status(&landing), 200);
    assert_eq!(landing.json()["id"], public.as_str());
    assert_eq!(landing.json()["is_default"], true);
    assert_eq!(landing.json()["state"], state());
    let listed = s.call("GET", "/api/maps", None, &[], None).await.json();
    assert_eq!(listed["default"], public.as_str());
    let audit = s.audit("?action=map.default").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["before"]["map"], Value::Null);
    assert_eq!(audit[0]["after"]["map"], public.as_str());
    let unset = s
        .as_admin(
            "PUT",
            "/api/admin/default-map",
            None,
            Some(json!({"map": null})),
        )
        .await;
    assert_eq!(status(&unset), 200);
    assert_eq!(
        status(&s.call("GET", "/api/maps/default", None, &[], None).await),
        404
    );
    assert_eq!(s.audit("?action=map.default").await.len(), 2);
}

#[tokio::test]
async fn the_openapi_document_describes_every_saved_map_route() {
    let s = setup().await;
    let doc = s
        .call("GET", "/api/openapi.json", None, &[], None)
        .await
        .json();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/maps", &["get", "post"][..]),
        ("/api/maps/{id}", &["get", "put", "delete"][..]),
        ("/api/maps/default", &["get"][..]),
        ("/api/maps/folders", &["get", "post"][..]),
        ("/api/maps/folders/{id}", &["put", "delete"][..]),
        ("/api/admin/maps", &["get"][..]),
        ("/api/admin/maps/{id}/folder", &["put"][..]),
        ("/api/admin/maps/{id}", &["delete"][..]),
        ("/api/admin/default-map", &["put"][..]),
    ] {
        for m in methods {
            assert!(paths[path].get(*m).is_some(), "{m} {path} missing");
        }
    }
    for schema in ["SavedMap", "MapState", "MapList", "AdminMapList", "MapBody"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema}"
        );
    }
}

#[tokio::test]
async fn a_landing_map_its_owner_makes_private_is_no_longer_served_to_others() {
    let s = setup().await;
    let a = alice(&s);
    let (id, etag) = save(&s, &a, map("Landing", "public")).await;
    let set = s
        .as_admin(
            "PUT",
            "/api/admin/default-map",
            None,
            Some(json!({"map": id})),
        )
        .await;
    assert_eq!(status(&set), 200);
    let hidden = s
        .call(
            "PUT",
            &format!("/api/maps/{id}"),
            Some(&a),
            &[("if-match", &etag)],
            Some(map("Landing", "private")),
        )
        .await;
    assert_eq!(status(&hidden), 200);
    assert_eq!(
        status(&s.call("GET", "/api/maps/default", None, &[], None).await),
        404
    );
    assert_eq!(
        status(
            &s.call("GET", "/api/maps/default", Some(&bob(&s)), &[], None)
                .await
        ),
        404
    );
    assert_eq!(
        status(
            &s.call("GET", "/api/maps/default", Some(&a), &[], None)
                .await
        ),
        200
    );
    // Deleting it unsets it.
    let deleted = s
        .call(
            "DELETE",
            &format!("/api/maps/{id}"),
            Some(&a),
            &[("if-match", "\"2\"")],
            None,
        )
        .await;
    assert_eq!(status(&deleted), 204);
    let all = s
        .as_admin("GET", "/api/admin/maps", None, None)
        .await
        .json();
    assert_eq!(all["default"], Value::Null);
}
