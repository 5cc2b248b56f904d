//! `GET /api/config`, `GET /api/catalog` and `GET /api/geojson/{layer}`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kartenn_common::{
    Catalog, CatalogLayer, ClientConfig, Color, GeometryKind, LabelStyle, LayerSource, LayerStyle,
};

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
    caller.require(&state.acl(), layer_ref, Action::View)?;
    let cache = if state.acl().is_public(layer_ref, Action::View) {
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

/// The configured layers, the chronicle datasets, then the harvested OGC layers, that the
/// caller may view.
async fn catalog(State(state): State<AppState>, caller: Caller) -> Response {
    let who = &caller.principal;
    // One rule set for the whole answer, even if an admin changes it meanwhile.
    let acl = state.acl();
    let mut catalog = Catalog::clone(&state.catalog);
    catalog
        .layers
        .retain(|l| acl.allows(who, LayerRef::local(&l.id), Action::View));
    catalog
        .layers
        .extend(chronicle_layers(&state, &acl, who).await);
    catalog.layers.extend(super::ogc::layers(
        &state.ogc.catalog(),
        &acl,
        who,
        &state.popups,
    ));
    for layer in &mut catalog.layers {
        acl.overrides().apply(layer);
    }
    (per_caller(), Json(catalog)).into_response()
}

/// Each chronicle dataset `who` may view, as a layer of station points.
async fn chronicle_layers(
    state: &AppState,
    acl: &crate::acl::Acl,
    who: &crate::acl::Principal,
) -> Vec<CatalogLayer> {
    let Some(service) = &state.chronicles else {
        return Vec::new();
    };
    let datasets = match service.datasets().await {
        Ok(datasets) => datasets,
        Err(e) => {
            // The map keeps its other layers.
            tracing::error!(error = %e, "chronicle datasets unavailable for the catalogue");
            return Vec::new();
        }
    };
    datasets
        .into_iter()
        .filter(|d| acl.allows_dataset(who, &d.wire.id, Action::View))
        .map(|d| CatalogLayer {
            id: format!("{}{}", crate::acl::CHRONICLE_PREFIX, d.wire.id),
            title: d.wire.title,
            description: d.wire.description,
            attribution: d.wire.licence,
            geometry: Some(GeometryKind::Point),
            bounds: d.bounds,
            visible: true,
            opacity: 1.0,
            source: LayerSource::Chronicle {
                url: d.wire.stations_url,
                dataset: d.wire.id,
            },
            style: LayerStyle {
                fill: Some(Color::rgb(0x1f, 0x78, 0xb4)),
                stroke: Some(Color::rgb(0xff, 0xff, 0xff)),
                stroke_width: 1.5,
                point_radius: 6.0,
                rules: Vec::new(),
                label: Some(LabelStyle {
                    field: "name".into(),
                    priority: None,
                    size: 12.0,
                    color: Color::rgb(0x12, 0x3a, 0x5a),
                    minzoom: 6.0,
                }),
            },
            keywords: vec!["chronique".into(), "chronicle".into(), "time series".into()],
            category: vec!["Chroniques".into()],
            in_map: true,
            ogc: None,
        })
        .collect()
}
