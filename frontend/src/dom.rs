//! Small DOM helpers shared by the map and the chart: backing stores, event positions, and the
//! listener plumbing (weak references, wheel zoom, keys, resizes).

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use kartenn_engine::interaction::{WheelUnit, wheel_zoom_delta};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement, KeyboardEvent, MouseEvent, PointerEvent, WheelEvent};

/// Sizes `canvas`' backing store to `width` × `height` CSS pixels × `devicePixelRatio` (at
/// least 0.5), touching it only when it changes (a resize clears the canvas); the ratio used.
pub fn fit_backing_store(canvas: &HtmlCanvasElement, width: f64, height: f64) -> f64 {
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .max(0.5);
    let (device_w, device_h) = (
        (width * ratio).round() as u32,
        (height * ratio).round() as u32,
    );
    if canvas.width() != device_w || canvas.height() != device_h {
        canvas.set_width(device_w);
        canvas.set_height(device_h);
    }
    ratio
}

/// The zoom levels a wheel event asks for, whatever unit the device counts in (the engine's
/// normalisation of pixel, line and page deltas).
pub fn wheel_levels(event: &WheelEvent) -> f64 {
    let unit = match event.delta_mode() {
        WheelEvent::DOM_DELTA_LINE => WheelUnit::Line,
        WheelEvent::DOM_DELTA_PAGE => WheelUnit::Page,
        _ => WheelUnit::Pixel,
    };
    wheel_zoom_delta(event.delta_y(), unit)
}

/// Position of a mouse or pointer event in the element's CSS pixels (fractional where the
/// browser says so).
pub fn position(event: &MouseEvent, element: &Element) -> [f64; 2] {
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

/// Listens for `name` events of type `E` on `canvas` while `state` lives (the listener holds
/// only a weak reference); `handle` gets the state and the event.
pub fn listen<S: 'static, E: JsCast + 'static>(
    state: &Rc<RefCell<S>>,
    canvas: &HtmlCanvasElement,
    name: &'static str,
    options: EventListenerOptions,
    handle: impl Fn(&RefCell<S>, &E) + 'static,
) -> EventListener {
    let weak = Rc::downgrade(state);
    EventListener::new_with_options(canvas, name, options, move |event| {
        if let (Some(state), Some(event)) = (weak.upgrade(), event.dyn_ref::<E>()) {
            handle(&state, event);
        }
    })
}

/// A primary-button press captures the pointer and focuses `canvas`; false for other buttons.
pub fn press(event: &PointerEvent, canvas: &HtmlCanvasElement) -> bool {
    if event.button() != 0 {
        return false;
    }
    let _ = canvas.set_pointer_capture(event.pointer_id());
    let _ = canvas.focus();
    true
}

/// Wheel zoom (the page does not scroll): `zoom` gets the levels asked for (never 0) and the
/// cursor's position in the canvas.
pub fn wheel_listener<S: 'static>(
    state: &Rc<RefCell<S>>,
    canvas: &HtmlCanvasElement,
    zoom: impl Fn(&mut S, f64, [f64; 2]) + 'static,
) -> EventListener {
    let target = canvas.clone();
    listen(
        state,
        canvas,
        "wheel",
        EventListenerOptions::enable_prevent_default(),
        move |state, event: &WheelEvent| {
            event.prevent_default();
            let levels = wheel_levels(event);
            if levels == 0.0 {
                return;
            }
            let at = position(event, &target);
            zoom(&mut state.borrow_mut(), levels, at);
        },
    )
}

/// Keys (without Ctrl, Meta or Alt) when the canvas has the focus: those `action` knows are
/// handed to `apply` and do nothing else.
pub fn key_listener<S: 'static, A: 'static>(
    state: &Rc<RefCell<S>>,
    canvas: &HtmlCanvasElement,
    action: fn(&str) -> Option<A>,
    apply: fn(&mut S, A),
) -> EventListener {
    listen(
        state,
        canvas,
        "keydown",
        EventListenerOptions::enable_prevent_default(),
        move |state, event: &KeyboardEvent| {
            if event.ctrl_key() || event.meta_key() || event.alt_key() {
                return;
            }
            if let Some(action) = action(&event.key()) {
                event.prevent_default();
                apply(&mut state.borrow_mut(), action);
            }
        },
    )
}

/// Calls `resized` on the state when the window is resized (while the state lives).
pub fn resize_listener<S: 'static>(
    state: &Rc<RefCell<S>>,
    resized: fn(&mut S),
) -> Option<EventListener> {
    let window = web_sys::window()?;
    let weak = Rc::downgrade(state);
    Some(EventListener::new(&window, "resize", move |_| {
        if let Some(state) = weak.upgrade() {
            resized(&mut state.borrow_mut());
        }
    }))
}
