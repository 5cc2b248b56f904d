//! `/api/admin/…`: the handlers, registered through utoipa-axum so the OpenAPI document is made
//! from them. Every handler takes an [`AdminCaller`], which answers 401 (anonymous, or session
//! ended) or 403 (signed in without the `admin` role) before anything else is read; CSRF is
//! checked for cookie sessions by the global guard. Bodies are read as JSON values and checked
//! field by field, so a 422 names each wrong field.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit::{self, AuditEntry, AuditFilter};
use super::rules::{BulkTarget, MAX_BULK, RuleEntry, parse_action, parse_rule, unknown_fields};
use super::{Actor, Admin, AdminError, field_error};
use kartenn_common::admin::{RuleBody, RuleList};

use crate::acl::{Audience, Rule};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::extract::ApiPath;
use crate::http::headers::no_store;
use crate::http::versioned;
use crate::openapi::ErrorBody;
use crate::state::AppState;

/// The routes with their OpenAPI descriptions.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rules, create_rule))
        .routes(routes!(get_rule, update_rule, delete_rule))
        .routes(routes!(bulk))
        .routes(routes!(audit_log))
        .routes(routes!(audit_actions))
        .routes(routes!(audit_csv))
        .merge(super::role_routes::openapi_router())
        .merge(super::sources_routes::openapi_router())
}

/// The routes alone, for the application.
pub fn router() -> axum::Router<AppState> {
    openapi_router().split_for_parts().0
}

/// A caller holding the `admin` role, with what the audit log records about them and the
/// admin service they act on (404 when this server has none).
pub struct AdminCaller {
    pub admin: Arc<Admin>,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if !caller.principal.is_admin() {
            return Err(caller
                .refusal(|| "the admin API is for administrators (role `admin`)".to_owned())
                .into());
        }
        let admin = state.admin.clone().ok_or(AdminError::NotConfigured)?;
        let origin = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect());
        let actor = Actor {
            subject: caller.principal.subject,
            username: caller.principal.user,
            origin,
            user_agent,
        };
        Ok(Self { admin, actor })
    }
}

/// The version an `If-Match` header names (`"3"` or `W/"3"`); 428 without one.
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(if_match(&parts.headers)?))
    }
}

fn if_match(headers: &HeaderMap) -> Result<i64, AdminError> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or(AdminError::PreconditionRequired)?;
    let text = value.to_str().map_err(|_| AdminError::BadIfMatch)?.trim();
    let text = text.strip_prefix("W/").unwrap_or(text);
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse().ok())
        .ok_or(AdminError::BadIfMatch)
}

/// A JSON object body (400 when it is not JSON at all).
pub(super) fn object(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AdminError::field("body", "must be a JSON object").into()),
        Err(e) => Err(ApiError::bad_request(format!("the body is not JSON: {e}"))),
    }
}

/// `{ "rule": {…}, "position": n }`, each wrong field named.
fn rule_body(body: &Bytes) -> Result<(Rule, Option<i64>), ApiError> {
    let map = object(body)?;
    let mut errors = unknown_fields(&map, &["rule", "position"]);
    let rule = if let Some(v) = map.get("rule") {
        parse_rule(v, "rule").map_err(|e| errors.extend(e)).ok()
    } else {
        errors.push(field_error("rule", "required"));
        None
    };
    let position = match map.get("position") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let p = v.as_i64();
            if p.is_none() {
                errors.push(field_error("position", "must be an integer"));
            }
            p
        }
    };
    match rule {
        Some(rule) if errors.is_empty() => Ok((rule, position)),
        _ => Err(AdminError::invalid(errors).into()),
    }
}

/// A rule as JSON, never cached, with its version as `ETag`.
fn with_etag(status: StatusCode, entry: &RuleEntry) -> Response {
    versioned::with_etag(status, entry.version.unwrap_or_default(), entry)
}

