//! The map runtime in the browser: the engine's view and frame builder, one tile cache per
//! layer, DOM events turned into engine input, and a requestAnimationFrame loop that draws only
//! when something changed. The Yew component holds a [`MapHandle`]; dropping it stops the map.

mod canvas;
mod events;
mod layer;
mod loader;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::{Rc, Weak};

use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use gloo::timers::callback::Timeout;
use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::frame::{Frame, LayerSpec, TileLookup, build_frame};
use kartenn_engine::interaction::DragPan;
use kartenn_engine::tile_cache::Status;
use kartenn_engine::view::Constraints;
use kartenn_engine::{LonLat, TileKey, View};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};
use yew::NodeRef;

use self::layer::MapLayer;

/// Quiet time after the last interaction before tiles are re-rasterised at full sharpness.
const SETTLE_MS: u32 = 250;

/// The Yew side's handle on a running map.
pub struct MapHandle {
    state: Rc<RefCell<MapState>>,
}

pub(crate) struct MapState {
    container: HtmlElement,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    view: View,
    pixel_ratio: f64,
    background: String,
    layers: Vec<MapLayer>,
    drag: DragPan,
    settled: bool,
    /// Frames drawn so far (published as `data-frame`).
    frames: u64,
    frame_request: Option<AnimationFrame>,
    settle_timer: Option<Timeout>,
    listeners: Vec<EventListener>,
    weak_self: Weak<RefCell<MapState>>,
}

impl MapHandle {
    /// Starts the map in `container` drawing on `canvas`.
    pub fn mount(
        container: &NodeRef,
        canvas: &NodeRef,
        config: &ClientConfig,
        catalog: &Catalog,
        visible: &[bool],
    ) -> Result<Self, JsValue> {
        let container: HtmlElement = container.cast().ok_or("map container missing")?;
        let canvas: HtmlCanvasElement = canvas.cast().ok_or("map canvas missing")?;
        let ctx = canvas2d(&canvas)?;
        let [lon, lat] = config.view.center;
        let view = View::new(
            LonLat::new(lon, lat).to_mercator(),
            config.view.zoom,
            Constraints {
                min_zoom: config.min_zoom,
                max_zoom: config.max_zoom,
                ..Constraints::default()
            },
        );
        let layers = catalog
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                MapLayer::new(layer, visible.get(i).copied().unwrap_or(layer.visible))
            })
            .collect();
        let state = Rc::new_cyclic(|weak| {
            RefCell::new(MapState {
                container,
                canvas,
                ctx,
                view,
                pixel_ratio: 1.0,
                background: config.background.to_css(),
                layers,
                drag: DragPan::default(),
                settled: true,
                frames: 0,
                frame_request: None,
                settle_timer: None,
                listeners: Vec::new(),
                weak_self: weak.clone(),
            })
        });
        let listeners = events::attach(&state);
        {
            let mut s = state.borrow_mut();
            s.listeners = listeners;
            s.request_render();
        }
        Ok(Self { state })
    }

    pub fn set_visibility(&self, visible: &[bool]) {
        let mut state = self.state.borrow_mut();
        for (layer, &v) in state.layers.iter_mut().zip(visible) {
            layer.spec.visible = v;
        }
        state.mark_busy();
        state.request_render();
    }

    /// Zooms by `delta` levels around the centre (the +/− buttons).
    pub fn zoom_by(&self, delta: f64) {
        let mut state = self.state.borrow_mut();
        state.view.zoom_by(delta, None);
        state.interacted();
    }
}

impl Drop for MapHandle {
    fn drop(&mut self) {
        let mut state = self.state.borrow_mut();
        state.listeners.clear();
        state.frame_request = None;
        state.settle_timer = None;
        for layer in &mut state.layers {
            layer.abort_all();
        }
    }
}

fn canvas2d(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsValue> {
    canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into::<CanvasRenderingContext2d>()
        .map_err(|_| JsValue::from_str("not a 2d context"))
}

struct Lookup<'a>(&'a [MapLayer]);

impl TileLookup for Lookup<'_> {
    fn status(&self, layer: usize, key: &TileKey) -> Status {
        self.0
            .get(layer)
            .map_or(Status::Absent, |l| l.cache.status(key))
    }
}

