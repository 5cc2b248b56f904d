//! Client of `/api/admin/role-mappings`: list, create, replace (with `If-Match`), delete.
//! Changes carry the session's `X-CSRF-Token`.

use kartenn_common::admin::{RoleMappingBody, RoleMappingEntry, RoleMappingList};

use super::{ApiFailure, delete_versioned, get_json, post_json, put_json};

const BASE: &str = "/api/admin/role-mappings";

pub async fn list() -> Result<RoleMappingList, ApiFailure> {
    get_json(BASE).await
}

pub async fn one(id: i64) -> Result<RoleMappingEntry, ApiFailure> {
    get_json(&format!("{BASE}/{id}")).await
}

pub async fn create(
    body: &RoleMappingBody,
    csrf: Option<&str>,
) -> Result<RoleMappingEntry, ApiFailure> {
    post_json(BASE, body, csrf).await
}

/// Replaces mapping `id`; `etag` is the version it was read at.
pub async fn update(
    id: i64,
    etag: &str,
    body: &RoleMappingBody,
    csrf: Option<&str>,
) -> Result<RoleMappingEntry, ApiFailure> {
    put_json(&format!("{BASE}/{id}"), etag, body, csrf).await
}

pub async fn delete(id: i64, etag: &str, csrf: Option<&str>) -> Result<(), ApiFailure> {
    delete_versioned(&format!("{BASE}/{id}"), etag, csrf).await
}