/// Every rule: the stored ones, then the configuration's (read-only).
#[utoipa::path(get, path = "/api/admin/rules", tag = "admin",
    responses(
        (status = 200, description = "The rules in the order they are tried", body = RuleList),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn list_rules(AdminCaller { admin, .. }: AdminCaller) -> Result<Response, ApiError> {
    let list = RuleList {
        default: admin.acl().default_access(),
        rules: admin.rules().await?,
    };
    Ok((no_store(), Json(list)).into_response())
}

/// Adds a stored rule; it applies from the next request.
#[utoipa::path(post, path = "/api/admin/rules", tag = "admin", request_body = RuleBody,
    responses(
        (status = 201, description = "Created; `ETag` is its version", body = RuleEntry),
        (status = 400, description = "The body is not JSON", body = ErrorBody),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid rule: `fields` names what is wrong", body = ErrorBody)))]
async fn create_rule(who: AdminCaller, body: Bytes) -> Result<Response, ApiError> {
    let (rule, position) = rule_body(&body)?;
    let created = who.admin.create(&who.actor, rule, position).await?;
    let id = created.id.unwrap_or_default();
    Ok(versioned::created(
        created.version.unwrap_or_default(),
        &created,
        &format!("/api/admin/rules/{id}"),
    ))
}

/// One stored rule, with its `ETag`.
#[utoipa::path(get, path = "/api/admin/rules/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Rule id")),
    responses(
        (status = 200, description = "The rule", body = RuleEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody)))]
async fn get_rule(who: AdminCaller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let entry = who.admin.rule(id).await?;
    Ok(with_etag(StatusCode::OK, &entry))
}

/// Replaces a stored rule; `If-Match` must name its current version.
#[utoipa::path(put, path = "/api/admin/rules/{id}", tag = "admin", request_body = RuleBody,
    params(("id" = i64, Path, description = "Rule id"),
        ("If-Match" = String, Header, description = "The rule's ETag, like \"3\"")),
    responses(
        (status = 200, description = "Replaced; `ETag` is the new version", body = RuleEntry),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 409, description = "Changed meanwhile (who and when in the message)", body = ErrorBody),
        (status = 422, description = "Invalid rule", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn update_rule(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (rule, position) = rule_body(&body)?;
    let updated = who
        .admin
        .update(&who.actor, id, expected, rule, position)
        .await?;
    Ok(with_etag(StatusCode::OK, &updated))
}

/// Deletes a stored rule; `If-Match` must name its current version.
#[utoipa::path(delete, path = "/api/admin/rules/{id}", tag = "admin",
    params(("id" = i64, Path, description = "Rule id"),
        ("If-Match" = String, Header, description = "The rule's ETag, like \"3\"")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 409, description = "Changed meanwhile", body = ErrorBody),
        (status = 428, description = "No If-Match", body = ErrorBody)))]
async fn delete_rule(
    who: AdminCaller,
    ApiPath(id): ApiPath<i64>,
    IfMatch(expected): IfMatch,
) -> Result<Response, ApiError> {
    who.admin.delete(&who.actor, id, expected).await?;
    Ok((StatusCode::NO_CONTENT, no_store()).into_response())
}

/// Body of a bulk change: `layers` or `category`, not both.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct BulkBody {
    /// Layer ids (at most 500).
    layers: Option<Vec<String>>,
    /// A stored category id or a category path (`Littoral/Traits`): every layer in it or
    /// below it, by the categories in force (chronicle layers: their dataset).
    #[schema(value_type = Option<Object>)]
    category: Option<Value>,
    /// `view`, `query` or `download`.
    action: String,
    /// `"public"`, `"authenticated"`, a list of roles, or `null` (nobody).
    audience: Option<Audience>,
}

/// The rules a bulk change touched.
#[derive(Serialize, utoipa::ToSchema)]
struct BulkResult {
    rules: Vec<RuleEntry>,
}

