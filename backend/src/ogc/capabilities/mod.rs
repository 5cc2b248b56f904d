//! WMS / WFS GetCapabilities documents: parsing into layers, and filtering for one caller.
//!
//! Documents are read by [`xml`] into a small owned tree after the security checks
//! (size, depth, no entity declarations, no undeclared entity references), then either
//! walked ([`parse`]) or pruned and written back ([`filter`]). Time dimensions are handled by
//! [`time`] on the wire types of `kartenn_common`.

mod filter;
mod iso8601;
mod parse;
mod time;
mod xml;

#[cfg(test)]
mod filter_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod time_tests;

pub use filter::filter;
pub use parse::parse;
pub use time::{expand_time, parse_time_extent, time_allowed};

/// Documents larger than this are refused (GeoServer's biggest real capabilities are a few MiB).
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;
/// Element nesting deeper than this is refused (WMS layer trees are a handful of levels).
pub const MAX_DEPTH: usize = 64;

/// Why a capabilities document (or a time value) was not usable.
#[derive(Debug, thiserror::Error)]
pub enum CapabilitiesError {
    /// Not well-formed XML (or not UTF-8 / Latin-1).
    #[error("invalid XML: {0}")]
    Xml(String),
    /// Well-formed, but the root element is not a WMS or WFS capabilities document.
    #[error("not a WMS or WFS capabilities document (root element <{0}>)")]
    NotCapabilities(String),
    /// The server answered with an OGC exception report; its message.
    #[error("the server answered with an exception: {0}")]
    ServiceException(String),
    /// Refused for safety (entity declarations, undeclared entities).
    #[error("refused: {0}")]
    Forbidden(&'static str),
    /// Larger than [`MAX_DOCUMENT_BYTES`]; the size in bytes.
    #[error("document too large: {0} bytes (limit {MAX_DOCUMENT_BYTES})")]
    TooLarge(usize),
    /// Elements nested deeper than [`MAX_DEPTH`].
    #[error("elements nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// An invalid time extent item or ISO 8601 value.
    #[error("invalid time: {0}")]
    Time(String),
}

/// Which OGC service a capabilities document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Wms,
    Wfs,
}

/// What a GetCapabilities document advertises.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    pub service: Service,
    /// `1.3.0`, `1.1.1`, `2.0.0`...
    pub version: String,
    pub title: Option<String>,
    /// Every layer that has a Name, in document order (WMS nesting flattened), or every WFS
    /// FeatureType.
    pub layers: Vec<CapLayer>,
    /// WMS GetMap formats, or WFS GetFeature outputFormat values.
    pub formats: Vec<String>,
    /// WMS GetFeatureInfo formats (empty for WFS).
    pub info_formats: Vec<String>,
}

/// One named WMS layer or WFS feature type.
#[derive(Debug, Clone, PartialEq)]
pub struct CapLayer {
    /// Exactly as advertised: `ws:name` (GeoServer), `name` (MapServer WMS), `ms:name`
    /// (MapServer WFS).
    pub name: String,
    /// Falls back to the name.
    pub title: String,
    pub abstract_text: Option<String>,
    pub keywords: Vec<String>,
    /// `[west, south, east, north]` in degrees of longitude / latitude.
    pub bbox_wgs84: Option<[f64; 4]>,
    /// The layer's own styles first, then those inherited from enclosing layers (WMS).
    pub styles: Vec<CapStyle>,
    /// WMS `queryable="1"` (inherited); always true for WFS.
    pub queryable: bool,
    pub time: Option<kartenn_common::TimeDimension>,
    pub metadata_urls: Vec<String>,
    /// Names of the named layers directly or indirectly inside this one (a layer group).
    pub children: Vec<String>,
    /// Titles of the enclosing layers, outermost first, without the single root layer.
    pub parents: Vec<String>,
}

/// A WMS style of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct CapStyle {
    pub name: String,
    pub title: Option<String>,
    /// The upstream GetLegendGraphic URL, as advertised.
    pub legend_url: Option<String>,
}
