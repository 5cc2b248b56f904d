//! Time in the map runtime: the map's time as published (`data-time`, with the view noted for
//! the permalink), chronicle stations drawn by it (those with data in the window as styled,
//! the others dimmed to [`DIMMED`]), each chronicle's span reported once its stations are
//! loaded, and compare mode's swipe: a second instance of the compared layer at date B, drawn
//! right of the divider while the layer itself is clipped to its left.

use std::cell::{Ref, RefCell};
use std::collections::{HashMap, HashSet};

use kartenn_common::{Catalog, CatalogLayer, LayerSource};
use kartenn_engine::mvt::Layer;
use kartenn_engine::time::stations;
use web_sys::CanvasRenderingContext2d;
use yew::Callback;

use super::layer::{Content, MapLayer};
use super::{MapHandle, MapState};

/// Share of a chronicle layer's opacity its stations without data at the map's time get.
pub const DIMMED: f64 = 0.25;
/// Added to a layer's id for compare mode's second instance.
const COMPARE_SUFFIX: &str = "\u{1}compare";

/// What the viewer tells the map about time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MapTime {
    /// The map's time as the permalink writes it, published as `data-time` (empty: none).
    pub label: String,
    /// Chronicle stations with data in this window (Unix ms) are drawn, the others dimmed.
    pub window: Option<(f64, f64)>,
    pub compare: Option<MapCompare>,
    /// Told each chronicle layer's span (earliest start, latest end) once its stations load.
    pub on_span: Callback<(String, (f64, f64))>,
}

/// Compare mode: `layer` at `time` right of the divider.
#[derive(Debug, Clone, PartialEq)]
pub struct MapCompare {
    pub layer: CatalogLayer,
    pub time: String,
    /// 0 (left edge) to 1.
    pub divider: f64,
}

/// Stations split by a window.
pub struct Split {
    window: (f64, f64),
    features: usize,
    pub on: Layer,
    pub off: Layer,
}

/// The map's time state.
pub struct Temporal {
    time: MapTime,
    chronicles: HashSet<String>,
    /// Spans found so far, by layer id.
    spans: RefCell<HashMap<String, Option<(f64, f64)>>>,
    splits: RefCell<HashMap<u64, Split>>,
}

impl Temporal {
    pub fn new(catalog: &Catalog) -> Self {
        Self {
            time: MapTime::default(),
            chronicles: catalog
                .layers
                .iter()
                .filter(|l| matches!(l.source, LayerSource::Chronicle { .. }))
                .map(|l| l.id.clone())
                .collect(),
            spans: RefCell::new(HashMap::new()),
            splits: RefCell::new(HashMap::new()),
        }
    }
}

impl MapHandle {
    /// Applies the map's time: chronicle windows, compare mode, `data-time`.
    pub fn set_time(&self, time: &MapTime) {
        let mut state = self.state.borrow_mut();
        let t = &mut state.temporal;
        let changed = t.time.label != time.label
            || t.time.window != time.window
            || t.time.compare != time.compare;
        let new_listener = t.time.on_span != time.on_span;
        t.time = time.clone();
        if new_listener {
            for (id, span) in t.spans.borrow().iter() {
                if let Some(span) = *span {
                    report(&time.on_span, id.clone(), span);
                }
            }
        }
        if changed {
            arrange(&mut state);
            state.mark_busy();
            state.request_render();
        }
    }
}

/// Tells `on_span` later (never while the map is borrowed: the listener may re-render it).
fn report(on_span: &Callback<(String, (f64, f64))>, id: String, span: (f64, f64)) {
    let on_span = on_span.clone();
    wasm_bindgen_futures::spawn_local(async move { on_span.emit((id, span)) });
}

fn instance_id(id: &str) -> String {
    format!("{id}{COMPARE_SUFFIX}")
}

