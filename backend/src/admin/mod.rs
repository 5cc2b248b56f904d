//! The admin API (`/api/admin/…`, admin role only): layer and dataset rules kept in the store
//! and edited with optimistic concurrency (`ETag` / `If-Match` on a per-rule version), and an
//! append-only audit log written in the same transaction as every change.
//!
//! - `rules`: the stored rules, their validation, create / update / delete / bulk, and the
//!   rebuild of the rule set in force ([`crate::acl::SharedAcl`]) after each change.
//! - `audit`: audit rows (who, what, before, after, from where), their query and CSV export.
//!   SQLite triggers abort any `UPDATE` or `DELETE` of them, whatever code tries.
//! - `routes`: the handlers, registered through utoipa-axum.

pub mod audit;
pub mod catalog_routes;
pub mod categories;
pub mod category_tree;
pub mod layers;
pub mod role_mapping;
mod role_routes;
pub mod routes;
pub mod rules;
pub mod sources;
mod sources_error;
pub mod sources_routes;
mod sources_spec;
pub mod sources_sync;

use std::sync::Arc;

use axum::http::StatusCode;
use kartenn_common::{ErrorCode, FieldError};

use crate::acl::SharedAcl;
use crate::auth::claims::RoleMapping;
use crate::http::ApiError;
use crate::store::Store;

/// The admin tables (run with the store's own schema when it opens).
pub const SCHEMA: &[&str] = &[
    // Rules edited by administrators: applied in `position` order (ties by id), before the
    // configuration's `[[rules]]`. `rule` is the JSON of `acl::Rule`.
    "CREATE TABLE IF NOT EXISTS acl_rules (
        id INTEGER PRIMARY KEY,
        position INTEGER NOT NULL,
        rule TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )",
    "CREATE TABLE IF NOT EXISTS audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        subject TEXT,
        username TEXT,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT,
        after TEXT,
        origin TEXT,
        user_agent TEXT
    )",
    "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
];

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the admin API needs a store; this server has none")]
    NotConfigured,
    #[error("rule {0} does not exist")]
    UnknownRule(i64),
    #[error("role mapping {0} does not exist")]
    UnknownMapping(i64),
    #[error("send If-Match with the ETag the object was read with (from its GET)")]
    PreconditionRequired,
    #[error("If-Match must be one ETag, like \"3\"")]
    BadIfMatch,
    #[error(transparent)]
    Stale(#[from] crate::http::versioned::Stale),
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error("store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("a stored rule is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("audit export: {0}")]
    Csv(String),
}

impl AdminError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![field_error(field, message)])
    }

    /// Several invalid fields.
    pub fn invalid(fields: Vec<FieldError>) -> Self {
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        Self::Invalid {
            message: format!("invalid request: check {}", names.join(", ")),
            fields,
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(err: AdminError) -> Self {
        match err {
            AdminError::NotConfigured
            | AdminError::UnknownRule(_)
            | AdminError::UnknownMapping(_) => Self::not_found(err.to_string()),
            AdminError::PreconditionRequired => Self::new(
                StatusCode::PRECONDITION_REQUIRED,
                ErrorCode::PreconditionRequired,
                err.to_string(),
            ),
            AdminError::BadIfMatch => Self::bad_request(err.to_string()),
            AdminError::Stale(_) => {
                Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, err.to_string())
            }
            AdminError::Invalid { message, fields } => Self::invalid(message, fields),
            AdminError::Store(_) | AdminError::Corrupt(_) | AdminError::Csv(_) => {
                Self::internal(&err)
            }
        }
    }
}

/// A field a request got wrong, and why.
pub fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Who made a change, and from where: what an audit row records.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The issuer's id for the user (`sub`).
    pub subject: Option<String>,
    pub username: Option<String>,
    /// The peer address of the connection.
    pub origin: Option<String>,
    pub user_agent: Option<String>,
}

impl Actor {
    /// How rules name who changed them last.
    pub fn label(&self) -> String {
        self.username
            .clone()
            .or_else(|| self.subject.clone())
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

/// The admin service: the store, the rule set it rebuilds, and a lock that keeps changes (and
/// the rebuilds after them) in order.
pub struct Admin {
    store: Store,
    acl: Arc<SharedAcl>,
    roles: Arc<RoleMapping>,
    writes: tokio::sync::Mutex<()>,
}

impl Admin {
    /// Loads the stored rules into `acl` (before the configuration's) and the stored role
    /// mappings into `roles` (beside the configuration's).
    pub async fn open(
        store: Store,
        acl: Arc<SharedAcl>,
        roles: Arc<RoleMapping>,
    ) -> Result<Self, AdminError> {
        let admin = Self {
            store,
            acl,
            roles,
            writes: tokio::sync::Mutex::new(()),
        };
        admin.reload().await?;
        admin.reload_mappings().await?;
        admin.reload_catalog().await?;
        Ok(admin)
    }

    /// The rule set in force (its configuration part is read-only).
    pub fn acl(&self) -> &SharedAcl {
        &self.acl
    }

    fn pool(&self) -> &sqlx::SqlitePool {
        self.store.pool()
    }
}

/// Now, as stored: RFC 3339 UTC with microseconds (sorts as text).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
