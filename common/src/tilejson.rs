//! TileJSON 3.0.0 documents (`GET /tiles/{layer}.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::GeometryKind;

/// A TileJSON 3.0.0 document describing one vector tile set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileJson {
    pub tilejson: String,
    pub tiles: Vec<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    pub scheme: String,
    pub minzoom: u8,
    pub maxzoom: u8,
    pub bounds: [f64; 4],
    pub center: [f64; 3],
    pub vector_layers: Vec<VectorLayer>,
}

/// One layer inside the tiles, with its attribute names and types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorLayer {
    pub id: String,
    /// Attribute name → `"String"`, `"Number"` or `"Boolean"`.
    pub fields: BTreeMap<String, String>,
    pub minzoom: u8,
    pub maxzoom: u8,
}

/// One entry of `GET /tiles`: a tile set and where its TileJSON is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileSetSummary {
    pub id: String,
    pub title: String,
    /// Root-relative URL of the TileJSON document.
    pub tilejson: String,
    pub geometry: GeometryKind,
    pub bounds: [f64; 4],
    pub minzoom: u8,
    pub maxzoom: u8,
}
