//! `GET /api/config`, `GET /api/catalog` and `GET /api/geojson/{layer}`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kartenn_common::{Catalog, ClientConfig};

use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/config", get(config))
        .route("/api/catalog", get(catalog))
        .route("/api/geojson/{layer}", get(geojson))
}

/// The document of a GeoJSON layer, as configured.
async fn geojson(
    State(state): State<AppState>,
    ApiPath(layer): ApiPath<String>,
) -> Result<Response, ApiError> {
    let doc = state
        .geojson
        .get(&layer)
        .ok_or_else(|| ApiError::not_found(format!("unknown GeoJSON layer `{layer}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        doc.bytes.clone(),
    )
        .into_response())
}

async fn config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig::clone(&state.client_config))
}

/// The configured layers, then the harvested OGC layers the caller may view.
async fn catalog(State(state): State<AppState>) -> Json<Catalog> {
    let mut catalog = Catalog::clone(&state.catalog);
    catalog.layers.extend(super::ogc::layers(
        &state.ogc.catalog(),
        &state.acl,
        &crate::acl::Principal::anonymous(),
        &state.popups,
    ));
    Json(catalog)
}
