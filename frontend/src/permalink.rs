//! The permalink in the browser: read from the URL's fragment when the viewer opens (the view,
//! the layers, the basemap, the time and compare mode are restored from it), and kept up to
//! date as the user works: the map notes its view on every frame, the application its layers
//! and time on every change, and the fragment is rewritten with `history.replaceState` (no
//! history entry, no navigation) at most every [`WRITE_EVERY_MS`]. The format is the engine's
//! [`kartenn_engine::permalink`]; a fragment that does not read is ignored.

use std::cell::RefCell;

use gloo::timers::callback::Timeout;
use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::overlays::{Edit, Overlays};
use kartenn_engine::permalink::{CompareLink, LayerLink, Permalink, ViewLink};
use kartenn_engine::time::applied::{CompareChoice, TimeChoice};
use wasm_bindgen::{JsCast, JsValue};

/// Least time between two rewrites of the URL.
pub const WRITE_EVERY_MS: u32 = 300;

#[derive(Default)]
struct Glue {
    link: Permalink,
    /// Nothing is written before the viewer has restored what the page was opened with.
    armed: bool,
    timer: Option<Timeout>,
}

thread_local! {
    static GLUE: RefCell<Glue> = RefCell::new(Glue::default());
}

fn property(target: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(target, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// What the URL's fragment says now.
pub fn read() -> Permalink {
    let hash = web_sys::window()
        .and_then(|w| property(&w, "location"))
        .and_then(|l| property(&l, "hash"))
        .and_then(|h| h.as_string())
        .unwrap_or_default();
    Permalink::decode(&hash)
}

/// What the viewer opens with: the configuration at the link's view, the link's layers (those
/// the catalogue knows, in its order; else the catalogue's), the basemap and the time.
pub fn restore(
    link: &Permalink,
    mut config: ClientConfig,
    catalog: &Catalog,
) -> (ClientConfig, Overlays, Option<usize>, TimeChoice) {
    if let Some(view) = link.view {
        config.view.center = [view.lon, view.lat];
        config.view.zoom = view.zoom.clamp(config.min_zoom, config.max_zoom);
    }
    let overlays = match &link.layers {
        None => Overlays::from_catalog(&catalog.layers),
        Some(layers) => {
            let mut overlays = Overlays::default();
            for l in layers
                .iter()
                .filter(|l| catalog.layers.iter().any(|c| c.id == l.id))
            {
                overlays.apply(&Edit::Add(l.id.clone()));
                overlays.apply(&Edit::Opacity(l.id.clone(), l.opacity));
                overlays.apply(&Edit::Time(l.id.clone(), l.time.clone()));
                if !l.visible {
                    overlays.apply(&Edit::Toggle(l.id.clone()));
                }
            }
            overlays
        }
    };
    let basemap = link.basemap.unwrap_or(Some(0));
    let choice = TimeChoice {
        selection: link.time,
        compare: link.compare.as_ref().map(|c| CompareChoice {
            layer: Some(c.layer.clone()),
            time: c.time,
            divider: c.divider,
        }),
    };
    (config, overlays, basemap, choice)
}

/// What the permalink says now (view, layers, basemap, time): what "Save this map" keeps.
pub fn current() -> Permalink {
    GLUE.with(|g| g.borrow().link.clone())
}

/// From now on, changes are written to the URL.
pub fn arm() {
    GLUE.with(|g| g.borrow_mut().armed = true);
    schedule();
}

/// The map's view (its centre in degrees, its zoom), noted on every frame.
pub fn note_view(lon: f64, lat: f64, zoom: f64) {
    let view = Some(ViewLink { zoom, lat, lon });
    let changed = GLUE.with(|g| {
        let mut g = g.borrow_mut();
        let changed = g.link.view != view;
        g.link.view = view;
        changed
    });
    if changed {
        schedule();
    }
}

/// The layers, the basemap and the time, noted on every change.
pub fn note_state(
    overlays: &Overlays,
    basemap: Option<usize>,
    choice: &TimeChoice,
    compare_layer: Option<&str>,
) {
    update(|link| {
        link.layers = Some(
            overlays
                .iter()
                .map(|o| LayerLink {
                    id: o.id.clone(),
                    visible: o.visible,
                    opacity: o.opacity,
                    time: o.time.clone(),
                })
                .collect(),
        );
        link.basemap = Some(basemap);
        link.time = choice.selection;
        link.compare = choice
            .compare
            .as_ref()
            .zip(compare_layer)
            .map(|(c, layer)| CompareLink {
                layer: layer.to_owned(),
                time: c.time,
                divider: c.divider,
            });
    });
}

fn update(change: impl FnOnce(&mut Permalink)) {
    let changed = GLUE.with(|g| {
        let mut g = g.borrow_mut();
        let before = g.link.clone();
        change(&mut g.link);
        g.link != before
    });
    if changed {
        schedule();
    }
}

/// Writes the fragment once the quiet time has passed (one pending write at a time).
fn schedule() {
    GLUE.with(|g| {
        let mut g = g.borrow_mut();
        if !g.armed || g.timer.is_some() {
            return;
        }
        g.timer = Some(Timeout::new(WRITE_EVERY_MS, write));
    });
}

fn write() {
    let fragment = GLUE.with(|g| {
        let mut g = g.borrow_mut();
        g.timer = None;
        g.link.encode()
    });
    let Some(window) = web_sys::window() else {
        return;
    };
    let current = property(&window, "location")
        .and_then(|l| property(&l, "hash"))
        .and_then(|h| h.as_string())
        .unwrap_or_default();
    if current == fragment {
        return;
    }
    let history = property(&window, "history");
    let replace = history
        .as_ref()
        .and_then(|h| property(h, "replaceState"))
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let (Some(history), Some(replace)) = (history, replace) {
        let _ = replace.call3(
            &history,
            &JsValue::NULL,
            &JsValue::from_str(""),
            &JsValue::from_str(&fragment),
        );
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "values read back exactly")]
mod tests {
    use super::*;
    use kartenn_common::{Color, InitialView, LayerSource, LayerStyle};
    use kartenn_engine::time::timeline::Selection;

    fn layer(id: &str, in_map: bool) -> kartenn_common::CatalogLayer {
        kartenn_common::CatalogLayer {
            id: id.into(),
            title: id.into(),
            description: None,
            attribution: None,
            geometry: None,
            bounds: None,
            visible: true,
            opacity: 1.0,
            keywords: Vec::new(),
            category: Vec::new(),
            in_map,
            ogc: None,
            source: LayerSource::GeoJson {
                url: format!("/api/geojson/{id}"),
            },
            style: LayerStyle::default(),
        }
    }

    fn opened_with(fragment: &str) -> (ClientConfig, Overlays, Option<usize>, TimeChoice) {
        let config = ClientConfig {
            title: "Kartenn".into(),
            version: "0".into(),
            view: InitialView {
                center: [-3.0, 48.2],
                zoom: 7.5,
            },
            min_zoom: 2.0,
            max_zoom: 18.0,
            background: Color::rgb(183, 211, 230),
            basemaps: Vec::new(),
        };
        let catalog = Catalog {
            layers: vec![layer("a", true), layer("b", false), layer("c", true)],
        };
        restore(&Permalink::decode(fragment), config, &catalog)
    }

    #[test]
    fn a_link_restores_the_view_layers_basemap_and_time() {
        let (config, overlays, basemap, choice) = opened_with(
            "#map=20/48.3/-4.3&layers=b@40~2024-06-02T06:00:00Z,!zz,!a&base=none&time=2024-06-01T06:00:00Z&compare=b~2024-06-01~30",
        );
        assert_eq!(config.view.center, [-4.3, 48.3]);
        assert_eq!(config.view.zoom, 18.0, "within the configured zooms");
        let ids: Vec<&str> = overlays.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["b", "a"], "the link's order; unknown layers dropped");
        let b = overlays.get("b").unwrap();
        assert_eq!(
            (b.visible, b.opacity, b.time.as_deref()),
            (true, 0.4, Some("2024-06-02T06:00:00Z"))
        );
        assert!(!overlays.get("a").unwrap().visible);
        assert_eq!(basemap, None);
        assert_eq!(
            choice.selection.map(Selection::format).as_deref(),
            Some("2024-06-01T06:00:00Z")
        );
        let compare = choice.compare.unwrap();
        assert_eq!(
            (compare.layer.as_deref(), compare.divider),
            (Some("b"), 0.3)
        );
    }

    #[test]
    fn without_a_link_the_configuration_and_catalogue_decide() {
        for fragment in ["", "#", "#map=garbage&time=never"] {
            let (config, overlays, basemap, choice) = opened_with(fragment);
            assert_eq!(config.view.center, [-3.0, 48.2], "{fragment}");
            let ids: Vec<&str> = overlays.iter().map(|o| o.id.as_str()).collect();
            assert_eq!(ids, ["a", "c"]);
            assert_eq!(basemap, Some(0));
            assert_eq!(choice, TimeChoice::default());
        }
    }
}
