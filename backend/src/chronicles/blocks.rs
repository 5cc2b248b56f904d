//! Columnar blocks: each series' samples also kept as blobs of up to [`BLOCK_SAMPLES`]
//! consecutive samples (times as zig-zag varint deltas, values as little-endian `f64`, `NaN`
//! for a missing value), so that a whole series is read as a few hundred rows instead of one
//! row per sample — sqlx hands SQLite rows over one by one through a worker thread, which costs
//! about a microsecond each. Blocks are derived data: `chronicle_samples` stays the truth.
//!
//! Freshness without trusting every writer: triggers on `chronicle_samples` (schema in [`super::store`]) put the series of
//! every inserted, updated or deleted sample in `chronicle_dirty` (also for a `kartenn`
//! import run by another process); [`rebuild`] re-derives a dirty series' blocks in one write
//! transaction that starts by taking it off the list. Opening the store marks every series
//! without blocks dirty (stores written before blocks existed).

use sqlx::Row;
use sqlx::sqlite::SqlitePool;

use super::ChronicleError;

/// Samples per block: ~40 KB blobs, 245 rows for a million samples.
pub const BLOCK_SAMPLES: usize = 4096;

/// A series' samples as columns, time ascending: what the query cache holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Columns {
    /// µs since the Unix epoch, strictly ascending.
    pub t: Vec<i64>,
    /// `NaN` for a missing value.
    pub v: Vec<f64>,
}

impl Columns {
    pub fn len(&self) -> usize {
        self.t.len()
    }

    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    /// Memory held, for the cache's weigher.
    pub fn bytes(&self) -> usize {
        self.t.capacity() * 8 + self.v.capacity() * 8 + 64
    }

    /// The index range of the samples within `[from, to]`.
    pub fn range(&self, from: i64, to: i64) -> std::ops::Range<usize> {
        let lo = self.t.partition_point(|&t| t < from);
        let hi = self.t.partition_point(|&t| t <= to);
        lo..hi.max(lo)
    }
}

/// Whether the series' blocks are stale (samples changed since they were made).
pub async fn is_dirty(pool: &SqlitePool, series: i64) -> Result<bool, ChronicleError> {
    let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM chronicle_dirty WHERE series = ?)")
        .bind(series)
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<bool, _>(0)?)
}

/// The dirty series (of `dataset`, or all).
pub async fn dirty(pool: &SqlitePool, dataset: Option<&str>) -> Result<Vec<i64>, ChronicleError> {
    let rows = sqlx::query(
        "SELECT d.series FROM chronicle_dirty d
         LEFT JOIN chronicle_series s ON s.id = d.series
         WHERE ?1 IS NULL OR s.dataset = ?1 OR s.id IS NULL",
    )
    .bind(dataset)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok(r.try_get::<i64, _>(0)?)).collect()
}

