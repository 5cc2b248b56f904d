//! One map layer in the browser: vector tiles, raster tiles (XYZ, WMS) or a GeoJSON document;
//! its frame spec and style, its tile cache, the loads under way (each with an AbortController
//! so tiles that left the view stop downloading) and retries with back-off for failed tiles.
//! A time-enabled WMS layer starts a fresh cache whenever its TIME changes, so tiles of two
//! instants never mix.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Weak;
use std::sync::atomic::{AtomicU64, Ordering};

use gloo::timers::callback::Timeout;
use kartenn_common::{CatalogLayer, GeometryKind, LayerSource};
use kartenn_engine::frame::{LayerSpec, RASTER_TILE_PX, VECTOR_TILE_PX};
use kartenn_engine::hit::HitIndex;
use kartenn_engine::mvt;
use kartenn_engine::source::{Wms, xyz_url};
use kartenn_engine::style::Style;
use kartenn_engine::tile_cache::{TileCache, TileState};
use kartenn_engine::{Extent, TileKey};
use web_sys::{AbortController, HtmlCanvasElement, ImageBitmap};

use super::MapState;
use super::loader::{self, Outcome};

/// Budget of one layer's tile cache (decoded data, rasters, images).
const CACHE_BYTES: usize = 48 * 1024 * 1024;
/// A failed tile is retried after 0.5 s, 1 s, 2 s, then given up.
const MAX_RETRIES: u32 = 3;
const RETRY_BASE_MS: u32 = 500;

static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// A decoded vector tile and its raster (drawn once, then only composited).
pub struct TileRaster {
    pub data: mvt::Layer,
    pub canvas: Option<HtmlCanvasElement>,
    /// Side of `canvas` in device pixels.
    pub raster_px: u32,
    /// Built on the first identify in this tile.
    pub hit: Option<HitIndex>,
}

/// What a tile of a layer holds.
pub enum TileData {
    Vector(TileRaster),
    Image(ImageBitmap),
}

/// Where a layer's data comes from.
pub enum Content {
    Vector {
        tiles_url: String,
        source_layer: String,
    },
    Xyz {
        template: String,
        subdomains: Vec<String>,
    },
    Wms(Wms),
    /// The whole document, as one world-sized layer once loaded.
    GeoJson {
        url: String,
        data: Option<TileRaster>,
        requested: bool,
    },
}

pub struct MapLayer {
    /// Distinguishes this layer from one that replaced it at the same index (basemaps).
    pub uid: u64,
    pub id: String,
    pub title: String,
    pub spec: LayerSpec,
    pub style: Style,
    pub content: Content,
    pub cache: TileCache<TileData>,
    /// Answers GetFeatureInfo (harvested WMS layers the caller may query).
    pub queryable: bool,
    /// Identify template (`{attribute}` placeholders), text only.
    pub popup: Option<String>,
    /// A layer group's members: identify asks each (one layer per JSON feature-info answer).
    pub members: Vec<String>,
    /// The instant a time-enabled layer shows until the user picks another.
    default_time: Option<String>,
    /// Has a TIME dimension the user may move along.
    time_enabled: bool,
    inflight: HashMap<TileKey, AbortController>,
    failures: HashMap<TileKey, u32>,
    /// One pending retry per failed tile.
    retries: HashMap<TileKey, Timeout>,
}

