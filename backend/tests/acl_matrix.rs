//! The rights matrix, table-driven and in-process: every (caller × layer rule × action ×
//! endpoint) combination, with callers carrying RS256 bearer tokens signed here (Keycloak's
//! claims) and layers both configured (vector tiles) and harvested (OGC, behind a scripted
//! upstream that records what reaches it). The expected answer comes from a small table of
//! the rules, written independently of `acl.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kartenn::auth::Auth;
use kartenn::config::Config;
use kartenn::ogc::catalog::{OgcLayer, layer_id};
use kartenn::ogc::service::OgcService;
use kartenn::state::AppState;
use kartenn::store::Store;
use serde_json::json;
use support::tokens::{ISSUER, TestIssuer};
use support::{Reply, get_with};

/// The layers: one per kind of rule, each served as configured tiles (`id`) and as an OGC layer
/// (`ws:<id>_data` on source `up`).
const LAYERS: [&str; 4] = ["open", "signed", "team", "hidden"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    /// Signed in, no roles.
    Carol,
    /// Realm role `chercheur`, client role `kartenn:lecteur-traits` (mapped to `lecteur`).
    Alice,
    /// Realm role `maddog`.
    Bob,
}

const EVERYONE: [Who; 4] = [Who::Anonymous, Who::Carol, Who::Alice, Who::Bob];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    View,
    Query,
    Download,
}

/// The rules of the configuration below, as a table: may `who` do `act` with `layer`?
fn expected(who: Who, layer: &str, act: Act) -> bool {
    let signed_in = who != Who::Anonymous;
    let chercheur = who == Who::Alice;
    match (layer, act) {
        ("open", _) => true,
        ("signed", Act::View | Act::Query) => signed_in,
        // `signed` downloads and `team` (view: realm:chercheur, query: the mapped role
        // `lecteur`, no download) are Alice's only.
        ("signed", Act::Download) | ("team", Act::View | Act::Query) => chercheur,
        _ => false,
    }
}

/// A Keycloak-shaped access token for `who`.
fn token(issuer: &TestIssuer, who: Who) -> Option<String> {
    let (user, extra) = match who {
        Who::Anonymous => return None,
        Who::Carol => ("carol", json!({})),
        Who::Alice => (
            "alice",
            json!({"realm_access": {"roles": ["chercheur", "offline_access"]},
                   "resource_access": {"kartenn": {"roles": ["lecteur-traits"]}}}),
        ),
        Who::Bob => ("bob", json!({"realm_access": {"roles": ["maddog"]}})),
    };
    Some(issuer.token(user, &extra))
}

type Seen = Arc<Mutex<Vec<String>>>;

async fn upstream(State(seen): State<Seen>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or_default().to_owned();
    seen.lock().unwrap().push(query.clone());
    if query.contains("REQUEST=GetCapabilities") {
        let mut layers = String::new();
        for id in LAYERS {
            write!(
                layers,
                "<Layer queryable=\"1\"><Name>ws:{id}_data</Name><Title>{id}</Title></Layer>"
            )
            .unwrap();
        }
        let doc = format!(
            "<?xml version=\"1.0\"?><WMS_Capabilities version=\"1.3.0\" \
             xmlns=\"http://www.opengis.net/wms\"><Service><Name>WMS</Name><Title>Up</Title>\
             </Service><Capability><Layer><Title>Root</Title>{layers}</Layer></Capability>\
             </WMS_Capabilities>"
        );
        return ([(header::CONTENT_TYPE, "text/xml")], doc).into_response();
    }
    if query.contains("REQUEST=GetMap") || query.contains("REQUEST=GetLegendGraphic") {
        return (
            [(header::CONTENT_TYPE, "image/png")],
            b"\x89PNG\r\n\x1a\n".to_vec(),
        )
            .into_response();
    }
    if query.to_ascii_lowercase().contains("shape-zip") {
        return (
            [(header::CONTENT_TYPE, "application/zip")],
            b"PK\x03\x04".to_vec(),
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"type":"FeatureCollection","features":[]}"#,
    )
        .into_response()
}

struct Setup {
    app: Router,
    issuer: TestIssuer,
    seen: Seen,
}

