//! The writing side of an import, inside the caller's transaction: the dataset and stations
//! first, then series as the reader announces them and samples in multi-row `INSERT OR
//! REPLACE` statements ([`ROWS_PER_STATEMENT`] rows, one prepared statement reused), and at
//! the end each touched series' regular step, computed in SQL over all its samples.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

use sqlx::{Row, SqliteConnection};
use tokio::sync::mpsc;

use super::reader::{self, Job, Message, Sample};
use super::step::{Step, regular_step};
use super::{ImportError, ImportOptions, ImportReport, stations};
use crate::chronicles::ChronicleError;
use crate::chronicles::store::StationRow;

/// Samples per INSERT statement (4 parameters each; SQLite allows 32 766).
pub(super) const ROWS_PER_STATEMENT: usize = 500;

/// Imports `reader` into the open transaction `conn`; the caller commits (or, on error, drops
/// the transaction: nothing is kept).
pub(super) async fn run<R: Read + Send + 'static>(
    conn: &mut SqliteConnection,
    options: &ImportOptions,
    name: &Path,
    reader: R,
    total: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, ChronicleError> {
    let started = Instant::now();
    options.validate()?;
    let listed = match &options.stations {
        Some(path) => Some(stations::read(path, None)?),
        None => None,
    };
    let dataset = options.dataset.id.as_str();
    upsert_dataset(conn, options).await?;
    if options.replace {
        clear_dataset(conn, dataset).await?;
    }
    let known_stations: Option<HashSet<String>> = listed
        .as_ref()
        .map(|rows| rows.iter().map(|s| s.id.clone()).collect());
    for station in listed.iter().flatten() {
        upsert_station(conn, dataset, station).await?;
    }
    progress(0, total);
    let (sender, mut receiver) = mpsc::channel(4);
    let job = Job {
        options: options.clone(),
        file: name.to_owned(),
        known_stations: known_stations.clone(),
    };
    let reading = tokio::task::spawn_blocking(move || reader::run(&job, reader, &sender));
    let mut keys = Vec::new();
    // Per series: whether it had samples before this import.
    let mut had_samples = Vec::new();
    let mut unlocated = Vec::new();
    let mut samples = 0;
    let insert_sql = insert_sql(ROWS_PER_STATEMENT);
    let writing: Result<(), ChronicleError> = async {
        while let Some(message) = receiver.recv().await {
            match message {
                Message::Series {
                    index,
                    station,
                    variable,
                    unit,
                } => {
                    debug_assert_eq!(index as usize, keys.len());
                    let listed = known_stations
                        .as_ref()
                        .is_some_and(|k| k.contains(&station));
                    if !listed && create_unlocated_station(conn, dataset, &station).await? {
                        unlocated.push(station.clone());
                    }
                    let key = upsert_series(conn, dataset, &station, &variable, unit).await?;
                    had_samples.push(has_samples(conn, key).await?);
                    keys.push(key);
                }
                Message::Samples {
                    samples: mut chunk,
                    bytes,
                } => {
                    // Grouped by series, the inserts touch fewer B-tree pages (measured: 7 %
                    // faster on a wide file). Stable: a later duplicate still wins.
                    chunk.sort_by_key(|s| (s.series, s.t));
                    samples += insert_samples(conn, &insert_sql, &keys, &chunk).await?;
                    progress(bytes, total);
                }
            }
        }
        Ok(())
    }
    .await;
    // On a write error the receiver is gone: the reader stops at its next send.
    drop(receiver);
    let read = reading
        .await
        .map_err(|e| ImportError::Interrupted(e.to_string()));
    writing?;
    let summary = read??;
    if options.strict && summary.bad_row_count > 0 {
        return Err(ImportError::Strict {
            file: name.to_owned(),
            count: summary.bad_row_count,
            rows: summary.bad_rows,
        }
        .into());
    }
    for (i, &key) in keys.iter().enumerate() {
        // A new series read in time order: its step is known already.
        match summary.steps.get(i) {
            Some(Step::Known(step)) if !had_samples[i] => set_step(conn, key, *step).await?,
            _ => update_step(conn, key).await?,
        }
    }
    progress(summary.bytes, total.max(summary.bytes));
    Ok(ImportReport {
        dataset: dataset.to_owned(),
        file: name.to_owned(),
        rows: summary.rows,
        samples,
        stations: summary.stations,
        series: keys.len() as u64,
        unlocated_stations: unlocated,
        bad_rows: summary.bad_rows,
        bad_row_count: summary.bad_row_count,
        bytes: summary.bytes,
        elapsed: started.elapsed(),
    })
}

