//! The layer list: one checkbox per catalogue layer, topmost layer first.

use std::rc::Rc;

use kartenn_common::{Catalog, GeometryKind};
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct LayerListProps {
    pub catalog: Rc<Catalog>,
    pub visible: Rc<Vec<bool>>,
    pub on_toggle: Callback<usize>,
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
            GeometryKind::Point => "swatch point",
            GeometryKind::Line => "swatch line",
            GeometryKind::Polygon => "swatch polygon",
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
    html! {
        <section class="layers" aria-labelledby="layers-title">
            <h2 id="layers-title">{ t(props.lang, Msg::Layers) }</h2>
            <ul>{ for items }</ul>
        </section>
    }
}
