//! The attribute table of a WFS layer, in a panel at the bottom of the map: features loaded
//! through the proxy as GeoJSON, a page of [`PAGE`] at a time (rows show after the first page),
//! columns = property names; a click on a header sorts (numbers numerically, again to reverse),
//! the filter box keeps rows with a value containing its text, and a click on a row (or Enter)
//! zooms the map to the feature.

use std::fmt::Write as _;
use std::rc::Rc;

use kartenn_common::{Catalog, CatalogLayer};
use kartenn_engine::Extent;
use kartenn_engine::source::wfs_get_feature;
use kartenn_engine::table::AttributeTable;
use web_sys::{AbortController, HtmlInputElement};
use yew::prelude::*;

use crate::components::downloads::download_links;
use crate::i18n::{Lang, Msg, t};

/// Features per request.
const PAGE: u32 = 1000;
/// Requests at most (the proxy caps a GetFeature at 10 000 features too).
const MAX_PAGES: u32 = 10;
/// Rows put in the page at most; the filter narrows the rest down.
const MAX_SHOWN: usize = 1000;

#[derive(Properties, PartialEq)]
pub struct AttributeTableProps {
    pub catalog: Rc<Catalog>,
    pub layer_id: String,
    pub on_close: Callback<()>,
    /// Zooms the map to a feature (Web Mercator).
    pub on_fit: Callback<Extent>,
    pub lang: Lang,
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    /// All loaded; `more`: the server has features beyond the last page asked for.
    Done {
        more: bool,
    },
    Failed(String),
}

