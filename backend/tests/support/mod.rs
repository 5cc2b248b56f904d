//! Shared helpers of the in-process router tests: the demo application and one-shot requests.

#![allow(dead_code)]

pub mod tokens;

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use kartenn::config::{Config, LayerConfig};
use kartenn::state::AppState;
use tower::ServiceExt;

pub fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo")
}

/// The demo configuration (zero configuration), with the viewer read from `viewer_dir`.
pub fn demo_config(viewer_dir: &Path) -> Config {
    let demo = demo_dir();
    let env = move |key: &str| match key {
        "KARTENN_DEMO_DIR" => Some(demo.display().to_string()),
        "KARTENN_VIEWER_DIR" => Some(viewer_dir.display().to_string()),
        _ => None,
    };
    // As `kartenn serve` without a file: every layer public.
    Config::from_toml("[access]\ndefault = \"public\"\n", Path::new("."), &env)
        .expect("demo configuration")
}

/// The whole application on the demo data, without a built viewer.
pub async fn demo_app() -> Router {
    app_with(&demo_config(Path::new("/nonexistent-viewer"))).await
}

pub async fn app_with(config: &Config) -> Router {
    kartenn::app(
        AppState::from_config(config)
            .await
            .expect("demo sources open"),
    )
}

pub fn layer<'a>(config: &'a Config, id: &str) -> &'a LayerConfig {
    config
        .layers
        .iter()
        .find(|l| l.id == id)
        .expect("demo layer")
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    get_with(app, uri, &[]).await
}

pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(app, request.body(Body::empty()).expect("request")).await
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// A browser session for `user` (`sub-<user>`) holding these claim-derived roles, stored as
/// sign-in stores it: the `Cookie` header value and the session's CSRF token.
#[allow(dead_code)] // not every test binary opens a session
pub async fn cookie_session(
    store: &kartenn::store::Store,
    user: &str,
    roles: &[&str],
) -> (String, String) {
    use kartenn::acl::Principal;
    use kartenn::auth::session::{Grant, SessionStore};
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let grant = Grant {
        principal: Principal {
            user: Some(user.to_owned()),
            subject: Some(format!("sub-{user}")),
            name: None,
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        },
        access_token: "opaque".into(),
        refresh_token: None,
        id_token: None,
        access_expires_at: now + 3600,
    };
    let (cookie, session) = SessionStore::new(store.clone())
        .create(&grant, 3600)
        .await
        .unwrap();
    (format!("kartenn_session={cookie}"), session.csrf_token)
}
