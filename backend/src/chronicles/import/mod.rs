//! `kartenn chronicles import` and `[[chronicles]]`: CSV files of measurements → the chronicle
//! tables of the store.
//!
//! The file is streamed: a blocking thread reads it with the `csv` crate ([`reader`]), turns
//! rows into samples (times through [`time`], stations checked against the stations file read
//! by [`stations`]) and hands them over in chunks through a bounded channel, so a file of any
//! size takes little memory and parsing overlaps the writes. The writer ([`write`]) runs ONE
//! transaction for the whole import with multi-row `INSERT OR REPLACE` statements: a failed
//! import (I/O error, `strict` with bad rows, store error) leaves the store as it was, and
//! re-importing a file replaces its samples instead of doubling them (samples are keyed by
//! series and time). [`configured`] imports the configured files whose content changed.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::ChronicleError;
use super::store::ChronicleStore;

mod configured;
mod reader;
mod stations;
mod step;
#[cfg(test)]
mod tests;
pub mod time;
mod values;
mod write;

pub use configured::import_configured;

/// At most this many bad rows are listed in a report (all are counted).
pub const MAX_BAD_ROWS_LISTED: usize = 100;

/// The dataset a file is imported into (created, or updated with what is given).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DatasetMeta {
    /// a-z 0-9 _ -, used in URLs.
    pub id: String,
    /// `None`: kept as stored (the id for a new dataset).
    pub title: Option<String>,
    pub description: Option<String>,
    pub licence: Option<String>,
}

/// Where a station's identifier comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StationSource {
    /// A column of the file.
    Column(String),
    /// One station for the whole file.
    Fixed(String),
}

/// One measured column of a wide file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableColumn {
    pub column: String,
    /// The variable's name in the store (often the column's).
    pub variable: String,
    pub unit: Option<String>,
}

/// The shape of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One sample per row: `station, variable, time, value[, quality]`.
    Long {
        station: StationSource,
        variable: String,
        time: String,
        value: String,
        quality: Option<String>,
    },
    /// One row per time and station, one column per variable.
    Wide {
        station: StationSource,
        time: String,
        /// `None`: every other column whose values (in the first rows) are numbers.
        variables: Option<Vec<VariableColumn>>,
    },
}

/// What to import and how to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    pub dataset: DatasetMeta,
    pub layout: Layout,
    /// CSV of the stations: `id`, `name`, `lon`, `lat` (or `station`, `longitude`, `latitude`,
    /// `x`, `y`...); other columns become attributes. With it, rows naming another station are
    /// bad rows; without it, stations not yet stored are created without a location.
    pub stations: Option<PathBuf>,
    /// strftime format of the times; `None`: ISO 8601 / RFC 3339 and dates.
    pub time_format: Option<String>,
    /// IANA zone of times written without an offset; `None`: UTC.
    pub time_zone: Option<String>,
    /// Unit per variable (for wide columns without their own).
    pub units: BTreeMap<String, String>,
    /// Field delimiter; `None`: guessed from the header line (`,`, `;` or tab).
    pub delimiter: Option<u8>,
    /// Any bad row fails the import (nothing is kept).
    pub strict: bool,
    /// Remove the dataset's stations, series and samples first (in the same transaction):
    /// the file becomes the dataset's whole content.
    pub replace: bool,
}

impl ImportOptions {
    /// Options for a file of the given layout with everything else by default.
    pub fn new(dataset: &str, layout: Layout) -> Self {
        Self {
            dataset: DatasetMeta {
                id: dataset.to_owned(),
                ..DatasetMeta::default()
            },
            layout,
            stations: None,
            time_format: None,
            time_zone: None,
            units: BTreeMap::new(),
            delimiter: None,
            strict: false,
            replace: false,
        }
    }

