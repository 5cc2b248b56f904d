//! The tile endpoints on the demo data, in process: real MVT checked with an independent
//! decoder (mvt-reader), gzip, 204 for empty tiles, TileJSON, and JSON errors for bad input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Read;

use axum::http::StatusCode;
use geo_types::Geometry;
use support::{demo_app, get, get_with};

/// Tile 8/124/88 holds Brest and much of Finistère.
const BREST_Z8: &str = "/tiles/communes/8/124/88.mvt";

fn decode(bytes: Vec<u8>) -> (Vec<String>, Vec<mvt_reader::feature::Feature>) {
    let reader = mvt_reader::Reader::new(bytes).expect("a valid MVT");
    let names = reader.get_layer_names().expect("layer names");
    let features = reader.get_features(0).expect("features");
    (names, features)
}

#[tokio::test]
async fn a_brittany_tile_at_z8_decodes_with_an_independent_decoder_and_carries_the_demo_attributes()
{
    let app = demo_app().await;
    let reply = get(&app, BREST_Z8).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.mapbox-vector-tile")
    );
    let (names, features) = decode(reply.body);
    assert_eq!(names, ["communes"]);
    assert!(features.len() > 50, "only {} communes", features.len());
    let brest = features
        .iter()
        .find(|f| {
            f.properties.as_ref().and_then(|p| p.get("nom"))
                == Some(&mvt_reader::feature::Value::String("Brest".into()))
        })
        .expect("Brest is in its tile");
    let props = brest.properties.as_ref().unwrap();
    assert_eq!(
        props.get("code"),
        Some(&mvt_reader::feature::Value::String("29019".into()))
    );
    assert!(
        matches!(props.get("population"), Some(mvt_reader::feature::Value::UInt(p)) if *p > 100_000)
    );
    assert!(brest.id.is_some());
    assert!(matches!(
        brest.geometry,
        Geometry::Polygon(_) | Geometry::MultiPolygon(_)
    ));
}

#[tokio::test]
async fn every_coordinate_of_a_tile_stays_within_the_extent_and_its_buffer() {
    let app = demo_app().await;
    for uri in [
        BREST_Z8,
        "/tiles/coastline/8/124/88.mvt",
        "/tiles/countries/5/15/11.mvt",
    ] {
        let (_, features) = decode(get(&app, uri).await.body);
        assert!(!features.is_empty(), "{uri} is empty");
        for feature in features {
            let coords: Vec<_> = match &feature.geometry {
                Geometry::Polygon(p) => p
                    .exterior()
                    .0
                    .iter()
                    .chain(p.interiors().iter().flat_map(|r| r.0.iter()))
                    .copied()
                    .collect(),
                Geometry::MultiPolygon(mp) => {
                    mp.0.iter()
                        .flat_map(|p| p.exterior().0.iter().copied())
                        .collect()
                }
                Geometry::LineString(l) => l.0.clone(),
                Geometry::MultiLineString(ml) => {
                    ml.0.iter().flat_map(|l| l.0.iter().copied()).collect()
                }
                other => panic!("unexpected geometry {other:?}"),
            };
            for c in coords {
                assert!(
                    (-64.0..=4160.0).contains(&c.x) && (-64.0..=4160.0).contains(&c.y),
                    "{uri}: {c:?} outside the buffered tile"
                );
            }
        }
    }
}

#[tokio::test]
async fn gzip_is_sent_when_asked_and_inflates_to_the_same_tile() {
    let app = demo_app().await;
    let plain = get(&app, BREST_Z8).await;
    let zipped = get_with(&app, BREST_Z8, &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert_eq!(zipped.header("vary"), Some("accept-encoding"));
    assert!(zipped.body.len() < plain.body.len());
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, plain.body);
    assert_eq!(plain.header("content-encoding"), None);
}

#[tokio::test]
async fn a_tile_without_data_is_204_no_content() {
    let reply = get(&demo_app().await, "/tiles/communes/8/0/0.mvt").await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
}

