//! The query side: datasets, stations and series summaries from the store, and series points
//! from an in-memory columnar cache.
//!
//! **Fast path.** A series is held in memory as two columns (times `i64` µs, values `f64`)
//! in a moka cache bounded in bytes (weigher: 16 bytes a sample). A miss reads the series'
//! columnar blocks (see [`super::blocks`]: a few hundred blob rows for a million samples,
//! not a million rows), and identical concurrent misses wait for one load (single flight).
//! A range is then two binary searches, and downsampling one linear pass over the slice —
//! on the blocking pool when the slice is large. Freshness: every lookup of a series also
//! reads its dirty flag (set by triggers whenever its samples change, whoever wrote them);
//! a dirty series is dropped from the cache and its blocks rebuilt by the load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::Stream;
use kartenn_common::{ChronicleDataset, SeriesInfo, SeriesPoints};
use moka::future::Cache;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row;

use super::ChronicleError;
use super::blocks::{self, Columns};
use super::downsample::downsample;
use super::query::{PointsQuery, iso, to_ms};
use super::store::{ChronicleStore, DatasetRow};

/// Memory for cached series when nothing else is said: ~16 M samples.
pub const DEFAULT_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// Ranges longer than this are downsampled on the blocking pool.
const INLINE_SAMPLES: usize = 100_000;

/// A dataset and what it holds, for the listing and the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSummary {
    pub wire: ChronicleDataset,
    /// West, south, east, north of its stations.
    pub bounds: Option<[f64; 4]>,
}

/// `GET /api/chronicles/{dataset}/stations`: a GeoJSON FeatureCollection of points.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StationCollection {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    pub features: Vec<StationFeature>,
}

/// One station.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StationFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The station id.
    pub id: String,
    pub geometry: PointGeometry,
    /// The station's attributes from its file, then `id`, `name`, `series` (count) and, when
    /// it has samples, `start` / `end` (Unix ms).
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
}

/// A GeoJSON point in WGS 84.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Longitude, latitude.
    pub coordinates: [f64; 2],
}

/// A series found by its names.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRef {
    pub key: i64,
    pub dataset: String,
    pub station: String,
    pub variable: String,
    pub unit: Option<String>,
    pub step_s: Option<f64>,
    /// Its samples changed since its blocks were made.
    pub dirty: bool,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    loads: AtomicU64,
    load_micros: AtomicU64,
}

pub struct ChronicleService {
    store: ChronicleStore,
    cache: Cache<i64, Arc<Columns>>,
    counters: Counters,
}

impl ChronicleService {
    /// A service over `store` caching at most `cache_bytes` of series columns.
    pub fn new(store: ChronicleStore, cache_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(cache_bytes)
            .weigher(|_: &i64, c: &Arc<Columns>| u32::try_from(c.bytes()).unwrap_or(u32::MAX))
            .build();
        Self {
            store,
            cache,
            counters: Counters::default(),
        }
    }

    pub fn store(&self) -> &ChronicleStore {
        &self.store
    }

    /// The dataset, or `UnknownDataset`.
    pub async fn dataset(&self, id: &str) -> Result<DatasetRow, ChronicleError> {
        self.store.dataset(id).await
    }

