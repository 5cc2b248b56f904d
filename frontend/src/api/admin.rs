//! Client of the admin API (`/api/admin/…`): the rule list, one rule, create / replace (with
//! `If-Match`) / delete, and the audit log. Changes carry the session's `X-CSRF-Token`.

use kartenn_common::admin::{AuditEntry, RuleBody, RuleEntry, RuleList};

use super::{ApiFailure, delete_versioned, encode_component, get_json, post_json, put_json};

pub async fn rules() -> Result<RuleList, ApiFailure> {
    get_json("/api/admin/rules").await
}

pub async fn rule(id: i64) -> Result<RuleEntry, ApiFailure> {
    get_json(&format!("/api/admin/rules/{id}")).await
}

pub async fn create(body: &RuleBody, csrf: Option<&str>) -> Result<RuleEntry, ApiFailure> {
    post_json("/api/admin/rules", body, csrf).await
}

/// Replaces rule `id`; `etag` is the version it was read at.
pub async fn update(
    id: i64,
    etag: &str,
    body: &RuleBody,
    csrf: Option<&str>,
) -> Result<RuleEntry, ApiFailure> {
    put_json(&format!("/api/admin/rules/{id}"), etag, body, csrf).await
}

pub async fn delete(id: i64, etag: &str, csrf: Option<&str>) -> Result<(), ApiFailure> {
    delete_versioned(&format!("/api/admin/rules/{id}"), etag, csrf).await
}

/// The audit filter as a query string (without `?`): only the fields given.
pub fn audit_query(filters: &[(&str, String)]) -> String {
    filters
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", encode_component(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
}

/// The actions the audit log holds, sorted.
pub async fn audit_actions() -> Result<Vec<String>, ApiFailure> {
    get_json("/api/admin/audit/actions").await
}

pub async fn audit(query: &str) -> Result<Vec<AuditEntry>, ApiFailure> {
    get_json(&format!("/api/admin/audit?{query}")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_query_keeps_given_filters_encoded() {
        let q = audit_query(&[
            ("user", "admin".into()),
            ("action", String::new()),
            ("since", "2026-01-01T00:00:00Z".into()),
        ]);
        assert_eq!(q, "user=admin&since=2026-01-01T00%3A00%3A00Z");
    }
}
