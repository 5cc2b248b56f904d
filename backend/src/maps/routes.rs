//! `/api/maps/…`: saved maps and folders for everybody. Anonymous callers list and open public
//! maps only; saving, changing and folders need a signed-in caller ([`SignedIn`]: 401
//! otherwise). A private map answers 404 to anyone but its owner and administrators, so its
//! existence is not revealed; a public map of someone else answers 403 to a change. Updates
//! and deletions need `If-Match` with the `ETag` (428 without, 409 when stale). CSRF is
//! checked for cookie sessions by the global guard.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kartenn_common::maps::{FolderBody, MapBody, MapFolder, MapList, SavedMap};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::StoredMap;
use super::{MapError, Maps, Owner, validate};
use crate::acl::Principal;
use crate::admin::Actor;
use crate::admin::routes::IfMatch;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned::{self, with_etag};
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_maps, create_map))
        .routes(routes!(default_map))
        .routes(routes!(list_folders, create_folder))
        .routes(routes!(rename_folder, delete_folder))
        .routes(routes!(get_map, update_map, delete_map))
}

/// The routes alone, for the application.
pub fn router() -> axum::Router<AppState> {
    openapi_router().split_for_parts().0
}

/// What the audit log records about the caller of this request.
pub fn actor(parts: &Parts, principal: &Principal) -> Actor {
    Actor {
        subject: principal.subject.clone(),
        username: principal.user.clone(),
        origin: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
    }
}

/// Any caller, with the saved-maps service (404 when this server has none).
pub struct MapCaller {
    pub maps: Arc<Maps>,
    pub principal: Principal,
}

impl FromRequestParts<AppState> for MapCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let maps = state.maps.clone().ok_or(MapError::NotConfigured)?;
        Ok(Self {
            maps,
            principal: caller.principal,
        })
    }
}

/// A signed-in caller (401 otherwise), as an owner and as an audit actor.
pub struct SignedIn {
    pub maps: Arc<Maps>,
    pub principal: Principal,
    pub owner: Owner,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Some(owner) = Owner::of(&caller.principal) else {
            return Err(caller.refusal(|| "sign in to save maps".to_owned()).into());
        };
        let maps = state.maps.clone().ok_or(MapError::NotConfigured)?;
        let actor = actor(parts, &caller.principal);
        Ok(Self {
            maps,
            principal: caller.principal,
            owner,
            actor,
        })
    }
}

fn saved(status: StatusCode, map: StoredMap) -> Response {
    let version = map.summary.version;
    with_etag(status, version, &map.saved())
}

fn map_body(body: &Bytes) -> Result<MapBody, MapError> {
    let object = validate::body_object(body).map_err(MapError::invalid)?;
    validate::map_body(&object).map_err(MapError::invalid)
}

fn folder_name(body: &Bytes) -> Result<String, MapError> {
    let object = validate::body_object(body).map_err(MapError::invalid)?;
    validate::folder_name(&object).map_err(MapError::invalid)
}

/// The caller's folders and maps, then the public maps of others (without their state).
#[utoipa::path(get, path = "/api/maps", tag = "maps",
    responses((status = 200, description = "Folders and maps", body = MapList)))]
async fn list_maps(who: MapCaller) -> Result<Response, ApiError> {
    let list = who.maps.list(&who.principal).await?;
    Ok((no_store(), Json(list)).into_response())
}

/// Saves the map state under a title (signed-in callers).
#[utoipa::path(post, path = "/api/maps", tag = "maps", request_body = MapBody,
    responses(
        (status = 201, description = "Saved; `Location` is its URL, `ETag` its version", body = SavedMap),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "No CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid body: `fields` names what is wrong", body = ErrorBody)))]
async fn create_map(who: SignedIn, body: Bytes) -> Result<Response, ApiError> {
    let body = map_body(&body)?;
    let created = who.maps.create(&who.owner, &body).await?;
    let location = format!("/api/maps/{}", created.summary.id);
    let version = created.summary.version;
    Ok(versioned::created(version, &created.saved(), &location))
}

/// The landing map the viewer opens without a link (404 when none is set or the caller may
/// not open it).
#[utoipa::path(get, path = "/api/maps/default", tag = "maps",
    responses(
        (status = 200, description = "The landing map", body = SavedMap),
        (status = 404, description = "No landing map", body = ErrorBody)))]
async fn default_map(who: MapCaller) -> Result<Response, ApiError> {
    let map = who.maps.default_map(&who.principal).await?;
    Ok(saved(StatusCode::OK, map))
}

