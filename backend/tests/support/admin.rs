//! The admin tests' application: two tile layers (`private`, `open`), a harvested OGC layer
//! behind a scripted upstream, `[[rules]]` opening `open` only, sign-in with
//! `realm:indigeo-admin` mapped to `admin`, the store in a temporary file; and signed bearer
//! tokens and one-shot calls.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use axum::response::IntoResponse;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kartenn::auth::Auth;
use kartenn::auth::jwt::{JwksFetcher, JwtError};
use kartenn::config::Config;
use kartenn::ogc::catalog::OgcLayer;
use kartenn::ogc::service::OgcService;
use kartenn::state::{AppState, TileSet};
use kartenn::store::Store;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

use super::support::{self, Reply, send};

pub const ISSUER: &str = "http://127.0.0.1:9/realms/indigeo";
pub const KEY: &[u8] = include_bytes!("../../src/auth/jwt/testdata/rsa2048_a.pk8.der");
pub const TILE: &str = "/tiles/private/8/125/88.mvt";
pub const GET_MAP: &str = "/ows/up?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ws:private_data\
    &STYLES=&CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png";

struct StaticJwks(Vec<u8>);

#[async_trait::async_trait]
impl JwksFetcher for StaticJwks {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        Ok(self.0.clone())
    }
}

pub struct Setup {
    pub app: Router,
    pub pair: RsaKeyPair,
    pub store: Store,
    pub db: std::path::PathBuf,
    pub config: Config,
    /// Holds the temporary directory (store, config) for the test's lifetime.
    pub _dir: tempfile::TempDir,
}

impl Setup {
    /// A bearer token for `user` with these realm roles.
    pub fn token(&self, user: &str, roles: &[&str]) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({
            "iss": ISSUER, "aud": ["kartenn"], "azp": "kartenn", "typ": "Bearer",
            "exp": now + 300, "iat": now, "sub": format!("sub-{user}"),
            "preferred_username": user, "realm_access": {"roles": roles},
        });
        let head = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(head.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
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
    let pair = RsaKeyPair::from_pkcs8(KEY).unwrap();
    let RsaPublicKeyComponents { n, e } = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}]});
    let store = Store::open(&db).await.unwrap();
    let app = app_on(&config, &store, serde_json::to_vec(&jwks).unwrap()).await;
    Setup {
        app,
        pair,
        store,
        db,
        config,
        _dir: dir,
    }
}

pub async fn app_on(config: &Config, store: &Store, jwks: Vec<u8>) -> Router {
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
        .with_auth(Auth::with_jwks(config, store.clone(), Arc::new(StaticJwks(jwks))).unwrap())
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
