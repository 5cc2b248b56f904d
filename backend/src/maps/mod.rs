//! Saved maps and folders (GeoCMS "projects"): a signed-in user saves the viewer's map state
//! (view, layers with order, visibility, opacity, style and time, basemap, map time, compare)
//! under a title, public or private, optionally in one of their folders; anyone the map's
//! visibility admits opens it by its link `/?map=<id>`. An administrator sees every map, moves
//! and deletes them, and sets one public map as the viewer's landing map.
//!
//! - `validate`: the request bodies read field by field (a 422 names each wrong field).
//! - `store`: the tables below, read and written with a per-row version (`ETag` / `If-Match`);
//!   `folders`: the folder operations.
//! - `routes`: `/api/maps/…` for everybody (anonymous callers only read public maps).
//! - `admin_routes`: `/api/admin/maps/…` and `/api/admin/default-map` (role `admin`).
//!
//! Ids: a map's id is a random 128-bit URL-safe slug, so a private map's link cannot be
//! guessed; a map nobody may see answers 404 whether it exists or not.
//!
//! Audit: every change made through the admin API, and every change an administrator makes to
//! someone else's map or folder through the user API, writes an audit row
//! ([`crate::admin::audit::record`]) in the change's own transaction. Owners changing their own
//! maps and folders leave no audit row: that is their own content, not administration.

pub mod admin_routes;
pub mod folders;
pub mod routes;
pub mod store;
pub mod validate;

use axum::http::StatusCode;
use kartenn_common::{ErrorCode, FieldError};

use crate::acl::Principal;
use crate::admin::AdminError;
use crate::auth::AuthError;
use crate::http::ApiError;
use crate::store::Store;

/// The saved-map tables (run with the store's own schema when it opens).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS map_folders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        owner_subject TEXT NOT NULL,
        owner_name TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )",
    "CREATE INDEX IF NOT EXISTS map_folders_owner ON map_folders (owner_subject)",
    // `state` is the JSON of `kartenn_common::maps::MapState`, checked before it is written.
    "CREATE TABLE IF NOT EXISTS saved_maps (
        id TEXT PRIMARY KEY,
        owner_subject TEXT NOT NULL,
        owner_name TEXT NOT NULL,
        folder_id INTEGER REFERENCES map_folders (id),
        title TEXT NOT NULL,
        description TEXT,
        visibility TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )",
    "CREATE INDEX IF NOT EXISTS saved_maps_owner ON saved_maps (owner_subject)",
    "CREATE INDEX IF NOT EXISTS saved_maps_folder ON saved_maps (folder_id)",
    // One row at most: the landing map.
    "CREATE TABLE IF NOT EXISTS map_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        default_map TEXT REFERENCES saved_maps (id) ON DELETE SET NULL
    )",
];

#[derive(Debug, thiserror::Error)]
pub enum MapError {
    #[error("saved maps need a store; this server has none")]
    NotConfigured,
    /// Also what a map the caller may not see answers: its existence is not revealed.
    #[error("no map `{0}` (or it is private)")]
    UnknownMap(String),
    #[error("no folder {0} of yours")]
    UnknownFolder(i64),
    #[error("no landing map is set (or you may not open it)")]
    NoDefault,
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Stale(#[from] crate::http::versioned::Stale),
    #[error(
        "folder {id} holds {count} map(s): move them first, or delete with \
         ?move_to=<folder id> or ?move_to=none"
    )]
    FolderNotEmpty { id: i64, count: i64 },
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("a stored map is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error("no random bytes for a map id")]
    Random,
}

impl MapError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![crate::admin::field_error(field, message)])
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

impl From<MapError> for ApiError {
    fn from(err: MapError) -> Self {
        match err {
            MapError::NotConfigured
            | MapError::UnknownMap(_)
            | MapError::UnknownFolder(_)
            | MapError::NoDefault => Self::not_found(err.to_string()),
            MapError::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
            }
            MapError::Stale(_) | MapError::FolderNotEmpty { .. } => {
                Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, err.to_string())
            }
            MapError::Invalid { message, fields } => Self::invalid(message, fields),
            MapError::Auth(e) => e.into(),
            MapError::Admin(e) => e.into(),
            MapError::Store(_) | MapError::Corrupt(_) | MapError::Random => Self::internal(&err),
        }
    }
}

/// Who owns what they save: the issuer's subject (else the user name) and the user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub subject: String,
    pub name: String,
}

impl Owner {
    /// The signed-in caller as an owner; `None` for anonymous callers.
    pub fn of(principal: &Principal) -> Option<Self> {
        let name = principal.user.clone()?;
        Some(Self {
            subject: principal.subject.clone().unwrap_or_else(|| name.clone()),
            name,
        })
    }
}

/// The saved-maps service: the store and a lock that keeps writes in order.
pub struct Maps {
    store: Store,
    writes: tokio::sync::Mutex<()>,
}

impl Maps {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            writes: tokio::sync::Mutex::new(()),
        }
    }

    fn pool(&self) -> &sqlx::SqlitePool {
        self.store.pool()
    }
}
