//! Map controls the runtime updates directly in the DOM (no Yew re-render per frame): the
//! scale bar and the cursor's coordinates.

use kartenn_engine::View;
use kartenn_engine::scale::scale_bar;
use wasm_bindgen::JsValue;
use web_sys::HtmlElement;

use super::MapMount;

/// Widest scale bar, CSS px.
const SCALE_MAX_PX: f64 = 120.0;

pub struct Controls {
    scale_bar: HtmlElement,
    scale_label: HtmlElement,
    coordinates: HtmlElement,
    last_scale: String,
}

impl Controls {
    pub fn new(mount: &MapMount<'_>) -> Result<Self, JsValue> {
        Ok(Self {
            scale_bar: mount.scale_bar.cast().ok_or("scale bar missing")?,
            scale_label: mount.scale_label.cast().ok_or("scale label missing")?,
            coordinates: mount.coordinates.cast().ok_or("coordinates missing")?,
            last_scale: String::new(),
        })
    }

    /// The scale bar for the current view.
    pub fn update(&mut self, view: &View) {
        let bar = scale_bar(view, SCALE_MAX_PX);
        let key = format!("{:.1}|{}", bar.width, bar.label);
        if key == self.last_scale {
            return;
        }
        let _ = self
            .scale_bar
            .style()
            .set_property("width", &format!("{:.1}px", bar.width));
        self.scale_label.set_text_content(Some(&bar.label));
        self.last_scale = key;
    }

    /// The cursor's position in degrees (5 decimals ≈ 1 m), or nothing when it left the map.
    pub fn show_coordinates(&self, view: &View, at: Option<[f64; 2]>) {
        let text = at.map(|p| {
            let ll = view.pixel_to_coord(p).to_lonlat();
            format!("{:.5}, {:.5}", ll.lat, ll.lon)
        });
        self.coordinates.set_text_content(text.as_deref());
    }
}
