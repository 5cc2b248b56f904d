//! The map runtime in the browser: the engine's view and frame builder, one tile cache per
//! layer, DOM events turned into engine gestures, animations (zoom, pan, fling) stepped by a
//! requestAnimationFrame loop that only runs while something changes, labels placed without
//! overlaps once the map settles, and identify. The map keeps a layer for every catalogue
//! layer (nothing loads until one is shown); the overlays say which are in the map, in what
//! order, and at what time. The Yew component holds a [`MapHandle`]; dropping it stops the map.

mod canvas;
mod controls;
mod events;
mod identify;
mod labels;
mod layer;
mod loader;
mod temporal;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::{Rc, Weak};

use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use gloo::timers::callback::Timeout;
use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::animation::{Animation, ZOOM_DURATION_MS};
use kartenn_engine::frame::{Frame, LayerSpec, TileLookup, build_frame};
use kartenn_engine::interaction::{Gestures, Kinetic};
use kartenn_engine::overlays::Overlays;
use kartenn_engine::tile_cache::Status;
use kartenn_engine::view::Constraints;
use kartenn_engine::{Extent, LonLat, TileKey, View};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};
use yew::{Callback, NodeRef};

pub use self::identify::{Found, Identified, IdentifiedLayer};
use self::layer::MapLayer;
pub use self::temporal::{MapCompare, MapTime};

/// Quiet time after the last interaction before tiles are re-rasterised sharp and labels placed.
const SETTLE_MS: u32 = 250;
/// Margin kept around an extent the map zooms to, CSS px.
const FIT_PADDING_PX: f64 = 40.0;
/// Deepest zoom when zooming to a feature (a point has no extent).
const FIT_MAX_ZOOM: f64 = 17.0;

/// The DOM the map draws on and the callbacks it reports to.
pub struct MapMount<'a> {
    pub container: &'a NodeRef,
    pub canvas: &'a NodeRef,
    /// `<div>` whose width shows the scale bar, and its `<span>` label.
    pub scale_bar: &'a NodeRef,
    pub scale_label: &'a NodeRef,
    /// Where the cursor's coordinates are written.
    pub coordinates: &'a NodeRef,
    /// Told the features under each click.
    pub on_identify: Callback<Identified>,
}

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
    gestures: Gestures,
    animation: Option<Animation>,
    kinetic: Option<Kinetic>,
    /// Shift-drag zoom box being drawn, CSS px corners.
    zoom_box: Option<([f64; 2], [f64; 2])>,
    settled: bool,
    /// Some rasters wait to be re-painted sharp in the next frames.
    sharpening: bool,
    /// Frames drawn so far (published as `data-frame`).
    frames: u64,
    frame_request: Option<AnimationFrame>,
    settle_timer: Option<Timeout>,
    listeners: Vec<EventListener>,
    controls: controls::Controls,
    on_identify: Callback<Identified>,
    /// Text widths measured so far, by font size and text.
    text_widths: HashMap<(u32, String), f64>,
    /// The map's time: chronicle windows, compare mode, `data-time`.
    temporal: temporal::Temporal,
    weak_self: Weak<RefCell<MapState>>,
}