/// A saved map: public ones for anyone, private ones for their owner and administrators.
#[utoipa::path(get, path = "/api/maps/{id}", tag = "maps",
    params(("id" = String, Path, description = "Map id")),
    responses(
        (status = 200, description = "The map; `ETag` is its version", body = SavedMap),
        (status = 404, description = "No such map, or private", body = ErrorBody)))]
async fn get_map(who: MapCaller, ApiPath(id): ApiPath<String>) -> Result<Response, ApiError> {
    let map = who.maps.get(&who.principal, &id).await?;
    Ok(saved(StatusCode::OK, map))
}

/// Replaces a map (its owner, or an administrator: audited); `If-Match` names its version.
#[utoipa::path(put, path = "/api/maps/{id}", tag = "maps", request_body = MapBody,
    params(("id" = String, Path, description = "Map id"),
        ("If-Match" = String, Header, description = "The map's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Replaced; `ETag` is the new version", body = SavedMap),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Someone else's map, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such map, or private", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (who and when in the message)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn update_map(
    who: SignedIn,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = map_body(&body)?;
    let map = who
        .maps
        .update(&who.principal, &who.actor, &id, expected, &body)
        .await?;
    Ok(saved(StatusCode::OK, map))
}

/// Deletes a map (its owner, or an administrator: audited); `If-Match` names its version.
#[utoipa::path(delete, path = "/api/maps/{id}", tag = "maps",
    params(("id" = String, Path, description = "Map id"),
        ("If-Match" = String, Header, description = "The map's ETag, like \"3\"")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Someone else's map, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such map, or private", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_map(
    who: SignedIn,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    who.maps
        .delete(&who.principal, &who.actor, &id, expected)
        .await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}

/// The caller's folders.
#[utoipa::path(get, path = "/api/maps/folders", tag = "maps",
    responses(
        (status = 200, description = "The caller's folders", body = Vec<MapFolder>),
        (status = 401, description = "Sign in first", body = ErrorBody)))]
async fn list_folders(who: SignedIn) -> Result<Response, ApiError> {
    let folders = who.maps.folders(&who.owner).await?;
    Ok((no_store(), Json(folders)).into_response())
}

/// Makes a folder.
#[utoipa::path(post, path = "/api/maps/folders", tag = "maps", request_body = FolderBody,
    responses(
        (status = 201, description = "Made; `ETag` is its version", body = MapFolder),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody)))]
async fn create_folder(who: SignedIn, body: Bytes) -> Result<Response, ApiError> {
    let name = folder_name(&body)?;
    let folder = who.maps.create_folder(&who.owner, &name).await?;
    let version = folder.version;
    Ok(with_etag(StatusCode::CREATED, version, &folder))
}

/// Renames a folder (its owner, or an administrator: audited).
#[utoipa::path(put, path = "/api/maps/folders/{id}", tag = "maps", request_body = FolderBody,
    params(("id" = i64, Path, description = "Folder id"),
        ("If-Match" = String, Header, description = "The folder's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Renamed", body = MapFolder),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 404, description = "No such folder of yours", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn rename_folder(
    who: SignedIn,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let name = folder_name(&body)?;
    let folder = who
        .maps
        .rename_folder(&who.principal, &who.actor, id, expected, &name)
        .await?;
    let version = folder.version;
    Ok(with_etag(StatusCode::OK, version, &folder))
}

/// Where a deleted folder's maps go.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteFolderQuery {
    /// Another folder's id, or `none` (no folder). Without it, a folder holding maps is
    /// refused with 409.
    pub move_to: Option<String>,
}

/// Deletes a folder; one holding maps needs `?move_to=<folder id>` or `?move_to=none`.
#[utoipa::path(delete, path = "/api/maps/folders/{id}", tag = "maps",
    params(("id" = i64, Path, description = "Folder id"), DeleteFolderQuery,
        ("If-Match" = String, Header, description = "The folder's ETag, like \"3\"")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 404, description = "No such folder of yours", body = ErrorBody),
        (status = 409, description = "Changed meanwhile, or it holds maps (their count in the message)", body = ErrorBody),
        (status = 422, description = "Bad move_to", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_folder(
    who: SignedIn,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    query: Result<Query<DeleteFolderQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| MapError::field("query", e.body_text()))?;
    let move_to = match query.move_to.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(text) => Some(Some(text.parse::<i64>().map_err(|_| {
            MapError::field("move_to", "must be a folder id or \"none\"")
        })?)),
    };
    who.maps
        .delete_folder(&who.principal, &who.actor, id, expected, move_to)
        .await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}
