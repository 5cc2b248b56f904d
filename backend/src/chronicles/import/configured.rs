//! The configured chronicles (`[[chronicles]]`), imported at start-up when their file changed.
//!
//! `chronicle_imports` remembers, per dataset, the file imported with its size, modification
//! time and SHA-256 (of the bytes actually read) and a fingerprint of the options and of the
//! stations file. An unchanged file is skipped without being read; a touched file whose
//! content is the same is only hashed. A changed one replaces the dataset's content (stations,
//! series, samples) in one transaction that also records the new state, so a restart never
//! imports the same file twice and a failed import changes nothing.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{ImportError, ImportOptions, ImportReport, write};
use crate::chronicles::ChronicleError;
use crate::chronicles::store::ChronicleStore;
use crate::config::Config;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS chronicle_imports (
    dataset TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    options TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    samples INTEGER NOT NULL
)";

/// Imports every configured chronicle file whose content or options changed since its last
/// import into `store` (the dataset's previous content is replaced). Returns the reports of
/// the imports made; the first failure stops (the datasets before it are kept).
pub async fn import_configured(
    config: &Config,
    store: &ChronicleStore,
) -> Result<Vec<ImportReport>, ChronicleError> {
    if config.chronicles.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query(SCHEMA).execute(store.pool()).await?;
    let mut reports = Vec::new();
    for chronicle in &config.chronicles {
        let mut options = chronicle.import_options()?;
        options.replace = true;
        let path = chronicle.file.as_path();
        if let Some(report) = import_if_changed(store, &options, path).await? {
            if report.bad_row_count > 0 {
                tracing::warn!(
                    dataset = %report.dataset,
                    file = %path.display(),
                    bad_rows = report.bad_row_count,
                    first = %report.bad_rows.first().map(ToString::to_string).unwrap_or_default(),
                    "chronicle rows skipped"
                );
            }
            tracing::info!(
                dataset = %report.dataset,
                file = %path.display(),
                rows = report.rows,
                samples = report.samples,
                elapsed_ms = report.elapsed.as_millis(),
                "chronicles imported"
            );
            reports.push(report);
        } else {
            tracing::info!(dataset = %options.dataset.id, file = %path.display(),
                "chronicles unchanged since their last import");
        }
    }
    Ok(reports)
}

/// What the store remembers of a dataset's last configured import.
struct Previous {
    file: String,
    size: i64,
    mtime_ns: i64,
    sha256: String,
    options: String,
}

async fn import_if_changed(
    store: &ChronicleStore,
    options: &ImportOptions,
    path: &Path,
) -> Result<Option<ImportReport>, ChronicleError> {
    let io = |source| ImportError::Io {
        file: path.to_owned(),
        source,
    };
    let dataset = options.dataset.id.as_str();
    let fingerprint = fingerprint(options)?;
    let file_name = path.display().to_string();
    let (size, mtime_ns) = stat(path).map_err(io)?;
    let previous = sqlx::query(
        "SELECT file, size, mtime_ns, sha256, options FROM chronicle_imports WHERE dataset = ?",
    )
    .bind(dataset)
    .fetch_optional(store.pool())
    .await?
    .map(|row| -> Result<Previous, sqlx::Error> {
        Ok(Previous {
            file: row.try_get("file")?,
            size: row.try_get("size")?,
            mtime_ns: row.try_get("mtime_ns")?,
            sha256: row.try_get("sha256")?,
            options: row.try_get("options")?,
        })
    })
    .transpose()?;
    if let Some(previous) = previous.filter(|p| p.file == file_name && p.options == fingerprint) {
        if previous.size == size && previous.mtime_ns == mtime_ns {
            return Ok(None);
        }
        let owned = path.to_owned();
        let sha256 = tokio::task::spawn_blocking(move || hash_file(&owned))
            .await
            .map_err(|e| ImportError::Interrupted(e.to_string()))?
            .map_err(io)?;
        if previous.size == size && previous.sha256 == sha256 {
            // Touched, not changed.
            sqlx::query("UPDATE chronicle_imports SET mtime_ns = ? WHERE dataset = ?")
                .bind(mtime_ns)
                .bind(dataset)
                .execute(store.pool())
                .await?;
            return Ok(None);
        }
    }
    let hasher = Arc::new(Mutex::new(Sha256::new()));
    let reader = HashingReader {
        inner: std::fs::File::open(path).map_err(io)?,
        hasher: Arc::clone(&hasher),
    };
    let mut tx = store.pool().begin().await?;
    let report = write::run(&mut tx, options, path, reader, size as u64, &|_, _| {}).await?;
    let sha256 = hex(&hasher
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .finalize());
    sqlx::query(
        "INSERT INTO chronicle_imports
            (dataset, file, size, mtime_ns, sha256, options, imported_at, rows, samples)
         VALUES (?, ?, ?, ?, ?, ?, unixepoch(), ?, ?)
         ON CONFLICT (dataset) DO UPDATE SET
            file = excluded.file, size = excluded.size, mtime_ns = excluded.mtime_ns,
            sha256 = excluded.sha256, options = excluded.options,
            imported_at = excluded.imported_at, rows = excluded.rows, samples = excluded.samples",
    )
    .bind(dataset)
    .bind(&file_name)
    .bind(report.bytes as i64)
    .bind(mtime_ns)
    .bind(sha256)
    .bind(&fingerprint)
    .bind(report.rows as i64)
    .bind(report.samples as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(report))
}

