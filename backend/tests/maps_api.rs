//! Saved maps and folders through the user API, in-process: owners save, read, change and
//! delete their maps with `ETag` / `If-Match`; others read public maps only (a private map is
//! a 404, a change to someone else's public map a 403); anonymous callers read public maps and
//! save nothing; a cookie session needs its CSRF token; a folder holding maps is only deleted
//! with `?move_to=`. Callers carry RS256 bearer tokens signed here.

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
async fn a_cookie_session_needs_its_csrf_token_to_save_a_map() {
    let s = setup().await;
    let (cookie, csrf) = support::cookie_session(&s.store, "alice", &["realm:chercheur"]).await;
    let refused = s
        .call(
            "POST",
            "/api/maps",
            None,
            &[("cookie", &cookie)],
            Some(map("T", "public")),
        )
        .await;
    assert_eq!(status(&refused), 403);
    assert_eq!(refused.json()["code"], "csrf");
    let saved = s
        .call(
            "POST",
            "/api/maps",
            None,
            &[("cookie", &cookie), ("x-csrf-token", &csrf)],
            Some(map("T", "public")),
        )
        .await;
    assert_eq!(status(&saved), 201);
    assert_eq!(saved.json()["owner"], "alice");
}

#[tokio::test]
async fn folder_changes_need_the_folders_current_if_match() {
    let s = setup().await;
    let a = alice(&s);
    let (id, etag) = folder(&s, &a, "Work").await;
    let uri = format!("/api/maps/folders/{id}");
    let without = s
        .call("PUT", &uri, Some(&a), &[], Some(json!({"name": "W"})))
        .await;
    assert_eq!(status(&without), 428);
    let first = s
        .call(
            "PUT",
            &uri,
            Some(&a),
            &[("if-match", &etag)],
            Some(json!({"name": "W1"})),
        )
        .await;
    assert_eq!(status(&first), 200);
    let stale = s
        .call(
            "PUT",
            &uri,
            Some(&a),
            &[("if-match", &etag)],
            Some(json!({"name": "W2"})),
        )
        .await;
    assert_eq!(status(&stale), 409);
    let empty = s
        .call(
            "PUT",
            &uri,
            Some(&a),
            &[("if-match", "\"2\"")],
            Some(json!({"name": " "})),
        )
        .await;
    assert_eq!(
        (status(&empty), fields(&empty)),
        (422, vec!["name".to_owned()])
    );
    let delete = s
        .call("DELETE", &uri, Some(&a), &[("if-match", &etag)], None)
        .await;
    assert_eq!(status(&delete), 409);
    let folders = s
        .call("GET", "/api/maps/folders", Some(&a), &[], None)
        .await
        .json();
    assert_eq!(folders[0]["name"], "W1");
    assert_eq!(
        status(&s.call("GET", "/api/maps/folders", None, &[], None).await),
        401
    );
}
