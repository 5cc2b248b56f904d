//! The chronicles API: `GET /api/chronicles` (datasets the caller may view),
//! `…/{dataset}/stations` (GeoJSON), `…/stations/{station}/series` (variables) and
//! `…/series/{variable}` (points downsampled for a chart, or raw CSV with `.csv` /
//! `?format=csv`). Registered through utoipa-axum, so the OpenAPI document is made from the
//! same handlers and cannot drift from them.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kartenn_common::{ChronicleDataset, SeriesInfo, SeriesPoints};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ChronicleError;
use super::query::{Format, PointsParams};
use super::service::{ChronicleService, StationCollection};
use crate::acl::{Action, Principal};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::openapi::ErrorBody;
use crate::state::AppState;
use crate::tiles::routes::per_caller;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(datasets))
        .routes(routes!(stations))
        .routes(routes!(series_list))
        .routes(routes!(series))
}

/// The routes alone, for the application.
pub fn router() -> axum::Router<AppState> {
    openapi_router().split_for_parts().0
}

fn service(state: &AppState, dataset: &str) -> Result<Arc<ChronicleService>, ApiError> {
    state
        .chronicles
        .clone()
        .ok_or_else(|| ChronicleError::UnknownDataset(dataset.to_owned()).into())
}

/// A dataset the caller may act on, and whether anonymous callers may too (both read from
/// the same rule set).
struct Admitted {
    service: Arc<ChronicleService>,
    public: bool,
}

/// 404 for an unknown dataset, then 401/403 when the caller may not do `action` with it.
async fn admit(
    state: &AppState,
    caller: &Caller,
    dataset: &str,
    action: Action,
) -> Result<Admitted, ApiError> {
    let service = service(state, dataset)?;
    service.dataset(dataset).await?;
    let acl = state.acl();
    if !acl.allows_dataset(&caller.principal, dataset, action) {
        return Err(caller
            .refusal(|| format!("you may not {} dataset `{dataset}`", action.verb()))
            .into());
    }
    let public = acl.allows_dataset(&Principal::anonymous(), dataset, action);
    Ok(Admitted { service, public })
}

impl Admitted {
    /// Shared caches may keep answers about public datasets; the rest is per caller.
    fn cached(&self, answer: impl IntoResponse) -> Response {
        if self.public {
            ([(header::CACHE_CONTROL, "public, max-age=60")], answer).into_response()
        } else {
            (per_caller(), answer).into_response()
        }
    }
}

/// The chronicle datasets the caller may view.
#[utoipa::path(get, path = "/api/chronicles", tag = "chronicles",
    responses((status = 200, description = "Datasets the caller may view, by id", body = Vec<ChronicleDataset>)))]
async fn datasets(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let mut list = Vec::new();
    if let Some(service) = &state.chronicles {
        let acl = state.acl();
        for d in service.datasets().await? {
            if acl.allows_dataset(&caller.principal, &d.wire.id, Action::View) {
                list.push(d.wire);
            }
        }
    }
    Ok((per_caller(), Json(list)).into_response())
}

/// The stations of a dataset as GeoJSON points.
#[utoipa::path(get, path = "/api/chronicles/{dataset}/stations", tag = "chronicles",
    params(("dataset" = String, Path, description = "Dataset id")),
    responses(
        (status = 200, description = "GeoJSON FeatureCollection of the stations",
            content_type = "application/geo+json", body = StationCollection),
        (status = 401, description = "Sign in to view it", body = ErrorBody),
        (status = 403, description = "You may not view it", body = ErrorBody),
        (status = 404, description = "Unknown dataset", body = ErrorBody)))]
async fn stations(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(dataset): ApiPath<String>,
) -> Result<Response, ApiError> {
    let admitted = admit(&state, &caller, &dataset, Action::View).await?;
    let collection = admitted.service.stations(&dataset).await?;
    Ok(admitted.cached((
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(collection),
    )))
}

/// The variables measured at a station.
#[utoipa::path(get, path = "/api/chronicles/{dataset}/stations/{station}/series", tag = "chronicles",
    params(("dataset" = String, Path, description = "Dataset id"),
        ("station" = String, Path, description = "Station id")),
    responses(
        (status = 200, description = "The station's series", body = Vec<SeriesInfo>),
        (status = 401, description = "Sign in to view it", body = ErrorBody),
        (status = 403, description = "You may not view it", body = ErrorBody),
        (status = 404, description = "Unknown dataset or station", body = ErrorBody)))]
