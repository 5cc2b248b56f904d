//! What the viewer needs to start: title, initial view and zoom limits (`GET /api/config`).

use serde::{Deserialize, Serialize};

use crate::{CatalogLayer, Color};

/// Where the map opens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InitialView {
    /// Longitude, latitude in degrees (WGS 84).
    pub center: [f64; 2],
    /// Web-Mercator zoom level (256-pixel tiles), fractional allowed.
    pub zoom: f64,
}

/// Body of `GET /api/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientConfig {
    pub title: String,
    pub version: String,
    pub view: InitialView,
    pub min_zoom: f64,
    pub max_zoom: f64,
    /// Colour of the map where no layer draws (the sea, for the demo).
    pub background: Color,
    /// Basemaps to choose from, the first shown at start (the viewer adds "none").
    #[serde(default)]
    pub basemaps: Vec<CatalogLayer>,
}
