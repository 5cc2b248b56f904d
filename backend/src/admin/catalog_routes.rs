//! `/api/admin/categories…` and `/api/admin/layers…`: the category tree and each layer's
//! settings, registered through utoipa-axum (tag "admin"). Same guard, `If-Match` and audit
//! rules as the rule routes ([`super::routes`]).

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use kartenn_common::admin_catalog::{
    AdminLayer, Category, CategoryBody, CategoryTree, LayerSettings, LayerSettingsEntry,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AdminError;
use super::categories::{MoveTo, category_input, tree};
use super::layers::{find_layer, harvested};
use super::routes::{AdminCaller, IfMatch, object};
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned::{self, with_etag};
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_category, update_category, delete_category))
        .routes(routes!(list_layers))
        .routes(routes!(get_settings, put_settings, reset_settings))
}

/// The routes alone, for the application.
pub fn router() -> axum::Router<AppState> {
    openapi_router().split_for_parts().0
}

/// The category tree, with harvested paths no stored category covers and layer counts.
#[utoipa::path(get, path = "/api/admin/categories", tag = "admin",
    responses(
        (status = 200, description = "The tree", body = CategoryTree),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_categories(
    who: AdminCaller,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let cats = who.admin.categories().await?;
    let acl = state.acl();
    let none = LayerSettings::default();
    let paths: Vec<Vec<String>> = harvested(&state)
        .await
        .into_iter()
        .map(|h| {
            let settings = acl.overrides().layer(&h.id).unwrap_or(&none);
            acl.overrides().effective(&h.values, settings).category
        })
        .collect();
    Ok((no_store(), Json(tree(&cats, &paths))).into_response())
}

/// Adds a category.
#[utoipa::path(post, path = "/api/admin/categories", tag = "admin", request_body = CategoryBody,
    responses(
        (status = 201, description = "Created; `ETag` is its version", body = Category),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid: `fields` names what is wrong", body = ErrorBody)))]
async fn create_category(who: AdminCaller, body: Bytes) -> Result<Response, ApiError> {
    let input = category_input(&object(&body)?)?;
    let created = who.admin.create_category(&who.actor, input).await?;
    Ok(versioned::created(
        created.version,
        &created,
        &format!("/api/admin/categories/{}", created.id),
    ))
}

/// One stored category, with its `ETag`.
#[utoipa::path(get, path = "/api/admin/categories/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Category id")),
    responses(
        (status = 200, description = "The category", body = Category),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such category", body = ErrorBody)))]
async fn get_category(who: AdminCaller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let c = who.admin.category(id).await?;
    Ok(with_etag(StatusCode::OK, c.version, &c))
}

/// Renames or moves a category (`parent`); never under itself (422).
#[utoipa::path(put, path = "/api/admin/categories/{id}", tag = "admin", request_body = CategoryBody,
    params(("id" = i64, Path, description = "Category id"),
        ("If-Match" = String, Header, description = "The category's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Changed; `ETag` is the new version", body = Category),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such category", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (who and when in the message)", body = ErrorBody),
        (status = 422, description = "Invalid, or a cycle", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn update_category(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input = category_input(&object(&body)?)?;
    let c = who
        .admin
        .update_category(&who.actor, id, expected, input)
        .await?;
    Ok(with_etag(StatusCode::OK, c.version, &c))
}

/// `?move_to=<id>|root` of a category deletion.
fn move_to(query: &HashMap<String, String>) -> Result<Option<MoveTo>, AdminError> {
    let mut errors = super::rules::unknown_fields(
        &query
            .keys()
            .map(|k| (k.clone(), serde_json::Value::Null))
            .collect(),
        &["move_to"],
    );
    let target = match query.get("move_to").map(String::as_str) {
        None => None,
        Some("root") => Some(MoveTo::Root),
        Some(text) => {
            if let Ok(id) = text.parse() {
                Some(MoveTo::Category(id))
            } else {
                errors.push(super::field_error(
                    "move_to",
                    "must be `root` or a category id",
                ));
                None
            }
        }
    };
    if errors.is_empty() {
        Ok(target)
    } else {
        Err(AdminError::invalid(errors))
    }
}

/// Deletes a category. While it holds sub-categories or layers assigned to it, 409 unless
/// `move_to` says where they go (`root`: sub-categories to the root, layers back to their
/// harvested category), moved in the same transaction.
#[utoipa::path(delete, path = "/api/admin/categories/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Category id"),
        ("move_to" = Option<String>, Query, description = "`root` or a category id"),
        ("If-Match" = String, Header, description = "The category's ETag, like \"3\"")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such category", body = ErrorBody),
        (status = 409, description = "Changed meanwhile, or not empty", body = ErrorBody),
        (status = 422, description = "Bad `move_to`", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_category(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let target = move_to(&query)?;
    who.admin
        .delete_category(&who.actor, id, expected, target)
        .await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}

/// Every catalogue layer: harvested values, settings, values in force.
#[utoipa::path(get, path = "/api/admin/layers", tag = "admin",
    responses(
        (status = 200, description = "The layers", body = Vec<AdminLayer>),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_layers(
    who: AdminCaller,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let layers = who.admin.layers(&state).await?;
    Ok((no_store(), Json(layers)).into_response())
}

/// A layer's settings (`ETag` `"0"` before any).
#[utoipa::path(get, path = "/api/admin/layers/{id}/settings", tag = "admin",
    params(("id" = String, Path, description = "Layer id")),
    responses(
        (status = 200, description = "The settings", body = LayerSettingsEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such layer", body = ErrorBody)))]
async fn get_settings(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let entry = who.admin.layer_settings(&state, &id).await?;
    Ok(with_etag(StatusCode::OK, entry.version, &entry))
}

/// Replaces a layer's settings (fields left out keep the harvested values); applies from the
/// next request.
#[utoipa::path(put, path = "/api/admin/layers/{id}/settings", tag = "admin",
    request_body = LayerSettings,
    params(("id" = String, Path, description = "Layer id"),
        ("If-Match" = String, Header, description = "The settings' ETag (\"0\" before any)")),
    responses(
        (status = 200, description = "Stored; `ETag` is the new version", body = LayerSettingsEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such layer", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid: `fields` names what is wrong", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn put_settings(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let layer = find_layer(&state, &id).await?;
    let map = object(&body)?;
    let entry = who
        .admin
        .put_layer_settings(&who.actor, &layer, expected, &map)
        .await?;
    Ok(with_etag(StatusCode::OK, entry.version, &entry))
}

/// Back to the harvested values (the answer carries the new `ETag`).
#[utoipa::path(delete, path = "/api/admin/layers/{id}/settings", tag = "admin",
    params(("id" = String, Path, description = "Layer id"),
        ("If-Match" = String, Header, description = "The settings' ETag")),
    responses(
        (status = 200, description = "Reset", body = LayerSettingsEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such layer", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn reset_settings(
    who: AdminCaller,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    find_layer(&state, &id).await?;
    let entry = who
        .admin
        .reset_layer_settings(&who.actor, &id, expected)
        .await?;
    Ok(with_etag(StatusCode::OK, entry.version, &entry))
}
