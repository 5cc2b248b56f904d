//! `GET /api/openapi.json`: the OpenAPI 3.1 document of the public API, made by utoipa from
//! the code. The chronicles routes are registered through utoipa-axum (handler and document
//! come from the same `#[utoipa::path]`), their wire types carry `ToSchema` behind
//! `kartenn-common`'s `utoipa` feature (the viewer's wasm build leaves it out). The older
//! routes (`/api/config`, `/api/catalog`, `/api/me`, `/tiles…`) are described by the stubs
//! below; a test asks the application every documented path, so a stub naming a route that
//! does not exist fails.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use bytes::Bytes;
use serde::Serialize;
use utoipa::OpenApi as _;

use crate::state::AppState;

/// The JSON body of every error (`kartenn_common::ApiErrorBody`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `not_found`, `bad_request`, `unauthorized`, `session_expired`, `forbidden`, `csrf`,
    /// `upstream`, `internal`, `conflict`, `invalid`, `precondition_required`, …
    pub code: String,
    pub message: String,
    /// Validation errors (422 `invalid`) only: what is wrong with which field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorDoc>,
}

/// One wrong field of a request (`kartenn_common::FieldError`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldErrorDoc {
    pub field: String,
    pub message: String,
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Kartenn",
        description = "Map viewer and data server: catalogue, vector tiles, chronicles \
                       (time series at stations). Errors are JSON `ErrorBody`; rights depend \
                       on the caller (session cookie or `Authorization: Bearer`).",
    ),
    paths(config, catalog, me, tilesets, tilejson, tile),
    components(schemas(ErrorBody)),
    tags(
        (name = "admin", description = "Administration (role `admin`): rules and audit log"),
        (name = "chronicles", description = "Time series measured at stations"),
        (name = "map", description = "Catalogue and client configuration"),
        (name = "maps", description = "Saved maps and folders"),
        (name = "tiles", description = "Vector tiles made on the fly from FlatGeobuf"),
    )
)]
struct BaseDoc;

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = BaseDoc::openapi();
    doc.merge(crate::chronicles::routes::openapi_router().into_openapi());
    doc.merge(crate::chronicles::routes::CsvDoc::openapi());
    doc.merge(crate::admin::routes::openapi_router().into_openapi());
    doc.merge(crate::maps::routes::openapi_router().into_openapi());
    doc.merge(crate::maps::admin_routes::openapi_router().into_openapi());
    doc.merge(crate::admin::catalog_routes::openapi_router().into_openapi());
    doc
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(serve))
}

async fn serve() -> impl IntoResponse {
    static DOC: OnceLock<Bytes> = OnceLock::new();
    let body =
        DOC.get_or_init(|| Bytes::from(serde_json::to_vec_pretty(&document()).unwrap_or_default()));
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body.clone(),
    )
}

/// Title, initial view and zoom limits (`ClientConfig`).
#[utoipa::path(get, path = "/api/config", tag = "map",
    responses((status = 200, description = "The viewer's start-up configuration", body = Object)))]
#[allow(dead_code)]
fn config() {}

/// The layers the caller may view, bottom first (`Catalog`): configured layers, chronicle
/// datasets (`source.type = chronicle`), harvested OGC layers.
#[utoipa::path(get, path = "/api/catalog", tag = "map",
    responses((status = 200, description = "The catalogue", body = Object)))]
#[allow(dead_code)]
fn catalog() {}

/// The caller (`Me`): sign-in enabled, user name and roles, CSRF token.
#[utoipa::path(get, path = "/api/me", tag = "map",
    responses((status = 200, description = "Who is calling", body = Object)))]
#[allow(dead_code)]
fn me() {}

/// The tile sets the caller may view.
#[utoipa::path(get, path = "/tiles", tag = "tiles",
    responses((status = 200, description = "Tile set summaries with their TileJSON URLs", body = Object)))]
#[allow(dead_code)]
fn tilesets() {}

/// TileJSON 3.0.0 of a tile set.
#[utoipa::path(get, path = "/tiles/{layer}.json", tag = "tiles",
    params(("layer" = String, Path, description = "Tile set id")),
    responses(
        (status = 200, description = "TileJSON", body = Object),
        (status = 404, description = "Unknown tile set", body = ErrorBody)))]
#[allow(dead_code)]
fn tilejson() {}

/// A Mapbox Vector Tile, made on the fly and cached.
#[utoipa::path(get, path = "/tiles/{layer}/{z}/{x}/{y}.mvt", tag = "tiles",
    params(("layer" = String, Path, description = "Tile set id"),
        ("z" = u8, Path, description = "Zoom, 0–24"),
        ("x" = u32, Path, description = "Column"),
        ("y" = u32, Path, description = "Row")),
    responses(
        (status = 200, description = "The tile (brotli or gzip as Accept-Encoding allows)",
            content_type = "application/vnd.mapbox-vector-tile", body = Vec<u8>),
        (status = 204, description = "No feature touches the tile"),
        (status = 304, description = "If-None-Match names the current ETag"),
        (status = 400, description = "Malformed or out-of-range z/x/y", body = ErrorBody),
        (status = 404, description = "Unknown tile set", body = ErrorBody)))]
#[allow(dead_code)]
fn tile() {}