impl MapLayer {
    pub fn new(layer: &CatalogLayer, visible: bool) -> Self {
        // A TIME fixed by the configuration wins over the dimension's default.
        let default_time = match &layer.source {
            LayerSource::Wms { time: Some(t), .. } => Some(t.clone()),
            _ => layer
                .ogc
                .as_ref()
                .and_then(|o| o.time.as_ref())
                .and_then(kartenn_engine::time::default_time),
        };
        let (content, minzoom, maxzoom, tile_px) = match &layer.source {
            LayerSource::VectorTiles {
                tiles,
                source_layer,
                minzoom,
                maxzoom,
                ..
            } => (
                Content::Vector {
                    tiles_url: tiles.clone(),
                    source_layer: source_layer.clone(),
                },
                *minzoom,
                *maxzoom,
                VECTOR_TILE_PX,
            ),
            LayerSource::Xyz {
                tiles,
                subdomains,
                minzoom,
                maxzoom,
            } => (
                Content::Xyz {
                    template: tiles.clone(),
                    subdomains: subdomains.clone(),
                },
                *minzoom,
                *maxzoom,
                RASTER_TILE_PX,
            ),
            LayerSource::Wms {
                url,
                layers,
                styles,
                format,
                transparent,
                time,
            } => (
                Content::Wms(Wms {
                    url: url.clone(),
                    layers: layers.clone(),
                    styles: styles.clone(),
                    format: format.clone(),
                    transparent: *transparent,
                    time: time.clone().or_else(|| default_time.clone()),
                }),
                0,
                22,
                RASTER_TILE_PX,
            ),
            LayerSource::GeoJson { url } | LayerSource::Chronicle { url, .. } => (
                Content::GeoJson {
                    url: url.clone(),
                    data: None,
                    requested: false,
                },
                0,
                0,
                VECTOR_TILE_PX,
            ),
        };
        Self {
            uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
            id: layer.id.clone(),
            title: layer.title.clone(),
            spec: LayerSpec {
                visible,
                opacity: layer.opacity,
                minzoom,
                maxzoom,
                bounds: layer.bounds.map(Extent::from_lonlat_bounds),
                tile_px,
            },
            style: Style::resolve(
                &layer.style,
                layer.geometry.unwrap_or(GeometryKind::Polygon),
            ),
            content,
            cache: TileCache::new(CACHE_BYTES),
            queryable: layer.ogc.as_ref().is_some_and(|o| o.queryable),
            popup: layer.ogc.as_ref().and_then(|o| o.popup.clone()),
            members: layer
                .ogc
                .as_ref()
                .map(|o| o.children.clone())
                .unwrap_or_default(),
            default_time,
            time_enabled: layer.ogc.as_ref().is_some_and(|o| o.time.is_some()),
            inflight: HashMap::new(),
            failures: HashMap::new(),
            retries: HashMap::new(),
        }
    }

    /// The empty basemap slot: draws nothing, loads nothing.
    pub fn placeholder() -> Self {
        let mut layer = Self::new(
            &CatalogLayer {
                id: String::new(),
                title: String::new(),
                description: None,
                attribution: None,
                geometry: None,
                bounds: None,
                visible: false,
                opacity: 1.0,
                keywords: Vec::new(),
                category: Vec::new(),
                in_map: true,
                ogc: None,
                source: LayerSource::Xyz {
                    tiles: String::new(),
                    subdomains: Vec::new(),
                    minzoom: 0,
                    maxzoom: 0,
                },
                style: kartenn_common::LayerStyle::default(),
            },
            false,
        );
        layer.spec.visible = false;
        layer
    }

