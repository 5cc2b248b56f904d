//! The data-source admin tests' application: a scripted upstream on 127.0.0.1 whose WMS
//! capabilities the tests rewrite (and which records the `Authorization` it receives), a
//! configuration source `conf`, every layer public, password files admitted from a temporary
//! `[ogc] password_dir`, sign-in with `realm:indigeo-admin` mapped to `admin`, the store in a
//! temporary file.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kartenn::auth::Auth;
use kartenn::config::Config;
use kartenn::ogc::service::OgcService;
use kartenn::state::AppState;
use kartenn::store::Store;
use serde_json::{Value, json};

use super::admin::Setup;
use super::support::tokens::{ISSUER, TestIssuer};
use super::support::{self};

pub const PASSWORD: &str = "pa55-w0rd-never-shown";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image";

/// WMS 1.3.0 capabilities with these (name, title) layers.
fn capabilities(layers: &[(&str, &str)]) -> String {
    let mut entries = String::new();
    for (name, title) in layers {
        write!(
            entries,
            "<Layer queryable=\"1\"><Name>{name}</Name><Title>{title}</Title></Layer>"
        )
        .unwrap();
    }
    let layers = entries;
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
  <Service><Name>WMS</Name><Title>Fake GeoServer</Title></Service>
  <Capability>
    <Request><GetMap><Format>image/png</Format></GetMap></Request>
    <Exception><Format>XML</Format></Exception>
    <Layer><Title>Root</Title>{layers}</Layer>
  </Capability>
</WMS_Capabilities>"#
    )
}

/// The scripted upstream: its current capabilities and the `Authorization` headers it saw.
#[derive(Clone, Default)]
pub struct Script {
    pub capabilities: Arc<Mutex<String>>,
    /// `http://127.0.0.1:port`, for the redirect.
    pub base: Arc<Mutex<String>>,
    pub authorizations: Arc<Mutex<Vec<String>>>,
}

impl Script {
    pub fn serve(&self, layers: &[(&str, &str)]) {
        *self.capabilities.lock().unwrap() = capabilities(layers);
    }
}

async fn upstream(
    State(script): State<Script>,
    UrlPath(mode): UrlPath<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        script
            .authorizations
            .lock()
            .unwrap()
            .push(auth.to_str().unwrap().to_owned());
    }
    let query = uri.query().unwrap_or_default();
    match mode.as_str() {
        "ok" if query.contains("SERVICE=WFS") => StatusCode::NOT_FOUND.into_response(),
        "ok" if query.contains("REQUEST=GetCapabilities") => {
            let body = script.capabilities.lock().unwrap().clone();
            ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        "ok" => ([(header::CONTENT_TYPE, "image/png")], PNG).into_response(),
        "slow" => {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            let body = script.capabilities.lock().unwrap().clone();
            ([(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        "html" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<html>maintenance</html>",
        )
            .into_response(),
        // To a server that would answer: followed, the test would pass.
        "redirect" => (
            StatusCode::FOUND,
            [(
                header::LOCATION,
                format!("{}/ok/ows?{query}", script.base.lock().unwrap()),
            )],
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

pub struct Harness {
    pub s: Setup,
    /// The OGC service the application serves (for the schedule).
    pub ogc: Arc<OgcService>,
    pub script: Script,
    pub base: String,
}

/// The application: a configuration source `conf` (read-only here), every layer public,
/// password files admitted from `<tmp>/secrets`, sign-in with `realm:indigeo-admin` → admin.
pub async fn harness() -> Harness {
    let script = Script::default();
    script.serve(&[("ws:public", "Public layer"), ("ws:roads", "Roads")]);
    let app = Router::new()
        .route("/{mode}/ows", axum::routing::get(upstream))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    script.base.lock().unwrap().clone_from(&base);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets");
    std::fs::create_dir(&secrets).unwrap();
    std::fs::write(secrets.join("geo"), format!("{PASSWORD}\n")).unwrap();
    let text = format!(
        "layers = []\n[server]\npublic_url = \"http://127.0.0.1:9\"\n\
         [[sources]]\nid = \"conf\"\nurl = \"{base}/ok/ows\"\nwfs = false\nsync_minutes = 0\n\
         [ogc]\npassword_dir = \"{secrets}\"\n\
         [[rules]]\nlayer = \"*\"\nview = \"public\"\nquery = \"public\"\n\
         [oidc]\nissuer = \"{ISSUER}\"\nclient_id = \"kartenn\"\n\
         [oidc.roles]\n\"realm:indigeo-admin\" = \"admin\"\n",
        secrets = secrets.display()
    );
    let mut config = Config::from_toml(&text, dir.path(), &|_: &str| None).unwrap();
    let db = dir.path().join("kartenn.db");
    config.store.path = db.clone();
    let issuer = TestIssuer::new();
    let store = Store::open(&db).await.unwrap();
    let env: kartenn::ogc::service::Env = Arc::new(|key: &str| {
        (key == "KARTENN_SOURCE_FROM_ENV_PASSWORD").then(|| PASSWORD.to_owned())
    });
    let ogc = OgcService::open_in(&config, store.clone())
        .await
        .unwrap()
        .with_env(env)
        .await
        .unwrap();
    let state = AppState::new(&config, vec![], std::collections::HashMap::default(), None)
        .with_ogc(ogc)
        .with_auth(Auth::with_jwks(&config, store.clone(), issuer.jwks()).unwrap())
        .with_admin(store.clone())
        .await
        .unwrap();
    let ogc = Arc::clone(&state.ogc);
    let s = Setup {
        app: kartenn::app(state),
        issuer,
        store,
        db,
        config,
        _dir: dir,
    };
    Harness {
        s,
        ogc,
        script,
        base,
    }
}

impl Harness {
    pub fn source(&self, id: &str, mode: &str) -> Value {
        json!({"id": id, "title": format!("Source {id}"), "url": format!("{}/{mode}/ows", self.base),
            "wfs": false, "sync_minutes": 0})
    }

    pub async fn create(&self, body: Value) -> String {
        let reply = self
            .s
            .as_admin("POST", "/api/admin/sources", None, Some(body))
            .await;
        assert_eq!(reply.status, 201, "{}", text(&reply.body));
        reply.header("etag").unwrap().to_owned()
    }

    pub async fn preview(&self, id: &str) -> Value {
        let reply = self
            .s
            .as_admin(
                "POST",
                &format!("/api/admin/sources/{id}/sync/preview"),
                None,
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", text(&reply.body));
        reply.json()
    }

    pub async fn apply(&self, id: &str, token: &Value) -> support::Reply {
        self.s
            .as_admin(
                "POST",
                &format!("/api/admin/sources/{id}/sync/apply"),
                None,
                Some(json!({ "preview": token })),
            )
            .await
    }

    /// The ids of the catalogue's layers of OGC source `id`, as anyone sees them.
    pub async fn catalogue(&self, id: &str) -> Vec<String> {
        let reply = self.s.call("GET", "/api/catalog", None, &[], None).await;
        assert_eq!(reply.status, 200);
        reply.json()["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["ogc"]["source"] == id)
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn get_map(&self, id: &str, layer: &str) -> support::Reply {
        let uri = format!(
            "/ows/{id}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=\
             &CRS=EPSG:3857&BBOX=0,0,1000,1000&WIDTH=256&HEIGHT=256&FORMAT=image/png"
        );
        self.s.call("GET", &uri, None, &[], None).await
    }
}

pub fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

pub fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect()
}
