//! Identify: what is under a click in every visible layer, topmost first. Vector features are
//! found at once with the engine's hit-test on the data on screen; queryable WMS layers get a
//! GetFeatureInfo URL each (one request per layer: MapServer cannot answer several in JSON),
//! which the popup sends.

use std::sync::atomic::{AtomicU64, Ordering};

use kartenn_engine::frame::{RASTER_TILE_PX, VECTOR_TILE_PX};
use kartenn_engine::hit::HitIndex;
use kartenn_engine::identify::Attributes;
use kartenn_engine::tilegrid::tile_zoom;
use kartenn_engine::{Coord, TileKey};

use super::MapState;
use super::layer::{Content, MapLayer};

/// Pick tolerance around the click, CSS px.
const TOLERANCE_PX: f64 = 4.0;
/// At most this many features per layer.
const MAX_PER_LAYER: usize = 20;
/// Features a GetFeatureInfo asks for.
const INFO_FEATURE_COUNT: u32 = 10;

static NEXT_CLICK: AtomicU64 = AtomicU64::new(1);

/// What one layer has under the click.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// Features of the layer's loaded data, attributes as text.
    Features(Vec<Attributes>),
    /// A GetFeatureInfo URL to ask.
    Query(String),
}

/// One layer's part of an identify.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifiedLayer {
    pub id: String,
    pub title: String,
    /// Template for its features (text with `{attribute}` placeholders).
    pub popup: Option<String>,
    pub found: Found,
}

/// What a click found, and where it was (CSS px in the map).
#[derive(Debug, Clone, PartialEq)]
pub struct Identified {
    /// Distinguishes clicks: answers to an older click never show under a newer one.
    pub seq: u64,
    pub at: [f64; 2],
    /// Topmost layer first; only layers with features or a query.
    pub layers: Vec<IdentifiedLayer>,
}

impl Identified {
    /// Features found in loaded data (queries not counted).
    pub fn feature_count(&self) -> usize {
        self.layers
            .iter()
            .map(|l| match &l.found {
                Found::Features(f) => f.len(),
                Found::Query(_) => 0,
            })
            .sum()
    }
}

impl MapState {
    /// What lies under the CSS pixel `at`.
    pub(crate) fn identify(&mut self, at: [f64; 2]) -> Identified {
        let coord = self.view.pixel_to_coord(at);
        let view_zoom = self.view.zoom();
        let resolution = self.view.resolution();
        let mut layers = Vec::new();
        // Slot 0, the basemap, is background: clicking a station should not also name the
        // country it stands in.
        for layer in self.layers.iter_mut().skip(1).rev() {
            if !layer.spec.visible {
                continue;
            }
            let found = match &layer.content {
                Content::GeoJson { .. } => document_hits(layer, coord, resolution),
                Content::Vector { .. } => tile_hits(layer, coord, view_zoom, resolution),
                Content::Wms(wms) if layer.queryable => {
                    let inside = layer.spec.bounds.is_none_or(|b| {
                        (b.min_x..=b.max_x).contains(&coord.x)
                            && (b.min_y..=b.max_y).contains(&coord.y)
                    });
                    let zoom = tile_zoom(
                        view_zoom,
                        RASTER_TILE_PX,
                        layer.spec.minzoom,
                        layer.spec.maxzoom,
                    )
                    .filter(|_| inside);
                    // A group: one question per member, each under its own heading.
                    if let Some(z) = zoom
                        && !layer.members.is_empty()
                    {
                        for member in layer.members.iter().rev() {
                            layers.push(IdentifiedLayer {
                                id: format!("{}/{member}", layer.id),
                                title: format!("{} › {member}", layer.title),
                                popup: layer.popup.clone(),
                                found: Found::Query(wms.only(member).get_feature_info_at(
                                    coord,
                                    z,
                                    INFO_FEATURE_COUNT,
                                )),
                            });
                        }
                        continue;
                    }
                    zoom.map(|z| {
                        Found::Query(wms.get_feature_info_at(coord, z, INFO_FEATURE_COUNT))
                    })
                }
                _ => None,
            };
            if let Some(found) = found {
                layers.push(IdentifiedLayer {
                    id: layer.id.clone(),
                    title: layer.title.clone(),
                    popup: layer.popup.clone(),
                    found,
                });
            }
        }
        Identified {
            seq: NEXT_CLICK.fetch_add(1, Ordering::Relaxed),
            at,
            layers,
        }
    }
}

/// Features of a loaded GeoJSON layer near `coord`.
fn document_hits(layer: &mut MapLayer, coord: Coord, resolution: f64) -> Option<Found> {
    let Content::GeoJson {
        data: Some(doc), ..
    } = &mut layer.content
    else {
        return None;
    };
    let half = kartenn_engine::geo::HALF_WORLD;
    let world = f64::from(kartenn_engine::geojson::WORLD_EXTENT);
    let units_per_px = world * resolution / (2.0 * half);
    let point = [
        (coord.x + half) / (2.0 * half) * world,
        (half - coord.y) / (2.0 * half) * world,
    ];
    let index = doc.hit.get_or_insert_with(|| HitIndex::new(&doc.data));
    let features: Vec<Attributes> = index
        .hits(&doc.data, point, TOLERANCE_PX * units_per_px)
        .into_iter()
        .take(MAX_PER_LAYER)
        .map(|(i, _)| {
            doc.data
                .properties(&doc.data.features[i])
                .map(|(k, v)| (k.to_owned(), v.to_string()))
                .collect()
        })
        .collect();
    (!features.is_empty()).then_some(Found::Features(features))
}

/// Features of the loaded vector tile under `coord`.
fn tile_hits(layer: &mut MapLayer, coord: Coord, view_zoom: f64, resolution: f64) -> Option<Found> {
    let z = tile_zoom(
        view_zoom,
        VECTOR_TILE_PX,
        layer.spec.minzoom,
        layer.spec.maxzoom,
    )?;
    let size = TileKey::size_at(z);
    let half = kartenn_engine::geo::HALF_WORLD;
    let (fx, fy) = ((coord.x + half) / size, (half - coord.y) / size);
    let last = f64::from((1u32 << z) - 1);
    let key = TileKey::new(z, fx.clamp(0.0, last) as u32, fy.clamp(0.0, last) as u32);
    let tile = layer.vector_tile(&key)?;
    let extent = f64::from(tile.data.extent);
    let point = [
        (fx - f64::from(key.x)) * extent,
        (fy - f64::from(key.y)) * extent,
    ];
    // Tile units per CSS pixel at the current zoom.
    let units_per_px = extent / (size / resolution);
    let index = tile.hit.get_or_insert_with(|| HitIndex::new(&tile.data));
    let features: Vec<Attributes> = index
        .hits(&tile.data, point, TOLERANCE_PX * units_per_px)
        .into_iter()
        .take(MAX_PER_LAYER)
        .map(|(i, _)| {
            tile.data
                .properties(&tile.data.features[i])
                .map(|(k, v)| (k.to_owned(), v.to_string()))
                .collect()
        })
        .collect();
    (!features.is_empty()).then_some(Found::Features(features))
}
