//! Small DOM helpers shared by the map and the chart.

use kartenn_engine::interaction::{WheelUnit, wheel_zoom_delta};
use web_sys::{HtmlCanvasElement, WheelEvent};

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