#[tokio::test]
async fn an_unknown_layer_is_a_json_404() {
    let reply = get(&demo_app().await, "/tiles/nope/8/124/88.mvt").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let body = reply.json();
    assert_eq!(body["code"], "not_found");
    assert!(body["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn out_of_range_or_malformed_coordinates_are_json_400s() {
    let app = demo_app().await;
    for uri in [
        "/tiles/x/99/0/0.mvt",
        "/tiles/communes/99/0/0.mvt",
        "/tiles/communes/8/256/0.mvt",
        "/tiles/communes/8/0/256.mvt",
        "/tiles/communes/a/0/0.mvt",
        "/tiles/communes/8/-1/0.mvt",
        "/tiles/communes/8/1.5/0.mvt",
        "/tiles/communes/8/0/0.png",
        "/tiles/communes/8/0/0",
        "/tiles/communes/8/0/%FF.mvt",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(reply.json()["code"], "bad_request", "{uri}");
    }
}

#[tokio::test]
async fn tile_urls_with_missing_segments_are_json_404s_not_the_viewer() {
    let reply = get(&demo_app().await, "/tiles/communes/8/1").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "not_found");
}

#[tokio::test]
async fn tilejson_describes_the_layer_its_fields_and_an_absolute_tile_url() {
    let reply = get_with(
        &demo_app().await,
        "/tiles/communes.json",
        &[("host", "maps.example.org:8080")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let tj = reply.json();
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"][0],
        "http://maps.example.org:8080/tiles/communes/{z}/{x}/{y}.mvt"
    );
    let layer = &tj["vector_layers"][0];
    assert_eq!(layer["id"], "communes");
    assert_eq!(layer["fields"]["nom"], "String");
    assert_eq!(layer["fields"]["population"], "Number");
    let bounds: Vec<f64> = tj["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(
        bounds[0] < -5.0 && bounds[2] > -1.1 && bounds[1] > 47.0 && bounds[3] < 49.0,
        "{bounds:?}"
    );
}

#[tokio::test]
async fn tilejson_of_an_unknown_layer_is_a_json_404() {
    let reply = get(&demo_app().await, "/tiles/nope.json").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "not_found");
}

#[tokio::test]
async fn brotli_is_preferred_when_accepted_and_inflates_to_the_same_tile() {
    let app = demo_app().await;
    let plain = get(&app, BREST_Z8).await;
    let br = get_with(&app, BREST_Z8, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    let mut inflated = Vec::new();
    brotli::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut inflated)
        .unwrap();
    assert_eq!(inflated, plain.body);
}

#[tokio::test]
async fn a_known_etag_is_answered_304_without_a_body() {
    let app = demo_app().await;
    let first = get_with(&app, BREST_Z8, &[("accept-encoding", "gzip")]).await;
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    assert_eq!(first.header("cache-control"), Some("public, max-age=3600"));
    let again = get_with(
        &app,
        BREST_Z8,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    // The identity representation has its own tag: the gzip one does not match it.
    let other = get_with(&app, BREST_Z8, &[("if-none-match", &etag)]).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_cache_misses_and_hits() {
    let app = demo_app().await;
    get(&app, BREST_Z8).await;
    get(&app, BREST_Z8).await;
    let reply = get(&app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = String::from_utf8(reply.body).unwrap();
    assert!(
        text.contains("kartenn_tile_cache_misses_total 1\n"),
        "{text}"
    );
    assert!(text.contains("kartenn_tile_cache_hits_total 1\n"), "{text}");
    assert!(text.contains("kartenn_tile_cache_bytes "), "{text}");
}

#[tokio::test]
async fn the_tileset_index_lists_every_layer_with_its_tilejson() {
    let reply = get(&demo_app().await, "/tiles").await;
    assert_eq!(reply.status, StatusCode::OK);
    let sets: Vec<kartenn_common::TileSetSummary> = serde_json::from_slice(&reply.body).unwrap();
    let ids: Vec<_> = sets.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["coastline", "communes", "countries", "mairies"]);
    assert_eq!(sets[1].tilejson, "/tiles/communes.json");
}

/// Every tile the demo produces over Brittany from z0 to z9, for every layer, decodes with an
/// independent decoder and has coordinates within the buffered extent.
#[tokio::test]
async fn every_demo_tile_over_brittany_decodes_with_an_independent_decoder() {
    let app = demo_app().await;
    let mut decoded = 0;
    for layer in ["countries", "communes", "coastline", "mairies"] {
        for z in 0u8..=9 {
            let n = 1u32 << z;
            let x0 = ((-5.2 + 180.0) / 360.0 * f64::from(n)) as u32;
            let x1 = ((-1.0 + 180.0) / 360.0 * f64::from(n)) as u32;
            let row = |lat: f64| {
                let y = (1.0 - lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0;
                (y * f64::from(n)) as u32
            };
            for x in x0..=x1 {
                for y in row(48.9)..=row(47.2) {
                    let reply = get(&app, &format!("/tiles/{layer}/{z}/{x}/{y}.mvt")).await;
                    if reply.status == StatusCode::NO_CONTENT {
                        continue;
                    }
                    assert_eq!(reply.status, StatusCode::OK, "{layer} {z}/{x}/{y}");
                    let (_, features) = decode(reply.body);
                    assert!(!features.is_empty(), "{layer} {z}/{x}/{y} has no feature");
                    decoded += 1;
                }
            }
        }
    }
    assert!(decoded > 40, "only {decoded} tiles");
}
