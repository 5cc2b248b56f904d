//! The chronicle data model in SQLite (sqlx), designed for tens of millions of samples:
//! samples are a `WITHOUT ROWID` table keyed by (series, time), so a series' range is one
//! ordered B-tree walk and re-importing the same sample replaces it (idempotent). Times are
//! integers, microseconds since the Unix epoch, UTC. The schema maps one to one onto
//! PostgreSQL/TimescaleDB (`samples` a hypertable on `t`).

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use super::ChronicleError;
use crate::store::Store;

/// Statements run when the store opens (idempotent).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS chronicle_datasets (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        description TEXT,
        licence TEXT
    )",
    "CREATE TABLE IF NOT EXISTS chronicle_stations (
        dataset TEXT NOT NULL REFERENCES chronicle_datasets(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        lon REAL NOT NULL,
        lat REAL NOT NULL,
        attributes TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (dataset, id)
    )",
    "CREATE TABLE IF NOT EXISTS chronicle_series (
        id INTEGER PRIMARY KEY,
        dataset TEXT NOT NULL,
        station TEXT NOT NULL,
        variable TEXT NOT NULL,
        unit TEXT,
        step_s REAL,
        UNIQUE (dataset, station, variable),
        FOREIGN KEY (dataset, station) REFERENCES chronicle_stations(dataset, id) ON DELETE CASCADE
    )",
    "CREATE TABLE IF NOT EXISTS chronicle_samples (
        series INTEGER NOT NULL REFERENCES chronicle_series(id) ON DELETE CASCADE,
        t INTEGER NOT NULL,
        value REAL,
        quality INTEGER,
        PRIMARY KEY (series, t)
    ) WITHOUT ROWID",
    // Derived columnar blocks and their freshness (see `super::blocks`).
    "CREATE TABLE IF NOT EXISTS chronicle_blocks (
        series INTEGER NOT NULL REFERENCES chronicle_series(id) ON DELETE CASCADE,
        t0 INTEGER NOT NULL,
        t1 INTEGER NOT NULL,
        n INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (series, t0)
    )",
    "CREATE TABLE IF NOT EXISTS chronicle_dirty (series INTEGER PRIMARY KEY)",
    "CREATE TRIGGER IF NOT EXISTS chronicle_samples_inserted AFTER INSERT ON chronicle_samples
     BEGIN INSERT OR IGNORE INTO chronicle_dirty (series) VALUES (NEW.series); END",
    "CREATE TRIGGER IF NOT EXISTS chronicle_samples_updated AFTER UPDATE ON chronicle_samples
     BEGIN
        INSERT OR IGNORE INTO chronicle_dirty (series) VALUES (OLD.series);
        INSERT OR IGNORE INTO chronicle_dirty (series) VALUES (NEW.series);
     END",
    "CREATE TRIGGER IF NOT EXISTS chronicle_samples_deleted AFTER DELETE ON chronicle_samples
     BEGIN INSERT OR IGNORE INTO chronicle_dirty (series) VALUES (OLD.series); END",
    "INSERT OR IGNORE INTO chronicle_dirty (series)
     SELECT id FROM chronicle_series s
     WHERE NOT EXISTS (SELECT 1 FROM chronicle_blocks b WHERE b.series = s.id)
       AND EXISTS (SELECT 1 FROM chronicle_samples x WHERE x.series = s.id)",
];

#[derive(Debug, Clone, PartialEq)]
pub struct DatasetRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub licence: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StationRow {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// Other columns of the station file, as JSON.
    pub attributes: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRow {
    /// The store's key for the series (samples refer to it).
    pub key: i64,
    pub station: String,
    pub variable: String,
    pub unit: Option<String>,
    pub step_s: Option<f64>,
}

/// A series' samples summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// First and last sample times (µs), `None` when empty.
    pub range: Option<(i64, i64)>,
    pub count: u64,
}

/// The chronicle tables of the store.
#[derive(Clone)]
pub struct ChronicleStore {
    store: Store,
}

impl ChronicleStore {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn pool(&self) -> &SqlitePool {
        self.store.pool()
    }

    pub async fn datasets(&self) -> Result<Vec<DatasetRow>, ChronicleError> {
        let rows = sqlx::query(
            "SELECT id, title, description, licence FROM chronicle_datasets ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DatasetRow {
                    id: r.try_get("id")?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    licence: r.try_get("licence")?,
                })
            })
            .collect()
    }

    pub async fn dataset(&self, id: &str) -> Result<DatasetRow, ChronicleError> {
        self.datasets()
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| ChronicleError::UnknownDataset(id.to_owned()))
    }

    pub async fn stations(&self, dataset: &str) -> Result<Vec<StationRow>, ChronicleError> {
        let rows = sqlx::query(
            "SELECT id, name, lon, lat, attributes FROM chronicle_stations
             WHERE dataset = ? ORDER BY id",
        )
        .bind(dataset)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let attributes: String = r.try_get("attributes")?;
                Ok(StationRow {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    lon: r.try_get("lon")?,
                    lat: r.try_get("lat")?,
                    attributes: serde_json::from_str(&attributes).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The series of one station (or of every station with `station = None`).
    pub async fn series(
        &self,
        dataset: &str,
        station: Option<&str>,
    ) -> Result<Vec<SeriesRow>, ChronicleError> {
        let rows = sqlx::query(
            "SELECT id, station, variable, unit, step_s FROM chronicle_series
             WHERE dataset = ?1 AND (?2 IS NULL OR station = ?2) ORDER BY station, variable",
        )
        .bind(dataset)
        .bind(station)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SeriesRow {
                    key: r.try_get("id")?,
                    station: r.try_get("station")?,
                    variable: r.try_get("variable")?,
                    unit: r.try_get("unit")?,
                    step_s: r.try_get("step_s")?,
                })
            })
            .collect()
    }

    /// First and last times and the count of a series' samples, optionally within `[from, to]`.
    pub async fn extent(
        &self,
        series: i64,
        within: Option<(i64, i64)>,
    ) -> Result<Extent, ChronicleError> {
        let (from, to) = within.unwrap_or((i64::MIN, i64::MAX));
        let row = sqlx::query(
            "SELECT MIN(t) AS first, MAX(t) AS last, COUNT(*) AS n FROM chronicle_samples
             WHERE series = ? AND t >= ? AND t <= ?",
        )
        .bind(series)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        let first: Option<i64> = row.try_get("first")?;
        let last: Option<i64> = row.try_get("last")?;
        let count: i64 = row.try_get("n")?;
        Ok(Extent {
            range: first.zip(last),
            count: count.max(0) as u64,
        })
    }

    /// The samples of a series within `[from, to]` (µs), time ascending; `None` values are
    /// missing measurements (kept: the chart shows them as gaps).
    pub async fn samples(
        &self,
        series: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Option<f64>)>, ChronicleError> {
        let rows = sqlx::query(
            "SELECT t, value FROM chronicle_samples WHERE series = ? AND t >= ? AND t <= ?
             ORDER BY t",
        )
        .bind(series)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("t")?, r.try_get("value")?)))
            .collect()
    }
}
