//! OGC layer details the viewer shows and uses: where a harvested layer comes from, its time
//! dimension, legend, metadata and WFS access.

use serde::{Deserialize, Serialize};

/// What a layer harvested from an OGC server (GeoServer, MapServer) carries beyond its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OgcLayerInfo {
    /// Id of the configured OGC source (`/ows/{source}`).
    pub source: String,
    /// The layer's name upstream, as advertised (GeoServer: `workspace:name`).
    pub name: String,
    /// GetFeatureInfo answers for this layer.
    pub queryable: bool,
    /// GetLegendGraphic through Kartenn's proxy, when the server has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legend_url: Option<String>,
    /// A metadata record (GeoNetwork), from the capabilities' MetadataURL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeDimension>,
    /// The WFS feature type with the same data, when there is one and the caller may query it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wfs: Option<WfsInfo>,
    /// For a layer group: the upstream names of its members (identify asks each in turn:
    /// servers such as MapServer answer JSON feature info for one layer at a time).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// Identify popup template: plain text with `{attribute}` placeholders (never HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popup: Option<String>,
}

/// A WMS TIME dimension: instants and ranges in ISO 8601, as advertised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeDimension {
    /// The server's default time (ISO 8601), if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// Bottom to top, in the order advertised.
    pub extent: Vec<TimeExtent>,
}

/// One item of a time extent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeExtent {
    /// A single instant, ISO 8601 (`2024-06-01T12:00:00Z`, `2024-06-01`).
    Instant { at: String },
    /// `start/end/period`; without a period any instant in between is valid.
    Range {
        start: String,
        end: String,
        /// ISO 8601 duration (`P1D`, `PT10M`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        period: Option<String>,
    },
}

/// WFS access to a layer's features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WfsInfo {
    /// The feature type name (`TYPENAMES`).
    pub type_name: String,
    /// Whether users may download the features (GeoJSON, shape-zip).
    pub download: bool,
}
