//! The map component: owns the canvas and the map runtime, forwards layer visibility to it, and
//! shows the zoom buttons and the attribution.

use std::cell::RefCell;
use std::rc::Rc;

use kartenn_common::{Catalog, ClientConfig};
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};
use crate::map::MapHandle;

#[derive(Properties, PartialEq)]
pub struct MapViewProps {
    pub config: Rc<ClientConfig>,
    pub catalog: Rc<Catalog>,
    pub visible: Rc<Vec<bool>>,
    pub lang: Lang,
}

#[function_component(MapView)]
pub fn map_view(props: &MapViewProps) -> Html {
    let container = use_node_ref();
    let canvas = use_node_ref();
    let handle: Rc<RefCell<Option<MapHandle>>> = use_mut_ref(|| None);

    {
        let (container, canvas, handle) = (container.clone(), canvas.clone(), handle.clone());
        let (config, catalog, visible) = (
            props.config.clone(),
            props.catalog.clone(),
            props.visible.clone(),
        );
        use_effect_with((), move |()| {
            match MapHandle::mount(&container, &canvas, &config, &catalog, &visible) {
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
        use_effect_with(props.visible.clone(), move |visible| {
            if let Some(map) = handle.borrow().as_ref() {
                map.set_visibility(visible);
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
    let attributions: Vec<&str> = props
        .catalog
        .layers
        .iter()
        .zip(props.visible.iter())
        .filter(|(_, visible)| **visible)
        .filter_map(|(layer, _)| layer.attribution.as_deref())
        .collect();
    let lang = props.lang;

    html! {
        <div class="map" ref={container}>
            <canvas ref={canvas} tabindex="0" aria-label="map"></canvas>
            <div class="zoom" role="group">
                <button type="button" class="zoom-in" title={t(lang, Msg::ZoomIn)} aria-label={t(lang, Msg::ZoomIn)} onclick={zoom(1.0)}>{ "+" }</button>
                <button type="button" class="zoom-out" title={t(lang, Msg::ZoomOut)} aria-label={t(lang, Msg::ZoomOut)} onclick={zoom(-1.0)}>{ "−" }</button>
            </div>
            <div class="attribution">{ attributions.join(" · ") }</div>
        </div>
    }
}
