//! The layer list: one checkbox per catalogue layer, topmost layer first.

use std::rc::Rc;

use kartenn_common::{Catalog, CatalogLayer, GeometryKind};
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct LayerListProps {
    pub catalog: Rc<Catalog>,
    pub visible: Rc<Vec<bool>>,
    pub on_toggle: Callback<usize>,
    /// The basemaps to choose from, and the chosen one (`None`: none).
    pub basemaps: Rc<Vec<CatalogLayer>>,
    pub basemap: Option<usize>,
    pub on_basemap: Callback<Option<usize>>,
    pub lang: Lang,
}

#[function_component(LayerList)]
pub fn layer_list(props: &LayerListProps) -> Html {
    let items = props.catalog.layers.iter().enumerate().rev().map(|(index, layer)| {
        let checked = props.visible.get(index).copied().unwrap_or(false);
        let on_toggle = props.on_toggle.clone();
        let onchange = Callback::from(move |_: Event| on_toggle.emit(index));
        let swatch = layer.style.fill.or(layer.style.stroke).map(kartenn_common::Color::to_css).unwrap_or_default();
        let shape = match layer.geometry {
            Some(GeometryKind::Point) => "swatch point",
            Some(GeometryKind::Line) => "swatch line",
            Some(GeometryKind::Polygon) => "swatch polygon",
            None => "swatch raster",
        };
        let id = format!("layer-{}", layer.id);
        html! {
            <li key={layer.id.clone()}>
                <input type="checkbox" id={id.clone()} data-layer-id={layer.id.clone()} {checked} {onchange} />
                <label for={id}>
                    <span class={shape} style={format!("--swatch:{swatch}")}></span>
                    { &layer.title }
                </label>
            </li>
        }
    });
    let choice = |index: Option<usize>, title: &str| {
        let on_basemap = props.on_basemap.clone();
        let onchange = Callback::from(move |_: Event| on_basemap.emit(index));
        let id = format!(
            "basemap-{}",
            index.map_or_else(|| "none".to_owned(), |i| i.to_string())
        );
        html! {
            <li key={id.clone()}>
                <input type="radio" name="basemap" id={id.clone()} data-basemap={index.map(|i| i.to_string()).unwrap_or_default()}
                       checked={props.basemap == index} {onchange} />
                <label for={id}>{ title.to_owned() }</label>
            </li>
        }
    };
    let basemaps = props
        .basemaps
        .iter()
        .enumerate()
        .map(|(i, b)| choice(Some(i), &b.title));
    html! {
        <>
            <section class="layers" aria-labelledby="layers-title">
                <h2 id="layers-title">{ t(props.lang, Msg::Layers) }</h2>
                <ul>{ for items }</ul>
            </section>
            <section class="basemaps" aria-labelledby="basemaps-title">
                <h2 id="basemaps-title">{ t(props.lang, Msg::Basemap) }</h2>
                <ul>
                    { for basemaps }
                    { choice(None, t(props.lang, Msg::NoBasemap)) }
                </ul>
            </section>
        </>
    }
}
