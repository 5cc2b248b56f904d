//! `GET /api/config` and `GET /api/catalog`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use kartenn_common::{Catalog, ClientConfig};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/config", get(config))
        .route("/api/catalog", get(catalog))
}

async fn config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig::clone(&state.client_config))
}

async fn catalog(State(state): State<AppState>) -> Json<Catalog> {
    Json(Catalog::clone(&state.catalog))
}
