//! Saved maps and folders in the store: read with who may see them, written with a per-row
//! version (a stale `If-Match` loses with 409 naming who changed the row and when). Writes
//! take the service's lock and start with `BEGIN IMMEDIATE`; an administrator's change to
//! someone else's map or folder writes its audit row in the same transaction.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kartenn_common::maps::{
    MapBody, MapFolder, MapList, MapState, MapSummary, SavedMap, Visibility,
};
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::Value;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::{MapError, Maps, Owner};
use crate::acl::Principal;
use crate::admin::audit::{self, Change};
use crate::admin::{Actor, field_error, now_rfc3339};
use crate::http::versioned::Stale;

/// A map's columns with its folder's name and whether it is the landing map.
const SELECT: &str = "SELECT m.id, m.title, m.description, m.visibility, m.owner_subject, \
    m.owner_name, m.folder_id, f.name AS folder_name, m.version, m.created_at, m.updated_at, \
    m.updated_by, m.state, (s.default_map IS NOT NULL) AS is_default \
    FROM saved_maps m LEFT JOIN map_folders f ON f.id = m.folder_id \
    LEFT JOIN map_settings s ON s.id = 1 AND s.default_map = m.id";

const SELECT_FOLDER: &str = "SELECT f.id, f.name, f.owner_subject, f.owner_name, f.version, \
    f.created_at, f.updated_at, f.updated_by, \
    (SELECT COUNT(*) FROM saved_maps m WHERE m.folder_id = f.id) AS maps FROM map_folders f";

/// A stored map with what access checks need.
#[derive(Debug, Clone)]
pub struct StoredMap {
    pub summary: MapSummary,
    pub owner_subject: String,
    pub updated_by: Option<String>,
    pub state: MapState,
}

impl StoredMap {
    pub fn saved(self) -> SavedMap {
        SavedMap {
            summary: self.summary,
            state: self.state,
        }
    }

    /// What the audit log keeps of it.
    pub(super) fn audit(&self) -> Value {
        serde_json::json!({
            "id": self.summary.id,
            "title": self.summary.title,
            "owner": self.summary.owner,
            "folder": self.summary.folder,
            "visibility": self.summary.visibility,
            "version": self.summary.version,
        })
    }

    pub(super) fn stale(&self) -> MapError {
        Stale::new(
            format!("map `{}`", self.summary.id),
            self.updated_by.as_deref(),
            &self.summary.updated_at,
            self.summary.version,
        )
        .into()
    }
}

/// A stored folder with its owner's subject.
#[derive(Debug, Clone)]
pub struct StoredFolder {
    pub folder: MapFolder,
    pub owner_subject: String,
    pub updated_by: Option<String>,
}

impl StoredFolder {
    pub fn stale(&self) -> MapError {
        Stale::new(
            format!("folder {}", self.folder.id),
            self.updated_by.as_deref(),
            &self.folder.updated_at,
            self.folder.version,
        )
        .into()
    }
}

