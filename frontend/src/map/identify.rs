//! Identify: the vector features under a click, in every visible layer (topmost first), found
//! with the engine's hit-test on the tiles on screen, with their attributes.

use kartenn_engine::TileKey;
use kartenn_engine::frame::VECTOR_TILE_PX;
use kartenn_engine::hit::HitIndex;
use kartenn_engine::tilegrid::tile_zoom;

use super::MapState;
use super::layer::Content;

/// Pick tolerance around the click, CSS px.
const TOLERANCE_PX: f64 = 4.0;
/// At most this many features per layer.
const MAX_PER_LAYER: usize = 20;

/// One feature under the click.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifiedFeature {
    pub layer_id: String,
    pub layer_title: String,
    /// Attribute name and value as text, in tile order.
    pub properties: Vec<(String, String)>,
}

/// What a click found, and where it was (CSS px in the map).
#[derive(Debug, Clone, PartialEq)]
pub struct Identified {
    pub at: [f64; 2],
    pub features: Vec<IdentifiedFeature>,
}

impl MapState {
    /// Features under the CSS pixel `at`.
    pub(crate) fn identify(&mut self, at: [f64; 2]) -> Identified {
        let coord = self.view.pixel_to_coord(at);
        let view_zoom = self.view.zoom();
        let mut features = Vec::new();
        let units_per_px_world = f64::from(kartenn_engine::geojson::WORLD_EXTENT)
            * self.view.resolution()
            / (2.0 * kartenn_engine::geo::HALF_WORLD);
        let half = kartenn_engine::geo::HALF_WORLD;
        let world_point = [
            (coord.x + half) / (2.0 * half) * f64::from(kartenn_engine::geojson::WORLD_EXTENT),
            (half - coord.y) / (2.0 * half) * f64::from(kartenn_engine::geojson::WORLD_EXTENT),
        ];
        for layer in self.layers.iter_mut().rev() {
            if !layer.spec.visible {
                continue;
            }
            if let Content::GeoJson {
                data: Some(doc), ..
            } = &mut layer.content
            {
                let index = doc.hit.get_or_insert_with(|| HitIndex::new(&doc.data));
                for (i, _) in index
                    .hits(&doc.data, world_point, TOLERANCE_PX * units_per_px_world)
                    .into_iter()
                    .take(MAX_PER_LAYER)
                {
                    features.push(IdentifiedFeature {
                        layer_id: layer.id.clone(),
                        layer_title: layer.title.clone(),
                        properties: doc
                            .data
                            .properties(&doc.data.features[i])
                            .map(|(k, v)| (k.to_owned(), v.to_string()))
                            .collect(),
                    });
                }
                continue;
            }
            if !matches!(layer.content, Content::Vector { .. }) {
                continue;
            }
            let Some(z) = tile_zoom(
                view_zoom,
                VECTOR_TILE_PX,
                layer.spec.minzoom,
                layer.spec.maxzoom,
            ) else {
                continue;
            };
            let size = TileKey::size_at(z);
            let half = kartenn_engine::geo::HALF_WORLD;
            let (fx, fy) = ((coord.x + half) / size, (half - coord.y) / size);
            let last = f64::from((1u32 << z) - 1);
            let key = TileKey::new(z, fx.clamp(0.0, last) as u32, fy.clamp(0.0, last) as u32);
            let (layer_id, layer_title) = (layer.id.clone(), layer.title.clone());
            let Some(tile) = layer.vector_tile(&key) else {
                continue;
            };
            let extent = f64::from(tile.data.extent);
            let point = [
                (fx - f64::from(key.x)) * extent,
                (fy - f64::from(key.y)) * extent,
            ];
            // Tile units per CSS pixel at the current zoom.
            let units_per_px = extent / (size / self.view.resolution());
            let index = tile.hit.get_or_insert_with(|| HitIndex::new(&tile.data));
            for (i, _) in index
                .hits(&tile.data, point, TOLERANCE_PX * units_per_px)
                .into_iter()
                .take(MAX_PER_LAYER)
            {
                let feature = &tile.data.features[i];
                features.push(IdentifiedFeature {
                    layer_id: layer_id.clone(),
                    layer_title: layer_title.clone(),
                    properties: tile
                        .data
                        .properties(feature)
                        .map(|(k, v)| (k.to_owned(), v.to_string()))
                        .collect(),
                });
            }
        }
        Identified { at, features }
    }
}
