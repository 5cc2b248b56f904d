//! The store: one SQLite database (sqlx) for what Kartenn learns while running — the harvested
//! OGC catalogue and each source's last synchronisation. Harvested layers are kept as JSON
//! documents: they are read whole, written whole per source, and their shape follows the code.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, Sqlite, Transaction};

use crate::ogc::catalog::OgcLayer;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Open { path: String, source: sqlx::Error },
    #[error("store: {0}")]
    Query(#[from] sqlx::Error),
    #[error("store: a stored layer is unreadable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS ogc_layers (
        source TEXT NOT NULL,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (source, id)
    )",
    "CREATE TABLE IF NOT EXISTS ogc_syncs (
        source TEXT PRIMARY KEY,
        attempted_at TEXT NOT NULL,
        succeeded_at TEXT,
        error TEXT,
        added INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        removed INTEGER NOT NULL DEFAULT 0
    )",
    // Browser sessions (see crate::auth::session): the cookie holds a random id, the table
    // only its SHA-256, so a copy of the database opens no session.
    "CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY,
        principal TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        access_token TEXT NOT NULL,
        refresh_token TEXT,
        id_token TEXT,
        access_expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at)",
    // Sign-ins under way: what the callback needs, keyed by the SHA-256 of their `state`.
    "CREATE TABLE IF NOT EXISTS logins (
        state_hash TEXT PRIMARY KEY,
        nonce TEXT NOT NULL,
        pkce_verifier TEXT NOT NULL,
        return_to TEXT NOT NULL,
        created_at INTEGER NOT NULL
    )",
];

/// What a synchronisation changed in one source's layers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncDiff {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl SyncDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// A source's last synchronisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub source: String,
    /// RFC 3339 times.
    pub attempted_at: String,
    pub succeeded_at: Option<String>,
    /// Why the last attempt failed (`None`: it succeeded).
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database file.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source,
            })?;
        Self::init(pool).await
    }

    /// A private in-memory database (tests, and servers without OGC sources).
    pub async fn memory() -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new().in_memory(true);
        // One connection: every connection to ":memory:" is its own database.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Self::init(pool).await
    }

    async fn init(pool: SqlitePool) -> Result<Self, StoreError> {
        for statement in SCHEMA
            .iter()
            .chain(crate::chronicles::store::SCHEMA)
            .chain(crate::admin::SCHEMA)
            .chain(crate::admin::role_mapping::SCHEMA)
            .chain(crate::maps::SCHEMA)
            .chain(crate::admin::sources::SCHEMA)
            .chain(crate::admin::categories::SCHEMA)
        {
            sqlx::query(statement).execute(&pool).await?;
        }
        Ok(Self { pool })
    }

    /// The connection pool, for the domains that keep their own tables here (sessions).
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Every harvested layer, per source in harvest order.
    pub async fn ogc_layers(&self) -> Result<Vec<OgcLayer>, StoreError> {
        let rows = sqlx::query("SELECT doc FROM ogc_layers ORDER BY source, position")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok(serde_json::from_str(row.try_get::<&str, _>("doc")?)?))
            .collect()
    }

    /// Replaces one source's layers with `layers` in one transaction and says what changed.
    pub async fn replace_ogc_layers(
        &self,
        source: &str,
        layers: &[OgcLayer],
    ) -> Result<SyncDiff, StoreError> {
        let mut tx = self.pool.begin().await?;
        let old: Vec<(String, String)> =
            sqlx::query("SELECT id, doc FROM ogc_layers WHERE source = ? ORDER BY position")
                .bind(source)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get("id")?, row.try_get("doc")?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let mut diff = SyncDiff::default();
        let mut docs = Vec::with_capacity(layers.len());
        for layer in layers {
            let doc = serde_json::to_string(layer)?;
            match old.iter().find(|(id, _)| *id == layer.id) {
                None => diff.added.push(layer.id.clone()),
                Some((_, before)) if *before != doc => diff.changed.push(layer.id.clone()),
                Some(_) => {}
            }
            docs.push((layer.id.clone(), doc));
        }
        diff.removed = old
            .iter()
            .filter(|(id, _)| !layers.iter().any(|l| &l.id == id))
            .map(|(id, _)| id.clone())
            .collect();
        write_layers(&mut tx, source, &docs).await?;
        tx.commit().await?;
        Ok(diff)
    }

    /// Records an attempt: `Ok(diff)` or the error that left the catalogue as it was.
    pub async fn record_sync(
        &self,
        source: &str,
        at: &str,
        outcome: Result<&SyncDiff, &str>,
    ) -> Result<(), StoreError> {
        let (error, counts) = match outcome {
            Ok(d) => (None, [d.added.len(), d.changed.len(), d.removed.len()]),
            Err(e) => (Some(e), [0, 0, 0]),
        };
        let [added, changed, removed] = counts.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
        sqlx::query(
            "INSERT INTO ogc_syncs (source, attempted_at, succeeded_at, error, added, changed, removed)
             VALUES (?1, ?2, CASE WHEN ?3 IS NULL THEN ?2 END, ?3, ?4, ?5, ?6)
             ON CONFLICT (source) DO UPDATE SET
                attempted_at = excluded.attempted_at,
                succeeded_at = COALESCE(excluded.succeeded_at, ogc_syncs.succeeded_at),
                error = excluded.error,
                added = excluded.added, changed = excluded.changed, removed = excluded.removed",
        )
        .bind(source)
        .bind(at)
        .bind(error)
        .bind(added)
        .bind(changed)
        .bind(removed)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn sync_status(&self) -> Result<Vec<SyncStatus>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, attempted_at, succeeded_at, error FROM ogc_syncs ORDER BY source",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SyncStatus {
                    source: row.try_get("source")?,
                    attempted_at: row.try_get("attempted_at")?,
                    succeeded_at: row.try_get("succeeded_at")?,
                    error: row.try_get("error")?,
                })
            })
            .collect()
    }
}

