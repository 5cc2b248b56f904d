//! Client of `/api/admin/role-mappings`: list, create, replace (with `If-Match`), delete.
//! Changes carry the session's `X-CSRF-Token`.

use gloo::net::http::Request;
use kartenn_common::admin::{RoleMappingBody, RoleMappingEntry, RoleMappingList};

use super::{ApiFailure, answer, get_json, guarded, network, send};

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
    let request = guarded(Request::post(BASE), csrf)
        .json(body)
        .map_err(network)?;
    send(request).await
}

/// Replaces mapping `id`; `etag` is the version it was read at.
pub async fn update(
    id: i64,
    etag: &str,
    body: &RoleMappingBody,
    csrf: Option<&str>,
) -> Result<RoleMappingEntry, ApiFailure> {
    let request = guarded(Request::put(&format!("{BASE}/{id}")), csrf)
        .header("If-Match", etag)
        .json(body)
        .map_err(network)?;
    send(request).await
}

pub async fn delete(id: i64, etag: &str, csrf: Option<&str>) -> Result<(), ApiFailure> {
    let request = guarded(Request::delete(&format!("{BASE}/{id}")), csrf)
        .header("If-Match", etag)
        .build()
        .map_err(network)?;
    answer(request).await.map(drop)
}
