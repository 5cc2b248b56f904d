//! The catalogue administration tests' application: the admin tests' one (two tile layers
//! `private` and `open`, sign-in with `realm:indigeo-admin` as admin) with two harvested OGC
//! layers (styles, category paths `Littoral/Traits` and `Littoral`, a time dimension) behind an
//! upstream that answers maps, feature info and features; `[[rules]]` open everything to
//! everyone, so what closes a layer there is a setting or a stored rule. And small helpers.

use std::collections::HashMap;

use axum::Router;
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use kartenn::auth::Auth;
use kartenn::config::Config;
use kartenn::ogc::catalog::OgcLayer;
use kartenn::ogc::service::OgcService;
use kartenn::state::{AppState, TileSet};
use kartenn::store::Store;
use kartenn_common::{TimeDimension, TimeExtent};
use serde_json::{Value, json};

use super::admin::Setup;
use super::support::tokens::{ISSUER, TestIssuer};
use super::support::{self, Reply};

pub const DATA: &str = "up-private_data";
pub const SITES: &str = "up-sites";
pub const OPEN_TILE: &str = "/tiles/open/8/125/88.mvt";
pub const INFO: &str = "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo\
    &LAYERS=ws:private_data&QUERY_LAYERS=ws:private_data&STYLES=&CRS=EPSG:3857\
    &BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png&INFO_FORMAT=application/json&I=5&J=5";
pub const FEATURES_JSON: &str = "/ows/up?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature\
    &TYPENAMES=ws:private_data&OUTPUTFORMAT=application/json&COUNT=10";
pub const FEATURES_ZIP: &str = "/ows/up?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature\
    &TYPENAMES=ws:private_data&OUTPUTFORMAT=shape-zip&COUNT=10";

pub fn harvested_layers() -> Vec<OgcLayer> {
    let mut data = OgcLayer::named("up", "ws:private_data");
    data.styles = vec!["default".into(), "bathy".into()];
    data.category = vec!["Littoral".into(), "Traits".into()];
    let mut sites = OgcLayer::named("up", "ws:sites");
    sites.category = vec!["Littoral".into()];
    sites.time = Some(TimeDimension {
        default: None,
        extent: vec![
            TimeExtent::Instant {
                at: "2024-01-01".into(),
            },
            TimeExtent::Instant {
                at: "2024-06-01".into(),
            },
        ],
    });
    vec![data, sites]
}

/// The admin tests' application with [`harvested_layers`], everything open to everyone.
pub async fn setup() -> Setup {
    let upstream = Router::new().route(
        "/ows",
        axum::routing::get(|uri: Uri| async move {
            let q = uri.query().unwrap_or_default().to_owned();
            if q.contains("GetFeatureInfo") || q.contains("application/json") {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    br#"{"type":"FeatureCollection","features":[]}"#.to_vec(),
                )
                    .into_response()
            } else if q.contains("GetFeature") {
                ([(header::CONTENT_TYPE, "application/zip")], b"PK".to_vec()).into_response()
            } else {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    b"\x89PNG\r\n\x1a\n".to_vec(),
                )
                    .into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, upstream).await });
    let communes = support::demo_dir().join("communes.fgb");
    let text = format!(
        "[server]\npublic_url = \"http://127.0.0.1:9\"\n\
         [[layers]]\nid = \"private\"\ntitle = \"Private\"\npath = \"{c}\"\n\
         [[layers]]\nid = \"open\"\ntitle = \"Open\"\npath = \"{c}\"\n\
         [[sources]]\nid = \"up\"\nurl = \"http://{addr}/ows\"\n\
         [[rules]]\nlayer = \"*\"\nview = \"public\"\nquery = \"public\"\ndownload = \"public\"\n\
         [oidc]\nissuer = \"{ISSUER}\"\nclient_id = \"kartenn\"\n\
         [oidc.roles]\n\"realm:indigeo-admin\" = \"admin\"\n",
        c = communes.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_toml(&text, dir.path(), &|_: &str| None).unwrap();
    let db = dir.path().join("kartenn.db");
    config.store.path = db.clone();
    let issuer = TestIssuer::new();
    let store = Store::open(&db).await.unwrap();
    let tilesets = config
        .layers
        .iter()
        .map(|layer| TileSet {
            config: layer.clone(),
            source: std::sync::Arc::new(
                kartenn::sources::fgb::FgbSource::open_reprojecting(
                    &layer.path,
                    layer.source_options(),
                )
                .unwrap(),
            ),
        })
        .collect();
    let state = AppState::new(&config, tilesets, HashMap::default(), None)
        .with_ogc(OgcService::new(&config, None, harvested_layers()))
        .with_auth(Auth::with_jwks(&config, store.clone(), issuer.jwks()).unwrap())
        .with_admin(store.clone())
        .await
        .unwrap();
    Setup {
        app: kartenn::app(state),
        issuer,
        store,
        db,
        config,
        _dir: dir,
    }
}

pub fn settings_uri(layer: &str) -> String {
    format!("/api/admin/layers/{layer}/settings")
}

/// Creates a category; its id.
pub async fn category(s: &Setup, title: &str, parent: Option<i64>) -> i64 {
    let reply = s
        .as_admin(
            "POST",
            "/api/admin/categories",
            None,
            Some(json!({"title": title, "parent": parent})),
        )
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.header("etag"), Some("\"1\""));
    reply.json()["id"].as_i64().unwrap()
}

/// Replaces a layer's settings, reading its ETag first.
pub async fn set(s: &Setup, layer: &str, settings: Value) -> Reply {
    let current = s.as_admin("GET", &settings_uri(layer), None, None).await;
    let etag = current.header("etag").unwrap().to_owned();
    s.as_admin("PUT", &settings_uri(layer), Some(&etag), Some(settings))
        .await
}

/// The anonymous catalogue's entry for `id`, if listed.
pub async fn listed(s: &Setup, id: &str) -> Option<Value> {
    let catalog = s.call("GET", "/api/catalog", None, &[], None).await.json();
    catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .cloned()
}

pub async fn status(s: &Setup, uri: &str, token: Option<&str>) -> u16 {
    s.call("GET", uri, token, &[], None).await.status.as_u16()
}