/// Gives the same audience for one action to several layers, in one transaction: each layer's
/// own stored rule is changed, or a new one is put first.
#[utoipa::path(post, path = "/api/admin/rules/bulk", tag = "admin", request_body = BulkBody,
    responses(
        (status = 200, description = "The rules touched", body = BulkResult),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator, or no CSRF token", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody)))]
async fn bulk(
    who: AdminCaller,
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let map = object(&body)?;
    let mut errors = unknown_fields(&map, &["layers", "category", "action", "audience"]);
    let targets: Vec<BulkTarget> = match (map.get("layers"), map.get("category")) {
        (Some(_), Some(_)) => {
            for field in ["layers", "category"] {
                errors.push(field_error(
                    field,
                    "give either layers or a category, not both",
                ));
            }
            Vec::new()
        }
        (None, Some(category)) => super::layers::targets_under(&state, category)
            .await
            .map_err(|e| errors.push(e))
            .unwrap_or_default(),
        (layers, None) => bulk_layers(layers, &mut errors)
            .into_iter()
            .map(BulkTarget::Layer)
            .collect(),
    };
    let action = map
        .get("action")
        .and_then(Value::as_str)
        .and_then(parse_action);
    if action.is_none() {
        errors.push(field_error("action", "must be view, query or download"));
    }
    let audience = match map.get("audience") {
        None => {
            errors.push(field_error("audience", "required (null: nobody)"));
            None
        }
        Some(v) => {
            let wrapped = serde_json::json!({ "layer": "x", "view": v });
            if let Ok(rule) = parse_rule(&wrapped, "") {
                rule.view
            } else {
                errors.push(field_error(
                    "audience",
                    "must be \"public\", \"authenticated\", a non-empty list of roles or null",
                ));
                None
            }
        }
    };
    let Some(action) = action.filter(|_| errors.is_empty()) else {
        return Err(AdminError::invalid(errors).into());
    };
    let rules = who
        .admin
        .bulk(&who.actor, &targets, action, audience)
        .await?;
    Ok((no_store(), Json(BulkResult { rules })).into_response())
}

/// `layers` of a bulk body: 1 to 500 non-empty layer ids.
fn bulk_layers(
    layers: Option<&Value>,
    errors: &mut Vec<kartenn_common::FieldError>,
) -> Vec<String> {
    match layers.and_then(Value::as_array) {
        Some(list)
            if !list.is_empty()
                && list.len() <= MAX_BULK
                && list
                    .iter()
                    .all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) =>
        {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        }
        _ => {
            errors.push(field_error(
                "layers",
                "must be a list of 1 to 500 layer ids (non-empty strings), or give a category",
            ));
            Vec::new()
        }
    }
}

/// The audit rows `query` selects (422 naming the bad filter field).
async fn audit_rows(
    admin: &Admin,
    query: Result<Query<AuditFilter>, QueryRejection>,
    export: bool,
) -> Result<Vec<AuditEntry>, ApiError> {
    let Query(filter) = query.map_err(|e| AdminError::field("query", e.body_text()))?;
    Ok(admin.audit(&filter, export).await?)
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", params(AuditFilter),
    responses(
        (status = 200, description = "Audit rows, newest first", body = Vec<AuditEntry>),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Bad filter", body = ErrorBody)))]
async fn audit_log(
    who: AdminCaller,
    query: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let rows = audit_rows(&who.admin, query, false).await?;
    Ok((no_store(), Json(rows)).into_response())
}

/// The actions the audit log holds (`rule.create`, `map.move`, …), sorted.
#[utoipa::path(get, path = "/api/admin/audit/actions", tag = "admin",
    responses(
        (status = 200, description = "Actions present in the log, sorted", body = Vec<String>),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody)))]
async fn audit_actions(who: AdminCaller) -> Result<Response, ApiError> {
    let actions = who.admin.audit_actions().await?;
    Ok((no_store(), Json(actions)).into_response())
}

/// The audit log as CSV, newest first (up to 10 000 rows unless `limit` says fewer).
#[utoipa::path(get, path = "/api/admin/audit.csv", tag = "admin", params(AuditFilter),
    responses(
        (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
        (status = 401, description = "Sign in first", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "Bad filter", body = ErrorBody)))]
async fn audit_csv(
    who: AdminCaller,
    query: Result<Query<AuditFilter>, QueryRejection>,
) -> Result<Response, ApiError> {
    let rows = audit_rows(&who.admin, query, true).await?;
    let csv = audit::to_csv(&rows)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"kartenn-audit.csv\"",
            ),
        ],
        no_store(),
        csv,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn if_match_reads_strong_and_weak_etags_and_is_required() {
        let mut h = HeaderMap::new();
        assert!(matches!(
            if_match(&h),
            Err(AdminError::PreconditionRequired)
        ));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"3\""));
        assert_eq!(if_match(&h).unwrap(), 3);
        h.insert(header::IF_MATCH, HeaderValue::from_static("W/\"4\""));
        assert_eq!(if_match(&h).unwrap(), 4);
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert!(matches!(if_match(&h), Err(AdminError::BadIfMatch)));
    }
}