/// Milliseconds from the page's clock (`performance.now()`).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"performance".into()).ok())
        .and_then(|p| js_sys::Reflect::get(&p, &"now".into()).ok().map(|f| (p, f)))
        .and_then(|(p, f)| f.dyn_into::<js_sys::Function>().ok()?.call0(&p).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

impl MapHandle {
    /// Starts the map in the mounted elements.
    pub fn mount(
        mount: &MapMount<'_>,
        config: &ClientConfig,
        catalog: &Catalog,
    ) -> Result<Self, JsValue> {
        let container: HtmlElement = mount.container.cast().ok_or("map container missing")?;
        let canvas: HtmlCanvasElement = mount.canvas.cast().ok_or("map canvas missing")?;
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
        // Index 0 is the basemap's slot; every catalogue layer follows, bottom first (those not
        // in the map stay hidden, and load nothing, until the overlays name them).
        let basemap = config
            .basemaps
            .first()
            .map_or_else(MapLayer::placeholder, |b| MapLayer::new(b, true));
        let layers = std::iter::once(basemap)
            .chain(
                catalog
                    .layers
                    .iter()
                    .map(|l| MapLayer::new(l, l.in_map && l.visible)),
            )
            .collect();
        let controls = controls::Controls::new(mount)?;
        let state = Rc::new_cyclic(|weak| {
            RefCell::new(MapState {
                container,
                canvas,
                ctx,
                view,
                pixel_ratio: 1.0,
                background: config.background.to_css(),
                layers,
                gestures: Gestures::default(),
                animation: None,
                kinetic: None,
                zoom_box: None,
                settled: true,
                sharpening: false,
                frames: 0,
                frame_request: None,
                settle_timer: None,
                listeners: Vec::new(),
                controls,
                on_identify: mount.on_identify.clone(),
                text_widths: HashMap::new(),
                temporal: temporal::Temporal::new(catalog),
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

    /// Puts the overlays in the user's order (bottom first) with their visibility, opacity and
    /// time. Layers keep their tiles when they move (not when their time changes); catalogue
    /// layers not in the overlays are hidden.
    pub fn set_overlays(&self, overlays: &Overlays) {
        let mut state = self.state.borrow_mut();
        if state.layers.len() < 2 {
            return;
        }
        let mut rest = state.layers.split_off(1);
        for wanted in overlays.iter() {
            if let Some(at) = rest.iter().position(|l| l.id == wanted.id) {
                let mut layer = rest.remove(at);
                layer.spec.visible = wanted.visible;
                layer.spec.opacity = wanted.opacity;
                layer.set_time(wanted.time.clone());
                state.layers.push(layer);
            }
        }
        // Catalogue layers not in the map: hidden, above the rest (their place does not matter).
        for layer in &mut rest {
            layer.spec.visible = false;
        }
        state.layers.append(&mut rest);
        temporal::arrange(&mut state);
        state.mark_busy();
        state.request_render();
    }

    /// Flies to show all of `extent` (Web Mercator), not deeper than a street's zoom.
    pub fn fit(&self, extent: &Extent) {
        let mut state = self.state.borrow_mut();
        let mut fitted = state.view.clone();
        fitted.fit(extent, FIT_PADDING_PX);
        if fitted.zoom() > FIT_MAX_ZOOM {
            fitted.zoom_to(FIT_MAX_ZOOM, None);
        }
        state.kinetic = None;
        state.animation = Some(Animation::fly(
            &state.view,
            fitted.center(),
            fitted.zoom(),
            now_ms(),
            ZOOM_DURATION_MS,
        ));
        state.interacted();
    }

    /// Puts another basemap under the overlays (`None`: no basemap).
    pub fn set_basemap(&self, basemap: Option<&kartenn_common::CatalogLayer>) {
        let mut state = self.state.borrow_mut();
        let current = state
            .layers
            .first()
            .map(|l| l.id.as_str())
            .unwrap_or_default();
        if current == basemap.map_or("", |b| b.id.as_str()) {
            return;
        }
        let next = basemap.map_or_else(MapLayer::placeholder, |b| MapLayer::new(b, true));
        if let Some(slot) = state.layers.first_mut() {
            slot.abort_all();
            *slot = next;
        }
        state.mark_busy();
        state.request_render();
    }

    /// Zooms by `delta` levels around the centre, animated (the +/− buttons).
    pub fn zoom_by(&self, delta: f64) {
        self.state
            .borrow_mut()
            .animate_zoom(delta, None, ZOOM_DURATION_MS);
    }

    /// Shows the map alone on the whole screen, or leaves full screen.
    pub fn toggle_fullscreen(&self) {
        let state = self.state.borrow();
        let document = web_sys::window().and_then(|w| w.document());
        match document {
            Some(d) if d.fullscreen_element().is_some() => d.exit_fullscreen(),
            _ => {
                let _ = state.container.request_fullscreen();
            }
        }
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
    /// The layer with this `uid`, wherever it is now.
    pub(crate) fn layer_mut(&mut self, uid: u64) -> Option<&mut MapLayer> {
        self.layers.iter_mut().find(|l| l.uid == uid)
    }

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
                if state.is_moving() {
                    return;
                }
                state.settled = true;
                state.settle_timer = None;
                state.request_render();
            }
        }));
        self.request_render();
    }

    fn is_moving(&self) -> bool {
        self.animation.is_some() || self.kinetic.is_some() || self.gestures.is_active()
    }

    /// Stops animations and flings (a new gesture takes over).
    pub(crate) fn stop_motion(&mut self) {
        self.animation = None;
        self.kinetic = None;
    }

    /// Animated zoom by `delta` levels around `anchor` (CSS px; `None`: centre). Successive
    /// calls accumulate onto the running animation's target.
    pub(crate) fn animate_zoom(&mut self, delta: f64, anchor: Option<[f64; 2]>, duration_ms: f64) {
        let now = now_ms();
        self.kinetic = None;
        match &mut self.animation {
            Some(anim) => {
                let target = anim.target_zoom() + delta;
                anim.retarget_zoom(&self.view, target, anchor, now);
            }
            None => {
                self.animation = Some(Animation::zoom(
                    &self.view,
                    self.view.zoom() + delta,
                    anchor,
                    now,
                    duration_ms,
                ));
            }
        }
        self.interacted();
    }

    fn fit_canvas(&mut self) {
        let width = f64::from(self.container.client_width().max(1));
        let height = f64::from(self.container.client_height().max(1));
        self.pixel_ratio = crate::dom::fit_backing_store(&self.canvas, width, height);
        self.view.set_size(width, height);
    }

    /// Advances animations and flings to now; true while one still runs.
    fn step_motion(&mut self) -> bool {
        let now = now_ms();
        if let Some(anim) = &self.animation
            && !anim.step(&mut self.view, now)
        {
            self.animation = None;
        }
        if let Some(kinetic) = &mut self.kinetic {
            let ([dx, dy], going) = kinetic.step(now);
            self.view.pan_by(dx, dy);
            if !going {
                self.kinetic = None;
            }
        }
        self.animation.is_some() || self.kinetic.is_some()
    }

    fn render(&mut self) {
        self.frames += 1;
        let moving = self.step_motion();
        self.fit_canvas();
        let specs: Vec<LayerSpec> = self.layers.iter().map(MapLayer::frame_spec).collect();
        let frame = build_frame(&self.view, self.pixel_ratio, &specs, &Lookup(&self.layers));
        self.load_wanted(&frame);
        self.sharpening = canvas::draw_frame(self, &frame);
        if self.sharpening {
            self.request_render();
        }
        if self.settled && !moving {
            labels::draw_labels(self, &frame);
        }
        canvas::draw_zoom_box(self);
        for layer in &mut self.layers {
            layer.cache.evict();
        }
        self.controls.update(&self.view);
        self.publish_state(&frame);
        if moving {
            self.interacted();
        }
    }

    /// Starts loads for wanted tiles, cancels loads nobody wants any more, keeps wanted and
    /// drawn tiles fresh in the caches.
    fn load_wanted(&mut self, frame: &Frame) {
        let weak = self.weak_self.clone();
        let ratio = self.pixel_ratio;
        for (index, layer) in self.layers.iter_mut().enumerate() {
            layer.load_document(weak.clone());
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
                layer.load(*key, ratio, weak.clone());
            }
        }
    }

    /// Exposes the view on the container for scripts and tests: `data-zoom`, `data-center`
    /// (lon,lat), `data-resolution`, `data-frame` (frames drawn) and `data-ready` once
    /// everything wanted is drawn sharp (all tiles loaded, and interaction paused so rasters
    /// are at full resolution). Any change of view or layers sets `data-ready` to false at once.
    /// `data-time` is the map's time (see [`temporal`]).
    fn publish_state(&self, frame: &Frame) {
        let center = self.view.center().to_lonlat();
        let ready = frame.complete() && self.settled && !self.sharpening && !self.is_moving();
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
        temporal::publish(self);
    }
}