    /// Every dataset with its counts, extent and stations' bounds.
    pub async fn datasets(&self) -> Result<Vec<DatasetSummary>, ChronicleError> {
        self.refresh(None).await?;
        let rows = sqlx::query(
            "SELECT d.id, d.title, d.description, d.licence,
                (SELECT COUNT(*) FROM chronicle_stations s WHERE s.dataset = d.id) AS stations,
                (SELECT COUNT(*) FROM chronicle_series s WHERE s.dataset = d.id) AS series,
                (SELECT MIN(lon) FROM chronicle_stations s WHERE s.dataset = d.id
                    AND json_extract(s.attributes, '$.located') IS NOT 0) AS west,
                (SELECT MIN(lat) FROM chronicle_stations s WHERE s.dataset = d.id
                    AND json_extract(s.attributes, '$.located') IS NOT 0) AS south,
                (SELECT MAX(lon) FROM chronicle_stations s WHERE s.dataset = d.id
                    AND json_extract(s.attributes, '$.located') IS NOT 0) AS east,
                (SELECT MAX(lat) FROM chronicle_stations s WHERE s.dataset = d.id
                    AND json_extract(s.attributes, '$.located') IS NOT 0) AS north,
                a.n, a.first, a.last
             FROM chronicle_datasets d LEFT JOIN (
                SELECT s.dataset, SUM(b.n) AS n, MIN(b.t0) AS first, MAX(b.t1) AS last
                FROM chronicle_series s JOIN chronicle_blocks b ON b.series = s.id
                GROUP BY s.dataset
             ) a ON a.dataset = d.id
             ORDER BY d.id",
        )
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let bounds = match (
                    r.try_get::<Option<f64>, _>("west")?,
                    r.try_get::<Option<f64>, _>("south")?,
                    r.try_get::<Option<f64>, _>("east")?,
                    r.try_get::<Option<f64>, _>("north")?,
                ) {
                    (Some(w), Some(s), Some(e), Some(n)) => Some([w, s, e, n]),
                    _ => None,
                };
                Ok(DatasetSummary {
                    wire: ChronicleDataset {
                        stations_url: format!("/api/chronicles/{}/stations", segment(&id)),
                        id,
                        title: r.try_get("title")?,
                        description: r.try_get("description")?,
                        licence: r.try_get("licence")?,
                        stations: count(r.try_get("stations")?),
                        series: count(r.try_get("series")?),
                        samples: count(r.try_get::<Option<i64>, _>("n")?.unwrap_or(0)),
                        extent: extent(r.try_get("first")?, r.try_get("last")?),
                    },
                    bounds,
                })
            })
            .collect()
    }

    /// The stations of `dataset` as GeoJSON points.
    pub async fn stations(&self, dataset: &str) -> Result<StationCollection, ChronicleError> {
        self.store.dataset(dataset).await?;
        self.refresh(Some(dataset)).await?;
        let stations = self.store.stations(dataset).await?;
        let rows = sqlx::query(
            "SELECT s.station, COUNT(DISTINCT s.id) AS series, MIN(b.t0) AS first,
                MAX(b.t1) AS last
             FROM chronicle_series s LEFT JOIN chronicle_blocks b ON b.series = s.id
             WHERE s.dataset = ? GROUP BY s.station",
        )
        .bind(dataset)
        .fetch_all(self.store.pool())
        .await?;
        let mut stats = std::collections::HashMap::new();
        for r in &rows {
            let station: String = r.try_get("station")?;
            let first: Option<i64> = r.try_get("first")?;
            let last: Option<i64> = r.try_get("last")?;
            stats.insert(station, (r.try_get::<i64, _>("series")?, first.zip(last)));
        }
        // Stations met only in a data file (no stations file gave their place) are not drawn.
        let features = stations
            .into_iter()
            .filter(|s| s.attributes.get("located") != Some(&Value::Bool(false)))
            .map(|s| {
                let (series, range) = stats.get(&s.id).copied().unwrap_or((0, None));
                let mut properties = s.attributes;
                properties.insert("id".into(), Value::from(s.id.clone()));
                properties.insert("name".into(), Value::from(s.name));
                properties.insert("series".into(), Value::from(series));
                if let Some((first, last)) = range {
                    properties.insert("start".into(), Value::from(to_ms(first)));
                    properties.insert("end".into(), Value::from(to_ms(last)));
                }
                StationFeature {
                    kind: "Feature".into(),
                    id: s.id,
                    geometry: PointGeometry {
                        kind: "Point".into(),
                        coordinates: [s.lon, s.lat],
                    },
                    properties,
                }
            })
            .collect();
        Ok(StationCollection {
            kind: "FeatureCollection".into(),
            features,
        })
    }

    /// The series measured at `station`, with their counts and extents.
    pub async fn series_list(
        &self,
        dataset: &str,
        station: &str,
    ) -> Result<Vec<SeriesInfo>, ChronicleError> {
        self.store.dataset(dataset).await?;
        if !self.station_exists(dataset, station).await? {
            return Err(ChronicleError::UnknownStation {
                dataset: dataset.into(),
                station: station.into(),
            });
        }
        self.refresh(Some(dataset)).await?;
        let rows = sqlx::query(
            "SELECT s.variable, s.unit, s.step_s, COALESCE(SUM(b.n), 0) AS n,
                MIN(b.t0) AS first, MAX(b.t1) AS last
             FROM chronicle_series s LEFT JOIN chronicle_blocks b ON b.series = s.id
             WHERE s.dataset = ? AND s.station = ? GROUP BY s.id ORDER BY s.variable",
        )
        .bind(dataset)
        .bind(station)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let variable: String = r.try_get("variable")?;
                Ok(SeriesInfo {
                    url: format!(
                        "/api/chronicles/{}/stations/{}/series/{}",
                        segment(dataset),
                        segment(station),
                        segment(&variable)
                    ),
                    variable,
                    unit: r.try_get("unit")?,
                    step_s: r.try_get("step_s")?,
                    extent: extent(r.try_get("first")?, r.try_get("last")?),
                    count: count(r.try_get("n")?),
                })
            })
            .collect()
    }

    /// Whether `dataset` has a station `station` (one indexed look-up, not the whole list).
    async fn station_exists(&self, dataset: &str, station: &str) -> Result<bool, ChronicleError> {
        let known = sqlx::query("SELECT 1 FROM chronicle_stations WHERE dataset = ? AND id = ?")
            .bind(dataset)
            .bind(station)
            .fetch_optional(self.store.pool())
            .await?;
        Ok(known.is_some())
    }

    /// Finds a series by its names; the error says which name is unknown.
    pub async fn series(
        &self,
        dataset: &str,
        station: &str,
        variable: &str,
    ) -> Result<SeriesRef, ChronicleError> {
        let row = sqlx::query(
            "SELECT s.id, s.unit, s.step_s,
                EXISTS (SELECT 1 FROM chronicle_dirty d WHERE d.series = s.id) AS dirty
             FROM chronicle_series s WHERE s.dataset = ? AND s.station = ? AND s.variable = ?",
        )
        .bind(dataset)
        .bind(station)
        .bind(variable)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else {
            self.store.dataset(dataset).await?;
            return Err(if self.station_exists(dataset, station).await? {
                ChronicleError::UnknownSeries {
                    station: station.into(),
                    variable: variable.into(),
                }
            } else {
                ChronicleError::UnknownStation {
                    dataset: dataset.into(),
                    station: station.into(),
                }
            });
        };
        Ok(SeriesRef {
            key: row.try_get("id")?,
            dataset: dataset.into(),
            station: station.into(),
            variable: variable.into(),
            unit: row.try_get("unit")?,
            step_s: row.try_get("step_s")?,
            dirty: row.try_get("dirty")?,
        })
    }

    /// The series' columns, from the cache or loaded once (rebuilt first when dirty).
    pub async fn columns(&self, series: &SeriesRef) -> Result<Arc<Columns>, ChronicleError> {
        if series.dirty {
            self.cache.invalidate(&series.key).await;
        }
        let pool = self.store.pool().clone();
        let (key, dirty) = (series.key, series.dirty);
        let started = std::time::Instant::now();
        let entry = self
            .cache
            .entry(key)
            .or_try_insert_with(async move {
                let columns = if dirty {
                    blocks::rebuild(&pool, key).await?
                } else {
                    blocks::load(&pool, key).await?
                };
                Ok::<_, ChronicleError>(Arc::new(columns))
            })
            .await
            .map_err(shared)?;
        if entry.is_fresh() {
            self.counters.loads.fetch_add(1, Ordering::Relaxed);
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            self.counters
                .load_micros
                .fetch_add(micros, Ordering::Relaxed);
        } else {
            self.counters.hits.fetch_add(1, Ordering::Relaxed);
        }
        Ok(entry.into_value())
    }

    /// The series' points in the asked range, downsampled to the asked budget.
    pub async fn points(
        &self,
        series: &SeriesRef,
        query: &PointsQuery,
    ) -> Result<SeriesPoints, ChronicleError> {
        let columns = self.columns(series).await?;
        // Missing ends are the series' own, never crossing the other end (checked ≤ already).
        let (first, last) = (columns.t.first().copied(), columns.t.last().copied());
        let to = query
            .to
            .unwrap_or_else(|| last.unwrap_or(0).max(query.from.unwrap_or(i64::MIN)));
        let from = query.from.unwrap_or_else(|| first.unwrap_or(0).min(to));
        let range = columns.range(from, to);
        let total = range.len();
        let step = series.step_s.map(|s| (s * 1e6).round() as i64);
        let (points, method) = (query.points, query.method);
        let reduce =
            move |c: &Columns| downsample(&c.t[range.clone()], &c.v[range], step, points, method);
        let reduced = if total > INLINE_SAMPLES {
            let columns = Arc::clone(&columns);
            tokio::task::spawn_blocking(move || reduce(&columns))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("downsampling task: {e}")))?
        } else {
            reduce(&columns)
        };
        Ok(SeriesPoints {
            dataset: series.dataset.clone(),
            station: series.station.clone(),
            variable: series.variable.clone(),
            unit: series.unit.clone(),
            from: to_ms(from),
            to: to_ms(to),
            total: total as u64,
            downsampling: reduced.method,
            points: reduced
                .points
                .into_iter()
                .map(|(t, v)| (to_ms(t), v))
                .collect(),
        })
    }

    /// The raw samples of the range as CSV (`time,value,quality`), read in pages of
    /// [`EXPORT_PAGE`] samples (keyset on time, so no connection is held while the client
    /// reads) and sent as they come.
    pub fn export(
        &self,
        series: &SeriesRef,
        from: Option<i64>,
        to: Option<i64>,
    ) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
        let pool = self.store.pool().clone();
        let key = series.key;
        let to = to.unwrap_or(i64::MAX);
        tokio::spawn(async move {
            let mut chunk = String::from("time,value,quality\n");
            let mut after = from.map(|f| f.saturating_sub(1));
            loop {
                let page = match export_page(&pool, key, after, to).await {
                    Ok(page) => page,
                    Err(e) => {
                        tracing::error!(error = %e, "chronicle export failed");
                        let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                        return;
                    }
                };
                let Some(&(last, _, _)) = page.last() else {
                    break;
                };
                write_csv(&mut chunk, &page);
                after = Some(last);
                let done = page.len() < EXPORT_PAGE;
                if tx
                    .send(Ok(Bytes::from(std::mem::take(&mut chunk))))
                    .await
                    .is_err()
                    || done
                {
                    return; // the client went away, or that was the last page
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(Ok(Bytes::from(chunk))).await;
            }
        });
        futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        })
    }

    /// Forgets the cached series of `dataset` (the import side calls it after writing); their
    /// blocks are rebuilt now if their samples changed.
    pub async fn invalidate(&self, dataset: &str) -> Result<(), ChronicleError> {
        for s in self.store.series(dataset, None).await? {
            self.cache.invalidate(&s.key).await;
        }
        self.refresh(Some(dataset)).await.map(drop)
    }

    /// Rebuilds the blocks of every dirty series (of `dataset`, or all); how many.
    pub async fn refresh(&self, dataset: Option<&str>) -> Result<usize, ChronicleError> {
        let dirty = blocks::dirty(self.store.pool(), dataset).await?;
        for &key in &dirty {
            self.cache.invalidate(&key).await;
            blocks::rebuild(self.store.pool(), key).await?;
        }
        Ok(dirty.len())
    }

    /// Prometheus lines: cache hits, loads, load time, bytes and entries.
    pub fn metrics(&self) -> String {
        let c = &self.counters;
        format!(
            "# TYPE kartenn_chronicle_cache_hits_total counter\n\
             kartenn_chronicle_cache_hits_total {}\n\
             # TYPE kartenn_chronicle_series_loads_total counter\n\
             kartenn_chronicle_series_loads_total {}\n\
             # TYPE kartenn_chronicle_series_load_seconds_total counter\n\
             kartenn_chronicle_series_load_seconds_total {:.6}\n\
             # TYPE kartenn_chronicle_cache_bytes gauge\n\
             kartenn_chronicle_cache_bytes {}\n\
             # TYPE kartenn_chronicle_cache_entries gauge\n\
             kartenn_chronicle_cache_entries {}\n",
            c.hits.load(Ordering::Relaxed),
            c.loads.load(Ordering::Relaxed),
            c.load_micros.load(Ordering::Relaxed) as f64 / 1e6,
            self.cache.weighted_size(),
            self.cache.entry_count(),
        )
    }
}

