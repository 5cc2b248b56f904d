//! One map layer in the browser: its frame spec and style, its tile cache, and the loads under
//! way (each with an AbortController so tiles that left the view stop downloading).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Weak;

use kartenn_common::{CatalogLayer, LayerSource};
use kartenn_engine::frame::LayerSpec;
use kartenn_engine::hit::HitIndex;
use kartenn_engine::mvt;
use kartenn_engine::style::Style;
use kartenn_engine::tile_cache::{TileCache, TileState};
use kartenn_engine::{Extent, TileKey};
use web_sys::{AbortController, HtmlCanvasElement};

use super::MapState;
use super::loader;

/// Budget of one layer's tile cache (decoded data and rasters).
const CACHE_BYTES: usize = 48 * 1024 * 1024;

/// A decoded tile and its raster (drawn once, then only composited).
pub struct TileRaster {
    pub data: mvt::Layer,
    pub canvas: Option<HtmlCanvasElement>,
    /// Side of `canvas` in device pixels.
    pub raster_px: u32,
    /// Built on the first identify in this tile.
    pub hit: Option<HitIndex>,
}

pub struct MapLayer {
    pub id: String,
    pub title: String,
    pub spec: LayerSpec,
    pub style: Style,
    tiles_url: String,
    source_layer: String,
    pub cache: TileCache<TileRaster>,
    inflight: HashMap<TileKey, AbortController>,
}

impl MapLayer {
    pub fn new(layer: &CatalogLayer, visible: bool) -> Self {
        let LayerSource::VectorTiles {
            tiles,
            source_layer,
            minzoom,
            maxzoom,
            ..
        } = &layer.source;
        Self {
            id: layer.id.clone(),
            title: layer.title.clone(),
            spec: LayerSpec {
                visible,
                opacity: 1.0,
                minzoom: *minzoom,
                maxzoom: *maxzoom,
                bounds: layer.bounds.map(Extent::from_lonlat_bounds),
            },
            style: Style::resolve(&layer.style, layer.geometry),
            tiles_url: tiles.clone(),
            source_layer: source_layer.clone(),
            cache: TileCache::new(CACHE_BYTES),
            inflight: HashMap::new(),
        }
    }

    /// Starts loading `key` unless it is known already.
    pub fn load(&mut self, index: usize, key: TileKey, map: Weak<RefCell<MapState>>) {
        if !self.cache.start_loading(key) {
            return;
        }
        let Ok(controller) = AbortController::new() else {
            self.cache.finish(key, TileState::Failed, 0);
            return;
        };
        let signal = controller.signal();
        self.inflight.insert(key, controller);
        let url = key.url(&self.tiles_url);
        let source_layer = self.source_layer.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = loader::load_tile(&url, &signal, &source_layer).await;
            let Some(map) = map.upgrade() else {
                return;
            };
            let mut map = map.borrow_mut();
            if let Some(layer) = map.layers.get_mut(index) {
                layer.inflight.remove(&key);
                let (state, bytes) = match outcome {
                    loader::Outcome::Data(data) => {
                        let bytes = data.byte_size();
                        (
                            TileState::Ready(TileRaster {
                                data,
                                canvas: None,
                                raster_px: 0,
                                hit: None,
                            }),
                            bytes,
                        )
                    }
                    loader::Outcome::Empty => (TileState::Empty, 0),
                    loader::Outcome::Failed(reason) => {
                        web_sys::console::warn_1(&format!("tile {url}: {reason}").into());
                        (TileState::Failed, 0)
                    }
                    loader::Outcome::Aborted => return,
                };
                layer.cache.finish(key, state, bytes);
            }
            map.request_render();
        });
    }

    pub fn cancel_unwanted(&mut self, wanted: &HashSet<TileKey>) {
        for key in self.cache.cancel_unwanted(wanted) {
            if let Some(controller) = self.inflight.remove(&key) {
                controller.abort();
            }
        }
    }

    pub fn abort_all(&mut self) {
        for (_, controller) in self.inflight.drain() {
            controller.abort();
        }
    }
}
