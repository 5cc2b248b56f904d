//! The legend panel: for every layer in the map and shown, topmost first, that has a legend
//! (GetLegendGraphic through Kartenn's proxy), its title and the legend image. The panel opens
//! and closes with its heading; each layer's legend folds too. Images load only once it is open.

use std::rc::Rc;

use kartenn_common::Catalog;
use kartenn_engine::overlays::Overlays;
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct LegendPanelProps {
    pub catalog: Rc<Catalog>,
    pub overlays: Rc<Overlays>,
    pub lang: Lang,
}

#[function_component(LegendPanel)]
pub fn legend_panel(props: &LegendPanelProps) -> Html {
    let lang = props.lang;
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let entries: Vec<Html> = props
        .overlays
        .iter()
        .rev()
        .filter(|o| o.visible)
        .filter_map(|o| props.catalog.layers.iter().find(|l| l.id == o.id))
        .filter_map(|layer| {
            let url = layer.ogc.as_ref()?.legend_url.clone()?;
            let alt = format!("{} {}", t(lang, Msg::LegendOf), layer.title);
            Some(html! {
                <details class="legend-item" open=true key={layer.id.clone()} data-legend-for={layer.id.clone()}>
                    <summary>{ &layer.title }</summary>
                    <img src={url} {alt} />
                </details>
            })
        })
        .collect();
    html! {
        <section class="legend" aria-labelledby="legend-title">
            <h2 id="legend-title">
                <button type="button" class="legend-toggle" aria-expanded={open.to_string()}
                        aria-controls="legend-body" onclick={toggle}>
                    <span class="chevron" aria-hidden="true">{ if *open { "▾" } else { "▸" } }</span>
                    { t(lang, Msg::Legend) }
                </button>
            </h2>
            if *open {
                <div id="legend-body">
                    if entries.is_empty() {
                        <p class="empty">{ t(lang, Msg::NoLegend) }</p>
                    } else {
                        { for entries }
                    }
                </div>
            }
        </section>
    }
}
