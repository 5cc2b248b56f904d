//! The rest of the HTTP surface, in process: configuration, catalogue, health, unknown routes,
//! the viewer's files and the headers every response carries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::float_cmp
)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::{app_with, demo_app, demo_config, get, send};

#[tokio::test]
async fn the_catalog_lists_the_demo_layers_bottom_first_with_tile_urls() {
    let reply = get(&demo_app().await, "/api/catalog").await;
    assert_eq!(reply.status, StatusCode::OK);
    let catalog: kartenn_common::Catalog = serde_json::from_slice(&reply.body).unwrap();
    let ids: Vec<_> = catalog.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["communes", "coastline", "mairies"],
        "countries is the basemap, not an overlay"
    );
    let communes = &catalog.layers[0];
    let kartenn_common::LayerSource::VectorTiles {
        tiles,
        source_layer,
        ..
    } = &communes.source
    else {
        panic!("{communes:?}");
    };
    assert_eq!(tiles, "/tiles/communes/{z}/{x}/{y}.mvt");
    assert_eq!(source_layer, "communes");
    assert_eq!(
        communes.geometry,
        Some(kartenn_common::GeometryKind::Polygon)
    );
}

#[tokio::test]
async fn the_demo_basemap_is_the_countries_tile_set_and_works_offline() {
    let reply = get(&demo_app().await, "/api/config").await;
    let config: kartenn_common::ClientConfig = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(config.basemaps.len(), 1);
    let basemap = &config.basemaps[0];
    assert_eq!(basemap.id, "kartenn");
    let kartenn_common::LayerSource::VectorTiles { tiles, .. } = &basemap.source else {
        panic!("{basemap:?}");
    };
    assert_eq!(tiles, "/tiles/countries/{z}/{x}/{y}.mvt");
}

#[tokio::test]
async fn rasters_geojson_and_external_basemaps_reach_the_viewer_and_the_csp() {
    let dir = tempfile::tempdir().unwrap();
    let stations = dir.path().join("stations.geojson");
    std::fs::write(
        &stations,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Brest"},"geometry":{"type":"Point","coordinates":[-4.49,48.39]}}]}"#,
    )
    .unwrap();
    let communes = support::demo_dir().join("communes.fgb");
    let text = format!(
        r#"
[access]
default = "public"

[[layers]]
id = "communes"
title = "Communes"
path = "{communes}"

[[rasters]]
id = "ortho"
title = "Orthophotos"
xyz = "https://{{s}}.tiles.example.org/{{z}}/{{x}}/{{y}}.jpg"
subdomains = ["a", "b"]
opacity = 0.5

[[rasters]]
id = "tides"
title = "Tides"
wms = {{ url = "/ows/indigeo", layers = "ws:tides", time = "2024-01-01" }}

[[geojson]]
id = "stations"
title = "Stations"
path = "{stations}"

[[basemaps]]
id = "osm"
title = "OpenStreetMap"
xyz = "https://tile.openstreetmap.org/{{z}}/{{x}}/{{y}}.png"
"#,
        communes = communes.display(),
        stations = stations.display()
    );
    let env = |_: &str| None;
    let config = kartenn::config::Config::from_toml(&text, dir.path(), &env).unwrap();
    let app = support::app_with(&config).await;

    let catalog: kartenn_common::Catalog =
        serde_json::from_slice(&get(&app, "/api/catalog").await.body).unwrap();
    let ids: Vec<_> = catalog.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        ["ortho", "tides", "communes", "stations"],
        "rasters below vectors below GeoJSON"
    );
    assert!(
        matches!(&catalog.layers[0].source, kartenn_common::LayerSource::Xyz { subdomains, .. } if subdomains.len() == 2)
    );
    assert_eq!(catalog.layers[0].opacity, 0.5);
    assert!(
        matches!(&catalog.layers[1].source, kartenn_common::LayerSource::Wms { time: Some(t), .. } if t == "2024-01-01")
    );
    assert_eq!(
        catalog.layers[3].geometry,
        Some(kartenn_common::GeometryKind::Point)
    );

    let doc = get(&app, "/api/geojson/stations").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.header("content-type"), Some("application/geo+json"));
    assert!(String::from_utf8_lossy(&doc.body).contains("Brest"));
    assert_eq!(
        get(&app, "/api/geojson/nope").await.status,
        StatusCode::NOT_FOUND
    );

    let reply = get(&app, "/api/config").await;
    let csp = reply.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.contains("https://tile.openstreetmap.org")
            && csp.contains("https://*.tiles.example.org"),
        "{csp}"
    );
    let client: kartenn_common::ClientConfig = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        client
            .basemaps
            .iter()
            .map(|b| b.id.as_str())
            .collect::<Vec<_>>(),
        ["osm"]
    );
}

