//! `/api/admin/role-mappings`: which Kartenn roles a Keycloak claim gives (realm role, client
//! role or group), stored beside the configuration's `[oidc.roles]`. Same guards as the rules:
//! [`AdminCaller`], `If-Match` on changes, 422 naming the wrong field.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kartenn_common::admin::{RoleMappingBody, RoleMappingEntry, RoleMappingList};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::role_mapping::parse;
use super::routes::{AdminCaller, IfMatch, object};
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned;
use crate::openapi::ErrorBody;
use crate::state::AppState;

pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mappings, create_mapping))
        .routes(routes!(get_mapping, update_mapping, delete_mapping))
}

/// Every mapping: the stored ones, then the configuration's (read-only).
#[utoipa::path(get, path = "/api/admin/role-mappings", tag = "admin",
    responses(
        (status = 200, description = "Stored mappings by claim, then the configuration's", body = RoleMappingList),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_mappings(who: AdminCaller) -> Result<Response, ApiError> {
    let mappings = who.admin.role_mappings().await?;
    Ok((no_store(), Json(RoleMappingList { mappings })).into_response())
}

/// Maps a claim to roles; users holding the claim have them from their next request.
#[utoipa::path(post, path = "/api/admin/role-mappings", tag = "admin", request_body = RoleMappingBody,
    responses(
        (status = 201, description = "Created; `ETag` is its version", body = RoleMappingEntry),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid mapping, or the claim is already mapped", body = ErrorBody)))]
async fn create_mapping(who: AdminCaller, body: Bytes) -> Result<Response, ApiError> {
    let mapping = parse(&object(&body)?)?;
    let created = who.admin.create_mapping(&who.actor, mapping).await?;
    let id = created.id.unwrap_or_default();
    Ok(versioned::created(
        created.version.unwrap_or_default(),
        &created,
        &format!("/api/admin/role-mappings/{id}"),
    ))
}

/// One stored mapping, with its `ETag`.
#[utoipa::path(get, path = "/api/admin/role-mappings/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Mapping id")),
    responses(
        (status = 200, description = "The mapping", body = RoleMappingEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such mapping", body = ErrorBody)))]
async fn get_mapping(who: AdminCaller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let entry = who.admin.role_mapping(id).await?;
    Ok(versioned::with_etag(
        StatusCode::OK,
        entry.version.unwrap_or_default(),
        &entry,
    ))
}

/// Replaces a stored mapping; `If-Match` must name its current version.
#[utoipa::path(put, path = "/api/admin/role-mappings/{id}", tag = "admin", request_body = RoleMappingBody,
    params(("id" = i64, Path, description = "Mapping id"),
        ("If-Match" = String, Header, description = "The mapping's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Replaced; `ETag` is the new version", body = RoleMappingEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such mapping", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (who and when in the message)", body = ErrorBody),
        (status = 422, description = "Invalid mapping", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn update_mapping(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mapping = parse(&object(&body)?)?;
    let entry = who
        .admin
        .update_mapping(&who.actor, id, expected, mapping)
        .await?;
    Ok(versioned::with_etag(
        StatusCode::OK,
        entry.version.unwrap_or_default(),
        &entry,
    ))
}

/// Removes a stored mapping; `If-Match` must name its current version.
#[utoipa::path(delete, path = "/api/admin/role-mappings/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Mapping id"),
        ("If-Match" = String, Header, description = "The mapping's ETag")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such mapping", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_mapping(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    who.admin.delete_mapping(&who.actor, id, expected).await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}
