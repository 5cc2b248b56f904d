//! `/api/admin/maps/…` and `/api/admin/default-map` (role `admin`, through [`AdminCaller`]):
//! every map of everyone with owner, folder and visibility; moving a map to another of its
//! owner's folders and deleting it (`If-Match` on the map's version); choosing the landing
//! map (a public one) or none. Each change writes its audit row in its own transaction.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kartenn_common::maps::{AdminMapList, DefaultMapBody, MoveBody, SavedMap, Visibility};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store::{self, default_error, default_id};
use super::{MapError, Maps, validate};
use crate::admin::audit::{self, Change};
use crate::admin::routes::{AdminCaller, IfMatch};
use crate::admin::{Actor, field_error};
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned::with_etag;
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_all))
        .routes(routes!(move_map))
        .routes(routes!(delete_map))
        .routes(routes!(set_default))
}

/// The routes alone, for the application.
pub fn router() -> axum::Router<AppState> {
    openapi_router().split_for_parts().0
}

impl Maps {
    /// Every map and folder of everyone, and the landing map.
    pub async fn all(&self) -> Result<AdminMapList, MapError> {
        let mut conn = self.pool().acquire().await?;
        let maps = store::maps_where(&mut conn, "1 = 1", None).await?;
        Ok(AdminMapList {
            maps: maps.into_iter().map(|m| m.summary).collect(),
            folders: store::folders_where(&mut conn, None).await?,
            default: default_id(&mut conn).await?,
        })
    }

    /// Moves map `id` to `folder` (one of its owner's, or none).
    pub async fn admin_move(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        folder: Option<i64>,
    ) -> Result<store::StoredMap, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = store::map(&mut tx, id).await?;
        if before.summary.version != expected {
            return Err(before.stale());
        }
        store::move_map(&mut tx, actor, &before, folder).await?;
        let after = store::map(&mut tx, id).await?;
        let change = Change {
            action: "map.move",
            target: format!("map:{id}"),
            before: Some(before.audit()),
            after: Some(after.audit()),
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes map `id`.
    pub async fn admin_delete(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
    ) -> Result<(), MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = store::map(&mut tx, id).await?;
        if before.summary.version != expected {
            return Err(before.stale());
        }
        store::remove(&mut tx, id).await?;
        let change = Change {
            action: "map.delete",
            target: format!("map:{id}"),
            before: Some(before.audit()),
            after: None,
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes public map `map` the landing map (`None`: no landing map).
    pub async fn set_default(
        &self,
        actor: &Actor,
        map: Option<&str>,
    ) -> Result<Option<String>, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        if let Some(id) = map {
            let m = match store::map(&mut tx, id).await {
                Err(MapError::UnknownMap(_)) => return Err(default_error("no such map")),
                other => other?,
            };
            if m.summary.visibility != Visibility::Public {
                return Err(default_error(
                    "only a public map may be the landing map; make it public first",
                ));
            }
        }
        let before = default_id(&mut tx).await?;
        sqlx::query(
            "INSERT INTO map_settings (id, default_map) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET default_map = excluded.default_map",
        )
        .bind(map)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            action: "map.default",
            target: "map-settings:default".to_owned(),
            before: Some(json!({ "map": before })),
            after: Some(json!({ "map": map })),
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        Ok(map.map(str::to_owned))
    }
}

/// The saved-maps service (404 when this server has none).
fn service(state: &AppState) -> Result<std::sync::Arc<Maps>, MapError> {
    state.maps.clone().ok_or(MapError::NotConfigured)
}

/// Every saved map of everyone (without state), every folder, and the landing map.
#[utoipa::path(get, path = "/api/admin/maps", tag = "admin",
    responses(
        (status = 200, description = "All maps and folders", body = AdminMapList),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_all(
    _admin: AdminCaller,
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<Response, ApiError> {
    let list = service(&state)?.all().await?;
    Ok((no_store(), Json(list)).into_response())
}

/// Moves a map to another of its owner's folders (or none); `If-Match` names its version.
#[utoipa::path(put, path = "/api/admin/maps/{id}/folder", tag = "admin", request_body = MoveBody,
    params(("id" = String, Path, description = "Map id"),
        ("If-Match" = String, Header, description = "The map's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Moved; `ETag` is the new version", body = SavedMap),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such map", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not a folder of the map's owner", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn move_map(
    who: AdminCaller,
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let object = validate::body_object(&body).map_err(MapError::invalid)?;
    let mut errors = crate::admin::rules::unknown_fields(&object, &["folder"]);
    if !object.contains_key("folder") {
        errors.push(field_error("folder", "required (null: no folder)"));
    }
    let folder = validate::folder_id(&mut errors, "folder", object.get("folder"));
    if !errors.is_empty() {
        return Err(MapError::invalid(errors).into());
    }
    let moved = service(&state)?
        .admin_move(&who.actor, &id, expected, folder)
        .await?;
    let version = moved.summary.version;
    Ok(with_etag(StatusCode::OK, version, &moved.saved()))
}

/// Deletes anyone's map; `If-Match` names its version.
#[utoipa::path(delete, path = "/api/admin/maps/{id}", tag = "admin",
    params(("id" = String, Path, description = "Map id"),
        ("If-Match" = String, Header, description = "The map's ETag, like \"3\"")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such map", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_map(
    who: AdminCaller,
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    service(&state)?
        .admin_delete(&who.actor, &id, expected)
        .await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}

/// Sets the viewer's landing map (a public map) or none. Setting the same value again is
/// harmless, so no `If-Match` is asked.
#[utoipa::path(put, path = "/api/admin/default-map", tag = "admin", request_body = DefaultMapBody,
    responses(
        (status = 200, description = "The landing map now", body = DefaultMapBody),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Unknown or private map", body = ErrorBody)))]
async fn set_default(
    who: AdminCaller,
    axum::extract::State(state): axum::extract::State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let object = validate::body_object(&body).map_err(MapError::invalid)?;
    let mut errors = crate::admin::rules::unknown_fields(&object, &["map"]);
    let map = match object.get("map") {
        None => {
            errors.push(field_error("map", "required (null: no landing map)"));
            None
        }
        Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if store::plausible_id(s) => Some(s.clone()),
        Some(_) => {
            errors.push(field_error("map", "must be a map id or null"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(MapError::invalid(errors).into());
    }
    let map = service(&state)?
        .set_default(&who.actor, map.as_deref())
        .await?;
    Ok((no_store(), Json(DefaultMapBody { map })).into_response())
}