/// Samples per page of a CSV export.
const EXPORT_PAGE: usize = 8192;

/// One page of samples after `after` (exclusive) up to `to` (inclusive).
async fn export_page(
    pool: &sqlx::SqlitePool,
    series: i64,
    after: Option<i64>,
    to: i64,
) -> Result<Vec<(i64, Option<f64>, Option<i64>)>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT t, value, quality FROM chronicle_samples
         WHERE series = ? AND t > ? AND t <= ? ORDER BY t LIMIT ?",
    )
    .bind(series)
    .bind(after.unwrap_or(i64::MIN))
    .bind(to)
    .bind(EXPORT_PAGE as i64)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// `time,value,quality` lines; an empty field for a missing value or quality.
fn write_csv(out: &mut String, samples: &[(i64, Option<f64>, Option<i64>)]) {
    use std::fmt::Write as _;
    for &(t, value, quality) in samples {
        out.push_str(&iso(t));
        out.push(',');
        if let Some(v) = value {
            let _ = write!(out, "{v}");
        }
        out.push(',');
        if let Some(q) = quality {
            let _ = write!(out, "{q}");
        }
        out.push('\n');
    }
}

/// A failure shared by the waiters of one load: the first keeps the original error.
fn shared(err: Arc<ChronicleError>) -> ChronicleError {
    Arc::try_unwrap(err).unwrap_or_else(|shared| {
        ChronicleError::Store(sqlx::Error::Protocol(shared.to_string()).into())
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn extent(first: Option<i64>, last: Option<i64>) -> Option<[f64; 2]> {
    first.zip(last).map(|(a, b)| [to_ms(a), to_ms(b)])
}

/// A name as one URL path segment (everything but unreserved characters percent-encoded).
pub fn segment(name: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}
