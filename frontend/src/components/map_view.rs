//! The map component: owns the canvas and the map runtime, forwards the overlays' order,
//! visibility, opacity and time to it, and zoom requests (a feature of the attribute table),
//! and shows the map controls (zoom, full screen, scale bar, cursor coordinates, attribution)
//! and the identify popup; a click on a chronicle station opens its chart panel instead.

use std::cell::RefCell;
use std::rc::Rc;

use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::Extent;
use kartenn_engine::overlays::Overlays;
use yew::prelude::*;

use crate::chart::selection::{StationPick, take_station};
use crate::components::chart_panel::ChartPanel;
use crate::components::identify_popup::IdentifyPopup;
use crate::i18n::{Lang, Msg, t};
use crate::map::{Identified, MapHandle, MapMount, MapTime};

#[derive(Properties, PartialEq)]
pub struct MapViewProps {
    pub config: Rc<ClientConfig>,
    pub catalog: Rc<Catalog>,
    pub overlays: Rc<Overlays>,
    /// Index into the configuration's basemaps; `None`: no basemap.
    pub basemap: Option<usize>,
    /// The last zoom-to request (a new `seq` flies again, even to the same extent).
    #[prop_or_default]
    pub fit: Option<FitRequest>,
    /// The map's time (chronicle windows, compare mode, `data-time`).
    #[prop_or_default]
    pub time: Option<Rc<MapTime>>,
    pub lang: Lang,
}

/// Asks the map to show an extent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitRequest {
    pub seq: u64,
    pub extent: Extent,
}

#[function_component(MapView)]
pub fn map_view(props: &MapViewProps) -> Html {
    let container = use_node_ref();
    let canvas = use_node_ref();
    let scale_bar = use_node_ref();
    let scale_label = use_node_ref();
    let coordinates = use_node_ref();
    let identified = use_state(|| None::<Identified>);
    // The chronicle station whose chart is open.
    let station = use_state(|| None::<StationPick>);
    let handle: Rc<RefCell<Option<MapHandle>>> = use_mut_ref(|| None);

    {
        let refs = (
            container.clone(),
            canvas.clone(),
            scale_bar.clone(),
            scale_label.clone(),
            coordinates.clone(),
        );
        let handle = handle.clone();
        let identified = identified.clone();
        let station = station.clone();
        let (config, catalog) = (props.config.clone(), props.catalog.clone());
        use_effect_with((), move |()| {
            let chronicles = catalog.clone();
            let on_identify = Callback::from(move |mut found: Identified| {
                // A chronicle station opens its chart rather than a popup.
                if let Some(pick) = take_station(&chronicles, &mut found) {
                    station.set(Some(pick));
                }
                identified.set((!found.layers.is_empty()).then_some(found));
            });
            let mount = MapMount {
                container: &refs.0,
                canvas: &refs.1,
                scale_bar: &refs.2,
                scale_label: &refs.3,
                coordinates: &refs.4,
                on_identify,
            };
            match MapHandle::mount(&mount, &config, &catalog) {
                Ok(map) => *handle.borrow_mut() = Some(map),
                Err(err) => web_sys::console::error_1(&err),
            }
            move || {
                handle.borrow_mut().take();
            }
        });
    }
    {
        let handle = handle.clone();
        use_effect_with(props.overlays.clone(), move |overlays| {
            if let Some(map) = handle.borrow().as_ref() {
                map.set_overlays(overlays);
            }
        });
    }
    {
        let handle = handle.clone();
        use_effect_with(props.time.clone(), move |time| {
            if let (Some(map), Some(time)) = (handle.borrow().as_ref(), time) {
                map.set_time(time);
            }
        });
    }
    {
        let handle = handle.clone();
        let config = props.config.clone();
        use_effect_with(props.basemap, move |basemap| {
            if let Some(map) = handle.borrow().as_ref() {
                map.set_basemap(basemap.and_then(|i| config.basemaps.get(i)));
            }
        });
    }
    {
        let handle = handle.clone();
        use_effect_with(props.fit, move |fit| {
            if let (Some(map), Some(fit)) = (handle.borrow().as_ref(), fit) {
                map.fit(&fit.extent);
            }
        });
    }
    let zoom = |delta: f64| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(map) = handle.borrow().as_ref() {
                map.zoom_by(delta);
            }
        })
    };
    let fullscreen = {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(map) = handle.borrow().as_ref() {
                map.toggle_fullscreen();
            }
        })
    };
    let close_popup = {
        let identified = identified.clone();
        Callback::from(move |()| identified.set(None))
    };
    let close_chart = {
        let station = station.clone();
        Callback::from(move |()| station.set(None))
    };
    let basemap = props.basemap.and_then(|i| props.config.basemaps.get(i));
    let mut attributions: Vec<&str> = basemap
        .and_then(|b| b.attribution.as_deref())
        .into_iter()
        .chain(
            props
                .overlays
                .iter()
                .rev()
                .filter(|o| o.visible && o.opacity > 0.0)
                .filter_map(|o| props.catalog.layers.iter().find(|l| l.id == o.id))
                .filter_map(|layer| layer.attribution.as_deref()),
        )
        .collect();
    attributions.dedup();
    let lang = props.lang;

    html! {
        <div class="map" ref={container}>
            <canvas ref={canvas} tabindex="0" aria-label="map"></canvas>
            <div class="zoom" role="group">
                <button type="button" class="zoom-in" title={t(lang, Msg::ZoomIn)} aria-label={t(lang, Msg::ZoomIn)} onclick={zoom(1.0)}>{ "+" }</button>
                <button type="button" class="zoom-out" title={t(lang, Msg::ZoomOut)} aria-label={t(lang, Msg::ZoomOut)} onclick={zoom(-1.0)}>{ "−" }</button>
                <button type="button" class="fullscreen" title={t(lang, Msg::Fullscreen)} aria-label={t(lang, Msg::Fullscreen)} onclick={fullscreen}>
                    <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                        <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" fill="none" stroke="currentColor" stroke-width="2"/>
                    </svg>
                </button>
            </div>
            <div class="scale" title={t(lang, Msg::Scale)}>
                <div class="bar" ref={scale_bar}></div>
                <span ref={scale_label}></span>
            </div>
            <div class="coordinates" ref={coordinates} title={t(lang, Msg::Coordinates)}></div>
            <div class="attribution">{ attributions.join(" · ") }</div>
            if let Some(found) = (*identified).clone() {
                <IdentifyPopup identified={found} on_close={close_popup} {lang} />
            }
            if let Some(pick) = (*station).clone() {
                <ChartPanel {pick} on_close={close_chart} {lang} />
            }
        </div>
    }
}
