//! `GET /api/config`, `GET /api/catalog` and `GET /api/geojson/{layer}`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kartenn_common::{Catalog, ClientConfig};

use crate::acl::{Action, LayerRef};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::tiles::routes::per_caller;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/config", get(config))
        .route("/api/catalog", get(catalog))
        .route("/api/geojson/{layer}", get(geojson))
}

/// The document of a GeoJSON layer, as configured.
async fn geojson(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(layer): ApiPath<String>,
) -> Result<Response, ApiError> {
    let doc = state
        .geojson
        .get(&layer)
        .ok_or_else(|| ApiError::not_found(format!("unknown GeoJSON layer `{layer}`")))?;
    let layer_ref = LayerRef::local(&layer);
    caller.require(&state.acl, layer_ref, Action::View)?;
    let cache = if state.acl.is_public(layer_ref, Action::View) {
        "no-cache"
    } else {
        "private, no-cache"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, cache),
            (header::VARY, "cookie, authorization"),
        ],
        doc.bytes.clone(),
    )
        .into_response())
}

async fn config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig::clone(&state.client_config))
}

/// The configured layers, then the harvested OGC layers, that the caller may view.
async fn catalog(State(state): State<AppState>, caller: Caller) -> Response {
    let who = &caller.principal;
    let mut catalog = Catalog::clone(&state.catalog);
    catalog
        .layers
        .retain(|l| state.acl.allows(who, LayerRef::local(&l.id), Action::View));
    catalog.layers.extend(super::ogc::layers(
        &state.ogc.catalog(),
        &state.acl,
        who,
        &state.popups,
    ));
    (per_caller(), Json(catalog)).into_response()
}
