//! Catalogue administration seen by everyone, on the very next request: a layer's title,
//! category and start state in `/api/catalog`; an unpublished layer gone from the catalogue
//! and refused by tiles and the OGC proxy; `queryable` / `downloadable` closing feature info
//! and downloads; default style and time; bulk rights by category. Application:
//! `support/catalog.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(dead_code)]
#[path = "support/admin.rs"]
mod admin;
#[allow(dead_code)]
#[path = "support/catalog.rs"]
mod catalog;
mod support;

use admin::{GET_MAP, fields};
use catalog::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_layers_title_category_and_start_state_show_in_the_catalogue_at_once_and_reset_undoes_them()
 {
    let s = setup().await;
    let mer = category(&s, "Mer", None).await;
    let fonds = category(&s, "Fonds", Some(mer)).await;
    let before = listed(&s, DATA).await.unwrap();
    assert_eq!(before["title"], "ws:private_data");
    assert_eq!(before["category"], json!(["Littoral", "Traits"]));
    let put = set(
        &s,
        DATA,
        json!({"title": "Traits de côte", "abstract": "Levés 2024", "category": fonds,
            "in_map": true}),
    )
    .await;
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    assert_eq!(put.header("etag"), Some("\"1\""));
    let after = listed(&s, DATA).await.unwrap();
    assert_eq!(after["title"], "Traits de côte");
    assert_eq!(after["description"], "Levés 2024");
    assert_eq!(after["category"], json!(["Mer", "Fonds"]));
    assert_eq!(after["in_map"], true);
    // Renaming the category renames the path at once.
    let renamed = s
        .as_admin(
            "PUT",
            &format!("/api/admin/categories/{mer}"),
            Some("\"1\""),
            Some(json!({"title": "Océan"})),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(
        listed(&s, DATA).await.unwrap()["category"],
        json!(["Océan", "Fonds"])
    );
    let layers = s
        .as_admin("GET", "/api/admin/layers", None, None)
        .await
        .json();
    let row = layers
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == DATA)
        .unwrap();
    assert_eq!(row["kind"], "ogc");
    assert_eq!(row["harvested"]["title"], "ws:private_data");
    assert_eq!(row["settings"]["settings"]["title"], "Traits de côte");
    assert_eq!(row["effective"]["title"], "Traits de côte");
    assert_eq!(row["effective"]["category"], json!(["Océan", "Fonds"]));
    assert_eq!(row["styles"], json!(["default", "bathy"]));
    // The upstream names rules may name (WMS and WFS), for the permission matrix.
    assert_eq!(row["names"], json!(["ws:private_data"]));
    assert!(row.get("dataset").is_none());
    let audit = &s.audit("?action=layer.settings.update").await[0];
    assert_eq!(audit["target"], format!("layer:{DATA}"));
    assert_eq!(audit["after"]["settings"]["title"], "Traits de côte");

    let reset = s
        .as_admin("DELETE", &settings_uri(DATA), Some("\"1\""), None)
        .await;
    assert_eq!(reset.status, 200);
    let back = listed(&s, DATA).await.unwrap();
    assert_eq!(back["title"], "ws:private_data");
    assert_eq!(back["category"], json!(["Littoral", "Traits"]));
    assert_eq!(s.audit("?action=layer.settings.reset").await.len(), 1);
}

#[tokio::test]
async fn an_unpublished_layer_leaves_the_catalogue_and_its_tiles_and_maps_are_refused_to_everyone()
{
    let s = setup().await;
    let admin = s.admin();
    assert_eq!(status(&s, OPEN_TILE, None).await, 200);
    assert_eq!(status(&s, GET_MAP, None).await, 200);
    assert!(listed(&s, "open").await.is_some());
    assert_eq!(
        set(&s, "open", json!({"published": false})).await.status,
        200
    );
    assert_eq!(set(&s, DATA, json!({"published": false})).await.status, 200);
    for token in [None, Some(admin.as_str())] {
        let tile = status(&s, OPEN_TILE, token).await;
        assert!((400..500).contains(&tile), "tile {tile}");
        assert_eq!(status(&s, GET_MAP, token).await, 404);
        assert_eq!(status(&s, INFO, token).await, 404);
    }
    assert!(listed(&s, "open").await.is_none());
    assert!(listed(&s, DATA).await.is_none());
    assert!(listed(&s, "private").await.is_some(), "other layers stay");
    assert_eq!(status(&s, "/tiles/private/8/125/88.mvt", None).await, 200);
    // Published again: served again on the next request.
    assert_eq!(set(&s, "open", json!({})).await.status, 200);
    assert_eq!(status(&s, OPEN_TILE, None).await, 200);
}

