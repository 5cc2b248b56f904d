//! `/api/admin/sources…`: the data-source handlers, registered through utoipa-axum like the
//! other admin routes. Each takes an [`AdminCaller`] first (401 / 403 before anything else is
//! read); bodies are read as JSON values and checked field by field (422 naming each field);
//! updates and deletes need `If-Match` (428 without, 409 when stale).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kartenn_common::admin_sources::{
    ApplyBody, SourceDeleted, SourceEntry, SourceList, SourceSpec, SourceTest, SyncApplied,
    SyncPreview,
};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AdminError;
use super::routes::{AdminCaller, IfMatch, object};
use super::sources::{Sources, parse_spec, to_config};
use super::sources_sync::{apply_body, test};
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned;
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sources, create_source))
        .routes(routes!(test_source))
        .routes(routes!(get_source, update_source, delete_source))
        .routes(routes!(preview_sync))
        .routes(routes!(apply_sync))
}

/// A source as JSON, never cached; stored ones carry their version as `ETag`.
fn with_etag(status: StatusCode, entry: &SourceEntry) -> Response {
    match entry.version {
        Some(version) => versioned::with_etag(status, version, entry),
        None => (status, no_store(), Json(entry)).into_response(),
    }
}

fn spec_body(state: &AppState, body: &Bytes) -> Result<SourceSpec, ApiError> {
    let map = object(body)?;
    parse_spec(&map, &state.ogc.limits, true).map_err(|e| AdminError::invalid(e).into())
}

/// Every source: the configuration's (read-only), then the stored ones, each with its layer
/// count and last synchronisation.
#[utoipa::path(get, path = "/api/admin/sources", tag = "admin",
    responses(
        (status = 200, description = "The sources in force", body = SourceList),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_sources(
    _who: AdminCaller,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let sources = Sources::of(&state.ogc)?.list().await?;
    Ok((no_store(), Json(SourceList { sources })).into_response())
}

/// Adds a source; it is proxied from the next request on (its layers after a sync).
#[utoipa::path(post, path = "/api/admin/sources", tag = "admin", request_body = SourceSpec,
    responses(
        (status = 201, description = "Created; `ETag` is its version", body = SourceEntry),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid source: `fields` names what is wrong", body = ErrorBody)))]
async fn create_source(
    who: AdminCaller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let spec = spec_body(&state, &body)?;
    let created = Sources::of(&state.ogc)?.create(&who.actor, spec).await?;
    Ok(versioned::created(
        created.version.unwrap_or_default(),
        &created,
        &format!("/api/admin/sources/{}", created.source.id),
    ))
}

/// One source, with its `ETag` when it is a stored one.
#[utoipa::path(get, path = "/api/admin/sources/{id}", tag = "admin",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "The source", body = SourceEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody)))]
async fn get_source(
    _who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let entry = Sources::of(&state.ogc)?.get(&id).await?;
    Ok(with_etag(StatusCode::OK, &entry))
}

/// Replaces a stored source; `If-Match` must name its current version.
#[utoipa::path(put, path = "/api/admin/sources/{id}", tag = "admin", request_body = SourceSpec,
    params(("id" = String, Path, description = "Source id"),
        ("If-Match" = String, Header, description = "The source's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Replaced; `ETag` is the new version", body = SourceEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (who and when in the message), or a source of the configuration file", body = ErrorBody),
        (status = 422, description = "Invalid source", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn update_source(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let spec = spec_body(&state, &body)?;
    let updated = Sources::of(&state.ogc)?
        .update(&who.actor, &id, expected, spec)
        .await?;
    Ok(with_etag(StatusCode::OK, &updated))
}

/// Deletes a stored source and its harvested layers; `If-Match` must name its version.
#[utoipa::path(delete, path = "/api/admin/sources/{id}", tag = "admin",
    params(("id" = String, Path, description = "Source id"),
        ("If-Match" = String, Header, description = "The source's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Deleted, with how many layers went", body = SourceDeleted),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "Changed meanwhile, or a source of the configuration file", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_source(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    let layers_removed = Sources::of(&state.ogc)?
        .delete(&who.actor, &id, expected)
        .await?;
    Ok((
        no_store(),
        Json(SourceDeleted {
            source: id,
            layers_removed,
        }),
    )
        .into_response())
}

/// Asks a server for its WMS / WFS capabilities (no redirect followed, nothing stored): a
/// source as in `POST /api/admin/sources` (its id may be left out), or `{ "id": … }` for a
/// source in force.
#[utoipa::path(post, path = "/api/admin/sources/test", tag = "admin", request_body = SourceSpec,
    responses(
        (status = 200, description = "What each service answered (`ok` false when one failed)", body = SourceTest),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 422, description = "Invalid source", body = ErrorBody)))]
async fn test_source(
    _who: AdminCaller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = object(&body)?;
    let source = if map.len() == 1 && map.contains_key("id") {
        let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
        Sources::of(&state.ogc)?.current(id)?
    } else {
        let spec = parse_spec(&map, &state.ogc.limits, false).map_err(AdminError::invalid)?;
        to_config(&spec, &state.ogc.limits, state.ogc.env()).map_err(AdminError::invalid)?
    };
    let result: SourceTest = test(&state.ogc.client, &source).await;
    Ok((no_store(), Json(result)).into_response())
}

/// Harvests a source now and answers what a sync would add, change and remove; the harvest
/// is kept ten minutes under the answer's `token` (nothing is stored).
#[utoipa::path(post, path = "/api/admin/sources/{id}/sync/preview", tag = "admin",
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "The diff and the token to apply it", body = SyncPreview),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 502, description = "The server could not be harvested", body = ErrorBody),
        (status = 504, description = "The server did not answer in time", body = ErrorBody)))]
async fn preview_sync(
    _who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let preview = Sources::of(&state.ogc)?.preview(&id).await?;
    Ok((no_store(), Json(preview)).into_response())
}

/// Applies exactly the harvest of a preview, if the source's stored layers did not change
/// since; the catalogue and `/ows/{id}` serve it from the next request on.
#[utoipa::path(post, path = "/api/admin/sources/{id}/sync/apply", tag = "admin", request_body = ApplyBody,
    params(("id" = String, Path, description = "Source id")),
    responses(
        (status = 200, description = "Applied", body = SyncApplied),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such source", body = ErrorBody),
        (status = 409, description = "The catalogue or the source changed since the preview, or the preview expired: preview again", body = ErrorBody),
        (status = 422, description = "No preview token, or one of another source", body = ErrorBody)))]
async fn apply_sync(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = apply_body(&object(&body)?)?;
    let sources = Sources::of(&state.ogc)?;
    sources.current(&id)?;
    let applied = sources.apply(&who.actor, &id, &token).await?;
    Ok((no_store(), Json(applied)).into_response())
}
