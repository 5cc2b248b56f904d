//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt` (made on the fly, gzip when the client accepts it,
//! 204 when empty) and `GET /tiles/{layer}.json` (TileJSON 3.0.0).

use std::io::Write;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use flate2::Compression;
use flate2::write::GzEncoder;

use super::{TileCoord, TileError, tilejson};
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::state::AppState;

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";
const TILE_CACHE_CONTROL: &str = "public, max-age=3600";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tiles/{tileset}", get(tilejson_handler))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tile))
}

async fn tile(
    State(state): State<AppState>,
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
    let Some(bytes) = set.source.tile(coord).await? else {
        return Ok(empty_tile());
    };
    let gzip = accepts_gzip(&headers);
    let body = if gzip {
        tokio::task::spawn_blocking(move || gzip_bytes(&bytes))
            .await
            .map_err(|e| ApiError::internal(&e))?
            .map_err(|e| ApiError::internal(&e))?
    } else {
        bytes
    };
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(MVT_CONTENT_TYPE),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(TILE_CACHE_CONTROL),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        body,
    )
        .into_response();
    if gzip {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(response)
}

/// No feature touches the tile: `204 No Content`, cached like any tile.
fn empty_tile() -> Response {
    (
        StatusCode::NO_CONTENT,
        [(
            header::CACHE_CONTROL,
            HeaderValue::from_static(TILE_CACHE_CONTROL),
        )],
    )
        .into_response()
}

async fn tilejson_handler(
    State(state): State<AppState>,
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

/// True when `Accept-Encoding` admits gzip (explicitly or by `*`) with a non-zero weight.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && weight > 0.0
        })
}

fn gzip_bytes(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
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
    fn gzip_is_used_only_when_the_client_accepts_it() {
        assert!(accepts_gzip(&with_encoding("gzip")));
        assert!(accepts_gzip(&with_encoding("br, gzip;q=0.5")));
        assert!(accepts_gzip(&with_encoding("GZIP")));
        assert!(accepts_gzip(&with_encoding("*")));
        assert!(!accepts_gzip(&with_encoding("gzip;q=0")));
        assert!(!accepts_gzip(&with_encoding("br, deflate")));
        assert!(!accepts_gzip(&HeaderMap::new()));
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