#[function_component(AttributeTablePanel)]
pub fn attribute_table(props: &AttributeTableProps) -> Html {
    let lang = props.lang;
    let table = use_state(|| Rc::new(AttributeTable::default()));
    let load = use_state(|| Load::Loading);
    let filter = use_state(String::new);
    let sort = use_state(|| None::<(usize, bool)>);
    let layer = props
        .catalog
        .layers
        .iter()
        .find(|l| l.id == props.layer_id)
        .cloned();
    {
        let (table, load) = (table.clone(), load.clone());
        let (filter, sort) = (filter.clone(), sort.clone());
        use_effect_with(layer.clone(), move |layer| {
            table.set(Rc::new(AttributeTable::default()));
            load.set(Load::Loading);
            filter.set(String::new());
            sort.set(None);
            let controller = AbortController::new().ok();
            match (layer.as_ref().and_then(wfs_of), &controller) {
                (Some((endpoint, type_name)), Some(controller)) => {
                    let signal = controller.signal();
                    wasm_bindgen_futures::spawn_local(async move {
                        let outcome = load_pages(&endpoint, &type_name, &signal, &table).await;
                        if !signal.aborted() {
                            load.set(outcome);
                        }
                    });
                }
                _ => load.set(Load::Failed("no WFS".to_owned())),
            }
            move || {
                if let Some(controller) = controller {
                    controller.abort();
                }
            }
        });
    }
    let Some(layer) = layer else {
        return Html::default();
    };
    let rows = table.view(&filter, *sort);
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(input.value());
            }
        })
    };
    let status = match &*load {
        Load::Loading => t(lang, Msg::Loading).to_owned(),
        Load::Failed(reason) => format!("{} : {reason}", t(lang, Msg::TableFailed)),
        Load::Done { more } => {
            let mut text = format!(
                "{} / {} {}",
                rows.len(),
                table.rows.len(),
                t(lang, Msg::Features)
            );
            if rows.len() > MAX_SHOWN {
                let _ = write!(text, " — {MAX_SHOWN} {}", t(lang, Msg::RowsShown));
            }
            if *more {
                let _ = write!(text, " ({})", t(lang, Msg::MoreNotLoaded));
            }
            text
        }
    };
    html! {
        <section class="attribute-table" aria-labelledby="table-title" data-table-layer={layer.id.clone()}
                 data-state={match &*load { Load::Loading => "loading", Load::Done { .. } => "done", Load::Failed(_) => "failed" }}>
            <header>
                <h2 id="table-title">{ format!("{} — {}", t(lang, Msg::AttributeTable), layer.title) }</h2>
                <input type="search" class="table-filter" value={(*filter).clone()} {oninput}
                       placeholder={t(lang, Msg::Filter)} aria-label={t(lang, Msg::Filter)} />
                <span class="table-status" role="status">{ status }</span>
                { download_links(&layer, lang) }
                <button type="button" class="close" aria-label={t(lang, Msg::Close)} title={t(lang, Msg::Close)} onclick={close}>{ "×" }</button>
            </header>
            <div class="table-scroll">
                <table>
                    <thead><tr>{ for table.columns.iter().enumerate().map(|(i, name)| header(i, name, &sort, lang)) }</tr></thead>
                    <tbody>
                        { for rows.iter().take(MAX_SHOWN).map(|&r| row_html(&table, r, &props.on_fit, lang)) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// The proxy endpoint and feature type of a WFS layer.
fn wfs_of(layer: &CatalogLayer) -> Option<(String, String)> {
    let ogc = layer.ogc.as_ref()?;
    Some((
        format!("/ows/{}", ogc.source),
        ogc.wfs.as_ref()?.type_name.clone(),
    ))
}

/// Loads pages until one comes back short, showing rows as they arrive.
async fn load_pages(
    endpoint: &str,
    type_name: &str,
    signal: &web_sys::AbortSignal,
    table: &UseStateHandle<Rc<AttributeTable>>,
) -> Load {
    let mut loaded = AttributeTable::default();
    for page in 0..MAX_PAGES {
        let url = wfs_get_feature(
            endpoint,
            type_name,
            "application/json",
            Some(PAGE),
            Some(page * PAGE),
        );
        let result = crate::api::features(&url, signal).await;
        if signal.aborted() {
            return Load::Loading;
        }
        let count = match result.and_then(|doc| loaded.append_geojson(&doc)) {
            Ok(count) => count,
            Err(reason) => return Load::Failed(reason),
        };
        table.set(Rc::new(loaded.clone()));
        if count < PAGE as usize {
            return Load::Done { more: false };
        }
    }
    Load::Done { more: true }
}

/// A column header: a button sorting by it (ascending, then descending).
fn header(
    column: usize,
    name: &str,
    sort: &UseStateHandle<Option<(usize, bool)>>,
    lang: Lang,
) -> Html {
    let state = sort.filter(|(c, _)| *c == column).map(|(_, desc)| desc);
    let onclick = {
        let sort = sort.clone();
        Callback::from(move |_: MouseEvent| {
            sort.set(Some((column, state == Some(false))));
        })
    };
    let (aria, arrow) = match state {
        None => ("none", ""),
        Some(false) => ("ascending", " ▲"),
        Some(true) => ("descending", " ▼"),
    };
    html! {
        <th aria-sort={aria} key={name.to_owned()}>
            <button type="button" data-sort={name.to_owned()} title={format!("{} {name}", t(lang, Msg::SortBy))} {onclick}>
                { name.to_owned() }{ arrow }
            </button>
        </th>
    }
}

/// A row; clicking it (or Enter on it) zooms to its feature.
fn row_html(table: &AttributeTable, index: usize, on_fit: &Callback<Extent>, lang: Lang) -> Html {
    let Some(row) = table.rows.get(index) else {
        return Html::default();
    };
    let extent = row.extent;
    let fit = {
        let on_fit = on_fit.clone();
        move || {
            if let Some(extent) = extent {
                on_fit.emit(extent);
            }
        }
    };
    let onclick = {
        let fit = fit.clone();
        Callback::from(move |_: MouseEvent| fit())
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" {
            fit();
        }
    });
    html! {
        <tr key={index} data-row={index.to_string()} tabindex="0" {onclick} {onkeydown}
            title={extent.map(|_| t(lang, Msg::ZoomToFeature))}>
            { for (0..table.columns.len()).map(|c| html! { <td>{ row.cell(c).to_owned() }</td> }) }
        </tr>
    }
}
