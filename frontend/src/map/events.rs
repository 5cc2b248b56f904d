//! DOM events → engine input: pointer drag to pan (with pointer capture), wheel to zoom around
//! the cursor, and resizes. Listeners hold only weak references to the map.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use kartenn_engine::interaction::{Pointer, WheelUnit, wheel_zoom_delta};
use wasm_bindgen::JsCast;
use web_sys::{Element, MouseEvent, PointerEvent, WheelEvent};

use super::MapState;

/// Position of a mouse or pointer event in the element's CSS pixels (fractional).
fn position(event: &MouseEvent, element: &Element) -> [f64; 2] {
    let rect = element.get_bounding_client_rect();
    let client = |name: &str, fallback: i32| {
        js_sys::Reflect::get(event, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::from(fallback))
    };
    [
        client("clientX", event.client_x()) - rect.left(),
        client("clientY", event.client_y()) - rect.top(),
    ]
}

pub fn attach(state: &Rc<RefCell<MapState>>) -> Vec<EventListener> {
    let canvas = state.borrow().canvas.clone();
    let mut listeners = Vec::new();
    let active = EventListenerOptions::enable_prevent_default();

    for name in ["pointerdown", "pointermove", "pointerup", "pointercancel"] {
        let weak = Rc::downgrade(state);
        let target = canvas.clone();
        listeners.push(EventListener::new_with_options(
            &canvas,
            name,
            active,
            move |event| {
                let (Some(state), Some(event)) = (weak.upgrade(), event.dyn_ref::<PointerEvent>())
                else {
                    return;
                };
                let id = event.pointer_id();
                let [x, y] = position(event, &target);
                let input = match event.type_().as_str() {
                    "pointerdown" => {
                        if event.button() != 0 {
                            return;
                        }
                        let _ = target.set_pointer_capture(id);
                        let _ = target.focus();
                        Pointer::Down { id, x, y }
                    }
                    "pointermove" => Pointer::Move { id, x, y },
                    "pointerup" => Pointer::Up { id },
                    _ => Pointer::Cancel { id },
                };
                event.prevent_default();
                let mut state = state.borrow_mut();
                if let Some([dx, dy]) = state.drag.handle(input) {
                    state.view.pan_by(dx, dy);
                    state.interacted();
                }
            },
        ));
    }

    let weak = Rc::downgrade(state);
    let target = canvas.clone();
    listeners.push(EventListener::new_with_options(
        &canvas,
        "wheel",
        active,
        move |event| {
            let (Some(state), Some(event)) = (weak.upgrade(), event.dyn_ref::<WheelEvent>()) else {
                return;
            };
            event.prevent_default();
            let unit = match event.delta_mode() {
                WheelEvent::DOM_DELTA_LINE => WheelUnit::Line,
                WheelEvent::DOM_DELTA_PAGE => WheelUnit::Page,
                _ => WheelUnit::Pixel,
            };
            let delta = wheel_zoom_delta(event.delta_y(), unit);
            if delta == 0.0 {
                return;
            }
            let anchor = position(event, &target);
            let mut state = state.borrow_mut();
            state.view.zoom_by(delta, Some(anchor));
            state.interacted();
        },
    ));

    if let Some(window) = web_sys::window() {
        let weak = Rc::downgrade(state);
        listeners.push(EventListener::new(&window, "resize", move |_| {
            if let Some(state) = weak.upgrade() {
                state.borrow_mut().request_render();
            }
        }));
    }
    listeners
}
