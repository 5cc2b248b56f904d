//! Saved maps and folders, in-process: owners save, read, change and delete their maps with
//! `ETag` / `If-Match`; others read public maps only (a private map is a 404, a change to
//! someone else's public map a 403); anonymous callers read public maps and save nothing; a
//! folder holding maps is only deleted with `?move_to=`; administrators list, move and delete
//! everyone's maps and set the landing map, each change audited; the OpenAPI document lists
//! every route. Callers carry RS256 bearer tokens signed here; `ann` is an administrator.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/admin.rs"]
#[allow(dead_code)]
mod admin;
mod support;

use admin::{Setup, fields, setup};
use serde_json::{Value, json};
use support::Reply;

fn state() -> Value {
    json!({
        "view": {"zoom": 9.5, "lat": 48.3, "lon": -4.3},
        "layers": [
            {"id": "open", "visible": true, "opacity": 0.6},
            {"id": "private", "visible": false, "opacity": 1.0, "time": "2024-06-01T06:00:00Z"}
        ],
        "basemap": 0,
        "time": {"start": "2024-01-01", "end": "2024-02-01"}
    })
}

fn map(title: &str, visibility: &str) -> Value {
    json!({"title": title, "visibility": visibility, "state": state()})
}

fn alice(s: &Setup) -> String {
    s.token("alice", &["chercheur"])
}

fn bob(s: &Setup) -> String {
    s.token("bob", &["chercheur"])
}

/// Saves a map as `token`; its id and ETag.
async fn save(s: &Setup, token: &str, body: Value) -> (String, String) {
    let reply = s
        .call("POST", "/api/maps", Some(token), &[], Some(body))
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location").unwrap(), format!("/api/maps/{id}"));
    (id, reply.header("etag").unwrap().to_owned())
}

async fn folder(s: &Setup, token: &str, name: &str) -> (i64, String) {
    let reply = s
        .call(
            "POST",
            "/api/maps/folders",
            Some(token),
            &[],
            Some(json!({ "name": name })),
        )
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    (
        reply.json()["id"].as_i64().unwrap(),
        reply.header("etag").unwrap().to_owned(),
    )
}

fn status(reply: &Reply) -> u16 {
    reply.status.as_u16()
}

#[tokio::test]
async fn an_owner_saves_reads_updates_and_deletes_a_map_with_its_etag() {
    let s = setup().await;
    let a = alice(&s);
    let (id, etag) = save(&s, &a, map("Tides", "private")).await;
    assert_eq!(etag, "\"1\"");
    assert!(id.len() >= 22, "at least 128 random bits: {id}");
    let uri = format!("/api/maps/{id}");
    let read = s.call("GET", &uri, Some(&a), &[], None).await;
    assert_eq!(status(&read), 200);
    let body = read.json();
    assert_eq!(body["title"], "Tides");
    assert_eq!(body["owner"], "alice");
    assert_eq!(body["state"], state());
    let mut changed = map("Tides at noon", "public");
    changed["state"]["layers"][0]["opacity"] = json!(0.25);
    let updated = s
        .call("PUT", &uri, Some(&a), &[("if-match", &etag)], Some(changed))
        .await;
    assert_eq!(status(&updated), 200);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    assert_eq!(updated.json()["state"]["layers"][0]["opacity"], 0.25);
    let list = s.call("GET", "/api/maps", Some(&a), &[], None).await.json();
    assert_eq!(list["mine"][0]["title"], "Tides at noon");
    assert!(
        list["mine"][0].get("state").is_none(),
        "lists carry no state"
    );
    let deleted = s
        .call("DELETE", &uri, Some(&a), &[("if-match", "\"2\"")], None)
        .await;
    assert_eq!(status(&deleted), 204);
    assert_eq!(status(&s.call("GET", &uri, Some(&a), &[], None).await), 404);
    // Owners changing their own maps leave no audit row.
    assert!(s.audit("").await.is_empty());
}

