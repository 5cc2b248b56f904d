//! The chart runtime in the browser: a canvas (backing store × devicePixelRatio) drawn by the
//! engine's chart module on animation frames, pointer, wheel and keyboard events moving its
//! time range, the series' points fetched for the range in view (debounced, stale answers
//! dropped) and a tooltip written straight into the DOM. The container publishes
//! `data-points` (values drawn per series), `data-from` / `data-to` (the range in view, Unix
//! ms), `data-asked` (points asked per series), `data-fetches` (answers received),
//! `data-loading` (requests under way) and `data-settled` (the range has been still for the
//! debounce time) for scripts and tests. The Yew component holds a
//! [`ChartHandle`]; dropping it stops everything.

mod canvas;
mod events;
mod export;
mod fetch;
pub mod selection;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use gloo::events::EventListener;
use gloo::render::AnimationFrame;
use gloo::timers::callback::Timeout;
use kartenn_engine::chart::draw::{Drawn, draw};
use kartenn_engine::chart::fetch::{Debounce, Loaded, Request};
use kartenn_engine::chart::layout::{Rect, Scene, SeriesRef};
use kartenn_engine::chart::series::Point;
use kartenn_engine::chart::time_axis::{MonthNames, format_instant};
use kartenn_engine::chart::value_axis::format_value;
use kartenn_engine::chart::window::TimeWindow;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};
use yew::{Callback, NodeRef};

use crate::map::now_ms;

/// One series the chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesSpec {
    /// Where its points are (`SeriesInfo.url`); also its identity.
    pub url: String,
    pub label: String,
    pub unit: Option<String>,
    pub color: String,
    /// First and last sample (Unix ms).
    pub extent: Option<[f64; 2]>,
    /// Time between samples (ms) when regular.
    pub step_ms: Option<f64>,
}

/// The DOM the chart draws in and what it reports.
pub struct ChartMount<'a> {
    pub container: &'a NodeRef,
    pub canvas: &'a NodeRef,
    pub tooltip: &'a NodeRef,
    pub months: MonthNames,
    /// Told the range in view once it has been still for a moment (Unix ms).
    pub on_range: Callback<[f64; 2]>,
    /// Told why the last requests failed (`None`: they all succeeded).
    pub on_error: Callback<Option<String>>,
}

/// A series and what the chart holds of it.
struct SeriesState {
    spec: SeriesSpec,
    points: Vec<Point>,
    loaded: Option<Loaded>,
    inflight: Option<Inflight>,
    failed: Option<String>,
}

/// A request under way, numbered: answers to older ones are dropped.
struct Inflight {
    controller: AbortController,
    number: u64,
    request: Request,
}

impl SeriesState {
    fn abort(&mut self) {
        if let Some(inflight) = self.inflight.take() {
            inflight.controller.abort();
        }
    }
}

pub(crate) struct ChartState {
    container: HtmlElement,
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    tooltip: HtmlElement,
    months: MonthNames,
    window: Option<TimeWindow>,
    series: Vec<SeriesState>,
    /// Cursor x over the canvas (CSS px).
    hover_x: Option<f64>,
    /// The pointer dragging the chart and its last x.
    drag: Option<(i32, f64)>,
    /// The plot of the last drawing (CSS px).
    plot: Rect,
    width: f64,
    pixel_ratio: f64,
    debounce: Debounce,
    fetch_timer: Option<Timeout>,
    /// Fetch as soon as the next drawing knows the plot's width.
    fetch_after_draw: bool,
    next_request: u64,
    fetches: u64,
    frame_request: Option<AnimationFrame>,
    listeners: Vec<EventListener>,
    text_widths: HashMap<(u32, String), f64>,
    on_range: Callback<[f64; 2]>,
    on_error: Callback<Option<String>>,
    weak_self: Weak<RefCell<ChartState>>,
}

/// The Yew side's handle on a running chart.
pub struct ChartHandle {
    state: Rc<RefCell<ChartState>>,
}

