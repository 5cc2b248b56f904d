//! The OGC proxy end to end in-process, against a scripted upstream server on 127.0.0.1 that
//! records what reaches it: what is forwarded (and what never is), capabilities filtering and
//! URL rewriting, and upstream failures (down, slow, oversize, HTML, exceptions sent with 200).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kartenn::config::Config;
use kartenn::ogc::catalog::OgcLayer;
use kartenn::ogc::service::OgcService;
use kartenn::state::AppState;
use support::{Reply, get, get_with, send};

/// What reached the fake upstream: path, query, headers.
type Seen = Arc<Mutex<Vec<(String, String, HeaderMap)>>>;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image";

const CAPABILITIES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
  <Service><Name>WMS</Name><Title>Fake</Title>
    <OnlineResource xlink:type="simple" xlink:href="http://internal-geoserver:8080/geoserver/ows"/></Service>
  <Capability>
    <Request><GetMap><Format>image/png</Format><DCPType><HTTP><Get>
      <OnlineResource xlink:type="simple" xlink:href="http://internal-geoserver:8080/geoserver/ows?"/>
    </Get></HTTP></DCPType></GetMap></Request>
    <Exception><Format>XML</Format></Exception>
    <Layer><Title>Root</Title>
      <Layer queryable="1"><Name>ws:public</Name><Title>Public layer</Title></Layer>
      <Layer queryable="1"><Name>ws:private</Name><Title>Private layer</Title></Layer>
    </Layer>
  </Capability>
</WMS_Capabilities>"#;

async fn upstream(
    State(seen): State<Seen>,
    UrlPath(mode): UrlPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or_default().to_owned();
    seen.lock()
        .unwrap()
        .push((mode.clone(), query.clone(), headers));
    let request = query
        .split('&')
        .find_map(|p| p.strip_prefix("REQUEST="))
        .unwrap_or_default()
        .to_owned();
    match (mode.as_str(), request.as_str()) {
        ("ok", "GetCapabilities") => ([(header::CONTENT_TYPE, "text/xml")], CAPABILITIES).into_response(),
        ("ok", "GetMap") => ([(header::CONTENT_TYPE, "image/png")], PNG).into_response(),
        ("ok", _) => ([(header::CONTENT_TYPE, "application/json")], r#"{"type":"FeatureCollection","features":[]}"#).into_response(),
        ("slow", _) => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            ([(header::CONTENT_TYPE, "image/png")], PNG).into_response()
        }
        ("huge", _) => ([(header::CONTENT_TYPE, "image/png")], vec![0u8; 2 * 1024 * 1024]).into_response(),
        ("html", _) => ([(header::CONTENT_TYPE, "text/html")], "<script>alert(1)</script>").into_response(),
        ("exception", _) => (
            [(header::CONTENT_TYPE, "text/xml")],
            "<ServiceExceptionReport><ServiceException>msDrawMap(): /srv/secret/data.fgb failed</ServiceException></ServiceExceptionReport>",
        )
            .into_response(),
        ("broken", _) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the fake upstream; returns its base URL and what it saw.
async fn start_upstream() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route("/{mode}/ows", axum::routing::get(upstream))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), seen)
}

/// A closed port on loopback: bind, note it, drop.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn proxy() -> (Router, Seen) {
    let (base, seen) = start_upstream().await;
    let down = format!("http://127.0.0.1:{}/ows", closed_port());
    let mut text = String::from("layers = []\n");
    for (id, url, extra) in [
        ("ok", format!("{base}/ok/ows"), "username = \"kartenn\"\n"),
        ("slow", format!("{base}/slow/ows"), "timeout_s = 0.5\n"),
        ("huge", format!("{base}/huge/ows"), "max_response_mb = 1\n"),
        ("html", format!("{base}/html/ows"), ""),
        ("exception", format!("{base}/exception/ows"), ""),
        ("broken", format!("{base}/broken/ows"), ""),
        ("down", down, ""),
    ] {
        writeln!(text, "[[sources]]\nid = \"{id}\"\nurl = \"{url}\"\n{extra}").unwrap();
    }
    text.push_str(
        "[[rules]]\nlayer = \"ws:private\"\n\
         [[rules]]\nlayer = \"*\"\nview = \"public\"\nquery = \"public\"\n",
    );
    let env = |key: &str| (key == "KARTENN_SOURCE_OK_PASSWORD").then(|| "s3cret".to_owned());
    let config = Config::from_toml(&text, Path::new("."), &env).unwrap();
    let layers = config
        .sources
        .iter()
        .flat_map(|s| {
            [
                OgcLayer::named(&s.id, "ws:public"),
                OgcLayer::named(&s.id, "ws:private"),
            ]
        })
        .collect();
    let state = AppState::from_config(&config)
        .await
        .unwrap()
        .with_ogc(OgcService::new(&config, None, layers));
    (kartenn::app(state), seen)
}

const GETMAP: &str = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=public&STYLES=&CRS=EPSG:3857\
                      &BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png";

fn text(reply: &Reply) -> String {
    String::from_utf8_lossy(&reply.body).into_owned()
}

