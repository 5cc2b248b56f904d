//! The layer catalogue as the viewer sees it (`GET /api/catalog`), already filtered to what the
//! caller may see.

use serde::{Deserialize, Serialize};

use crate::Color;

/// Body of `GET /api/catalog`: layers in drawing order, bottom first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub layers: Vec<CatalogLayer>,
}

/// One layer the viewer can show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogLayer {
    /// Stable identifier, used in URLs.
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
    /// Vector layers: the kind of geometry (rasters have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geometry: Option<GeometryKind>,
    /// West, south, east, north in degrees, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 4]>,
    /// Shown when the viewer opens.
    pub visible: bool,
    /// 0 (transparent) to 1 (opaque).
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    pub source: LayerSource,
    pub style: LayerStyle,
    /// Words to find the layer by in the catalogue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Place in the catalogue tree, outermost first (empty: top level).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<String>,
    /// In the layer list when the viewer opens; the others are added from the catalogue.
    #[serde(default = "yes")]
    pub in_map: bool,
    /// Harvested from an OGC server: legend, metadata, time, WFS access, identify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ogc: Option<crate::ogc::OgcLayerInfo>,
}

fn yes() -> bool {
    true
}

/// Where a layer's data comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LayerSource {
    /// Mapbox Vector Tiles served by Kartenn.
    VectorTiles {
        /// URL template with `{z}`, `{x}` and `{y}`, relative to the viewer's origin.
        tiles: String,
        /// TileJSON document of the tile set.
        tilejson: String,
        /// Name of the layer inside each tile.
        source_layer: String,
        minzoom: u8,
        /// Deepest zoom with its own tiles; deeper views over-zoom these.
        maxzoom: u8,
    },
    /// Raster tiles from an XYZ template (`{z}`, `{x}`, `{y}` or `{-y}`, optional `{s}`);
    /// WMTS in the Web-Mercator matrix set is written this way too.
    Xyz {
        tiles: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        subdomains: Vec<String>,
        minzoom: u8,
        maxzoom: u8,
    },
    /// An OGC WMS layer, requested as 256-px tiles in EPSG:3857.
    Wms {
        url: String,
        layers: String,
        #[serde(default)]
        styles: String,
        format: String,
        transparent: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time: Option<String>,
    },
    /// A GeoJSON document in WGS 84, drawn as vectors.
    GeoJson { url: String },
    /// The stations of a chronicle dataset: a GeoJSON document of points (each with `id`,
    /// `name` and, when it has samples, `start` / `end` in Unix ms); clicking one opens its
    /// series (`/api/chronicles/{dataset}/stations/{id}/series`).
    Chronicle { dataset: String, url: String },
}

fn default_opacity() -> f64 {
    1.0
}

/// The kind of geometry a layer holds; the renderer picks fill, stroke or symbol from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
}

/// How a layer is drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerStyle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stroke: Option<Color>,
    /// Stroke width in CSS pixels.
    #[serde(default = "default_stroke_width")]
    pub stroke_width: f64,
    /// Radius of point symbols in CSS pixels.
    #[serde(default = "default_point_radius")]
    pub point_radius: f64,
    /// Rules on attributes, tried in order; the first that matches a feature restyles it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<StyleRule>,
    /// Text drawn from an attribute, placed without overlaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelStyle>,
}

/// A comparison of a feature attribute with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompareOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

/// The value a rule compares with: a number, a string or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// `field op value` → these style overrides (or hide the feature), optionally only within a
/// range of map zoom levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleRule {
    pub field: String,
    pub op: CompareOp,
    pub value: RuleValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stroke: Option<Color>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stroke_width: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_radius: Option<f64>,
    /// Matching features are not drawn.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minzoom: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxzoom: Option<f64>,
}

/// Labels from an attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelStyle {
    /// Attribute holding the text.
    pub field: String,
    /// Numeric attribute: larger values win when labels collide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    /// Font size in CSS pixels.
    #[serde(default = "default_label_size")]
    pub size: f64,
    #[serde(default = "default_label_color")]
    pub color: Color,
    /// No labels below this map zoom.
    #[serde(default)]
    pub minzoom: f64,
}

fn default_label_size() -> f64 {
    12.0
}

fn default_label_color() -> Color {
    Color::rgb(0x22, 0x22, 0x22)
}

fn default_stroke_width() -> f64 {
    1.0
}

fn default_point_radius() -> f64 {
    3.0
}

impl Default for LayerStyle {
    fn default() -> Self {
        Self {
            fill: None,
            stroke: None,
            stroke_width: default_stroke_width(),
            point_radius: default_point_radius(),
            rules: Vec::new(),
            label: None,
        }
    }
}