/// Size and modification time (ns since the epoch).
fn stat(path: &Path) -> std::io::Result<(i64, i64)> {
    let meta = std::fs::metadata(path)?;
    let mtime = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    Ok((meta.len() as i64, mtime))
}

/// The options and the stations file's content: a change to either re-imports.
fn fingerprint(options: &ImportOptions) -> Result<String, ImportError> {
    let mut hasher = Sha256::new();
    hasher.update(format!("{options:?}").as_bytes());
    if let Some(stations) = &options.stations {
        let bytes = std::fs::read(stations).map_err(|source| ImportError::Io {
            file: stations.clone(),
            source,
        })?;
        hasher.update(&bytes);
    }
    Ok(hex(&hasher.finalize()))
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Hashes what the import reads, so the recorded hash is that of the content imported.
struct HashingReader<R> {
    inner: R,
    hasher: Arc<Mutex<Sha256>>,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::store::Store;

    async fn store() -> ChronicleStore {
        ChronicleStore::new(Store::memory().await.unwrap())
    }

    fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    async fn points(store: &ChronicleStore) -> Vec<(i64, Option<f64>)> {
        let series = &store.series("d", Some("a")).await.unwrap()[0];
        store.samples(series.key, i64::MIN, i64::MAX).await.unwrap()
    }

    const HEAD: &str = "station,variable,time,value\n";
    const TOML: &str =
        "layers = []\n[[chronicles]]\nid = \"d\"\nfile = \"d.csv\"\nlayout = \"long\"\n";

    /// A directory holding `d.csv` (one sample), the configuration of dataset `d` importing it
    /// (`TOML` then `extra`) and an empty store.
    async fn setup(
        extra: &str,
    ) -> (
        tempfile::TempDir,
        PathBuf,
        crate::config::Config,
        ChronicleStore,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = write_file(
            dir.path(),
            "d.csv",
            &format!("{HEAD}a,v,2024-01-01T00:00Z,1\n"),
        );
        let toml = format!("{TOML}{extra}");
        let config = crate::config::Config::from_toml(&toml, dir.path(), &|_| None).unwrap();
        (dir, file, config, store().await)
    }

    /// 2024-01-01T00:00:00Z in µs.
    const JAN1: i64 = 1_704_067_200_000_000;
    const DAY: i64 = 86_400_000_000;

    #[tokio::test]
    async fn configured_chronicles_are_imported_once_and_again_when_their_content_changes() {
        let (dir, file, config, store) = setup("").await;
        let first = import_configured(&config, &store).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].samples, 1);
        assert!(
            import_configured(&config, &store).await.unwrap().is_empty(),
            "unchanged: skipped"
        );
        // Rewritten with the same bytes (a new mtime): hashed, not imported.
        std::fs::write(&file, format!("{HEAD}a,v,2024-01-01T00:00Z,1\n")).unwrap();
        let touched = std::fs::File::options().append(true).open(&file).unwrap();
        touched
            .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert!(import_configured(&config, &store).await.unwrap().is_empty());
        // New content: the dataset becomes the file's (the old sample is gone).
        std::fs::write(&file, format!("{HEAD}a,v,2024-01-02T00:00Z,2\n")).unwrap();
        let changed = import_configured(&config, &store).await.unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(points(&store).await, [(JAN1 + DAY, Some(2.0))]);
        // New options: imported again.
        let toml = format!("{TOML}units = {{ v = \"m\" }}\n");
        let config = crate::config::Config::from_toml(&toml, dir.path(), &|_| None).unwrap();
        assert_eq!(import_configured(&config, &store).await.unwrap().len(), 1);
        assert_eq!(
            store.series("d", None).await.unwrap()[0].unit.as_deref(),
            Some("m")
        );
    }

    #[tokio::test]
    async fn a_configured_file_that_fails_leaves_its_dataset_and_record_as_they_were() {
        let (_dir, file, config, store) = setup("strict = true\n").await;
        import_configured(&config, &store).await.unwrap();
        std::fs::write(&file, format!("{HEAD}a,v,2024-01-02T00:00Z,bad\n")).unwrap();
        let err = import_configured(&config, &store)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("d.csv: 1 bad row") && err.contains("line 2"),
            "{err}"
        );
        assert_eq!(points(&store).await, [(JAN1, Some(1.0))]);
        // Fixed, it is imported (the failed attempt was not recorded as done).
        std::fs::write(&file, format!("{HEAD}a,v,2024-01-02T00:00Z,3\n")).unwrap();
        assert_eq!(import_configured(&config, &store).await.unwrap().len(), 1);
    }
}
