//! Serves the built viewer (trunk's `dist/`): `index.html` for the root and for client-side
//! routes, the admin console's own page (`dist/admin/index.html`, a separate program so map
//! visitors never download it) for `/admin` and below, hashed assets with an immutable cache
//! lifetime, and a helpful page when the viewer has not been built yet.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::state::AppState;

/// The viewer's files, found at start-up.
#[derive(Clone)]
pub struct Viewer {
    dir: PathBuf,
    index_html: String,
    /// `dir/admin/index.html`, when the admin console was built.
    admin_html: Option<String>,
}

impl Viewer {
    /// Loads `dir/index.html` (and `dir/admin/index.html`); `None` when the viewer has not been
    /// built.
    pub fn load(dir: &Path) -> Option<Self> {
        let index_html = std::fs::read_to_string(dir.join("index.html")).ok()?;
        let admin_html = std::fs::read_to_string(dir.join("admin").join("index.html")).ok();
        Some(Self {
            dir: dir.to_owned(),
            index_html,
            admin_html,
        })
    }

    /// Every page's HTML (their inline bootstrap scripts go into the Content-Security-Policy).
    pub fn pages_html(&self) -> String {
        let mut html = self.index_html.clone();
        html.push_str(self.admin_html.as_deref().unwrap_or_default());
        html
    }

    /// The page of a client-side route: the admin console's under `/admin`, else the map's.
    fn page(&self, path: &str) -> &str {
        let admin = path == "/admin" || path.starts_with("/admin/");
        match &self.admin_html {
            Some(html) if admin => html,
            _ => &self.index_html,
        }
    }
}

const NOT_BUILT: &str = "<!doctype html><meta charset=utf-8><title>Kartenn</title>\
<h1>Kartenn is running, but the viewer is not built</h1>\
<p>Build it with <code>cargo xtask run</code> (or point <code>KARTENN_VIEWER_DIR</code> at a \
built <code>dist/</code>). The API is up: <a href=/api/catalog>/api/catalog</a>.</p>";

/// Fallback handler: everything that is not an API, tile or health route.
pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/tiles" || path.starts_with("/tiles/") {
        // A malformed tile URL is an API error, not a page of the viewer.
        return crate::no_such_route(request.uri().clone())
            .await
            .into_response();
    }
    let Some(viewer) = state.viewer.as_deref() else {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_BUILT)).into_response();
    };
    let last = path.rsplit('/').next().unwrap_or_default();
    if !last.contains('.') || last == "index.html" {
        // The root or a client-side route: the application shell, never cached stale.
        let mut response = Html(viewer.page(path).to_owned()).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return response;
    }
    let immutable = is_hashed_asset(last);
    let response: Result<_, Infallible> = ServeDir::new(&viewer.dir).oneshot(request).await;
    let mut response = match response {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    };
    if response.status().is_success() {
        let cache = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    }
    response
}

/// Trunk names built assets `name-<16 hex digits>.ext` (or `_bg.wasm`): their content never
/// changes under that name.
fn is_hashed_asset(file: &str) -> bool {
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_assets_are_recognised() {
        assert!(is_hashed_asset("kartenn-frontend-0123456789abcdef.js"));
        assert!(is_hashed_asset("kartenn-frontend-0123456789abcdef_bg.wasm"));
        assert!(is_hashed_asset("style-0123456789abcdef.css"));
        assert!(!is_hashed_asset("favicon.ico"));
        assert!(!is_hashed_asset("kartenn-frontend.js"));
        assert!(!is_hashed_asset("a-0123456789abcdeg.js"));
    }
}
