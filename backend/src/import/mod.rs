//! `kartenn import`: GeoJSON, Shapefile, GeoPackage, CSV (WKT or lon/lat columns) or
//! FlatGeobuf in, FlatGeobuf with a spatial index out, in EPSG:4326 (reprojected when the input
//! is in another CRS). Broken input gets an error naming the file and the feature; the output
//! is written to a temporary file beside it and renamed only when complete, so a failed import
//! never leaves a half-written file.

mod crs;
mod gpkg;
mod model;
mod read;
mod write;

use std::path::{Path, PathBuf};

pub use self::crs::Reprojector;
pub use self::model::{Dataset, Feature, Schema, Value};

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    /// Table of a GeoPackage holding several.
    pub layer: Option<String>,
    /// CRS of the input when the file does not say (e.g. `EPSG:2154`), or to override it.
    pub source_crs: Option<String>,
    /// CSV: the column holding WKT geometries.
    pub wkt_column: Option<String>,
    /// CSV: the longitude (x) and latitude (y) columns.
    pub lon_column: Option<String>,
    pub lat_column: Option<String>,
    /// CSV field delimiter (default `,`).
    pub delimiter: Option<u8>,
    /// Skip features with broken geometry (and report them) instead of failing.
    pub skip_invalid: bool,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub features: usize,
    pub skipped: Vec<String>,
    /// The input's CRS as understood, shortly (`EPSG:4326` when nothing said otherwise).
    pub source_crs: String,
    pub output: PathBuf,
    pub bytes: u64,
}

/// Progress of an import, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Features read so far.
    Read(usize),
    /// `done` of `total` features written.
    Write { done: usize, total: usize },
}

/// Why an import failed. Every variant names the input or output file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: unknown format; use .geojson/.json, .shp, .gpkg, .csv or .fgb")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}: feature {feature}: {reason}")]
    Feature {
        path: PathBuf,
        feature: usize,
        reason: String,
    },
    #[error("{path}: {reason}")]
    Crs { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("{path}: no feature to import")]
    Empty { path: PathBuf },
}

pub type ImportResult<T> = Result<T, ImportError>;

/// Runs an import; `progress` is told how far it got.
pub fn run(
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<ImportReport> {
    let mut dataset = read::read(options, progress)?;
    let declared = dataset
        .crs
        .clone()
        .unwrap_or_else(|| "EPSG:4326".to_owned());
    let source_crs = crs::describe(&declared);
    let reprojector = Reprojector::new(&declared).map_err(|reason| ImportError::Crs {
        path: options.input.clone(),
        reason,
    })?;
    let mut skipped = Vec::new();
    let mut kept = Vec::with_capacity(dataset.features.len());
    for (index, mut feature) in std::mem::take(&mut dataset.features)
        .into_iter()
        .enumerate()
    {
        let checked = feature
            .geometry
            .take()
            .map(|g| model::validate(g).and_then(|g| reprojector.apply(g)))
            .transpose();
        match checked {
            Ok(geometry) => {
                feature.geometry = geometry;
                kept.push(feature);
            }
            Err(reason) if options.skip_invalid => {
                skipped.push(format!("feature {index}: {reason}"));
            }
            Err(reason) => {
                return Err(ImportError::Feature {
                    path: options.input.clone(),
                    feature: index,
                    reason,
                });
            }
        }
    }
    if kept.iter().all(|f| f.geometry.is_none()) {
        return Err(ImportError::Empty {
            path: options.input.clone(),
        });
    }
    dataset.features = kept;
    let bytes = write::write_atomically(&dataset, &options.output, progress)?;
    Ok(ImportReport {
        features: dataset.features.len(),
        skipped,
        source_crs,
        output: options.output.clone(),
        bytes,
    })
}

/// A FlatGeobuf file in another CRS, rewritten in memory in EPSG:4326 with a fresh index (for
/// serving a file nobody has imported yet).
pub fn reproject_flatgeobuf(path: &Path) -> ImportResult<Vec<u8>> {
    let options = ImportOptions {
        input: path.to_owned(),
        ..ImportOptions::default()
    };
    let mut dataset = read::read(&options, &mut |_| {})?;
    let reprojector =
        Reprojector::new(dataset.crs.as_deref().unwrap_or("EPSG:4326")).map_err(|reason| {
            ImportError::Crs {
                path: path.to_owned(),
                reason,
            }
        })?;
    for (index, feature) in dataset.features.iter_mut().enumerate() {
        if let Some(g) = feature.geometry.take() {
            feature.geometry =
                Some(
                    reprojector
                        .apply(g)
                        .map_err(|reason| ImportError::Feature {
                            path: path.to_owned(),
                            feature: index,
                            reason,
                        })?,
                );
        }
    }
    let mut out = Vec::new();
    write::write(&dataset, &mut out, path, &mut |_| {})?;
    Ok(out)
}

/// The format of a file, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Shapefile,
    GeoPackage,
    Csv,
    FlatGeobuf,
}

impl Format {
    pub fn of(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "shp" => Some(Format::Shapefile),
            "gpkg" => Some(Format::GeoPackage),
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "fgb" => Some(Format::FlatGeobuf),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
