//! The layer list, topmost overlay first: for each one a checkbox, an opacity slider and
//! buttons to move it up or down; then the basemap choice.

use std::rc::Rc;

use kartenn_common::{Catalog, CatalogLayer, GeometryKind};
use kartenn_engine::overlays::{Edit, Overlay, Overlays};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct LayerListProps {
    pub catalog: Rc<Catalog>,
    pub overlays: Rc<Overlays>,
    pub on_edit: Callback<Edit>,
    /// The basemaps to choose from, and the chosen one (`None`: none).
    pub basemaps: Rc<Vec<CatalogLayer>>,
    pub basemap: Option<usize>,
    pub on_basemap: Callback<Option<usize>>,
    pub lang: Lang,
}

#[function_component(LayerList)]
pub fn layer_list(props: &LayerListProps) -> Html {
    let count = props.overlays.len();
    let items = props
        .overlays
        .iter()
        .enumerate()
        .rev()
        .filter_map(|(position, overlay)| {
            let layer = props.catalog.layers.iter().find(|l| l.id == overlay.id)?;
            Some(overlay_item(
                props,
                layer,
                overlay,
                position + 1 == count,
                position == 0,
            ))
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
            if !props.basemaps.is_empty() {
                <section class="basemaps" aria-labelledby="basemaps-title">
                    <h2 id="basemaps-title">{ t(props.lang, Msg::Basemap) }</h2>
                    <ul>
                        { for basemaps }
                        { choice(None, t(props.lang, Msg::NoBasemap)) }
                    </ul>
                </section>
            }
        </>
    }
}

/// One overlay's row: visibility, then opacity and order.
fn overlay_item(
    props: &LayerListProps,
    layer: &CatalogLayer,
    overlay: &Overlay,
    top: bool,
    bottom: bool,
) -> Html {
    let lang = props.lang;
    let on_toggle = emit::<Event>(&props.on_edit, Edit::Toggle(layer.id.clone()));
    let on_raise = emit::<MouseEvent>(&props.on_edit, Edit::Raise(layer.id.clone()));
    let on_lower = emit::<MouseEvent>(&props.on_edit, Edit::Lower(layer.id.clone()));
    let on_opacity = {
        let (on_edit, id) = (props.on_edit.clone(), layer.id.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                on_edit.emit(Edit::Opacity(id.clone(), input.value_as_number() / 100.0));
            }
        })
    };
    let swatch = layer
        .style
        .fill
        .or(layer.style.stroke)
        .map(kartenn_common::Color::to_css)
        .unwrap_or_default();
    let shape = match layer.geometry {
        Some(GeometryKind::Point) => "swatch point",
        Some(GeometryKind::Line) => "swatch line",
        Some(GeometryKind::Polygon) => "swatch polygon",
        None => "swatch raster",
    };
    let id = format!("layer-{}", layer.id);
    let percent = (overlay.opacity * 100.0).round().to_string();
    html! {
        <li key={layer.id.clone()} data-overlay={layer.id.clone()}>
            <input type="checkbox" id={id.clone()} data-layer-id={layer.id.clone()}
                   checked={overlay.visible} onchange={on_toggle} />
            <label for={id}>
                <span class={shape} style={format!("--swatch:{swatch}")}></span>
                { &layer.title }
            </label>
            <div class="tune">
                <input type="range" min="0" max="100" step="5" value={percent.clone()}
                       data-opacity-for={layer.id.clone()} oninput={on_opacity}
                       title={format!("{} {percent} %", t(lang, Msg::Opacity))}
                       aria-label={format!("{} — {}", t(lang, Msg::Opacity), layer.title)} />
                <button type="button" data-raise={layer.id.clone()} disabled={top} onclick={on_raise}
                        title={t(lang, Msg::MoveUp)} aria-label={t(lang, Msg::MoveUp)}>{ "▲" }</button>
                <button type="button" data-lower={layer.id.clone()} disabled={bottom} onclick={on_lower}
                        title={t(lang, Msg::MoveDown)} aria-label={t(lang, Msg::MoveDown)}>{ "▼" }</button>
            </div>
        </li>
    }
}

/// A callback sending `edit` whatever the event.
fn emit<E: 'static>(on_edit: &Callback<Edit>, edit: Edit) -> Callback<E> {
    let on_edit = on_edit.clone();
    Callback::from(move |_: E| on_edit.emit(edit.clone()))
}
