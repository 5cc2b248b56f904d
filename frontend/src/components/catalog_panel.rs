//! The catalogue panel: every layer the caller may see, searchable by title, keywords and
//! description (case and accents ignored), in a collapsible category tree. Each layer can be
//! added to the map or removed from it; time-enabled layers are marked, and a metadata record
//! opens in a new tab when there is one.

use std::rc::Rc;

use kartenn_common::{Catalog, CatalogLayer};
use kartenn_engine::catalog::{Category, tree};
use kartenn_engine::overlays::{Edit, Overlays};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct CatalogPanelProps {
    pub catalog: Rc<Catalog>,
    pub overlays: Rc<Overlays>,
    pub on_edit: Callback<Edit>,
    pub on_close: Callback<()>,
    pub lang: Lang,
}

#[function_component(CatalogPanel)]
pub fn catalog_panel(props: &CatalogPanelProps) -> Html {
    let lang = props.lang;
    let query = use_state(String::new);
    let oninput = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                query.set(input.value());
            }
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let root = tree(&props.catalog.layers, &query);
    html! {
        <section id="catalog" class="catalog" role="dialog" aria-labelledby="catalog-title" {onkeydown}>
            <header>
                <h2 id="catalog-title">{ t(lang, Msg::Catalog) }</h2>
                <button type="button" class="close" aria-label={t(lang, Msg::Close)} title={t(lang, Msg::Close)} onclick={close}>{ "×" }</button>
            </header>
            <input type="search" class="catalog-search" value={(*query).clone()} {oninput}
                   placeholder={t(lang, Msg::SearchLayers)} aria-label={t(lang, Msg::SearchLayers)} />
            if root.count() == 0 {
                <p class="empty" role="status">{ t(lang, Msg::NoMatch) }</p>
            } else {
                { category_body(props, &root) }
            }
        </section>
    }
}

/// A category's layers, then its subcategories (each collapsible).
fn category_body(props: &CatalogPanelProps, category: &Category) -> Html {
    let layers = category
        .layers
        .iter()
        .filter_map(|&i| props.catalog.layers.get(i))
        .map(|layer| layer_item(props, layer));
    let children = category.children.iter().map(|child| {
        let key = child.path.join("/");
        html! {
            <details class="category" open=true key={key.clone()} data-category={key}>
                <summary>
                    { &child.name }
                    <span class="count">{ format!(" ({})", child.count()) }</span>
                </summary>
                { category_body(props, child) }
            </details>
        }
    });
    html! {
        <>
            if !category.layers.is_empty() {
                <ul class="catalog-layers">{ for layers }</ul>
            }
            { for children }
        </>
    }
}

/// One layer: title, marks, description, metadata link, and the add / remove control.
fn layer_item(props: &CatalogPanelProps, layer: &CatalogLayer) -> Html {
    let lang = props.lang;
    let in_map = props.overlays.contains(&layer.id);
    let ogc = layer.ogc.as_ref();
    let temporal = ogc.is_some_and(|o| o.time.is_some());
    let metadata = ogc.and_then(|o| o.metadata_url.clone());
    let onclick = {
        let on_edit = props.on_edit.clone();
        let id = layer.id.clone();
        Callback::from(move |_: MouseEvent| {
            on_edit.emit(if in_map {
                Edit::Remove(id.clone())
            } else {
                Edit::Add(id.clone())
            });
        })
    };
    let (label, action) = if in_map {
        (t(lang, Msg::Remove), t(lang, Msg::RemoveLayer))
    } else {
        (t(lang, Msg::Add), t(lang, Msg::AddLayer))
    };
    html! {
        <li key={layer.id.clone()} class={classes!("catalog-layer", in_map.then_some("in-map"))}
            data-catalog-layer={layer.id.clone()}>
            <div class="name">
                <span class="title">{ &layer.title }</span>
                if temporal {
                    <svg class="temporal" role="img" aria-label={t(lang, Msg::Temporal)} viewBox="0 0 16 16" width="14" height="14">
                        <title>{ t(lang, Msg::Temporal) }</title>
                        <circle cx="8" cy="8" r="6.25" fill="none" stroke="currentColor" stroke-width="1.5"/>
                        <path d="M8 4.5V8l2.5 1.75" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round"/>
                    </svg>
                }
            </div>
            if let Some(description) = &layer.description {
                <p class="description">{ description }</p>
            }
            <div class="actions">
                if let Some(url) = metadata {
                    <a href={url} target="_blank" rel="noopener noreferrer" class="metadata">{ t(lang, Msg::Metadata) }</a>
                }
                <button type="button" data-catalog-toggle={layer.id.clone()} data-in-map={in_map.to_string()}
                        aria-label={format!("{action} — {}", layer.title)} title={action} {onclick}>
                    { label }
                </button>
            </div>
        </li>
    }
}