async fn upsert_dataset(
    conn: &mut SqliteConnection,
    options: &ImportOptions,
) -> Result<(), sqlx::Error> {
    let meta = &options.dataset;
    sqlx::query(
        "INSERT INTO chronicle_datasets (id, title, description, licence)
         VALUES (?1, COALESCE(?2, ?1), ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET
            title = COALESCE(?2, title),
            description = COALESCE(?3, description),
            licence = COALESCE(?4, licence)",
    )
    .bind(&meta.id)
    .bind(&meta.title)
    .bind(&meta.description)
    .bind(&meta.licence)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes a dataset's samples, series and stations (the dataset row stays).
async fn clear_dataset(conn: &mut SqliteConnection, dataset: &str) -> Result<(), sqlx::Error> {
    for sql in [
        "DELETE FROM chronicle_samples WHERE series IN
            (SELECT id FROM chronicle_series WHERE dataset = ?)",
        "DELETE FROM chronicle_series WHERE dataset = ?",
        "DELETE FROM chronicle_stations WHERE dataset = ?",
    ] {
        sqlx::query(sql).bind(dataset).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn upsert_station(
    conn: &mut SqliteConnection,
    dataset: &str,
    station: &StationRow,
) -> Result<(), ChronicleError> {
    let attributes =
        serde_json::to_string(&station.attributes).map_err(|e| ChronicleError::Store(e.into()))?;
    sqlx::query(
        "INSERT INTO chronicle_stations (dataset, id, name, lon, lat, attributes)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset, id) DO UPDATE SET
            name = excluded.name, lon = excluded.lon, lat = excluded.lat,
            attributes = excluded.attributes",
    )
    .bind(dataset)
    .bind(&station.id)
    .bind(&station.name)
    .bind(station.lon)
    .bind(station.lat)
    .bind(attributes)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A station no stations file placed: kept if stored, else created at (0, 0) with the
/// attribute `"located": false`. Whether it was created.
async fn create_unlocated_station(
    conn: &mut SqliteConnection,
    dataset: &str,
    station: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO chronicle_stations (dataset, id, name, lon, lat, attributes)
         VALUES (?1, ?2, ?2, 0, 0, '{\"located\":false}')
         ON CONFLICT (dataset, id) DO NOTHING",
    )
    .bind(dataset)
    .bind(station)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The series' key, created if needed; a given unit replaces the stored one.
async fn upsert_series(
    conn: &mut SqliteConnection,
    dataset: &str,
    station: &str,
    variable: &str,
    unit: Option<String>,
) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO chronicle_series (dataset, station, variable, unit) VALUES (?, ?, ?, ?)
         ON CONFLICT (dataset, station, variable) DO UPDATE SET
            unit = COALESCE(excluded.unit, chronicle_series.unit)
         RETURNING id",
    )
    .bind(dataset)
    .bind(station)
    .bind(variable)
    .bind(unit)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")
}

fn insert_sql(rows: usize) -> String {
    let mut sql = String::with_capacity(80 + rows * 10);
    sql.push_str("INSERT OR REPLACE INTO chronicle_samples (series, t, value, quality) VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?)");
    }
    sql
}

/// Writes a chunk (full statements through the prepared `full_sql`); samples written.
async fn insert_samples(
    conn: &mut SqliteConnection,
    full_sql: &str,
    keys: &[i64],
    samples: &[Sample],
) -> Result<u64, ChronicleError> {
    let mut written = 0;
    for rows in samples.chunks(ROWS_PER_STATEMENT) {
        let partial;
        let sql = if rows.len() == ROWS_PER_STATEMENT {
            full_sql
        } else {
            partial = insert_sql(rows.len());
            &partial
        };
        let mut query = sqlx::query(sql);
        for sample in rows {
            let key = keys.get(sample.series as usize).copied().ok_or_else(|| {
                ImportError::Interrupted(format!("series #{} was never announced", sample.series))
            })?;
            query = query
                .bind(key)
                .bind(sample.t)
                .bind(sample.value)
                .bind(sample.quality);
        }
        written += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
}

async fn has_samples(conn: &mut SqliteConnection, series: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM chronicle_samples WHERE series = ?)")
        .bind(series)
        .fetch_one(&mut *conn)
        .await
}

/// Sets the series' `step_s` from all its stored samples: its most frequent time step when
/// at least 90 % of the steps have it (it is then the median too), else NULL.
async fn update_step(conn: &mut SqliteConnection, series: i64) -> Result<(), sqlx::Error> {
    let row = sqlx::query(
        "SELECT d, n, SUM(n) OVER () AS total FROM (
            SELECT d, COUNT(*) AS n FROM (
                SELECT t - LAG(t) OVER (ORDER BY t) AS d FROM chronicle_samples WHERE series = ?
            ) WHERE d IS NOT NULL GROUP BY d
         ) ORDER BY n DESC, d LIMIT 1",
    )
    .bind(series)
    .fetch_optional(&mut *conn)
    .await?;
    let step = match row {
        Some(row) => {
            let (d, n, total): (i64, i64, i64) =
                (row.try_get("d")?, row.try_get("n")?, row.try_get("total")?);
            regular_step(d, n as u64, total as u64)
        }
        None => None,
    };
    set_step(conn, series, step).await
}

async fn set_step(
    conn: &mut SqliteConnection,
    series: i64,
    step: Option<f64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE chronicle_series SET step_s = ? WHERE id = ?")
        .bind(step)
        .bind(series)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