#[tokio::test]
async fn a_public_layer_is_proxied_with_upstream_names_and_the_service_account_only() {
    let (app, seen) = proxy().await;
    let reply = get_with(
        &app,
        &format!("/ows/ok?{GETMAP}"),
        &[("cookie", "kartenn_session=abc")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", text(&reply));
    assert_eq!(reply.header("content-type"), Some("image/png"));
    assert_eq!(reply.body, PNG);
    assert!(
        reply
            .header("content-security-policy")
            .unwrap()
            .contains("sandbox")
    );
    let seen = seen.lock().unwrap();
    let (_, query, headers) = seen.last().unwrap();
    assert!(query.contains("LAYERS=ws:public"), "{query}");
    let auth = headers.get("authorization").unwrap().to_str().unwrap();
    assert!(
        auth.starts_with("Basic "),
        "service account, not the user's token: {auth}"
    );
    assert!(
        headers.get("cookie").is_none(),
        "the user's cookie must not be forwarded"
    );
}

#[tokio::test]
async fn a_bearer_token_on_a_server_without_sign_in_is_refused_not_ignored() {
    let (app, seen) = proxy().await;
    let reply = get_with(
        &app,
        &format!("/ows/ok?{GETMAP}"),
        &[("authorization", "Bearer user-token")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", text(&reply));
    assert!(text(&reply).contains("sign-in is not configured"));
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn forbidden_layers_and_blocked_parameters_never_reach_the_upstream_server() {
    let (app, seen) = proxy().await;
    for query in [
        GETMAP.replace("LAYERS=public", "LAYERS=ws:private"),
        GETMAP.replace("LAYERS=public", "LAYERS=public,private"),
        GETMAP.replace("LAYERS=public", "LAYERS=evil:public"),
        format!("{GETMAP}&SLD_BODY=%3CStyledLayerDescriptor%2F%3E"),
        format!("{GETMAP}&CQL_FILTER=INCLUDE"),
        format!("{GETMAP}&map=/etc/passwd"),
        format!("{GETMAP}&layers=ws:private"),
        "SERVICE=WFS&REQUEST=GetFeature&TYPENAMES=ws:private&OUTPUTFORMAT=application/json"
            .to_owned(),
        "SERVICE=WFS&REQUEST=Transaction".to_owned(),
        "SERVICE=WPS&REQUEST=Execute".to_owned(),
    ] {
        let reply = get(&app, &format!("/ows/ok?{query}")).await;
        assert!(
            reply.status == StatusCode::NOT_FOUND || reply.status == StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.status
        );
        assert!(
            text(&reply).contains("ServiceException"),
            "{query}: OGC exception expected"
        );
    }
    assert!(seen.lock().unwrap().is_empty(), "nothing may be forwarded");
}

#[tokio::test]
async fn capabilities_list_only_allowed_layers_and_point_every_url_at_kartenn() {
    let (app, _) = proxy().await;
    let reply = get_with(
        &app,
        "/ows/ok?SERVICE=WMS&REQUEST=GetCapabilities",
        &[("host", "maps.example.org")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", text(&reply));
    let body = text(&reply);
    assert!(body.contains("ws:public"));
    assert!(!body.contains("ws:private"), "{body}");
    assert!(!body.contains("internal-geoserver"), "{body}");
    assert!(body.contains("http://maps.example.org/ows/ok?"), "{body}");
}

#[tokio::test]
async fn upstream_failures_become_clear_gateway_errors_without_details() {
    let (app, _) = proxy().await;
    for (source, status) in [
        ("down", StatusCode::BAD_GATEWAY),
        ("slow", StatusCode::GATEWAY_TIMEOUT),
        ("huge", StatusCode::BAD_GATEWAY),
        ("html", StatusCode::BAD_GATEWAY),
        ("exception", StatusCode::BAD_GATEWAY),
        ("broken", StatusCode::BAD_GATEWAY),
    ] {
        let reply = get(&app, &format!("/ows/{source}?{GETMAP}")).await;
        assert_eq!(reply.status, status, "{source}: {}", text(&reply));
        let body = text(&reply);
        assert!(body.contains("ServiceException"), "{source}: {body}");
        for secret in ["/srv/secret", "alert(1)", "127.0.0.1", "refused"] {
            assert!(!body.contains(secret), "{source} leaks {secret}: {body}");
        }
    }
}

#[tokio::test]
async fn errors_are_json_when_the_caller_asks_for_json_exceptions() {
    let (app, _) = proxy().await;
    let reply = get(
        &app,
        &format!(
            "/ows/ok?{}&EXCEPTIONS=application/json",
            GETMAP.replace("public", "ws:private")
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["code"], "not_found");
}

#[tokio::test]
async fn only_get_is_accepted_and_unknown_sources_are_404() {
    let (app, seen) = proxy().await;
    let post = Request::post(format!("/ows/ok?{GETMAP}"))
        .body(Body::from("<GetMap/>"))
        .unwrap();
    assert_eq!(
        send(&app, post).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let reply = get(&app, &format!("/ows/nowhere?{GETMAP}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    for path in ["/ows/ok/rest/layers", "/geoserver/rest", "/ows/ok/../rest"] {
        let reply = get(&app, path).await;
        assert_ne!(reply.status, StatusCode::OK, "{path}");
    }
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn compressed_answers_stream_whole_and_json_exceptions_are_not_forwarded() {
    let (app, seen) = proxy().await;
    let info = GETMAP.replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
        + "&QUERY_LAYERS=public&I=1&J=1&INFO_FORMAT=application/json&EXCEPTIONS=application/json";
    let reply = get_with(
        &app,
        &format!("/ows/ok?{info}"),
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", text(&reply));
    assert_eq!(reply.header("content-encoding"), Some("gzip"));
    let mut json = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&reply.body[..]),
        &mut json,
    )
    .unwrap();
    assert!(json.contains("FeatureCollection"), "{json}");
    let seen = seen.lock().unwrap();
    let (_, query, _) = seen.last().unwrap();
    assert!(
        !query.contains("EXCEPTIONS"),
        "Kartenn's own parameter reached the server: {query}"
    );
}