#[tokio::test]
async fn the_client_configuration_opens_on_brittany() {
    let reply = get(&demo_app().await, "/api/config").await;
    let config: kartenn_common::ClientConfig = serde_json::from_slice(&reply.body).unwrap();
    let [lon, lat] = config.view.center;
    assert!((-5.5..-1.0).contains(&lon) && (47.0..49.0).contains(&lat));
}

#[tokio::test]
async fn health_is_reported() {
    let reply = get(&demo_app().await, "/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");
}

#[tokio::test]
async fn unknown_api_routes_and_wrong_methods_answer_json_errors() {
    let app = demo_app().await;
    let reply = get(&app, "/api/nope").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "not_found");
    let reply = send(
        &app,
        Request::post("/api/catalog").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.json()["code"], "method_not_allowed");
}

#[tokio::test]
async fn without_a_built_viewer_the_root_says_how_to_build_it() {
    let reply = get(&demo_app().await, "/").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&reply.body).contains("cargo xtask run"));
}

#[tokio::test]
async fn the_viewer_shell_is_served_for_client_routes_and_assets_are_cached_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><script type=\"module\">start()</script></html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app-0123456789abcdef.js"), "export {}").unwrap();
    let app = app_with(&demo_config(dir.path())).await;

    for uri in ["/", "/admin/layers"] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(String::from_utf8_lossy(&reply.body).contains("start()"));
        assert_eq!(reply.header("cache-control"), Some("no-cache"));
        let csp = reply.header("content-security-policy").unwrap();
        assert!(
            csp.contains("'sha256-"),
            "the inline bootstrap must be allowed by hash: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'")
        );
    }
    let asset = get(&app, "/app-0123456789abcdef.js").await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let missing = get(&app, "/missing-0123456789abcdef.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let escape = get(&app, "/../Cargo.toml").await;
    assert_ne!(escape.status, StatusCode::OK);
}

#[tokio::test]
async fn the_admin_console_is_its_own_page_and_program_under_admin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><script type=\"module\">startMap()</script></html>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("admin")).unwrap();
    std::fs::write(
        dir.path().join("admin/index.html"),
        "<html><script type=\"module\">startAdmin()</script></html>",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("admin/kartenn-admin-0123456789abcdef.js"),
        "export {}",
    )
    .unwrap();
    let app = app_with(&demo_config(dir.path())).await;

    for (uri, program) in [
        ("/", "startMap()"),
        ("/maps/x", "startMap()"),
        ("/administration", "startMap()"),
        ("/admin", "startAdmin()"),
        ("/admin/rules", "startAdmin()"),
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        let body = String::from_utf8_lossy(&reply.body).into_owned();
        assert!(body.contains(program), "{uri}: {body}");
        // Both pages' bootstrap scripts are allowed, by hash.
        let csp = reply.header("content-security-policy").unwrap();
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
    }
    let asset = get(&app, "/admin/kartenn-admin-0123456789abcdef.js").await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = demo_app().await;
    for uri in ["/api/catalog", "/tiles/nope.json", "/"] {
        let reply = get(&app, uri).await;
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(reply.header("x-frame-options"), Some("SAMEORIGIN"), "{uri}");
        assert!(
            reply
                .header("content-security-policy")
                .unwrap()
                .contains("object-src 'none'"),
            "{uri}"
        );
    }
}