async fn setup() -> Setup {
    let seen: Seen = Arc::default();
    let upstream_app = Router::new()
        .route("/ows", axum::routing::get(upstream))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, upstream_app).await });

    let communes = support::demo_dir().join("communes.fgb");
    let mut text = String::from("[server]\npublic_url = \"http://127.0.0.1:9\"\n");
    for id in LAYERS {
        writeln!(
            text,
            "[[layers]]\nid = \"{id}\"\ntitle = \"{id}\"\npath = \"{}\"\n",
            communes.display()
        )
        .unwrap();
    }
    writeln!(
        text,
        "[[sources]]\nid = \"up\"\nurl = \"http://{addr}/ows\"\n\n\
         [[rules]]\nlayer = \"*open*\"\nview = \"public\"\nquery = \"public\"\ndownload = \"public\"\n\
         [[rules]]\nlayer = \"*signed*\"\nview = \"authenticated\"\nquery = \"authenticated\"\n\
         download = [\"realm:chercheur\"]\n\
         [[rules]]\nlayer = \"*team*\"\nview = [\"realm:chercheur\"]\nquery = [\"lecteur\"]\n\n\
         [oidc]\nissuer = \"{ISSUER}\"\nclient_id = \"kartenn\"\n\
         [oidc.roles]\n\"client:kartenn:lecteur-traits\" = \"lecteur\"\n"
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = |_: &str| None;
    let mut config = Config::from_toml(&text, dir.path(), &env).unwrap();
    config.store.path = dir.path().join("kartenn.db");
    let issuer = TestIssuer::new();
    let ogc_layers = LAYERS
        .iter()
        .map(|id| OgcLayer::named("up", &format!("ws:{id}_data")))
        .collect();
    let store = Store::memory().await.unwrap();
    let state = AppState::new(
        &config,
        tilesets(&config),
        std::collections::HashMap::default(),
        None,
    )
    .with_ogc(OgcService::new(&config, None, ogc_layers))
    .with_auth(Auth::with_jwks(&config, store, issuer.jwks()).unwrap());
    Setup {
        app: kartenn::app(state),
        issuer,
        seen,
    }
}

fn tilesets(config: &Config) -> Vec<kartenn::state::TileSet> {
    let mut sets = Vec::new();
    for layer in &config.layers {
        let source = kartenn::sources::fgb::FgbSource::open_reprojecting(
            &layer.path,
            layer.source_options(),
        )
        .unwrap();
        sets.push(kartenn::state::TileSet {
            config: layer.clone(),
            source: Arc::new(source),
        });
    }
    sets
}

/// One endpoint that exercises an action on a layer.
struct Endpoint {
    name: &'static str,
    act: Act,
    uri: fn(&str) -> String,
    /// Allowed: did it succeed? Refused: was it refused properly (status per caller)?
    ogc: bool,
}

const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "vector tile",
        act: Act::View,
        uri: |id| format!("/tiles/{id}/8/125/88.mvt"),
        ogc: false,
    },
    Endpoint {
        name: "TileJSON",
        act: Act::View,
        uri: |id| format!("/tiles/{id}.json"),
        ogc: false,
    },
    Endpoint {
        name: "WMS GetMap",
        act: Act::View,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ws:{id}_data&STYLES=\
                 &CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png"
            )
        },
        ogc: true,
    },
    Endpoint {
        name: "WMS GetLegendGraphic",
        act: Act::View,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=ws:{id}_data\
                 &FORMAT=image/png"
            )
        },
        ogc: true,
    },
    Endpoint {
        name: "WMS GetFeatureInfo",
        act: Act::Query,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=ws:{id}_data\
                 &QUERY_LAYERS=ws:{id}_data&STYLES=&CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256\
                 &HEIGHT=256&FORMAT=image/png&INFO_FORMAT=application/json&I=5&J=5"
            )
        },
        ogc: true,
    },
    Endpoint {
        name: "WFS GetFeature JSON",
        act: Act::Query,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:{id}_data\
                 &OUTPUTFORMAT=application/json&COUNT=10"
            )
        },
        ogc: true,
    },
    Endpoint {
        name: "WFS DescribeFeatureType",
        act: Act::Query,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType\
                 &TYPENAMES=ws:{id}_data"
            )
        },
        ogc: true,
    },
    Endpoint {
        name: "WFS GetFeature shape-zip",
        act: Act::Download,
        uri: |id| {
            format!(
                "/ows/up?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ws:{id}_data\
                 &OUTPUTFORMAT=shape-zip&COUNT=10"
            )
        },
        ogc: true,
    },
];

fn headers(token: Option<&String>) -> Vec<(&'static str, String)> {
    token
        .map(|t| vec![("authorization", format!("Bearer {t}"))])
        .unwrap_or_default()
}

async fn get_as(setup: &Setup, who: Who, uri: &str) -> Reply {
    let token = token(&setup.issuer, who);
    let owned = headers(token.as_ref());
    let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
    get_with(&setup.app, uri, &pairs).await
}

