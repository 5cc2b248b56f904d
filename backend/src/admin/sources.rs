//! Data sources (upstream OGC servers) edited through the admin API. A stored source is a row
//! of `ogc_sources` (the `[[sources]]` fields as JSON, a version, who changed it last); it
//! comes after the configuration's sources, which stay read-only. No secret is ever stored or
//! returned: a stored source names a `password_file` (inside `[ogc] password_dir`) or relies on
//! `KARTENN_SOURCE_<ID>_PASSWORD`; answers only say `has_password`.
//!
//! URLs: `https://`, or plain `http://` to a loopback host (`localhost`, 127.0.0.0/8, `::1`)
//! unless `[ogc] allow_plain_http` admits any host; never credentials, a query or a fragment.
//!
//! Each change and its audit row commit in one `BEGIN IMMEDIATE` transaction, under the OGC
//! service's write lock (so no sync stores layers meanwhile); then the source set in force is
//! swapped and the catalogue rebuilt. Deleting a source deletes its harvested layers and its
//! sync status in the same transaction.

use kartenn_common::admin_sources::{SourceEntry, SourceSpec, SyncState};
use serde_json::Value;
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
use super::{Actor, AdminError, now_rfc3339};
use crate::config::{OgcLimits, SourceConfig};
use crate::http::versioned::Stale;
use crate::ogc::service::{Env, OgcService};
use crate::store::{Store, StoreError};

pub use super::sources_error::SourceAdminError;
use super::sources_spec::to_config_unchecked;
pub use super::sources_spec::{check_url, parse_spec, password_var, spec_of, to_config};

/// The stored sources' table (run with the store's own schema when it opens).
pub const SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS ogc_sources (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )"];

/// One stored row.
struct Stored {
    spec: SourceSpec,
    version: i64,
    updated_at: String,
    updated_by: Option<String>,
}

