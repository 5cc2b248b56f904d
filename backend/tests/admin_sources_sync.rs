//! Data-source synchronisation through the admin API, in-process, against a scripted upstream
//! (see `support/sources.rs`): the preview's diff, applying it (catalogue and `/ows/{id}`
//! change at once), a late preview refused with 409, deletion taking the layers along, and the
//! audit rows; the schedule following sources added and deleted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "support/admin.rs"]
mod admin;
#[allow(dead_code)]
#[path = "support/sources.rs"]
mod sources;
mod support;

use admin::fields;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use sources::{PNG, harness, text, titles};

#[tokio::test]
async fn a_preview_shows_the_diff_and_applying_it_changes_the_catalogue_and_the_proxy_at_once() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    assert!(h.catalogue("geo").await.is_empty());
    assert_eq!(
        h.get_map("geo", "public").await.status,
        404,
        "no layer harvested yet"
    );
    let preview = h.preview("geo").await;
    assert_eq!(preview["layers"], 2);
    assert_eq!(titles(&preview["diff"]["added"]), ["Public layer", "Roads"]);
    assert!(preview["diff"]["changed"].as_array().unwrap().is_empty());
    assert!(
        h.catalogue("geo").await.is_empty(),
        "a preview stores nothing"
    );
    let applied = h.apply("geo", &preview["token"]).await;
    assert_eq!(applied.status, 200, "{}", text(&applied.body));
    assert_eq!(applied.json()["layers"], 2);
    assert_eq!(h.catalogue("geo").await, ["geo-public", "geo-roads"]);
    let map = h.get_map("geo", "public").await;
    assert_eq!((map.status, map.body.as_slice()), (StatusCode::OK, PNG));
    let entry =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await
            .json();
    assert_eq!(entry["layers"], 2);
    assert!(entry["last_sync"]["error"].is_null());
    assert!(entry["last_sync"]["succeeded_at"].is_string());

    // The server changes: one title, one layer gone, one new.
    h.script.serve(&[
        ("ws:public", "Public layer (2026)"),
        ("ws:rivers", "Rivers"),
    ]);
    let next = h.preview("geo").await;
    assert_eq!(titles(&next["diff"]["added"]), ["Rivers"]);
    assert_eq!(titles(&next["diff"]["removed"]), ["Roads"]);
    assert_eq!(titles(&next["diff"]["changed"]), ["Public layer (2026)"]);
    assert_eq!(next["diff"]["changed"][0]["fields"], json!(["title"]));
    assert_eq!(h.apply("geo", &next["token"]).await.status, 200);
    assert_eq!(h.catalogue("geo").await, ["geo-public", "geo-rivers"]);
    assert_eq!(h.get_map("geo", "roads").await.status, 404);
    let audit = h.s.audit("?action=source.sync").await;
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0]["target"], "source:geo");
    assert_eq!(audit[0]["username"], "ann");
    assert_eq!(titles(&audit[0]["after"]["diff"]["removed"]), ["Roads"]);
    assert_eq!(audit[0]["before"]["layers"], 2);
}

#[tokio::test]
async fn applying_a_preview_after_another_sync_is_refused_with_409() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    let old = h.preview("geo").await;
    h.script.serve(&[("ws:rivers", "Rivers")]);
    let newer = h.preview("geo").await;
    assert_eq!(h.apply("geo", &newer["token"]).await.status, 200);
    let late = h.apply("geo", &old["token"]).await;
    assert_eq!(late.status, 409);
    assert_eq!(
        late.json()["message"],
        "the catalogue changed since the preview, preview again"
    );
    assert_eq!(
        h.catalogue("geo").await,
        ["geo-rivers"],
        "the late preview changed nothing"
    );
    for token in [newer["token"].clone(), json!("not-a-token")] {
        let again = h.apply("geo", &token).await;
        assert_eq!(again.status, 409);
        assert!(
            again.json()["message"]
                .as_str()
                .unwrap()
                .contains("preview again")
        );
    }
    // A token is only good for its own source.
    h.create(h.source("other", "ok")).await;
    let other = h.preview("other").await;
    assert_eq!(fields(&h.apply("geo", &other["token"]).await), ["preview"]);
    assert_eq!(h.apply("other", &other["token"]).await.status, 200);
    // A source edited since its preview: preview again.
    let etag =
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await;
    let etag = etag.header("etag").unwrap().to_owned();
    let before_edit = h.preview("geo").await;
    let mut moved = h.source("geo", "ok");
    moved["timeout_s"] = json!(5);
    assert_eq!(
        h.s.as_admin("PUT", "/api/admin/sources/geo", Some(&etag), Some(moved))
            .await
            .status,
        200
    );
    assert_eq!(h.apply("geo", &before_edit["token"]).await.status, 409);
    assert_eq!(h.s.audit("?action=source.sync").await.len(), 2);
}