/// Replaces one source's layers with `docs` (id, JSON) inside `tx`.
pub(crate) async fn write_layers(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    docs: &[(String, String)],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM ogc_layers WHERE source = ?")
        .bind(source)
        .execute(&mut **tx)
        .await?;
    for (position, (id, doc)) in docs.iter().enumerate() {
        sqlx::query("INSERT INTO ogc_layers (source, id, position, doc) VALUES (?, ?, ?, ?)")
            .bind(source)
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(doc)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(id: &str, title: &str) -> OgcLayer {
        OgcLayer {
            source: "s".into(),
            id: id.into(),
            wms_name: Some(id.into()),
            wfs_name: None,
            title: title.into(),
            abstract_text: None,
            keywords: vec![],
            bbox: None,
            styles: vec![],
            queryable: false,
            time: None,
            metadata_url: None,
            category: vec![],
            children: vec![],
        }
    }

    #[tokio::test]
    async fn replacing_a_sources_layers_reports_added_changed_and_removed() {
        let store = Store::memory().await.unwrap();
        let first = store
            .replace_ogc_layers("s", &[layer("a", "A"), layer("b", "B")])
            .await
            .unwrap();
        assert_eq!(first.added, ["a", "b"]);
        let again = store
            .replace_ogc_layers("s", &[layer("a", "A"), layer("b", "B")])
            .await
            .unwrap();
        assert!(again.is_empty(), "a second identical sync changes nothing");
        let next = store
            .replace_ogc_layers("s", &[layer("b", "B2"), layer("c", "C")])
            .await
            .unwrap();
        assert_eq!(next.added, ["c"]);
        assert_eq!(next.changed, ["b"]);
        assert_eq!(next.removed, ["a"]);
        let titles: Vec<String> = store
            .ogc_layers()
            .await
            .unwrap()
            .into_iter()
            .map(|l| l.title)
            .collect();
        assert_eq!(titles, ["B2", "C"]);
    }

    #[tokio::test]
    async fn a_failed_sync_keeps_the_last_success_time_and_says_why() {
        let store = Store::memory().await.unwrap();
        let diff = SyncDiff::default();
        store
            .record_sync("s", "2026-01-01T00:00:00Z", Ok(&diff))
            .await
            .unwrap();
        store
            .record_sync("s", "2026-01-02T00:00:00Z", Err("connection refused"))
            .await
            .unwrap();
        let status = store.sync_status().await.unwrap();
        assert_eq!(status.len(), 1);
        assert_eq!(status[0].attempted_at, "2026-01-02T00:00:00Z");
        assert_eq!(
            status[0].succeeded_at.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(status[0].error.as_deref(), Some("connection refused"));
    }

    #[tokio::test]
    async fn a_database_file_keeps_the_catalogue_across_openings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let store = Store::open(&path).await.unwrap();
            store
                .replace_ogc_layers("s", &[layer("a", "A")])
                .await
                .unwrap();
        }
        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.ogc_layers().await.unwrap().len(), 1);
    }
}
