//! TileJSON 3.0.0 for one tile set.

use kartenn_common::{TileJson, VectorLayer};

use crate::config::LayerConfig;
use crate::sources::SourceInfo;

/// The TileJSON document of a tile set reached at `base` (an origin such as
/// `https://maps.example.org`, or empty for root-relative URLs).
pub fn build(config: &LayerConfig, info: &SourceInfo, base: &str) -> TileJson {
    let [w, s, e, n] = info.bounds;
    let center_zoom = f64::from(config.minzoom.max(config.maxzoom.min(8)));
    TileJson {
        tilejson: "3.0.0".to_owned(),
        tiles: vec![format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", config.id)],
        name: config.title.clone(),
        description: config.description.clone(),
        attribution: config.attribution.clone(),
        scheme: "xyz".to_owned(),
        minzoom: config.minzoom,
        maxzoom: config.maxzoom,
        bounds: info.bounds,
        center: [f64::midpoint(w, e), f64::midpoint(s, n), center_zoom],
        vector_layers: vec![VectorLayer {
            id: info.layer_name.clone(),
            fields: info.fields.clone(),
            minzoom: config.minzoom,
            maxzoom: config.maxzoom,
        }],
    }
}
