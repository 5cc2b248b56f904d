//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (made on the fly and cached; brotli or gzip as the
//! client accepts; strong ETag and `If-None-Match` → 304; 204 when empty),
//! `GET /tiles/{layer}.json` (TileJSON 3.0.0) and `GET /tiles` (the tile sets).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kartenn_common::TileSetSummary;

use super::service::Encoding;
use super::{TileCoord, TileError, tilejson};
use crate::acl::{Action, LayerRef};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::state::AppState;

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tiles", get(index))
        .route("/tiles/{tileset}", get(tilejson_handler))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tile))
}

async fn tile(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((layer, z, x, y)): ApiPath<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let y = y.strip_suffix(".mvt").ok_or_else(|| {
        TileError::BadRequest(format!(
            "tiles are served as Mapbox Vector Tiles: /tiles/{layer}/{z}/{x}/{y}.mvt"
        ))
    })?;
    let coord = TileCoord::parse(&z, &x, y)?;
    let set = state
        .tilesets
        .get(&layer)
        .ok_or_else(|| TileError::UnknownLayer(layer.clone()))?;
    let layer_ref = LayerRef::local(&layer);
    caller.require(&state.acl(), layer_ref, Action::View)?;
    let encoding = negotiate(&headers);
    let tile = state
        .tiles
        .get(&layer, &set.source, coord, encoding)
        .await?;
    let mut response = if if_none_match(&headers, &tile.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if tile.body.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let mut response = tile.body.clone().into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(MVT_CONTENT_TYPE),
        );
        if let Some(coding) = encoding.header() {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let h = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&tile.etag) {
        h.insert(header::ETAG, etag);
    }
    if state.acl().is_public(layer_ref, Action::View) {
        h.insert(header::CACHE_CONTROL, state.tile_cache_control.clone());
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    } else {
        // Not for shared caches; the browser revalidates (a 304 with the ETag is cheap).
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
        h.insert(
            header::VARY,
            HeaderValue::from_static("accept-encoding, cookie, authorization"),
        );
    }
    Ok(response)
}

/// Every tile set the caller may view, for clients discovering what is served.
async fn index(State(state): State<AppState>, caller: Caller) -> Response {
    let acl = state.acl();
    let mut sets: Vec<TileSetSummary> = state
        .tilesets
        .values()
        .filter(|set| {
            acl.allows(
                &caller.principal,
                LayerRef::local(&set.config.id),
                Action::View,
            )
        })
        .map(|set| {
            let info = set.source.info();
            TileSetSummary {
                id: set.config.id.clone(),
                title: set.config.title.clone(),
                tilejson: format!("/tiles/{}.json", set.config.id),
                geometry: info.geometry,
                bounds: info.bounds,
                minzoom: set.config.minzoom,
                maxzoom: set.config.maxzoom,
            }
        })
        .collect();
    sets.sort_by(|a, b| a.id.cmp(&b.id));
    (per_caller(), Json(sets)).into_response()
}

/// Headers of an answer that depends on who asks.
pub fn per_caller() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "private, no-cache"),
        (header::VARY, "cookie, authorization"),
    ]
}

async fn tilejson_handler(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(tileset): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = tileset.strip_suffix(".json").ok_or_else(|| {
        ApiError::not_found(format!(
            "`/tiles/{tileset}` is not a TileJSON document; try /tiles/{tileset}.json"
        ))
    })?;
    let set = state
        .tilesets
        .get(layer)
        .ok_or_else(|| TileError::UnknownLayer(layer.to_owned()))?;
    caller.require(&state.acl(), LayerRef::local(layer), Action::View)?;
    let base = state
        .public_url
        .as_deref()
        .map(str::to_owned)
        .or_else(|| request_origin(&headers))
        .unwrap_or_default();
    Ok(Json(tilejson::build(&set.config, set.source.info(), &base)).into_response())
}

/// `http://host[:port]` from the request, when its `Host` header is a plausible authority.
fn request_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plausible = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    plausible.then(|| format!("http://{host}"))
}

/// The best coding the client accepts (`Accept-Encoding`, q-values honoured): brotli, then
/// gzip, then none. A coding given `q=0` (directly or through `*`) is refused.
pub fn negotiate(headers: &HeaderMap) -> Encoding {
    let (mut br, mut gzip, mut star) = (None, None, None);
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let br = br.or(star).unwrap_or(0.0);
    let gzip = gzip.or(star).unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// True when `If-None-Match` names `etag` (or is `*`); weak comparison, as RFC 9110 asks.
pub fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_encoding(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn the_best_accepted_coding_is_chosen() {
        assert_eq!(negotiate(&with_encoding("gzip")), Encoding::Gzip);
        assert_eq!(
            negotiate(&with_encoding("gzip, deflate, br")),
            Encoding::Brotli
        );
        assert_eq!(negotiate(&with_encoding("br;q=0.5, gzip")), Encoding::Gzip);
        assert_eq!(negotiate(&with_encoding("GZIP")), Encoding::Gzip);
        assert_eq!(negotiate(&with_encoding("*")), Encoding::Brotli);
        assert_eq!(negotiate(&with_encoding("*, br;q=0")), Encoding::Gzip);
        assert_eq!(negotiate(&with_encoding("gzip;q=0")), Encoding::Identity);
        assert_eq!(negotiate(&with_encoding("deflate")), Encoding::Identity);
        assert_eq!(negotiate(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn if_none_match_matches_listed_weak_or_star_tags() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert!(if_none_match(&headers, "\"a\""));
        assert!(if_none_match(&headers, "\"b\""));
        assert!(!if_none_match(&headers, "\"c\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(if_none_match(&headers, "\"c\""));
        assert!(!if_none_match(&HeaderMap::new(), "\"a\""));
    }

    #[test]
    fn hostile_host_headers_are_not_reflected() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            HeaderValue::from_static("evil.example/<script>"),
        );
        assert_eq!(request_origin(&headers), None);
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(
            request_origin(&headers).as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
