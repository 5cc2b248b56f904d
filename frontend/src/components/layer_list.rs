//! The layer list, topmost overlay first (each row in [`overlay_item`]); then the basemap
//! choice.

use std::collections::HashMap;
use std::rc::Rc;

use kartenn_common::{Catalog, CatalogLayer};
use kartenn_engine::geo::Extent;
use kartenn_engine::overlays::{Edit, Overlays};
use yew::prelude::*;

use crate::components::overlay_item::{ItemContext, overlay_item};
use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct LayerListProps {
    pub catalog: Rc<Catalog>,
    pub overlays: Rc<Overlays>,
    pub on_edit: Callback<Edit>,
    /// Opens a layer's attribute table.
    pub on_table: Callback<String>,
    /// Shows an extent (a layer's bounds).
    pub on_fit: Callback<Extent>,
    /// The basemaps to choose from, and the chosen one (`None`: none).
    pub basemaps: Rc<Vec<CatalogLayer>>,
    pub basemap: Option<usize>,
    pub on_basemap: Callback<Option<usize>>,
    /// The map's time for each time-enabled layer (shown when it has no time of its own).
    #[prop_or_default]
    pub follow: Rc<HashMap<String, String>>,
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
            let cx = ItemContext {
                on_edit: &props.on_edit,
                on_table: &props.on_table,
                on_fit: &props.on_fit,
                lang: props.lang,
                top: position + 1 == count,
                bottom: position == 0,
                follow: props.follow.get(&overlay.id).map(String::as_str),
            };
            Some(overlay_item(&cx, layer, overlay))
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
                if count == 0 {
                    <p class="empty">{ t(props.lang, Msg::NoOverlays) }</p>
                }
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
