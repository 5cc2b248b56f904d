//! DOM events → engine input: pointer events (mouse, pen, touch; captured) through the
//! engine's gesture recogniser, wheel zoom around the cursor, keys when the map has focus,
//! cursor coordinates, and resizes. Listeners hold only weak references to the map.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use kartenn_engine::animation::{Animation, ZOOM_DURATION_MS};
use kartenn_engine::interaction::{Gesture, KeyAction, Kinetic, Pointer, PointerInput, key_action};
use kartenn_engine::{Coord, Extent};
use web_sys::{HtmlCanvasElement, PointerEvent};

use super::{MapState, now_ms};
use crate::dom::{key_listener, listen, position, press, resize_listener, wheel_listener};

/// Wheel zoom animations are short: the wheel itself paces them.
const WHEEL_DURATION_MS: f64 = 120.0;
/// Keyboard pans take this long.
const KEY_PAN_MS: f64 = 150.0;

impl MapState {
    /// Applies what a gesture means.
    fn apply(&mut self, gesture: Gesture) {
        match gesture {
            Gesture::Pan { dx, dy } => {
                self.stop_motion();
                self.view.pan_by(dx, dy);
            }
            Gesture::Pinch {
                anchor,
                zoom_delta,
                dx,
                dy,
            } => {
                self.stop_motion();
                self.view.pan_by(dx, dy);
                self.view.zoom_by(zoom_delta, Some(anchor));
            }
            Gesture::Box { from, to } => self.zoom_box = Some((from, to)),
            Gesture::BoxEnd { from, to } => {
                self.zoom_box = None;
                let (a, b) = (self.view.pixel_to_coord(from), self.view.pixel_to_coord(to));
                let target = Extent {
                    min_x: a.x.min(b.x),
                    min_y: a.y.min(b.y),
                    max_x: a.x.max(b.x),
                    max_y: a.y.max(b.y),
                };
                let mut fitted = self.view.clone();
                fitted.fit(&target, 0.0);
                self.animation = Some(Animation::fly(
                    &self.view,
                    fitted.center(),
                    fitted.zoom(),
                    now_ms(),
                    ZOOM_DURATION_MS,
                ));
            }
            Gesture::Click { x, y } => {
                let found = self.identify([x, y]);
                let _ = self
                    .container
                    .set_attribute("data-identified", &found.feature_count().to_string());
                self.on_identify.emit(found);
                return;
            }
            Gesture::DoubleClick { x, y } => self.animate_zoom(1.0, Some([x, y]), ZOOM_DURATION_MS),
            Gesture::Fling { vx, vy } => self.kinetic = Some(Kinetic::new(vx, vy, now_ms())),
        }
        self.interacted();
    }

    /// A pointer event: coordinates shown, gestures recognised and applied.
    fn pointer(&mut self, pointer: Pointer, at: [f64; 2]) {
        if matches!(pointer, Pointer::Move(_)) {
            self.controls.show_coordinates(&self.view, Some(at));
        }
        let was_active = self.gestures.is_active();
        if matches!(pointer, Pointer::Down(_)) && !was_active {
            self.stop_motion();
        }
        let gestures = self.gestures.handle(pointer);
        let ended = was_active && !self.gestures.is_active();
        for gesture in gestures {
            self.apply(gesture);
        }
        if ended {
            // The last pointer left: let the map settle (sharpen, labels).
            self.interacted();
        }
    }

    fn key(&mut self, action: KeyAction) {
        match action {
            KeyAction::Zoom(delta) => self.animate_zoom(delta, None, ZOOM_DURATION_MS),
            KeyAction::Pan { dx, dy } => {
                let res = self.view.resolution();
                let c = self.view.center();
                let to = Coord::new(c.x - dx * res, c.y + dy * res);
                self.kinetic = None;
                self.animation = Some(Animation::pan(&self.view, to, now_ms(), KEY_PAN_MS));
                self.interacted();
            }
        }
    }
}

pub fn attach(state: &Rc<RefCell<MapState>>) -> Vec<EventListener> {
    let canvas = state.borrow().canvas.clone();
    let mut listeners = pointer_listeners(state, &canvas);
    // Wheel zoom around the cursor, animated.
    listeners.push(wheel_listener(state, &canvas, |map, levels, at| {
        map.animate_zoom(levels, Some(at), WHEEL_DURATION_MS);
    }));
    // Arrows pan, `+` and `-` zoom, when the map has the focus.
    listeners.push(key_listener(state, &canvas, key_action, MapState::key));
    let weak = Rc::downgrade(state);
    listeners.push(EventListener::new(&canvas, "pointerleave", move |_| {
        if let Some(state) = weak.upgrade() {
            let state = state.borrow();
            state.controls.show_coordinates(&state.view, None);
        }
    }));
    listeners.extend(resize_listener(state, MapState::request_render));
    listeners
}

/// Pointer events (captured on press) through the gesture recogniser.
fn pointer_listeners(
    state: &Rc<RefCell<MapState>>,
    canvas: &HtmlCanvasElement,
) -> Vec<EventListener> {
    ["pointerdown", "pointermove", "pointerup", "pointercancel"]
        .into_iter()
        .map(|name| {
            let target = canvas.clone();
            listen(
                state,
                canvas,
                name,
                EventListenerOptions::enable_prevent_default(),
                move |state, event: &PointerEvent| {
                    let [x, y] = position(event, &target);
                    let input = PointerInput {
                        id: event.pointer_id(),
                        x,
                        y,
                        time_ms: now_ms(),
                        shift: event.shift_key(),
                    };
                    let pointer = match event.type_().as_str() {
                        "pointerdown" => {
                            if !press(event, &target) {
                                return;
                            }
                            Pointer::Down(input)
                        }
                        "pointermove" => Pointer::Move(input),
                        "pointerup" => Pointer::Up(input),
                        _ => Pointer::Cancel { id: input.id },
                    };
                    event.prevent_default();
                    state.borrow_mut().pointer(pointer, [x, y]);
                },
            )
        })
        .collect()
}