#[tokio::test]
async fn a_deleted_source_takes_its_layers_out_of_the_catalogue_and_the_proxy() {
    let h = harness().await;
    let etag = h.create(h.source("geo", "ok")).await;
    let preview = h.preview("geo").await;
    assert_eq!(h.apply("geo", &preview["token"]).await.status, 200);
    assert_eq!(h.catalogue("geo").await.len(), 2);
    assert_eq!(h.get_map("geo", "public").await.status, 200);
    let deleted =
        h.s.as_admin("DELETE", "/api/admin/sources/geo", Some(&etag), None)
            .await;
    assert_eq!(deleted.status, 200, "{}", text(&deleted.body));
    assert_eq!(deleted.json()["layers_removed"], 2);
    assert!(h.catalogue("geo").await.is_empty());
    assert_eq!(h.get_map("geo", "public").await.status, 404);
    assert_eq!(
        h.s.as_admin("GET", "/api/admin/sources/geo", None, None)
            .await
            .status,
        404
    );
    let stored = h.s.store.ogc_layers().await.unwrap();
    assert!(
        !stored.iter().any(|l| l.source == "geo"),
        "its layers left the store too"
    );
    let audit = h.s.audit("?action=source.delete").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["before"]["layers_removed"], 2);
    assert_eq!(audit[0]["before"]["source"]["id"], "geo");
    assert!(audit[0]["after"].is_null());
    // The id is free again, and the new source starts with no layers.
    h.create(h.source("geo", "ok")).await;
    assert!(h.catalogue("geo").await.is_empty());
}

#[tokio::test]
async fn the_schedule_syncs_a_source_added_while_serving_and_drops_the_harvest_of_a_deleted_one() {
    let h = harness().await;
    h.ogc.spawn_schedule_every(Duration::from_millis(50));
    let mut fast = h.source("fast", "ok");
    fast["sync_minutes"] = json!(1);
    h.create(fast).await;
    let mut synced = false;
    for _ in 0..100 {
        if h.catalogue("fast").await.len() == 2 {
            synced = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(synced, "the schedule never synced the new source");
    // `conf` has `sync_minutes = 0`: never synced by the schedule.
    assert!(h.catalogue("conf").await.is_empty());

    // A source deleted while its scheduled harvest is under way: the harvest is dropped.
    let mut slow = h.source("slow", "slow");
    slow["sync_minutes"] = json!(1);
    let etag = h.create(slow).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let deleted =
        h.s.as_admin("DELETE", "/api/admin/sources/slow", Some(&etag), None)
            .await;
    assert_eq!(
        deleted.json()["layers_removed"],
        0,
        "deleted before its harvest ended"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let stored = h.s.store.ogc_layers().await.unwrap();
    assert!(
        !stored.iter().any(|l| l.source == "slow"),
        "the late harvest was stored"
    );
    let status = h.s.store.sync_status().await.unwrap();
    assert!(!status.iter().any(|s| s.source == "slow"));
    assert!(h.catalogue("slow").await.is_empty());
}

#[tokio::test]
async fn stored_sources_and_their_layers_are_in_force_again_after_a_restart() {
    let h = harness().await;
    h.create(h.source("geo", "ok")).await;
    let preview = h.preview("geo").await;
    assert_eq!(h.apply("geo", &preview["token"]).await.status, 200);
    let restarted = kartenn::ogc::service::OgcService::open_in(&h.s.config, h.s.store.clone())
        .await
        .unwrap();
    let ids: Vec<String> = restarted.sources().iter().map(|s| s.id.clone()).collect();
    assert_eq!(ids, ["conf", "geo"]);
    assert_eq!(restarted.catalog().source("geo").unwrap().layers.len(), 2);
}
