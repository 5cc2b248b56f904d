//! Optimistic concurrency, the same for every versioned object (rules, role mappings,
//! categories, layer settings, sources, maps, folders): a version per object, sent as `ETag`
//! and expected back in `If-Match`; a change against an older version is refused with [`Stale`]
//! (409), naming who changed the object last and when.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kartenn_common::ErrorCode;
use kartenn_common::admin::etag;
use serde::Serialize;

use super::ApiError;
use super::headers::no_store;

/// The object changed since the caller read it.
#[derive(Debug, thiserror::Error)]
#[error(
    "{what} was changed by {by} at {at} (it is now version {version}); reload it and apply your \
     change again"
)]
pub struct Stale {
    /// What it is, as the message names it (`rule 3`, `map \`x\``).
    pub what: String,
    pub by: String,
    pub at: String,
    pub version: i64,
}

impl Stale {
    /// `what`, last changed by `by` (unknown: "someone") at `at`, now at `version`.
    pub fn new(what: impl Into<String>, by: Option<&str>, at: &str, version: i64) -> Self {
        Self {
            what: what.into(),
            by: by.unwrap_or("someone").to_owned(),
            at: at.to_owned(),
            version,
        }
    }
}

impl From<Stale> for ApiError {
    fn from(stale: Stale) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, stale.to_string())
    }
}

/// `body` as JSON, never cached, with its version as `ETag`.
pub fn with_etag(status: StatusCode, version: i64, body: &impl Serialize) -> Response {
    let mut response = (status, no_store(), Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

/// 201 with `body`, its version as `ETag` and where it lives as `Location`.
pub fn created(version: i64, body: &impl Serialize, location: &str) -> Response {
    let mut response = with_etag(StatusCode::CREATED, version, body);
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_change_names_the_object_who_changed_it_when_and_its_version() {
        let stale = Stale::new("rule 3", None, "2026-11-29T10:00:00Z", 4);
        assert_eq!(
            stale.to_string(),
            "rule 3 was changed by someone at 2026-11-29T10:00:00Z (it is now version 4); \
             reload it and apply your change again"
        );
    }

    #[test]
    fn created_answers_carry_the_etag_and_the_location() {
        let response = created(1, &serde_json::json!({"id": 7}), "/api/things/7");
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()[header::ETAG], "\"1\"");
        assert_eq!(response.headers()[header::LOCATION], "/api/things/7");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    }
}
