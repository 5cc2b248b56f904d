//! Kartenn against a real OGC server: MapServer 8 (WMS 1.3.0, WFS 2.0, TIME) behind lighttpd,
//! standing in for GeoServer (see `kartenn_peers` for what differs). Harvest into the store,
//! then the proxy: maps, feature info, legends, WFS, capabilities, rights and TIME.
//! Run by `cargo xtask test` (needs `mapserv` and `lighttpd`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use axum::Router;
use axum::http::StatusCode;
use kartenn::config::Config;
use kartenn::ogc::service::OgcService;
use kartenn::state::AppState;
use kartenn_peers::MapServer;
use support::{Reply, get};

struct Setup {
    app: Router,
    service: std::sync::Arc<OgcService>,
    config: Config,
    _dir: tempfile::TempDir,
    server: MapServer,
}

fn config(dir: &Path, url: &str) -> Config {
    let text = format!(
        "layers = []\n\
         [store]\npath = \"{store}\"\n\
         [[sources]]\nid = \"ms\"\ntitle = \"MapServer\"\nurl = \"{url}\"\ntimeout_s = 10\n\
         [[rules]]\nlayer = \"*private*\"\n\
         [[rules]]\nlayer = \"*\"\nsource = \"ms\"\nview = \"public\"\nquery = \"public\"\n",
        store = dir.join("kartenn.db").display()
    );
    Config::from_toml(&text, Path::new("."), &|_| None).unwrap()
}

async fn setup() -> Setup {
    let server = MapServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server.url);
    let service = OgcService::open(&config).await.unwrap();
    let report = service.sync(&config.sources[0]).await.unwrap();
    let diff = report
        .outcome
        .as_ref()
        .unwrap_or_else(|e| panic!("sync failed: {e}"));
    assert!(!diff.added.is_empty());
    let state = AppState::from_config(&config)
        .await
        .unwrap()
        .with_ogc(service);
    let service = state.ogc.clone();
    Setup {
        app: kartenn::app(state),
        service,
        config,
        _dir: dir,
        server,
    }
}

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

const BBOX_3857: &str = "-504825,6166984,-494825,6176984"; // 10 km around Brest town hall