    /// Checks what can be checked before reading anything.
    pub fn validate(&self) -> Result<(), ImportError> {
        let bad = |message: String| Err(ImportError::Options(message));
        if !crate::config::is_valid_id(&self.dataset.id) {
            return bad(format!(
                "dataset id `{}` must be 1-64 characters of a-z, 0-9, `_` or `-`",
                self.dataset.id
            ));
        }
        time::TimeParser::new(self.time_format.as_deref(), self.time_zone.as_deref())
            .map_err(ImportError::Options)?;
        if self.delimiter.is_some_and(|d| !d.is_ascii() || d == b'"') {
            return bad("the delimiter must be one ASCII character other than `\"`".to_owned());
        }
        let (station, mut columns) = match &self.layout {
            Layout::Long {
                station,
                variable,
                time,
                value,
                quality,
            } => {
                let mut columns = vec![variable, time, value];
                columns.extend(quality);
                (station, columns)
            }
            Layout::Wide {
                station,
                time,
                variables,
            } => {
                let mut columns = vec![time];
                if let Some(variables) = variables {
                    if variables.is_empty() {
                        return bad("a wide file needs at least one variable column".to_owned());
                    }
                    columns.extend(variables.iter().map(|v| &v.column));
                    let mut names: Vec<_> = variables.iter().map(|v| &v.variable).collect();
                    names.sort();
                    if let Some([twice, ..]) = names.windows(2).find(|w| w[0] == w[1]) {
                        return bad(format!("variable `{twice}` is given twice"));
                    }
                }
                (station, columns)
            }
        };
        match station {
            StationSource::Column(column) => columns.push(column),
            StationSource::Fixed(id) if id.trim().is_empty() => {
                return bad("the station id is empty".to_owned());
            }
            StationSource::Fixed(_) => {}
        }
        if let Some(empty) = columns.iter().find(|c| c.trim().is_empty()) {
            return bad(format!("column name `{empty}` is empty"));
        }
        columns.sort();
        if let Some([twice, ..]) = columns.windows(2).find(|w| w[0] == w[1]) {
            return bad(format!("column `{twice}` is used for two roles"));
        }
        Ok(())
    }
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// 1-based line of the file (the header is line 1).
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub dataset: String,
    pub file: PathBuf,
    /// Data rows read (the header excluded), bad ones included.
    pub rows: u64,
    /// Samples written (new or replacing one at the same series and time).
    pub samples: u64,
    /// Stations and series that received samples.
    pub stations: u64,
    pub series: u64,
    /// Stations created without a location (no stations file named them).
    pub unlocated_stations: Vec<String>,
    /// The first [`MAX_BAD_ROWS_LISTED`] bad rows.
    pub bad_rows: Vec<BadRow>,
    /// Every bad row.
    pub bad_row_count: u64,
    /// Bytes of the file read.
    pub bytes: u64,
    pub elapsed: Duration,
}

/// Why an import failed; nothing of it is kept.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {source}", .file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: no column `{column}` (the header has: {available})", .file.display())]
    MissingColumn {
        file: PathBuf,
        column: String,
        available: String,
    },
    /// The file cannot be read as a whole (header, encoding, stations file rows).
    #[error("{}: {message}", .file.display())]
    File { file: PathBuf, message: String },
    #[error("{}: line {line}: {message}", .file.display())]
    Line {
        file: PathBuf,
        line: u64,
        message: String,
    },
    #[error("invalid import options: {0}")]
    Options(String),
    #[error("{}", strict_message(.file, *.count, .rows))]
    Strict {
        file: PathBuf,
        count: u64,
        rows: Vec<BadRow>,
    },
    #[error("the import stopped: {0}")]
    Interrupted(String),
}

fn strict_message(file: &Path, count: u64, rows: &[BadRow]) -> String {
    let first: Vec<String> = rows.iter().take(3).map(ToString::to_string).collect();
    format!(
        "{}: {count} bad row{}, nothing imported (strict): {}{}",
        file.display(),
        if count == 1 { "" } else { "s" },
        first.join("; "),
        if count > 3 { "; …" } else { "" }
    )
}

/// Imports the CSV file `path` into the store, in one transaction. `progress(bytes read,
/// file size)` is called as the file is read.
pub async fn import(
    store: &ChronicleStore,
    options: &ImportOptions,
    path: &Path,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, ChronicleError> {
    let io = |source| ImportError::Io {
        file: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    import_reader(store, options, path, file, total, progress).await
}

/// Imports CSV text read from `reader` (named `name` in messages; `total` bytes expected, for
/// the progress), in one transaction.
pub async fn import_reader<R: Read + Send + 'static>(
    store: &ChronicleStore,
    options: &ImportOptions,
    name: &Path,
    reader: R,
    total: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportReport, ChronicleError> {
    let mut tx = store.pool().begin().await?;
    let report = write::run(&mut tx, options, name, reader, total, progress).await?;
    tx.commit().await?;
    Ok(report)
}