impl MapState {
    /// Asks for a frame on the next animation frame (once, however often it is called).
    pub(crate) fn request_render(&mut self) {
        if self.frame_request.is_some() {
            return;
        }
        let weak = self.weak_self.clone();
        self.frame_request = Some(gloo::render::request_animation_frame(move |_| {
            if let Some(state) = weak.upgrade() {
                let mut state = state.borrow_mut();
                state.frame_request = None;
                state.render();
            }
        }));
    }

    /// Says at once (before the next frame) that what is on screen is about to change.
    fn mark_busy(&self) {
        let _ = self.container.set_attribute("data-ready", "false");
    }

    /// Something moved the view: draw, and re-sharpen once interaction pauses.
    pub(crate) fn interacted(&mut self) {
        self.settled = false;
        self.mark_busy();
        let weak = self.weak_self.clone();
        self.settle_timer = Some(Timeout::new(SETTLE_MS, move || {
            if let Some(state) = weak.upgrade() {
                let mut state = state.borrow_mut();
                state.settled = true;
                state.settle_timer = None;
                state.request_render();
            }
        }));
        self.request_render();
    }

    fn fit_canvas(&mut self) {
        let width = f64::from(self.container.client_width().max(1));
        let height = f64::from(self.container.client_height().max(1));
        let ratio = web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .max(0.5);
        let (device_w, device_h) = (
            (width * ratio).round() as u32,
            (height * ratio).round() as u32,
        );
        if self.canvas.width() != device_w || self.canvas.height() != device_h {
            self.canvas.set_width(device_w);
            self.canvas.set_height(device_h);
        }
        self.pixel_ratio = ratio;
        self.view.set_size(width, height);
    }

    fn render(&mut self) {
        self.frames += 1;
        self.fit_canvas();
        let specs: Vec<LayerSpec> = self.layers.iter().map(|l| l.spec.clone()).collect();
        let frame = build_frame(&self.view, self.pixel_ratio, &specs, &Lookup(&self.layers));
        self.load_wanted(&frame);
        canvas::draw_frame(self, &frame);
        for layer in &mut self.layers {
            layer.cache.evict();
        }
        self.publish_state(&frame);
    }

    /// Starts loads for wanted tiles, cancels loads nobody wants any more, keeps wanted and
    /// drawn tiles fresh in the caches.
    fn load_wanted(&mut self, frame: &Frame) {
        let weak = self.weak_self.clone();
        for (index, layer) in self.layers.iter_mut().enumerate() {
            let wanted = frame.wanted.get(index).map_or(&[][..], Vec::as_slice);
            let wanted_set: HashSet<TileKey> = wanted.iter().copied().collect();
            layer.cancel_unwanted(&wanted_set);
            let drawn = frame
                .draws
                .iter()
                .filter(|d| d.layer == index)
                .map(|d| d.key);
            let used: Vec<TileKey> = wanted.iter().copied().chain(drawn).collect();
            layer.cache.touch(&used);
            for key in wanted {
                layer.load(index, *key, weak.clone());
            }
        }
    }

    /// Exposes the view on the container for scripts and tests: `data-zoom`, `data-center`
    /// (lon,lat), `data-resolution`, `data-frame` (frames drawn) and `data-ready` once
    /// everything wanted is drawn sharp (all tiles loaded, and interaction paused so rasters
    /// are at full resolution). Any change of view or layers sets `data-ready` to false at once.
    fn publish_state(&self, frame: &Frame) {
        let center = self.view.center().to_lonlat();
        let ready = frame.complete() && self.settled;
        let el = &self.container;
        let _ = el.set_attribute("data-zoom", &format!("{:.4}", self.view.zoom()));
        let _ = el.set_attribute(
            "data-center",
            &format!("{:.7},{:.7}", center.lon, center.lat),
        );
        let _ = el.set_attribute("data-resolution", &format!("{}", self.view.resolution()));
        let _ = el.set_attribute("data-pending", &frame.pending.to_string());
        let _ = el.set_attribute("data-frame", &self.frames.to_string());
        let _ = el.set_attribute("data-ready", if ready { "true" } else { "false" });
    }
}
