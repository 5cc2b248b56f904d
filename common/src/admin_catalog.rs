//! The catalogue administration's bodies (`/api/admin/categories`, `/api/admin/layers`): the
//! stored category tree (with the harvested category paths no stored category covers yet) and
//! each layer's settings — what the administrator overrides over the harvested (or configured)
//! values, and the values in force.
//!
//! How a layer finds its category: its setting `category` (a stored category id) when it has
//! one; otherwise its harvested path (OGC layer groups, "Chroniques", none for configured
//! layers). A path is shown as the titles from the root; a harvested path equal to a stored
//! category's path lands in that stored category (so creating "Littoral" under the root adopts
//! every layer harvested under "Littoral").

use serde::{Deserialize, Serialize};

use crate::ogc::TimeDimension;

/// One node of the category tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CategoryNode {
    /// Stored id; `None` for a harvested path no stored category covers yet.
    pub id: Option<i64>,
    /// Parent's stored id (`None`: at the root, or harvested).
    pub parent: Option<i64>,
    pub title: String,
    /// English title, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Titles from the root down to this one.
    pub path: Vec<String>,
    pub position: i64,
    /// Stored version (the `ETag`); `None` for a harvested node.
    pub version: Option<i64>,
    /// Layers directly in this category.
    pub layers: usize,
    /// Layers in it and in all its sub-categories.
    pub total_layers: usize,
    #[cfg_attr(feature = "utoipa", schema(no_recursion))]
    pub children: Vec<CategoryNode>,
}

/// `GET /api/admin/categories`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CategoryTree {
    /// Root categories, by position then title.
    pub categories: Vec<CategoryNode>,
    /// Layers in no category.
    pub uncategorised: usize,
}

/// A stored category, as created or changed (`ETag`: its version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i64,
    pub parent: Option<i64>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    pub position: i64,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: Option<String>,
}

/// `POST /api/admin/categories`, `PUT /api/admin/categories/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct CategoryBody {
    /// 1 to 120 characters, no `/`, unique among its siblings.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// `None`: at the root.
    #[serde(default)]
    pub parent: Option<i64>,
    /// Order among siblings (default: last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// What an administrator overrides for one layer; every field left out keeps the harvested
/// (or configured) value.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LayerSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, rename = "abstract", skip_serializing_if = "Option::is_none")]
    pub abstract_text: Option<String>,
    /// A stored category id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<i64>,
    /// `false`: gone from the catalogue, and tiles, proxy and GeoJSON refuse it to everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<bool>,
    /// Shown in the map at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_map: Option<bool>,
    /// Default WMS style: one of the harvested styles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    /// Identify popup: plain text with `{attribute}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popup: Option<String>,
    /// `false`: GetFeatureInfo and WFS queries refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queryable: Option<bool>,
    /// `false`: downloads refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloadable: Option<bool>,
    /// Default time: one the layer advertises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_default: Option<String>,
    /// `true`: the time dimension is not offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_hidden: Option<bool>,
}

impl LayerSettings {
    /// Whether nothing is overridden.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A layer's values: as harvested (or configured), or in force.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[allow(clippy::struct_excessive_bools)] // independent switches, as the API shows them
pub struct LayerValues {
    pub title: String,
    #[serde(default, rename = "abstract", skip_serializing_if = "Option::is_none")]
    pub abstract_text: Option<String>,
    /// Category path, outermost first.
    pub category: Vec<String>,
    pub published: bool,
    pub in_map: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popup: Option<String>,
    pub queryable: bool,
    pub downloadable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_default: Option<String>,
    pub time_hidden: bool,
}

/// A layer's stored settings (`ETag`: its version; `0` before any).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LayerSettingsEntry {
    pub layer: String,
    pub settings: LayerSettings,
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

/// One row of `GET /api/admin/layers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct AdminLayer {
    pub id: String,
    /// `tiles`, `geojson`, `raster`, `ogc` or `chronicle`.
    pub kind: String,
    /// OGC source id, for harvested layers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Harvested layers: the names the upstream server advertises (WMS layer, WFS feature type),
    /// which rules may name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Chronicle layers: the dataset id (rules name datasets, not layers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Styles the server advertises (WMS layers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub styles: Vec<String>,
    /// The advertised time dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "utoipa", schema(value_type = Option<Object>))]
    pub time: Option<TimeDimension>,
    pub harvested: LayerValues,
    pub settings: LayerSettingsEntry,
    pub effective: LayerValues,
}