impl ChartHandle {
    /// Starts the chart in the mounted elements.
    pub fn mount(mount: ChartMount<'_>) -> Result<Self, JsValue> {
        let container: HtmlElement = mount.container.cast().ok_or("chart container missing")?;
        let canvas: HtmlCanvasElement = mount.canvas.cast().ok_or("chart canvas missing")?;
        let tooltip: HtmlElement = mount.tooltip.cast().ok_or("chart tooltip missing")?;
        let ctx = canvas
            .get_context("2d")?
            .ok_or("no 2d context")?
            .dyn_into::<CanvasRenderingContext2d>()
            .map_err(|_| JsValue::from_str("not a 2d context"))?;
        let state = Rc::new_cyclic(|weak| {
            RefCell::new(ChartState {
                container,
                canvas,
                ctx,
                tooltip,
                months: mount.months,
                window: None,
                series: Vec::new(),
                hover_x: None,
                drag: None,
                plot: Rect {
                    left: 0.0,
                    top: 0.0,
                    right: 1.0,
                    bottom: 1.0,
                },
                width: 1.0,
                pixel_ratio: 1.0,
                debounce: Debounce::default(),
                fetch_timer: None,
                fetch_after_draw: false,
                next_request: 1,
                fetches: 0,
                frame_request: None,
                listeners: Vec::new(),
                text_widths: HashMap::new(),
                on_range: mount.on_range,
                on_error: mount.on_error,
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

    /// Shows these series (in this order). Series already shown keep their points; the range
    /// in view is kept as far as the new extent allows.
    pub fn set_series(&self, specs: &[SeriesSpec]) {
        let mut state = self.state.borrow_mut();
        let mut old: Vec<SeriesState> = std::mem::take(&mut state.series);
        // Another station altogether: its whole period in view.
        if !specs
            .iter()
            .any(|s| old.iter().any(|o| o.spec.url == s.url))
        {
            state.window = None;
        }
        for spec in specs {
            let kept = old
                .iter()
                .position(|s| s.spec.url == spec.url)
                .map(|i| old.swap_remove(i));
            let series = match kept {
                Some(mut s) => {
                    s.spec = spec.clone();
                    s
                }
                None => SeriesState {
                    spec: spec.clone(),
                    points: Vec::new(),
                    loaded: None,
                    inflight: None,
                    failed: None,
                },
            };
            state.series.push(series);
        }
        for mut gone in old {
            gone.abort();
        }
        let extent = state
            .series
            .iter()
            .filter_map(|s| s.spec.extent)
            .reduce(|a, b| [a[0].min(b[0]), a[1].max(b[1])]);
        match (extent, &mut state.window) {
            (None, window) => *window = None,
            (Some(extent), Some(window)) => window.set_extent(extent),
            (Some(extent), window) => *window = Some(TimeWindow::new(extent)),
        }
        state.fetch_after_draw = true;
        state.report_errors();
        state.request_render();
    }

    /// Zooms around the middle of the range by `factor` (below 1: in).
    pub fn zoom(&self, factor: f64) {
        let mut state = self.state.borrow_mut();
        let changed = state.window.as_mut().is_some_and(|w| {
            let [a, b] = w.visible();
            w.zoom_at(f64::midpoint(a, b), factor)
        });
        if changed {
            state.view_changed();
        }
    }

    /// Shows the whole extent again.
    pub fn reset(&self) {
        let mut state = self.state.borrow_mut();
        if state.window.as_mut().is_some_and(TimeWindow::reset) {
            state.view_changed();
        }
    }

    /// Downloads the chart as a PNG image named `file_name`.
    pub fn export_png(&self, file_name: &str) {
        let mut state = self.state.borrow_mut();
        // Without the hover marker.
        let hover = state.hover_x.take();
        state.render();
        export::download_png(&state.canvas, file_name);
        state.hover_x = hover;
        state.request_render();
    }
}

impl Drop for ChartHandle {
    fn drop(&mut self) {
        let mut state = self.state.borrow_mut();
        state.listeners.clear();
        state.frame_request = None;
        state.fetch_timer = None;
        for series in &mut state.series {
            series.abort();
        }
    }
}

impl ChartState {
    /// Asks for a drawing on the next animation frame (once, however often it is called).
    fn request_render(&mut self) {
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

    /// The range in view moved: draw, and fetch once it stays still.
    fn view_changed(&mut self) {
        self.request_render();
        let _ = self.container.set_attribute("data-settled", "false");
        self.debounce.changed(now_ms());
        self.schedule_fetch();
    }

    /// Sizes the backing store to the canvas' CSS size × devicePixelRatio; the CSS size.
    fn fit_canvas(&mut self) -> (f64, f64) {
        let width = f64::from(self.canvas.client_width().max(1));
        let height = f64::from(self.canvas.client_height().max(1));
        self.pixel_ratio = crate::dom::fit_backing_store(&self.canvas, width, height);
        (width, height)
    }

    fn render(&mut self) {
        let (width, height) = self.fit_canvas();
        let resized = (width - self.width).abs() >= 1.0;
        self.width = width;
        let Some(window) = self.window else {
            self.clear();
            self.publish(None);
            return;
        };
        let refs: Vec<SeriesRef<'_>> = self
            .series
            .iter()
            .map(|s| SeriesRef {
                label: &s.spec.label,
                unit: s.spec.unit.as_deref(),
                color: &s.spec.color,
                points: &s.points,
            })
            .collect();
        let scene = Scene {
            width,
            height,
            pixel_ratio: self.pixel_ratio,
            window,
            series: &refs,
            months: &self.months,
            hover_x: if self.drag.is_some() {
                None
            } else {
                self.hover_x
            },
        };
        let mut painter = canvas::Painter::new(
            &self.ctx,
            f64::from(self.canvas.width()),
            f64::from(self.canvas.height()),
            &mut self.text_widths,
        );
        let drawn = draw(&scene, &mut painter);
        drop(refs);
        self.plot = drawn.layout.plot;
        self.show_tooltip(&drawn);
        self.publish(Some(&drawn));
        if self.fetch_after_draw || resized {
            self.fetch_after_draw = false;
            self.fetch_due();
        }
    }

    fn clear(&self) {
        let _ = self.ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        self.ctx.set_fill_style_str("#ffffff");
        self.ctx.fill_rect(
            0.0,
            0.0,
            f64::from(self.canvas.width()),
            f64::from(self.canvas.height()),
        );
        let _ = self.tooltip.set_attribute("hidden", "");
    }

    /// Writes the hovered values in the tooltip, next to the cursor, or hides it.
    fn show_tooltip(&self, drawn: &Drawn) {
        let tooltip = &self.tooltip;
        let Some(hover) = &drawn.hover else {
            let _ = tooltip.set_attribute("hidden", "");
            return;
        };
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        tooltip.set_text_content(None);
        let line = |text: &str, color: Option<&str>| -> Option<()> {
            let row = document.create_element("div").ok()?;
            if let Some(color) = color {
                let swatch = document.create_element("span").ok()?;
                swatch.set_class_name("swatch-line");
                let _ = swatch.set_attribute("style", &format!("background:{color}"));
                row.append_child(&swatch).ok()?;
            }
            let text_node = document.create_text_node(text);
            row.append_child(&text_node).ok()?;
            tooltip.append_child(&row).ok()?;
            Some(())
        };
        let _ = line(&format!("{} UTC", format_instant(hover.t)), None);
        for entry in &hover.entries {
            let Some(series) = self.series.get(entry.series) else {
                continue;
            };
            let unit = series.spec.unit.as_deref().unwrap_or_default();
            let mut text = format!(
                "{} : {} {unit}",
                series.spec.label,
                format_value(entry.value)
            );
            // A compared series sampled at another instant says when.
            if entry.t.to_bits() != hover.t.to_bits() {
                text = format!("{} ({})", text.trim_end(), format_instant(entry.t));
            }
            let _ = line(text.trim_end(), Some(&series.spec.color));
        }
        // Beside the cursor, on the side with room, never out of the chart.
        let _ = tooltip.remove_attribute("hidden");
        let width = f64::from(tooltip.offset_width());
        let x = if hover.x + 12.0 + width <= self.width {
            hover.x + 12.0
        } else {
            (hover.x - 12.0 - width).max(0.0)
        };
        let style = tooltip.style();
        let _ = style.set_property("left", &format!("{x:.0}px"));
        let _ = style.set_property("top", &format!("{:.0}px", self.plot.top + 4.0));
    }

    /// The chart's state on its container, for scripts and tests.
    fn publish(&self, drawn: Option<&Drawn>) {
        let el = &self.container;
        let counts = drawn.map_or_else(String::new, |d| {
            d.counts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        });
        let _ = el.set_attribute("data-points", &counts);
        let asked = self
            .series
            .iter()
            .map(|s| s.loaded.map_or(0, |l| l.request.points).to_string())
            .collect::<Vec<_>>()
            .join(",");
        let _ = el.set_attribute("data-asked", &asked);
        if let Some(window) = &self.window {
            let [from, to] = window.visible();
            let _ = el.set_attribute("data-from", &format!("{from:.0}"));
            let _ = el.set_attribute("data-to", &format!("{to:.0}"));
        }
        let _ = el.set_attribute("data-fetches", &self.fetches.to_string());
        let loading = self.series.iter().filter(|s| s.inflight.is_some()).count();
        let _ = el.set_attribute("data-loading", &loading.to_string());
        let settled = self.debounce.wait(now_ms()).is_none();
        let _ = el.set_attribute("data-settled", if settled { "true" } else { "false" });
    }

    /// Tells the component about failed requests (the first reason), or that there are none.
    fn report_errors(&self) {
        let reason = self.series.iter().find_map(|s| s.failed.clone());
        self.on_error.emit(reason);
    }
}
