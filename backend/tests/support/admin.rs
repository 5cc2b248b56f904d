//! The admin tests' application: two tile layers (`private`, `open`), a harvested OGC layer
//! behind a scripted upstream, `[[rules]]` opening `open` only, sign-in with
//! `realm:indigeo-admin` mapped to `admin`, the store in a temporary file; and signed bearer
//! tokens and one-shot calls.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::response::IntoResponse;
use kartenn::auth::Auth;
use kartenn::auth::jwt::JwksFetcher;
use kartenn::config::Config;
use kartenn::ogc::catalog::OgcLayer;
use kartenn::ogc::service::OgcService;
use kartenn::state::{AppState, TileSet};
use kartenn::store::Store;
use serde_json::{Value, json};

use super::support::tokens::{ISSUER, TestIssuer};
use super::support::{self, Reply, send};

pub const TILE: &str = "/tiles/private/8/125/88.mvt";
pub const GET_MAP: &str = "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ws:private_data\
    &STYLES=&CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png";

pub struct Setup {
    pub app: Router,
    pub issuer: TestIssuer,
    pub store: Store,
    pub db: std::path::PathBuf,
    pub config: Config,
    /// Holds the temporary directory (store, config) for the test's lifetime.
    pub _dir: tempfile::TempDir,
}

impl Setup {
    /// A bearer token for `user` with these realm roles.
    pub fn token(&self, user: &str, roles: &[&str]) -> String {
        self.issuer.with_realm_roles(user, roles)
    }

    pub fn admin(&self) -> String {
        self.token("ann", &["indigeo-admin"])
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(v) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        send(&self.app, request.body(body).unwrap()).await
    }

    pub async fn as_admin(
        &self,
        method: &str,
        uri: &str,
        etag: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let headers: Vec<(&str, &str)> = etag.map(|e| ("if-match", e)).into_iter().collect();
        self.call(method, uri, Some(&self.admin()), &headers, body)
            .await
    }

    pub async fn create(&self, rule: Value) -> (i64, String) {
        let reply = self
            .as_admin(
                "POST",
                "/api/admin/rules",
                None,
                Some(json!({ "rule": rule })),
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

    pub async fn audit(&self, query: &str) -> Vec<Value> {
        let reply = self
            .as_admin("GET", &format!("/api/admin/audit{query}"), None, None)
            .await;
        assert_eq!(reply.status, 200);
        reply.json().as_array().unwrap().clone()
    }
}

pub async fn setup() -> Setup {
    // The OGC upstream: a PNG for any map.
    let upstream = Router::new().route(
        "/ows",
        axum::routing::get(|| async {
            (
                [(header::CONTENT_TYPE, "image/png")],
                b"\x89PNG\r\n\x1a\n".to_vec(),
            )
                .into_response()
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
         [[rules]]\nlayer = \"open\"\nview = \"public\"\n\
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
    let app = app_on(&config, &store, issuer.jwks()).await;
    Setup {
        app,
        issuer,
        store,
        db,
        config,
        _dir: dir,
    }
}

pub async fn app_on(config: &Config, store: &Store, jwks: Arc<dyn JwksFetcher>) -> Router {
    let tilesets = config
        .layers
        .iter()
        .map(|layer| TileSet {
            config: layer.clone(),
            source: Arc::new(
                kartenn::sources::fgb::FgbSource::open_reprojecting(
                    &layer.path,
                    layer.source_options(),
                )
                .unwrap(),
            ),
        })
        .collect();
    let ogc_layers = vec![OgcLayer::named("up", "ws:private_data")];
    let state = AppState::new(config, tilesets, std::collections::HashMap::default(), None)
        .with_ogc(OgcService::new(config, None, ogc_layers))
        .with_auth(Auth::with_jwks(config, store.clone(), jwks).unwrap())
        .with_admin(store.clone())
        .await
        .unwrap();
    kartenn::app(state)
}

pub fn fields(reply: &Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}