#[tokio::test]
async fn a_layer_set_not_queryable_refuses_feature_info_and_one_not_downloadable_refuses_files() {
    let s = setup().await;
    assert_eq!(status(&s, INFO, None).await, 200);
    assert_eq!(status(&s, FEATURES_ZIP, None).await, 200);
    assert_eq!(listed(&s, DATA).await.unwrap()["ogc"]["queryable"], true);
    assert_eq!(set(&s, DATA, json!({"queryable": false})).await.status, 200);
    assert_eq!(status(&s, INFO, None).await, 404);
    assert_eq!(status(&s, FEATURES_JSON, None).await, 404);
    assert_eq!(status(&s, GET_MAP, None).await, 200, "still drawn");
    let entry = listed(&s, DATA).await.unwrap();
    assert_eq!(entry["ogc"]["queryable"], false);
    assert!(entry["ogc"].get("wfs").is_none());

    assert_eq!(
        set(&s, DATA, json!({"downloadable": false})).await.status,
        200
    );
    assert_eq!(status(&s, INFO, None).await, 200, "queryable again");
    assert_eq!(status(&s, FEATURES_JSON, None).await, 200);
    assert_eq!(status(&s, FEATURES_ZIP, None).await, 404);
    let entry = listed(&s, DATA).await.unwrap();
    assert_eq!(entry["ogc"]["wfs"]["download"], false);
}

#[tokio::test]
async fn the_default_style_and_time_reach_the_catalogue_and_the_time_can_be_hidden() {
    let s = setup().await;
    assert_eq!(set(&s, DATA, json!({"style": "bathy"})).await.status, 200);
    assert_eq!(listed(&s, DATA).await.unwrap()["source"]["styles"], "bathy");
    assert_eq!(
        set(&s, SITES, json!({"time_default": "2024-06-01"}))
            .await
            .status,
        200
    );
    let sites = listed(&s, SITES).await.unwrap();
    assert_eq!(sites["ogc"]["time"]["default"], "2024-06-01");
    assert_eq!(
        set(&s, SITES, json!({"time_hidden": true})).await.status,
        200
    );
    assert!(
        listed(&s, SITES).await.unwrap()["ogc"]
            .get("time")
            .is_none()
    );
    let no_time = set(&s, DATA, json!({"time_hidden": true})).await;
    assert_eq!(fields(&no_time), ["time_hidden"]);
}

#[tokio::test]
async fn bulk_rights_by_category_change_every_layer_under_it_in_one_audited_change() {
    let s = setup().await;
    let bulk = |category: Value| json!({"category": category, "action": "view", "audience": ["realm:chercheur"]});
    let reply = s
        .as_admin(
            "POST",
            "/api/admin/rules/bulk",
            None,
            Some(bulk(json!("Littoral"))),
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let mut layers: Vec<String> = reply.json()["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"]["layer"].as_str().unwrap().to_owned())
        .collect();
    layers.sort();
    assert_eq!(layers, [DATA, SITES]);
    assert!(listed(&s, DATA).await.is_none());
    assert!(listed(&s, SITES).await.is_none());
    assert!(listed(&s, "open").await.is_some(), "outside the category");
    assert_eq!(status(&s, GET_MAP, None).await, 404);
    let researcher = s.token("rex", &["chercheur"]);
    assert_eq!(status(&s, GET_MAP, Some(&researcher)).await, 200);
    assert_eq!(s.audit("?action=rule.create").await.len(), 2);

    // By stored id, sub-categories included: the layer's own rule is changed, not duplicated.
    let mer = category(&s, "Mer", None).await;
    let fonds = category(&s, "Fonds", Some(mer)).await;
    assert_eq!(
        set(&s, "open", json!({"category": fonds})).await.status,
        200
    );
    assert_eq!(set(&s, DATA, json!({"category": mer})).await.status, 200);
    let by_id = s
        .as_admin(
            "POST",
            "/api/admin/rules/bulk",
            None,
            Some(json!({"category": mer, "action": "view", "audience": "public"})),
        )
        .await;
    assert_eq!(by_id.status, 200);
    assert_eq!(by_id.json()["rules"].as_array().unwrap().len(), 2);
    assert_eq!(status(&s, GET_MAP, None).await, 200);
    assert_eq!(s.audit("?action=rule.update").await.len(), 1);
    assert_eq!(s.audit("?action=rule.create").await.len(), 3);

    for (body, named) in [
        (
            json!({"layers": ["open"], "category": mer, "action": "view", "audience": null}),
            vec!["layers", "category"],
        ),
        (json!({"action": "view", "audience": null}), vec!["layers"]),
        (bulk(json!(999)), vec!["category"]),
        (bulk(json!("Nowhere")), vec!["category"]),
        (bulk(json!("")), vec!["category"]),
    ] {
        let reply = s
            .as_admin("POST", "/api/admin/rules/bulk", None, Some(body.clone()))
            .await;
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(fields(&reply), named, "{body}");
    }
}
