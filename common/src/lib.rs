//! Wire contract between the Kartenn backend and the viewer: every JSON body either side reads
//! or writes is defined here, once, with serde only.

pub mod admin;
pub mod admin_catalog;
pub mod admin_sources;
pub mod auth;
pub mod catalog;
pub mod chronicles;
pub mod color;
pub mod config;
pub mod error;
pub mod maps;
pub mod ogc;
pub mod tilejson;

pub use auth::{LogoutRedirect, Me, SignedInUser};
pub use catalog::{
    Catalog, CatalogLayer, CompareOp, GeometryKind, LabelStyle, LayerSource, LayerStyle, RuleValue,
    StyleRule,
};
pub use chronicles::{ChronicleDataset, Downsampling, SeriesInfo, SeriesPoints};
pub use color::Color;
pub use config::{ClientConfig, InitialView};
pub use error::{ApiErrorBody, ErrorCode, FieldError};
pub use ogc::{OgcLayerInfo, TimeDimension, TimeExtent, WfsInfo};
pub use tilejson::{TileJson, TileSetSummary, VectorLayer};