/// Re-derives the blocks of `series` from its samples (one write transaction; the series
/// leaves the dirty list first, so a write arriving meanwhile waits and marks it again) and
/// returns its columns. If another task rebuilt it just before, its blocks are read instead.
pub async fn rebuild(pool: &SqlitePool, series: i64) -> Result<Columns, ChronicleError> {
    let mut tx = pool.begin().await?;
    let taken = sqlx::query("DELETE FROM chronicle_dirty WHERE series = ?")
        .bind(series)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if taken == 0 {
        tx.commit().await?;
        return load(pool, series).await;
    }
    let rows = sqlx::query("SELECT t, value FROM chronicle_samples WHERE series = ? ORDER BY t")
        .bind(series)
        .fetch_all(&mut *tx)
        .await?;
    let mut columns = Columns {
        t: Vec::with_capacity(rows.len()),
        v: Vec::with_capacity(rows.len()),
    };
    for row in &rows {
        columns.t.push(row.try_get(0)?);
        columns
            .v
            .push(row.try_get::<Option<f64>, _>(1)?.unwrap_or(f64::NAN));
    }
    drop(rows);
    sqlx::query("DELETE FROM chronicle_blocks WHERE series = ?")
        .bind(series)
        .execute(&mut *tx)
        .await?;
    for (t, v) in columns
        .t
        .chunks(BLOCK_SAMPLES)
        .zip(columns.v.chunks(BLOCK_SAMPLES))
    {
        let (Some(&t0), Some(&t1)) = (t.first(), t.last()) else {
            continue;
        };
        sqlx::query(
            "INSERT INTO chronicle_blocks (series, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(series)
        .bind(t0)
        .bind(t1)
        .bind(t.len() as i64)
        .bind(encode(t, v))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(columns)
}

/// The series' columns from its blocks (a few hundred rows for a million samples).
pub async fn load(pool: &SqlitePool, series: i64) -> Result<Columns, ChronicleError> {
    let rows = sqlx::query("SELECT n, data FROM chronicle_blocks WHERE series = ? ORDER BY t0")
        .bind(series)
        .fetch_all(pool)
        .await?;
    let mut total = 0usize;
    for row in &rows {
        total += usize::try_from(row.try_get::<i64, _>(0)?).unwrap_or(0);
    }
    let mut columns = Columns {
        t: Vec::with_capacity(total),
        v: Vec::with_capacity(total),
    };
    for row in &rows {
        let n = usize::try_from(row.try_get::<i64, _>(0)?).unwrap_or(0);
        let data: &[u8] = row.try_get(1)?;
        decode(data, n, &mut columns).ok_or_else(|| {
            sqlx::Error::Decode(format!("series {series}: a stored block is corrupt").into())
        })?;
    }
    Ok(columns)
}

/// Times (zig-zag varint deltas, the first from zero) then values (`f64` LE).
pub fn encode(t: &[i64], v: &[f64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.len() * 11);
    let mut previous = 0i64;
    for &x in t {
        let delta = x.wrapping_sub(previous);
        previous = x;
        let mut z = ((delta << 1) ^ (delta >> 63)) as u64;
        while z >= 0x80 {
            out.push((z as u8) | 0x80);
            z >>= 7;
        }
        out.push(z as u8);
    }
    for &x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Appends `n` samples decoded from `data` to `into`; `None` when the blob is malformed.
pub fn decode(data: &[u8], n: usize, into: &mut Columns) -> Option<()> {
    let mut pos = 0;
    let mut previous = 0i64;
    for _ in 0..n {
        let mut z = 0u64;
        let mut shift = 0;
        loop {
            let byte = *data.get(pos)?;
            pos += 1;
            z |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                break;
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
        let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
        previous = previous.wrapping_add(delta);
        into.t.push(previous);
    }
    let values = data.get(pos..)?;
    if values.len() != n * 8 {
        return None;
    }
    into.v.extend(values.chunks_exact(8).map(|b| {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(b);
        f64::from_le_bytes(raw)
    }));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn blocks_decode_to_what_was_encoded(
            samples in prop::collection::vec((any::<i64>(), prop::option::of(any::<f64>())), 0..500)
        ) {
            let t: Vec<i64> = samples.iter().map(|s| s.0).collect();
            let v: Vec<f64> = samples.iter().map(|s| s.1.unwrap_or(f64::NAN)).collect();
            let mut back = Columns::default();
            decode(&encode(&t, &v), t.len(), &mut back).unwrap();
            prop_assert_eq!(&back.t, &t);
            prop_assert!(back.v.iter().zip(&v).all(|(a, b)| a.to_bits() == b.to_bits()));
        }

        #[test]
        fn a_corrupt_block_is_refused_without_panicking(
            data in prop::collection::vec(any::<u8>(), 0..200), n in 0usize..50
        ) {
            let _ = decode(&data, n, &mut Columns::default());
        }
    }

    #[test]
    fn the_range_of_columns_is_found_by_binary_search() {
        let c = Columns {
            t: vec![10, 20, 30, 40],
            v: vec![1.0; 4],
        };
        assert_eq!(c.range(15, 35), 1..3);
        assert_eq!(c.range(10, 40), 0..4);
        assert_eq!(c.range(41, 50), 4..4);
        assert_eq!(c.range(0, 5), 0..0);
    }
}