#[tokio::test]
async fn every_caller_layer_action_and_endpoint_gets_exactly_what_the_rules_say() {
    let setup = setup().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for who in EVERYONE {
        for layer in LAYERS {
            for endpoint in ENDPOINTS {
                let allowed = expected(who, layer, endpoint.act)
                    // Every OGC request also needs the right to view the layer.
                    && (!endpoint.ogc || expected(who, layer, Act::View));
                let before = setup.seen.lock().unwrap().len();
                let reply = get_as(&setup, who, &(endpoint.uri)(layer)).await;
                let reached = setup.seen.lock().unwrap().len() > before;
                let ok = if allowed {
                    reply.status.is_success() && (reached || !endpoint.ogc)
                } else if endpoint.ogc {
                    // Unknown and forbidden look the same, and nothing reaches the upstream.
                    reply.status == StatusCode::NOT_FOUND && !reached
                } else if who == Who::Anonymous {
                    reply.status == StatusCode::UNAUTHORIZED
                        && reply.json()["code"] == "unauthorized"
                } else {
                    reply.status == StatusCode::FORBIDDEN && reply.json()["code"] == "forbidden"
                };
                checked += 1;
                if !ok {
                    failures.push(format!(
                        "{who:?} × {layer} × {:?} × {}: allowed={allowed}, got {} (upstream \
                         reached: {reached}) {}",
                        endpoint.act,
                        endpoint.name,
                        reply.status,
                        String::from_utf8_lossy(&reply.body[..reply.body.len().min(120)])
                    ));
                }
            }
        }
    }
    assert_eq!(checked, EVERYONE.len() * LAYERS.len() * ENDPOINTS.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_catalogue_lists_what_each_caller_may_view_with_their_query_and_download_rights() {
    let setup = setup().await;
    for who in EVERYONE {
        let reply = get_as(&setup, who, "/api/catalog").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("cache-control"), Some("private, no-cache"));
        let catalog = reply.json();
        let entries = catalog["layers"].as_array().unwrap();
        for layer in LAYERS {
            let tiles = entries.iter().any(|l| l["id"] == layer);
            let ogc = entries
                .iter()
                .find(|l| l["id"] == layer_id("up", &format!("ws:{layer}_data")));
            let may_view = expected(who, layer, Act::View);
            assert_eq!(tiles, may_view, "{who:?} sees tiles of {layer}");
            assert_eq!(ogc.is_some(), may_view, "{who:?} sees OGC {layer}");
            if let Some(entry) = ogc {
                let info = &entry["ogc"];
                assert_eq!(
                    info["queryable"].as_bool().unwrap(),
                    expected(who, layer, Act::Query),
                    "{who:?} may identify {layer}"
                );
                // WFS access comes with the right to query; downloads with the right to
                // download on top.
                let may_query = expected(who, layer, Act::Query);
                assert_eq!(
                    info["wfs"].is_object(),
                    may_query,
                    "{who:?} WFS {layer}: {info}"
                );
                if may_query {
                    assert_eq!(
                        info["wfs"]["download"].as_bool().unwrap(),
                        expected(who, layer, Act::Download),
                        "{who:?} may download {layer}: {info}"
                    );
                }
            }
        }
        // The tile index follows the same rule.
        let index = get_as(&setup, who, "/tiles").await.json();
        let listed: Vec<&str> = index
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        let visible: Vec<&str> = LAYERS
            .iter()
            .copied()
            .filter(|l| expected(who, l, Act::View))
            .collect();
        let mut visible_sorted = visible.clone();
        visible_sorted.sort_unstable();
        assert_eq!(listed, visible_sorted, "{who:?}");
    }
}

#[tokio::test]
async fn capabilities_list_exactly_the_layers_each_caller_may_view() {
    let setup = setup().await;
    for who in EVERYONE {
        let reply = get_as(
            &setup,
            who,
            "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        let text = String::from_utf8_lossy(&reply.body);
        for layer in LAYERS {
            assert_eq!(
                text.contains(&format!("<Name>ws:{layer}_data</Name>")),
                expected(who, layer, Act::View),
                "{who:?} / {layer}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn private_tiles_are_kept_out_of_shared_caches_and_public_ones_are_not() {
    let setup = setup().await;
    let public = get_as(&setup, Who::Anonymous, "/tiles/open/8/125/88.mvt").await;
    assert!(
        public
            .header("cache-control")
            .unwrap()
            .starts_with("public")
    );
    let private = get_as(&setup, Who::Alice, "/tiles/team/8/125/88.mvt").await;
    assert!(private.status.is_success());
    assert_eq!(private.header("cache-control"), Some("private, no-cache"));
    assert!(private.header("vary").unwrap().contains("authorization"));
}