fn map_row(row: &SqliteRow) -> Result<StoredMap, MapError> {
    let visibility: String = row.try_get("visibility")?;
    let state: String = row.try_get("state")?;
    Ok(StoredMap {
        summary: MapSummary {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            visibility: Visibility::parse(&visibility).unwrap_or_default(),
            owner: row.try_get("owner_name")?,
            folder: row.try_get("folder_id")?,
            folder_name: row.try_get("folder_name")?,
            version: row.try_get("version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            is_default: row.try_get("is_default")?,
        },
        owner_subject: row.try_get("owner_subject")?,
        updated_by: row.try_get("updated_by")?,
        state: serde_json::from_str(&state)?,
    })
}

pub fn folder_row(row: &SqliteRow) -> Result<StoredFolder, MapError> {
    Ok(StoredFolder {
        folder: MapFolder {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            owner: row.try_get("owner_name")?,
            maps: row.try_get("maps")?,
            version: row.try_get("version")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        },
        owner_subject: row.try_get("owner_subject")?,
        updated_by: row.try_get("updated_by")?,
    })
}

/// 128 random bits, base64url (22 characters).
fn new_id() -> Result<String, MapError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| MapError::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `id` can be a map id at all (a malformed one is simply unknown).
pub fn plausible_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The caller's subject, when signed in.
fn subject(principal: &Principal) -> Option<String> {
    Owner::of(principal).map(|o| o.subject)
}

/// Whether `principal` may open `map`.
pub fn may_see(principal: &Principal, map: &StoredMap) -> bool {
    map.summary.visibility == Visibility::Public
        || principal.is_admin()
        || subject(principal).as_deref() == Some(map.owner_subject.as_str())
}

/// Whether `principal` may change what `owner_subject` owns (`None`: no); `Some(true)` when
/// it is someone else's (an administrator's change, audited).
pub fn may_change(principal: &Principal, owner_subject: &str) -> Option<bool> {
    let mine = subject(principal).as_deref() == Some(owner_subject);
    (mine || principal.is_admin()).then_some(!mine)
}

pub async fn map(conn: &mut SqliteConnection, id: &str) -> Result<StoredMap, MapError> {
    if !plausible_id(id) {
        return Err(MapError::UnknownMap(id.to_owned()));
    }
    let row = sqlx::query(&format!("{SELECT} WHERE m.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| MapError::UnknownMap(id.to_owned()))?;
    map_row(&row)
}

pub async fn folder(conn: &mut SqliteConnection, id: i64) -> Result<StoredFolder, MapError> {
    let row = sqlx::query(&format!("{SELECT_FOLDER} WHERE f.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(MapError::UnknownFolder(id))?;
    folder_row(&row)
}

/// `Ok` when `folder` is `None` or one of `owner_subject`'s folders, else the field's error.
pub async fn check_folder(
    conn: &mut SqliteConnection,
    field: &str,
    folder: Option<i64>,
    owner_subject: &str,
) -> Result<(), MapError> {
    let Some(id) = folder else { return Ok(()) };
    let owner: Option<String> =
        sqlx::query_scalar("SELECT owner_subject FROM map_folders WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    if owner.as_deref() == Some(owner_subject) {
        Ok(())
    } else {
        Err(MapError::field(field, "no such folder of the map's owner"))
    }
}

pub async fn maps_where(
    conn: &mut SqliteConnection,
    condition: &str,
    bind: Option<&str>,
) -> Result<Vec<StoredMap>, MapError> {
    let sql = format!("{SELECT} WHERE {condition} ORDER BY m.updated_at DESC, m.id");
    let mut query = sqlx::query(&sql);
    if let Some(b) = bind {
        query = query.bind(b.to_owned());
    }
    query.fetch_all(conn).await?.iter().map(map_row).collect()
}

pub async fn folders_where(
    conn: &mut SqliteConnection,
    owner_subject: Option<&str>,
) -> Result<Vec<MapFolder>, MapError> {
    let sql = match owner_subject {
        Some(_) => format!("{SELECT_FOLDER} WHERE f.owner_subject = ? ORDER BY f.name, f.id"),
        None => format!("{SELECT_FOLDER} ORDER BY f.owner_name, f.name, f.id"),
    };
    let mut query = sqlx::query(&sql);
    if let Some(o) = owner_subject {
        query = query.bind(o.to_owned());
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| folder_row(r).map(|f| f.folder))
        .collect()
}

pub async fn default_id(conn: &mut SqliteConnection) -> Result<Option<String>, MapError> {
    Ok(
        sqlx::query_scalar("SELECT default_map FROM map_settings WHERE id = 1")
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

impl Maps {
    /// The caller's folders and maps, and the public maps of others.
    pub async fn list(&self, principal: &Principal) -> Result<MapList, MapError> {
        let mut conn = self.pool().acquire().await?;
        let me = subject(principal);
        let (folders, mine) = match &me {
            Some(s) => (
                folders_where(&mut conn, Some(s)).await?,
                maps_where(&mut conn, "m.owner_subject = ?", Some(s)).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let public = maps_where(
            &mut conn,
            "m.visibility = 'public' AND m.owner_subject <> ?",
            Some(me.as_deref().unwrap_or("")),
        )
        .await?;
        let default = match default_id(&mut conn).await? {
            Some(id) => {
                let m = map(&mut conn, &id).await?;
                may_see(principal, &m).then_some(id)
            }
            None => None,
        };
        Ok(MapList {
            folders,
            mine: mine.into_iter().map(|m| m.summary).collect(),
            public: public.into_iter().map(|m| m.summary).collect(),
            default,
        })
    }

    /// One map, if the caller may open it (404 otherwise, existing or not).
    pub async fn get(&self, principal: &Principal, id: &str) -> Result<StoredMap, MapError> {
        let mut conn = self.pool().acquire().await?;
        let m = map(&mut conn, id).await?;
        if may_see(principal, &m) {
            Ok(m)
        } else {
            Err(MapError::UnknownMap(id.to_owned()))
        }
    }

    /// The landing map, if one is set and the caller may open it.
    pub async fn default_map(&self, principal: &Principal) -> Result<StoredMap, MapError> {
        let mut conn = self.pool().acquire().await?;
        let id = default_id(&mut conn).await?.ok_or(MapError::NoDefault)?;
        let m = map(&mut conn, &id).await?;
        if may_see(principal, &m) {
            Ok(m)
        } else {
            Err(MapError::NoDefault)
        }
    }

    /// Saves a new map owned by `owner`.
    pub async fn create(&self, owner: &Owner, body: &MapBody) -> Result<StoredMap, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        check_folder(&mut tx, "folder", body.folder, &owner.subject).await?;
        let id = new_id()?;
        let now = now_rfc3339();
        sqlx::query(
            "INSERT INTO saved_maps (id, owner_subject, owner_name, folder_id, title, description,
             visibility, state, version, created_at, updated_at, updated_by)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&owner.subject)
        .bind(&owner.name)
        .bind(body.folder)
        .bind(&body.title)
        .bind(&body.description)
        .bind(body.visibility.as_str())
        .bind(serde_json::to_string(&body.state)?)
        .bind(&now)
        .bind(&now)
        .bind(&owner.name)
        .execute(&mut *tx)
        .await?;
        let created = map(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Replaces map `id` (owner or administrator) if it is still at `expected` version.
    pub async fn update(
        &self,
        principal: &Principal,
        actor: &Actor,
        id: &str,
        expected: i64,
        body: &MapBody,
    ) -> Result<StoredMap, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = changeable(&mut tx, principal, id).await?;
        if before.summary.version != expected {
            return Err(before.stale());
        }
        check_folder(&mut tx, "folder", body.folder, &before.owner_subject).await?;
        sqlx::query(
            "UPDATE saved_maps SET folder_id = ?, title = ?, description = ?, visibility = ?,
             state = ?, version = version + 1, updated_at = ?, updated_by = ?
             WHERE id = ? AND version = ?",
        )
        .bind(body.folder)
        .bind(&body.title)
        .bind(&body.description)
        .bind(body.visibility.as_str())
        .bind(serde_json::to_string(&body.state)?)
        .bind(now_rfc3339())
        .bind(actor.label())
        .bind(id)
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        let after = map(&mut tx, id).await?;
        if may_change(principal, &before.owner_subject) == Some(true) {
            let change = Change {
                action: "map.update",
                target: format!("map:{id}"),
                before: Some(before.audit()),
                after: Some(after.audit()),
            };
            audit::record(&mut tx, actor, &change).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes map `id` (owner or administrator) if it is still at `expected` version.
    pub async fn delete(
        &self,
        principal: &Principal,
        actor: &Actor,
        id: &str,
        expected: i64,
    ) -> Result<(), MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = changeable(&mut tx, principal, id).await?;
        if before.summary.version != expected {
            return Err(before.stale());
        }
        remove(&mut tx, id).await?;
        if may_change(principal, &before.owner_subject) == Some(true) {
            let change = Change {
                action: "map.delete",
                target: format!("map:{id}"),
                before: Some(before.audit()),
                after: None,
            };
            audit::record(&mut tx, actor, &change).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Map `id` if the caller may change it: 404 when they may not even see it, 403 otherwise.
pub async fn changeable(
    conn: &mut SqliteConnection,
    principal: &Principal,
    id: &str,
) -> Result<StoredMap, MapError> {
    let m = map(conn, id).await?;
    if may_change(principal, &m.owner_subject).is_some() {
        Ok(m)
    } else if may_see(principal, &m) {
        Err(MapError::Forbidden(format!(
            "map `{id}` belongs to {}; only they (or an administrator) may change it",
            m.summary.owner
        )))
    } else {
        Err(MapError::UnknownMap(id.to_owned()))
    }
}

/// Deletes a map row (and unsets it as the landing map).
pub async fn remove(conn: &mut SqliteConnection, id: &str) -> Result<(), MapError> {
    sqlx::query("UPDATE map_settings SET default_map = NULL WHERE default_map = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM saved_maps WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The folder a move names: `None`, or one of the map owner's.
pub async fn move_map(
    conn: &mut SqliteConnection,
    actor: &Actor,
    map: &StoredMap,
    folder: Option<i64>,
) -> Result<(), MapError> {
    check_folder(conn, "folder", folder, &map.owner_subject).await?;
    sqlx::query(
        "UPDATE saved_maps SET folder_id = ?, version = version + 1, updated_at = ?,
         updated_by = ? WHERE id = ?",
    )
    .bind(folder)
    .bind(now_rfc3339())
    .bind(actor.label())
    .bind(&map.summary.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A field error for the default-map body.
pub fn default_error(message: &str) -> MapError {
    MapError::invalid(vec![field_error("map", message)])
}