fn stored_row(row: &sqlx::sqlite::SqliteRow) -> Result<Stored, StoreError> {
    Ok(Stored {
        spec: serde_json::from_str(row.try_get::<&str, _>("source")?)?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

async fn stored_all(conn: &mut SqliteConnection) -> Result<Vec<Stored>, StoreError> {
    sqlx::query("SELECT source, version, updated_at, updated_by FROM ogc_sources ORDER BY id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(stored_row)
        .collect()
}

async fn stored_one(conn: &mut SqliteConnection, id: &str) -> Result<Option<Stored>, StoreError> {
    sqlx::query("SELECT source, version, updated_at, updated_by FROM ogc_sources WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(stored_row)
        .transpose()
}

/// The stored sources as the server runs them. One that cannot be loaded (its password file
/// went away) is logged and left out.
pub async fn load(
    store: &Store,
    limits: &OgcLimits,
    env: &Env,
) -> Result<Vec<SourceConfig>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let mut sources = Vec::new();
    for row in stored_all(&mut conn).await? {
        match to_config(&row.spec, limits, env) {
            Ok(source) => sources.push(source),
            Err(errors) => tracing::error!(
                source = %row.spec.id,
                problem = %errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
                "stored OGC source not loaded"
            ),
        }
    }
    Ok(sources)
}

/// The admin side of the sources: reads and changes through the OGC service's store.
pub struct Sources<'a> {
    pub ogc: &'a OgcService,
    pub store: &'a Store,
}

impl<'a> Sources<'a> {
    /// The OGC service's sources (404 when the server has no store).
    pub fn of(ogc: &'a OgcService) -> Result<Self, SourceAdminError> {
        let store = ogc.store.as_ref().ok_or(AdminError::NotConfigured)?;
        Ok(Self { ogc, store })
    }

    fn entry(
        &self,
        source: &SourceConfig,
        stored: Option<&Stored>,
        syncs: &[crate::store::SyncStatus],
    ) -> SourceEntry {
        SourceEntry {
            source: stored.map_or_else(|| spec_of(source), |s| s.spec.clone()),
            has_password: source.password.is_some(),
            from_config: stored.is_none(),
            version: stored.map(|s| s.version),
            updated_at: stored.map(|s| s.updated_at.clone()),
            updated_by: stored.and_then(|s| s.updated_by.clone()),
            layers: self
                .ogc
                .catalog()
                .source(&source.id)
                .map_or(0, |l| l.layers.len()),
            last_sync: syncs
                .iter()
                .find(|s| s.source == source.id)
                .map(|s| SyncState {
                    attempted_at: s.attempted_at.clone(),
                    succeeded_at: s.succeeded_at.clone(),
                    error: s.error.clone(),
                }),
        }
    }

    /// Every source in force: the configuration's, then the stored ones.
    pub async fn list(&self) -> Result<Vec<SourceEntry>, SourceAdminError> {
        let mut conn = self.store.pool().acquire().await?;
        let stored = stored_all(&mut conn).await?;
        drop(conn);
        let syncs = self.store.sync_status().await?;
        let sources = self.ogc.sources();
        let mut list: Vec<SourceEntry> = self
            .ogc
            .config_sources()
            .iter()
            .map(|s| self.entry(s, None, &syncs))
            .collect();
        // A stored source shadowed by a later `[[sources]]` entry of the same id is not in force.
        for row in stored.iter().filter(|r| !self.is_config(&r.spec.id)) {
            // A stored source that could not be loaded is listed without a password.
            let source = sources
                .iter()
                .find(|s| s.id == row.spec.id)
                .cloned()
                .unwrap_or_else(|| to_config_unchecked(&row.spec));
            list.push(self.entry(&source, Some(row), &syncs));
        }
        Ok(list)
    }

    fn is_config(&self, id: &str) -> bool {
        self.ogc.config_sources().iter().any(|s| s.id == id)
    }

    /// One source in force.
    pub async fn get(&self, id: &str) -> Result<SourceEntry, SourceAdminError> {
        self.list()
            .await?
            .into_iter()
            .find(|e| e.source.id == id)
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))
    }

    /// Adds a stored source; it serves from the next request on.
    pub async fn create(
        &self,
        actor: &Actor,
        spec: SourceSpec,
    ) -> Result<SourceEntry, SourceAdminError> {
        let config =
            to_config(&spec, &self.ogc.limits, self.ogc.env()).map_err(AdminError::invalid)?;
        let _order = self.ogc.lock_writes().await;
        if self.is_config(&spec.id) {
            return Err(
                AdminError::field("id", "a source of the configuration file has this id").into(),
            );
        }
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        if stored_one(&mut tx, &spec.id).await?.is_some() {
            return Err(AdminError::field("id", "a source with this id exists").into());
        }
        let at = now_rfc3339();
        sqlx::query("INSERT INTO ogc_sources (id, source, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)")
            .bind(&spec.id)
            .bind(serde_json::to_string(&spec)?)
            .bind(&at)
            .bind(actor.label())
            .execute(&mut *tx)
            .await
            ?;
        let row = Stored {
            spec,
            version: 1,
            updated_at: at,
            updated_by: Some(actor.label()),
        };
        let created = self.entry(&config, Some(&row), &[]);
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.create",
                target: format!("source:{}", row.spec.id),
                before: None,
                after: Some(serde_json::to_value(&created)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(created)
    }

    /// Replaces stored source `id` if it is still at `expected` version.
    pub async fn update(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        spec: SourceSpec,
    ) -> Result<SourceEntry, SourceAdminError> {
        if spec.id != id {
            return Err(AdminError::field(
                "id",
                "an id cannot change: delete the source and create another",
            )
            .into());
        }
        if self.is_config(id) {
            return Err(SourceAdminError::FromConfig(id.to_owned()));
        }
        let config =
            to_config(&spec, &self.ogc.limits, self.ogc.env()).map_err(AdminError::invalid)?;
        let _order = self.ogc.lock_writes().await;
        // Read before the write transaction (an in-memory store has one connection).
        let syncs = self.store.sync_status().await?;
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = stored_one(&mut tx, id)
            .await?
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))?;
        if before.version != expected {
            return Err(stale(id, &before));
        }
        let at = now_rfc3339();
        sqlx::query("UPDATE ogc_sources SET source = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?")
            .bind(serde_json::to_string(&spec)?)
            .bind(&at)
            .bind(actor.label())
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await
            ?;
        let old = self
            .ogc
            .source(id)
            .unwrap_or_else(|| to_config_unchecked(&before.spec));
        let before_entry = self.entry(&old, Some(&before), &syncs);
        let row = Stored {
            spec,
            version: expected + 1,
            updated_at: at,
            updated_by: Some(actor.label()),
        };
        let after = self.entry(&config, Some(&row), &syncs);
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.update",
                target: format!("source:{id}"),
                before: Some(serde_json::to_value(&before_entry)?),
                after: Some(serde_json::to_value(&after)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(after)
    }

    /// Deletes stored source `id` (at `expected` version) and its harvested layers; answers how
    /// many layers went.
    pub async fn delete(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
    ) -> Result<usize, SourceAdminError> {
        if self.is_config(id) {
            return Err(SourceAdminError::FromConfig(id.to_owned()));
        }
        let _order = self.ogc.lock_writes().await;
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = stored_one(&mut tx, id)
            .await?
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))?;
        if before.version != expected {
            return Err(stale(id, &before));
        }
        let layers = sqlx::query("DELETE FROM ogc_layers WHERE source = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let removed = usize::try_from(layers.rows_affected()).unwrap_or(usize::MAX);
        for statement in [
            "DELETE FROM ogc_syncs WHERE source = ?",
            "DELETE FROM ogc_sources WHERE id = ?",
        ] {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        let old = self
            .ogc
            .source(id)
            .unwrap_or_else(|| to_config_unchecked(&before.spec));
        let mut before_json = serde_json::to_value(self.entry(&old, Some(&before), &[]))?;
        if let Some(object) = before_json.as_object_mut() {
            object.insert("layers_removed".to_owned(), Value::from(removed));
        }
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.delete",
                target: format!("source:{id}"),
                before: Some(before_json),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(removed)
    }

    /// Puts the stored sources in force and rebuilds the catalogue (callers hold the write
    /// lock).
    async fn reload(&self) -> Result<(), SourceAdminError> {
        let stored = load(self.store, &self.ogc.limits, self.ogc.env()).await?;
        self.ogc.set_stored(stored);
        self.ogc.refresh().await?;
        Ok(())
    }
}

fn stale(id: &str, current: &Stored) -> SourceAdminError {
    Stale::new(
        format!("source {id}"),
        current.updated_by.as_deref(),
        &current.updated_at,
        current.version,
    )
    .into()
}