async fn series_list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((dataset, station)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let admitted = admit(&state, &caller, &dataset, Action::View).await?;
    let list = admitted.service.series_list(&dataset, &station).await?;
    Ok(admitted.cached(Json(list)))
}

/// A series' points in a range, downsampled to at most `points` (or its raw samples as CSV).
///
/// `{variable}.csv` or `format=csv` answers the raw samples of the range as CSV
/// (`time,value,quality`, ISO 8601 UTC times with the precision stored) and needs the
/// Download right; JSON needs Query. Without `from`/`to` the range is the series' extent.
#[utoipa::path(get, path = "/api/chronicles/{dataset}/stations/{station}/series/{variable}",
    tag = "chronicles",
    params(("dataset" = String, Path, description = "Dataset id"),
        ("station" = String, Path, description = "Station id"),
        ("variable" = String, Path, description = "Variable; with a `.csv` suffix, the CSV export"),
        PointsParams),
    responses(
        (status = 200, description = "Points, time ascending; a null value marks a gap", body = SeriesPoints),
        (status = 200, description = "With `.csv` or `format=csv`: the raw samples",
            content_type = "text/csv", body = String),
        (status = 400, description = "A parameter is wrong (the message says which)", body = ErrorBody),
        (status = 401, description = "Sign in to query it", body = ErrorBody),
        (status = 403, description = "You may not query (or download) it", body = ErrorBody),
        (status = 404, description = "Unknown dataset, station or variable", body = ErrorBody)))]
async fn series(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((dataset, station, variable)): ApiPath<(String, String, String)>,
    params: Result<Query<PointsParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let mut query = params.parse().map_err(ApiError::bad_request)?;
    let variable = match variable.strip_suffix(".csv") {
        Some(stem) => {
            query.format = Format::Csv;
            stem.to_owned()
        }
        None => variable,
    };
    let action = match query.format {
        Format::Json => Action::Query,
        Format::Csv => Action::Download,
    };
    let admitted = admit(&state, &caller, &dataset, action).await?;
    let service = &admitted.service;
    let series = service.series(&dataset, &station, &variable).await?;
    let response = match query.format {
        Format::Json => Json(service.points(&series, &query).await?).into_response(),
        Format::Csv => {
            let name = format!("{dataset}_{station}_{variable}.csv")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "._-".contains(c) {
                        c
                    } else {
                        '_'
                    }
                })
                .collect::<String>();
            let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                .unwrap_or(HeaderValue::from_static("attachment"));
            let body = Body::from_stream(service.export(&series, query.from, query.to));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                body,
            )
                .into_response()
        }
    };
    Ok(admitted.cached(response))
}

/// The CSV export under its own name, for the OpenAPI document only: the route above serves
/// it (axum matches one whole segment, `{variable}.csv` included).
#[utoipa::path(get, path = "/api/chronicles/{dataset}/stations/{station}/series/{variable}.csv",
    tag = "chronicles",
    params(("dataset" = String, Path, description = "Dataset id"),
        ("station" = String, Path, description = "Station id"),
        ("variable" = String, Path, description = "Variable"),
        ("from" = Option<String>, Query, description = "Start (ISO 8601 with Z or offset, a date, or Unix ms)"),
        ("to" = Option<String>, Query, description = "End, same forms")),
    responses(
        (status = 200, description = "`time,value,quality` rows, streamed, as an attachment",
            content_type = "text/csv", body = String),
        (status = 400, description = "A parameter is wrong", body = ErrorBody),
        (status = 401, description = "Sign in to download it", body = ErrorBody),
        (status = 403, description = "You may not download it", body = ErrorBody),
        (status = 404, description = "Unknown dataset, station or variable", body = ErrorBody)))]
#[allow(dead_code)]
pub(crate) fn series_csv() {}

/// The document-only paths of this module.
#[derive(utoipa::OpenApi)]
#[openapi(paths(series_csv))]
pub struct CsvDoc;
