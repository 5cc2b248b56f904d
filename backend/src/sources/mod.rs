//! Tile sources: the [`TileSource`] trait every provider of vector tiles implements (after
//! martin's), what a source says about itself, and the source errors.

pub mod fgb;

use std::collections::BTreeMap;
use std::path::PathBuf;

use async_trait::async_trait;
use kartenn_common::GeometryKind;

use crate::tiles::TileCoord;

/// What a source knows about its data.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    /// Name of the layer inside the tiles.
    pub layer_name: String,
    pub geometry: GeometryKind,
    /// West, south, east, north in degrees.
    pub bounds: [f64; 4],
    /// Attribute name → TileJSON type (`String`, `Number`, `Boolean`).
    pub fields: BTreeMap<String, String>,
    pub feature_count: u64,
}

/// Which attributes tiles carry: `"all"` (default), `"none"`, or a list of names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FieldSelection {
    #[default]
    All,
    None,
    Only(Vec<String>),
}

impl FieldSelection {
    pub fn selects(&self, name: &str) -> bool {
        match self {
            FieldSelection::All => true,
            FieldSelection::None => false,
            FieldSelection::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

impl<'de> serde::Deserialize<'de> for FieldSelection {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            List(Vec<String>),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Word(w) if w == "all" => Ok(Self::All),
            Raw::Word(w) if w == "none" => Ok(Self::None),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "fields must be \"all\", \"none\" or a list of names, not \"{w}\""
            ))),
            Raw::List(names) => Ok(Self::Only(names)),
        }
    }
}

/// How a source makes its tiles (from the layer's configuration).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceOptions {
    /// Name of the layer inside the tiles.
    pub layer_name: String,
    pub fields: FieldSelection,
    /// Douglas–Peucker tolerance below `maxzoom`, in tile units (1/8 px); 0 disables.
    pub simplify: f64,
    /// No tile below this zoom (answered empty).
    pub minzoom: u8,
    /// Deepest zoom with full reduction; deeper tiles keep everything.
    pub maxzoom: u8,
    /// Tile extent in units (MVT default 4096).
    pub extent: u32,
    /// Margin around each tile in tile units, so strokes join across tiles.
    pub buffer: u32,
}

impl SourceOptions {
    pub fn named(layer_name: &str) -> Self {
        Self {
            layer_name: layer_name.to_owned(),
            fields: FieldSelection::All,
            simplify: 1.0,
            minzoom: 0,
            maxzoom: 14,
            extent: crate::tiles::EXTENT,
            buffer: crate::tiles::BUFFER,
        }
    }
}

/// A provider of encoded vector tiles.
#[async_trait]
pub trait TileSource: Send + Sync {
    fn info(&self) -> &SourceInfo;

    /// The tile as an uncompressed MVT, or `None` when no feature touches it.
    async fn tile(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>>;
}

/// Why a source could not be opened or could not make a tile.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a usable FlatGeobuf file: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error(
        "{path} has no spatial index; rewrite it with `ogr2ogr -f FlatGeobuf -lco SPATIAL_INDEX=YES`"
    )]
    NoIndex { path: PathBuf },
    #[error("{path} is in EPSG:{code}; reproject it with `kartenn import`")]
    UnsupportedCrs { path: PathBuf, code: i32 },
    #[error("{path}: feature {feature} is corrupt: {reason}")]
    CorruptFeature {
        path: PathBuf,
        feature: usize,
        reason: String,
    },
    #[error("{url}: {reason}")]
    Remote { url: String, reason: String },
    #[error("tile task failed: {0}")]
    Task(String),
}

pub type SourceResult<T> = Result<T, SourceError>;
