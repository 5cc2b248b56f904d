//! Vector tiles: tile addressing, the geometry pipeline (transform, clip, quantise), the MVT
//! encoder and the HTTP routes that serve tiles and TileJSON.

pub mod clip;
pub mod coord;
pub mod geometry;
pub mod mvt;
pub mod routes;
pub mod service;
pub mod simplify;
pub mod tilejson;

pub use coord::{MAX_ZOOM, TileCoord};

use crate::sources::SourceError;

/// Tile extent (units per tile side) used when encoding, per MVT 2.1.
pub const EXTENT: u32 = 4096;
/// Extra margin around each tile, in tile units, so strokes and labels join across tiles.
pub const BUFFER: u32 = 64;

/// Why a tile or tile set could not be served.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error("unknown tile set `{0}`")]
    UnknownLayer(String),
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The same failure, shared by every request that waited for one computation.
    #[error(transparent)]
    Shared(#[from] std::sync::Arc<TileError>),
}

pub type TileResult<T> = Result<T, TileError>;