#[tokio::test]
async fn another_user_cannot_see_a_private_map_nor_change_a_public_one() {
    let s = setup().await;
    let (a, b) = (alice(&s), bob(&s));
    let (private, p_etag) = save(&s, &a, map("Secret", "private")).await;
    let (public, etag) = save(&s, &a, map("Shared", "public")).await;
    let private_uri = format!("/api/maps/{private}");
    let public_uri = format!("/api/maps/{public}");
    let hidden = s.call("GET", &private_uri, Some(&b), &[], None).await;
    assert_eq!(status(&hidden), 404);
    let unknown = s
        .call(
            "GET",
            "/api/maps/NoSuchMapAtAll00000000",
            Some(&b),
            &[],
            None,
        )
        .await;
    assert_eq!(
        hidden.json()["message"]
            .as_str()
            .map(|m| m.replace(&private, "x")),
        unknown.json()["message"]
            .as_str()
            .map(|m| m.replace("NoSuchMapAtAll00000000", "x")),
        "a private map and a missing one answer alike"
    );
    let change = s
        .call(
            "PUT",
            &private_uri,
            Some(&b),
            &[("if-match", &p_etag)],
            Some(map("Mine", "public")),
        )
        .await;
    assert_eq!(status(&change), 404);
    assert_eq!(
        status(&s.call("GET", &public_uri, Some(&b), &[], None).await),
        200
    );
    let refused = s
        .call(
            "PUT",
            &public_uri,
            Some(&b),
            &[("if-match", &etag)],
            Some(map("Mine", "public")),
        )
        .await;
    assert_eq!(status(&refused), 403);
    assert_eq!(refused.json()["code"], "forbidden");
    let delete = s
        .call(
            "DELETE",
            &public_uri,
            Some(&b),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(status(&delete), 403);
    let list = s.call("GET", "/api/maps", Some(&b), &[], None).await.json();
    let titles: Vec<&str> = list["public"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Shared"], "others see public maps only");
    assert!(list["mine"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn anonymous_callers_read_public_maps_only_and_cannot_save() {
    let s = setup().await;
    let a = alice(&s);
    let (private, _) = save(&s, &a, map("Secret", "private")).await;
    let (public, _) = save(&s, &a, map("Shared", "public")).await;
    let open = s
        .call("GET", &format!("/api/maps/{public}"), None, &[], None)
        .await;
    assert_eq!(status(&open), 200);
    assert_eq!(open.json()["state"]["view"]["zoom"], 9.5);
    let hidden = s
        .call("GET", &format!("/api/maps/{private}"), None, &[], None)
        .await;
    assert_eq!(status(&hidden), 404);
    let list = s.call("GET", "/api/maps", None, &[], None).await.json();
    assert_eq!(list["public"].as_array().unwrap().len(), 1);
    assert!(list["folders"].as_array().unwrap().is_empty());
    let saved = s
        .call("POST", "/api/maps", None, &[], Some(map("X", "public")))
        .await;
    assert_eq!(status(&saved), 401);
    assert_eq!(saved.json()["code"], "unauthorized");
    let changed = s
        .call(
            "PUT",
            &format!("/api/maps/{public}"),
            None,
            &[("if-match", "\"1\"")],
            Some(map("X", "public")),
        )
        .await;
    assert_eq!(status(&changed), 401);
    let folders = s
        .call(
            "POST",
            "/api/maps/folders",
            None,
            &[],
            Some(json!({"name": "f"})),
        )
        .await;
    assert_eq!(status(&folders), 401);
}

#[tokio::test]
async fn an_invalid_map_is_refused_with_422_naming_each_wrong_field() {
    let s = setup().await;
    let a = alice(&s);
    let mut bad = map("", "everyone");
    bad["state"]["view"]["lat"] = json!(123);
    bad["state"]["layers"][0]["opacity"] = json!(2);
    bad["state"]["layers"][1]["time"] = json!("someday");
    bad["folder"] = json!(999);
    let reply = s.call("POST", "/api/maps", Some(&a), &[], Some(bad)).await;
    assert_eq!(status(&reply), 422);
    assert_eq!(reply.json()["code"], "invalid");
    let named = fields(&reply);
    for f in [
        "title",
        "visibility",
        "state.view.lat",
        "state.layers[0].opacity",
        "state.layers[1].time",
    ] {
        assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
    }
    // A folder that is not the owner's is named too.
    let (bobs, _) = folder(&s, &bob(&s), "Bob's").await;
    let mut elsewhere = map("T", "public");
    elsewhere["folder"] = json!(bobs);
    let reply = s
        .call("POST", "/api/maps", Some(&a), &[], Some(elsewhere))
        .await;
    assert_eq!(
        (status(&reply), fields(&reply)),
        (422, vec!["folder".to_owned()])
    );
    let huge = json!({"title": "T", "visibility": "public", "state": state(),
        "description": "x".repeat(70 * 1024)});
    let reply = s.call("POST", "/api/maps", Some(&a), &[], Some(huge)).await;
    assert_eq!(
        (status(&reply), fields(&reply)),
        (422, vec!["body".to_owned()])
    );
    let list = s.call("GET", "/api/maps", Some(&a), &[], None).await.json();
    assert!(
        list["mine"].as_array().unwrap().is_empty(),
        "nothing was saved"
    );
}

#[tokio::test]
async fn a_stale_if_match_loses_with_409_and_a_missing_one_gets_428() {
    let s = setup().await;
    let a = alice(&s);
    let (id, etag) = save(&s, &a, map("Tides", "public")).await;
    let uri = format!("/api/maps/{id}");
    let first = s
        .call(
            "PUT",
            &uri,
            Some(&a),
            &[("if-match", &etag)],
            Some(map("One", "public")),
        )
        .await;
    assert_eq!(status(&first), 200);
    let second = s
        .call(
            "PUT",
            &uri,
            Some(&a),
            &[("if-match", &etag)],
            Some(map("Two", "public")),
        )
        .await;
    assert_eq!(status(&second), 409);
    assert_eq!(second.json()["code"], "conflict");
    assert!(second.json()["message"].as_str().unwrap().contains("alice"));
    let without = s
        .call("PUT", &uri, Some(&a), &[], Some(map("Two", "public")))
        .await;
    assert_eq!(status(&without), 428);
    let delete = s.call("DELETE", &uri, Some(&a), &[], None).await;
    assert_eq!(status(&delete), 428);
    let stale_delete = s
        .call("DELETE", &uri, Some(&a), &[("if-match", &etag)], None)
        .await;
    assert_eq!(status(&stale_delete), 409);
    let read = s.call("GET", &uri, None, &[], None).await;
    assert_eq!(read.json()["title"], "One", "no lost update");
}

#[tokio::test]
async fn a_folder_holding_maps_is_deleted_only_with_move_to() {
    let s = setup().await;
    let a = alice(&s);
    let (work, work_etag) = folder(&s, &a, "Work").await;
    let (home, _) = folder(&s, &a, "Home").await;
    let mut body = map("Tides", "private");
    body["folder"] = json!(work);
    let (id, _) = save(&s, &a, body).await;
    let renamed = s
        .call(
            "PUT",
            &format!("/api/maps/folders/{work}"),
            Some(&a),
            &[("if-match", &work_etag)],
            Some(json!({"name": "Field work"})),
        )
        .await;
    assert_eq!(status(&renamed), 200);
    assert_eq!(renamed.json()["name"], "Field work");
    let etag = renamed.header("etag").unwrap().to_owned();
    let uri = format!("/api/maps/folders/{work}");
    let refused = s
        .call("DELETE", &uri, Some(&a), &[("if-match", &etag)], None)
        .await;
    assert_eq!(status(&refused), 409);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("holds 1 map"),
        "{:?}",
        refused.json()
    );
    let bad = s
        .call(
            "DELETE",
            &format!("{uri}?move_to={work}"),
            Some(&a),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(
        (status(&bad), fields(&bad)),
        (422, vec!["move_to".to_owned()])
    );
    let others = s
        .call("DELETE", &uri, Some(&bob(&s)), &[("if-match", &etag)], None)
        .await;
    assert_eq!(
        status(&others),
        404,
        "someone else's folder is not theirs to see"
    );
    let moved = s
        .call(
            "DELETE",
            &format!("{uri}?move_to={home}"),
            Some(&a),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(status(&moved), 204);
    let read = s
        .call("GET", &format!("/api/maps/{id}"), Some(&a), &[], None)
        .await
        .json();
    assert_eq!(read["folder"], home);
    assert_eq!(read["folder_name"], "Home");
    let folders = s
        .call("GET", "/api/maps/folders", Some(&a), &[], None)
        .await
        .json();
    assert_eq!(folders.as_array().unwrap().len(), 1);
    assert_eq!(folders[0]["maps"], 1);
    let home_uri = format!("/api/maps/folders/{home}");
    let to_none = s
        .call(
            "DELETE",
            &format!("{home_uri}?move_to=none"),
            Some(&a),
            &[("if-match", "\"1\"")],
            None,
        )
        .await;
    assert_eq!(status(&to_none), 204);
    let read = s
        .call("GET", &format!("/api/maps/{id}"), Some(&a), &[], None)
        .await
        .json();
    assert_eq!(read["folder"], Value::Null);
}

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