fn getmap(layers: &str) -> String {
    format!(
        "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layers}&STYLES=&CRS=EPSG:3857\
         &BBOX={BBOX_3857}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
    )
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn a_sync_harvests_layers_groups_time_and_metadata_and_a_second_sync_changes_nothing() {
    let s = setup().await;
    let catalog = s.service.catalog();
    let source = catalog.source("ms").unwrap();
    let communes = source.resolve("communes").unwrap();
    assert_eq!(communes.wfs_name.as_deref(), Some("ms:communes"));
    assert!(communes.queryable);
    assert!(
        communes
            .metadata_url
            .as_deref()
            .unwrap()
            .contains("geonetwork")
    );
    let bbox = communes.bbox.unwrap();
    assert!(bbox[0] < -4.0 && bbox[2] > -2.0, "{bbox:?}");
    let group = source.resolve("littoral").unwrap();
    assert_eq!(group.children, ["coastline", "mairies"]);
    let time = source
        .resolve("observations")
        .unwrap()
        .time
        .clone()
        .unwrap();
    assert_eq!(
        kartenn::ogc::capabilities::expand_time(&time.extent, 100)
            .unwrap()
            .unwrap()
            .len(),
        20
    );
    let again = s.service.sync(&s.config.sources[0]).await.unwrap();
    assert!(
        again.outcome.unwrap().is_empty(),
        "a second sync must change nothing"
    );
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn a_failed_sync_keeps_the_previous_catalogue() {
    let s = setup().await;
    let before = s.service.catalog().source("ms").unwrap().layers.len();
    let mut broken = s.config.sources[0].clone();
    broken.url = format!(
        "http://127.0.0.1:{}/ows",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let report = s.service.sync(&broken).await.unwrap();
    assert!(report.outcome.is_err());
    assert_eq!(report.layers, before);
    assert_eq!(
        s.service.catalog().source("ms").unwrap().layers.len(),
        before
    );
    let status = s
        .service
        .store
        .as_ref()
        .unwrap()
        .sync_status()
        .await
        .unwrap();
    assert!(status[0].error.is_some() && status[0].succeeded_at.is_some());
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn maps_legends_and_groups_are_drawn_through_the_proxy() {
    let s = setup().await;
    for layers in ["communes", "littoral", "communes,coastline"] {
        let reply = get(&s.app, &getmap(layers)).await;
        assert_eq!(reply.status, StatusCode::OK, "{layers}: {}", text(&reply));
        assert_eq!(reply.header("content-type"), Some("image/png"));
        assert!(reply.body.starts_with(b"\x89PNG"));
    }
    let legend = get(
        &s.app,
        "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=communes&FORMAT=image/png&SLD_VERSION=1.1.0",
    )
    .await;
    assert_eq!(legend.status, StatusCode::OK, "{}", text(&legend));
    assert!(legend.body.starts_with(b"\x89PNG"));
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn feature_info_and_wfs_answer_geojson_for_allowed_layers() {
    let s = setup().await;
    let info = get(
        &s.app,
        &format!(
            "{}&QUERY_LAYERS=communes&I=128&J=128&INFO_FORMAT=application/json&FEATURE_COUNT=5",
            getmap("communes").replace("GetMap", "GetFeatureInfo")
        ),
    )
    .await;
    assert_eq!(info.status, StatusCode::OK, "{}", text(&info));
    let json: serde_json::Value = serde_json::from_slice(&info.body).unwrap();
    assert!(!json["features"].as_array().unwrap().is_empty(), "{json}");
    let wfs = get(
        &s.app,
        "/ows/ms?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:mairies&COUNT=3&OUTPUTFORMAT=application/json",
    )
    .await;
    assert_eq!(wfs.status, StatusCode::OK, "{}", text(&wfs));
    let json: serde_json::Value = serde_json::from_slice(&wfs.body).unwrap();
    assert_eq!(json["features"].as_array().unwrap().len(), 3);
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn the_private_layer_is_refused_everywhere_and_hidden_from_capabilities() {
    let s = setup().await;
    for uri in [
        getmap("private_sites"),
        getmap("communes,private_sites"),
        format!(
            "{}&QUERY_LAYERS=private_sites&I=1&J=1&INFO_FORMAT=application/json",
            getmap("private_sites").replace("GetMap", "GetFeatureInfo")
        ),
        "/ows/ms?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms:private_sites&OUTPUTFORMAT=application/json".to_owned(),
        "/ows/ms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=private_sites&FORMAT=image/png&SLD_VERSION=1.1.0".to_owned(),
    ] {
        let reply = get(&s.app, &uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}: {}", text(&reply));
    }
    for service in ["WMS", "WFS"] {
        let caps = get(
            &s.app,
            &format!("/ows/ms?SERVICE={service}&REQUEST=GetCapabilities"),
        )
        .await;
        assert_eq!(caps.status, StatusCode::OK, "{}", text(&caps));
        let body = text(&caps);
        assert!(body.contains("communes"), "{service}");
        assert!(
            !body.contains("private_sites"),
            "{service} capabilities show the private layer"
        );
        if let Some(at) = body.find(&s.server.url) {
            panic!(
                "{service} capabilities leak the upstream URL: …{}…",
                &body[at.saturating_sub(300)..(at + 100).min(body.len())]
            );
        }
    }
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn time_outside_the_dimension_is_refused_where_mapserver_would_silently_fall_back() {
    let s = setup().await;
    let ok = get(
        &s.app,
        &format!("{}&TIME=2024-06-02T06:00:00Z", getmap("observations")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", text(&ok));
    let off = get(
        &s.app,
        &format!("{}&TIME=2030-01-01T00:00:00Z", getmap("observations")),
    )
    .await;
    assert_eq!(off.status, StatusCode::BAD_REQUEST);
    assert!(text(&off).contains("InvalidDimensionValue"));
}

#[tokio::test]
#[ignore = "needs mapserv and lighttpd: run `cargo xtask test`"]
async fn kartenn_sync_prints_the_changes_then_nothing_and_fails_clearly_for_a_dead_source() {
    let server = MapServer::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dead = format!(
        "http://127.0.0.1:{}/ows",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let conf = dir.path().join("kartenn.toml");
    std::fs::write(
        &conf,
        format!(
            "layers = []\n[store]\npath = \"kartenn.db\"\n\
             [[sources]]\nid = \"ms\"\nurl = \"{}\"\n\
             [[sources]]\nid = \"dead\"\nurl = \"{dead}\"\ntimeout_s = 2\n",
            server.url
        ),
    )
    .unwrap();
    let (c1, c2) = (conf.clone(), conf.clone());
    let (code, first) = tokio::task::spawn_blocking(move || run_sync(&c1, Some("ms")))
        .await
        .unwrap();
    assert_eq!(code, Some(0), "{first}");
    assert!(first.contains("+ ms-communes"), "{first}");
    assert!(first.contains("0 changed, 0 removed"), "{first}");
    assert!(
        dir.path().join("kartenn.db").is_file(),
        "the store lives beside the configuration"
    );
    let (code, all) = tokio::task::spawn_blocking(move || run_sync(&c2, None))
        .await
        .unwrap();
    assert_eq!(code, Some(1), "a dead source makes the command fail: {all}");
    assert!(
        all.contains("0 added, 0 changed, 0 removed"),
        "the second sync of ms changes nothing: {all}"
    );
    assert!(all.contains("FAILED") && all.contains("kept"), "{all}");
}

/// Runs `kartenn sync` (the binary under test): exit code and standard output.
fn run_sync(conf: &Path, only: Option<&str>) -> (Option<i32>, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kartenn"));
    cmd.arg("sync")
        .arg("--config")
        .arg(conf)
        .env("KARTENN_LOG", "error");
    if let Some(id) = only {
        cmd.args(["--source", id]);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}
