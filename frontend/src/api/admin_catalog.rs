//! Client of the catalogue administration (`/api/admin/categories…`, `/api/admin/layers…`)
//! and of the bulk rights change by category. Changes carry `If-Match` (the version the
//! administrator read) and the session's `X-CSRF-Token`.

use gloo::net::http::Request;
use kartenn_common::admin::Audience;
use kartenn_common::admin_catalog::{
    AdminLayer, Category, CategoryBody, CategoryTree, LayerSettings, LayerSettingsEntry,
};
use serde_json::json;

use super::{
    ApiFailure, answer, delete_json, delete_versioned, encode_component, etag, get_json, guarded,
    network, post_json, put_json,
};

pub async fn categories() -> Result<CategoryTree, ApiFailure> {
    get_json("/api/admin/categories").await
}

pub async fn create_category(
    body: &CategoryBody,
    csrf: Option<&str>,
) -> Result<Category, ApiFailure> {
    post_json("/api/admin/categories", body, csrf).await
}

pub async fn update_category(
    id: i64,
    version: i64,
    body: &CategoryBody,
    csrf: Option<&str>,
) -> Result<Category, ApiFailure> {
    put_json(
        &format!("/api/admin/categories/{id}"),
        &etag(version),
        body,
        csrf,
    )
    .await
}

/// Deletes category `id`; `move_to` is `root` or a category id (what it holds goes there).
pub async fn delete_category(
    id: i64,
    version: i64,
    move_to: Option<&str>,
    csrf: Option<&str>,
) -> Result<(), ApiFailure> {
    let query = move_to
        .map(|m| format!("?move_to={}", encode_component(m)))
        .unwrap_or_default();
    delete_versioned(
        &format!("/api/admin/categories/{id}{query}"),
        &etag(version),
        csrf,
    )
    .await
}

pub async fn layers() -> Result<Vec<AdminLayer>, ApiFailure> {
    get_json("/api/admin/layers").await
}

fn settings_url(layer: &str) -> String {
    format!("/api/admin/layers/{}/settings", encode_component(layer))
}

pub async fn put_settings(
    layer: &str,
    version: i64,
    settings: &LayerSettings,
    csrf: Option<&str>,
) -> Result<LayerSettingsEntry, ApiFailure> {
    put_json(&settings_url(layer), &etag(version), settings, csrf).await
}

/// Back to the harvested values.
pub async fn reset_settings(
    layer: &str,
    version: i64,
    csrf: Option<&str>,
) -> Result<LayerSettingsEntry, ApiFailure> {
    delete_json(&settings_url(layer), &etag(version), csrf).await
}

/// Gives `audience` for `action` to every layer in the category `path` (and below).
pub async fn bulk_by_category(
    path: &str,
    action: &str,
    audience: Option<&Audience>,
    csrf: Option<&str>,
) -> Result<(), ApiFailure> {
    let body = json!({ "category": path, "action": action, "audience": audience });
    let request = guarded(Request::post("/api/admin/rules/bulk"), csrf)
        .json(&body)
        .map_err(network)?;
    answer(request).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_urls_encode_the_layer_id() {
        assert_eq!(
            settings_url("up-a b"),
            "/api/admin/layers/up-a%20b/settings"
        );
        assert_eq!(etag(3), "\"3\"");
    }
}