/// Puts compare mode's instance right above its layer (or takes it out), at date B, shown and
/// as opaque as the layer.
pub fn arrange(state: &mut MapState) {
    let mut instance = state
        .layers
        .iter()
        .position(|l| l.id.ends_with(COMPARE_SUFFIX))
        .map(|at| state.layers.remove(at));
    let compare = state.temporal.time.compare.clone();
    let original = compare
        .as_ref()
        .and_then(|c| state.layers.iter().position(|l| l.id == c.layer.id));
    let (Some(compare), Some(at)) = (compare, original) else {
        if let Some(old) = &mut instance {
            old.abort_all();
        }
        return;
    };
    let id = instance_id(&compare.layer.id);
    let mut layer = match instance {
        Some(layer) if layer.id == id => layer,
        other => {
            if let Some(mut old) = other {
                old.abort_all();
            }
            let mut layer = MapLayer::new(&compare.layer, true);
            layer.id = id;
            layer.queryable = false;
            layer
        }
    };
    let (visible, opacity) = (state.layers[at].spec.visible, state.layers[at].spec.opacity);
    layer.spec.visible = visible;
    layer.spec.opacity = opacity;
    layer.set_time(Some(compare.time.clone()));
    state.layers.insert(at + 1, layer);
}

/// Restores the canvas state (ending a clip) when dropped.
pub struct Clip(CanvasRenderingContext2d);

impl Drop for Clip {
    fn drop(&mut self) {
        self.0.restore();
    }
}

/// In compare mode, clips drawing to the side of the divider where layer `id` shows (CSS px
/// transform in place), until the returned guard is dropped.
pub fn clip(
    ctx: &CanvasRenderingContext2d,
    t: &Temporal,
    id: &str,
    size: [f64; 2],
) -> Option<Clip> {
    let compare = t.time.compare.as_ref()?;
    let [width, height] = size;
    let x = (compare.divider * width).round();
    let rect = if id == compare.layer.id {
        [0.0, 0.0, x, height]
    } else if id.strip_suffix(COMPARE_SUFFIX) == Some(compare.layer.id.as_str()) {
        [x, 0.0, width - x, height]
    } else {
        return None;
    };
    ctx.save();
    ctx.begin_path();
    ctx.rect(rect[0], rect[1], rect[2], rect[3]);
    ctx.clip();
    Some(Clip(ctx.clone()))
}

/// A chronicle layer's stations split by the map's time (`None`: draw them all as styled).
pub fn stations<'a>(map: &'a MapState, layer: &MapLayer, data: &Layer) -> Option<Ref<'a, Split>> {
    let t = &map.temporal;
    if !t.chronicles.contains(&layer.id) {
        return None;
    }
    let window = t.time.window?;
    {
        let mut splits = t.splits.borrow_mut();
        let fresh = splits
            .get(&layer.uid)
            .is_some_and(|s| s.window == window && s.features == data.features.len());
        if !fresh {
            let (on, off) = stations::split(data, window);
            let split = Split {
                window,
                features: data.features.len(),
                on,
                off,
            };
            splits.insert(layer.uid, split);
        }
    }
    Ref::filter_map(t.splits.borrow(), |s| s.get(&layer.uid)).ok()
}

/// Publishes `data-time`, notes the view for the permalink, and reports the spans of chronicle
/// layers loaded since the last frame.
pub fn publish(map: &MapState) {
    let t = &map.temporal;
    let _ = map.container.set_attribute("data-time", &t.time.label);
    let center = map.view.center().to_lonlat();
    crate::permalink::note_view(center.lon, center.lat, map.view.zoom());
    for layer in map.layers.iter().filter(|l| t.chronicles.contains(&l.id)) {
        let Content::GeoJson {
            data: Some(doc), ..
        } = &layer.content
        else {
            continue;
        };
        if t.spans.borrow().contains_key(&layer.id) {
            continue;
        }
        let span = stations::extent(&doc.data);
        t.spans.borrow_mut().insert(layer.id.clone(), span);
        if let Some(span) = span {
            report(&t.time.on_span, layer.id.clone(), span);
        }
    }
}
