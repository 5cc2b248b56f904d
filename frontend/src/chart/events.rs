//! DOM events → the chart's time range: drag pans (pointer captured), the wheel zooms around
//! the cursor, a double click shows everything again, keys pan / zoom / reset when the chart
//! has the focus, the cursor's position drives the tooltip; resizes redraw (and may fetch).
//! Listeners hold only weak references to the chart.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use kartenn_engine::chart::window::{ChartKey, chart_key, wheel_factor};
use web_sys::{HtmlCanvasElement, PointerEvent};

use crate::dom::{key_listener, listen, position, press, resize_listener, wheel_listener};

use super::ChartState;

impl ChartState {
    /// Applies a change of the range in view (if it changed).
    fn moved(
        &mut self,
        change: impl FnOnce(&mut kartenn_engine::chart::window::TimeWindow, f64, f64) -> bool,
    ) {
        let (left, width) = (self.plot.left, self.plot.width());
        if self.window.as_mut().is_some_and(|w| change(w, left, width)) {
            self.view_changed();
        }
    }

    fn pointer(&mut self, kind: &str, id: i32, x: f64) {
        match kind {
            "pointerdown" => {
                self.drag = Some((id, x));
                self.request_render();
            }
            "pointermove" => {
                self.hover_x = Some(x);
                if let Some((drag_id, last)) = self.drag
                    && drag_id == id
                {
                    self.drag = Some((id, x));
                    self.moved(|w, _, width| w.pan_by(-(x - last) * w.span() / width));
                }
                self.request_render();
            }
            "pointerup" | "pointercancel" => {
                if self.drag.is_some_and(|(drag_id, _)| drag_id == id) {
                    self.drag = None;
                    self.request_render();
                }
            }
            _ => {
                // pointerleave
                if self.drag.is_none() {
                    self.hover_x = None;
                    self.request_render();
                }
            }
        }
    }

    fn key(&mut self, action: ChartKey) {
        match action {
            ChartKey::Pan(share) => self.moved(|w, _, _| w.pan_by(share * w.span())),
            ChartKey::Zoom(factor) => self.moved(|w, _, _| {
                let [a, b] = w.visible();
                w.zoom_at(f64::midpoint(a, b), factor)
            }),
            ChartKey::Reset => self.moved(|w, _, _| w.reset()),
        }
    }
}

pub fn attach(state: &Rc<RefCell<ChartState>>) -> Vec<EventListener> {
    let canvas = state.borrow().canvas.clone();
    let mut listeners = pointer_listeners(state, &canvas);
    listeners.push(wheel_listener(state, &canvas, |chart, levels, [x, _]| {
        chart.moved(|w, left, width| {
            let anchor = w.time_at(x, left, width);
            w.zoom_at(anchor, wheel_factor(levels))
        });
    }));
    // Arrows pan, `+` / `-` zoom, `0` or Home show everything, when the chart has the focus.
    listeners.push(key_listener(state, &canvas, chart_key, ChartState::key));
    let weak = Rc::downgrade(state);
    listeners.push(EventListener::new(&canvas, "dblclick", move |_| {
        if let Some(state) = weak.upgrade() {
            state.borrow_mut().moved(|w, _, _| w.reset());
        }
    }));
    listeners.extend(resize_listener(state, ChartState::request_render));
    listeners
}

fn pointer_listeners(
    state: &Rc<RefCell<ChartState>>,
    canvas: &HtmlCanvasElement,
) -> Vec<EventListener> {
    [
        "pointerdown",
        "pointermove",
        "pointerup",
        "pointercancel",
        "pointerleave",
    ]
    .into_iter()
    .map(|name| {
        let target = canvas.clone();
        listen(
            state,
            canvas,
            name,
            EventListenerOptions::default(),
            move |state, event: &PointerEvent| {
                let kind = event.type_();
                if kind == "pointerdown" && !press(event, &target) {
                    return;
                }
                let [x, _] = position(event, &target);
                state.borrow_mut().pointer(&kind, event.pointer_id(), x);
            },
        )
    })
    .collect()
}