    /// Shows another instant of a time-enabled WMS layer (`None`: its default). A change starts
    /// a fresh cache under a new `uid`: tiles of the old instant are dropped, and answers still
    /// on their way find no layer. Returns whether anything changed.
    pub fn set_time(&mut self, time: Option<String>) -> bool {
        if !self.time_enabled {
            return false;
        }
        let time = time.or_else(|| self.default_time.clone());
        let Content::Wms(wms) = &mut self.content else {
            return false;
        };
        if wms.time == time {
            return false;
        }
        wms.time = time;
        self.abort_all();
        self.failures.clear();
        self.cache = TileCache::new(CACHE_BYTES);
        self.uid = NEXT_UID.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// A layer drawn by tiles (GeoJSON layers are not).
    pub fn is_tiled(&self) -> bool {
        !matches!(self.content, Content::GeoJson { .. })
    }

    /// The spec the frame builder sees: GeoJSON layers want no tiles.
    pub fn frame_spec(&self) -> LayerSpec {
        LayerSpec {
            visible: self.spec.visible && self.is_tiled(),
            ..self.spec.clone()
        }
    }

    fn url(&self, key: TileKey, pixel_ratio: f64) -> Option<String> {
        match &self.content {
            Content::Vector { tiles_url, .. } => Some(key.url(tiles_url)),
            Content::Xyz {
                template,
                subdomains,
            } => Some(xyz_url(template, key, subdomains)),
            Content::Wms(wms) => Some(wms.get_map(key, pixel_ratio)),
            Content::GeoJson { .. } => None,
        }
    }

    /// Starts loading `key` unless it is known already. The answer goes to this layer wherever
    /// it is by then (found by its `uid`: layers can be reordered or replaced meanwhile).
    pub fn load(&mut self, key: TileKey, pixel_ratio: f64, map: Weak<RefCell<MapState>>) {
        let Some(url) = self.url(key, pixel_ratio) else {
            return;
        };
        if !self.cache.start_loading(key) {
            return;
        }
        let Ok(controller) = AbortController::new() else {
            self.cache.finish(key, TileState::Failed, 0);
            return;
        };
        let signal = controller.signal();
        self.inflight.insert(key, controller);
        let source_layer = match &self.content {
            Content::Vector { source_layer, .. } => Some(source_layer.clone()),
            _ => None,
        };
        let uid = self.uid;
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match &source_layer {
                Some(name) => loader::load_tile(&url, &signal, name).await,
                None => loader::load_image(&url, &signal).await,
            };
            let Some(map) = map.upgrade() else {
                return;
            };
            let mut map = map.borrow_mut();
            let weak = map.weak_self.clone();
            if let Some(layer) = map.layer_mut(uid) {
                layer.inflight.remove(&key);
                let (state, bytes) = match outcome {
                    Outcome::Data(data) => {
                        let bytes = data.byte_size();
                        let raster = TileRaster {
                            data,
                            canvas: None,
                            raster_px: 0,
                            hit: None,
                        };
                        (TileState::Ready(TileData::Vector(raster)), bytes)
                    }
                    Outcome::Image(image) => {
                        let bytes = (image.width() * image.height() * 4) as usize;
                        (TileState::Ready(TileData::Image(image)), bytes)
                    }
                    Outcome::Empty => (TileState::Empty, 0),
                    Outcome::Failed(reason) => {
                        web_sys::console::warn_1(&format!("tile {url}: {reason}").into());
                        layer.schedule_retry(key, weak);
                        (TileState::Failed, 0)
                    }
                    Outcome::Aborted => return,
                };
                layer.cache.finish(key, state, bytes);
            }
            map.request_render();
        });
    }

    /// After a failure: forget the tile after a growing delay so the next frame asks again.
    fn schedule_retry(&mut self, key: TileKey, map: Weak<RefCell<MapState>>) {
        let attempt = self.failures.entry(key).or_insert(0);
        *attempt += 1;
        if *attempt > MAX_RETRIES {
            return;
        }
        let delay = RETRY_BASE_MS << (*attempt - 1);
        let uid = self.uid;
        self.retries.insert(
            key,
            Timeout::new(delay, move || {
                if let Some(map) = map.upgrade() {
                    let mut map = map.borrow_mut();
                    if let Some(layer) = map.layer_mut(uid) {
                        layer.cache.forget(&key);
                    }
                    map.request_render();
                }
            }),
        );
    }

    /// Loads a GeoJSON layer's document once.
    pub fn load_document(&mut self, map: Weak<RefCell<MapState>>) {
        let Content::GeoJson { url, requested, .. } = &mut self.content else {
            return;
        };
        if *requested || !self.spec.visible {
            return;
        }
        *requested = true;
        let (url, uid, name) = (url.clone(), self.uid, self.id.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = loader::load_geojson(&url, &name).await;
            let Some(map) = map.upgrade() else {
                return;
            };
            let mut map = map.borrow_mut();
            if let Some(layer) = map.layer_mut(uid)
                && let Content::GeoJson { data, .. } = &mut layer.content
            {
                match outcome {
                    Ok(layer_data) => {
                        *data = Some(TileRaster {
                            data: layer_data,
                            canvas: None,
                            raster_px: 0,
                            hit: None,
                        });
                    }
                    Err(reason) => web_sys::console::warn_1(&format!("{url}: {reason}").into()),
                }
            }
            map.request_render();
        });
    }

    /// The decoded vector data of a tile, if it is a loaded vector tile.
    pub fn vector_tile(&mut self, key: &TileKey) -> Option<&mut TileRaster> {
        match self.cache.get_mut(key) {
            Some(TileData::Vector(raster)) => Some(raster),
            _ => None,
        }
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
        self.retries.clear();
    }
}
