//! One row of the layer list: visibility, opacity, order and removal; for harvested layers also
//! the time selector (time-enabled layers), the attribute table button (WFS layers) and the
//! download links (when allowed).

use kartenn_common::{CatalogLayer, GeometryKind};
use kartenn_engine::geo::Extent;
use kartenn_engine::overlays::{Edit, Overlay};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::downloads::download_links;
use crate::components::time_select::TimeSelect;
use crate::i18n::{Lang, Msg, t};

/// What a row needs besides its layer.
pub struct ItemContext<'a> {
    pub on_edit: &'a Callback<Edit>,
    pub on_table: &'a Callback<String>,
    pub on_fit: &'a Callback<Extent>,
    pub lang: Lang,
    /// Topmost (cannot move up) / bottom (cannot move down).
    pub top: bool,
    pub bottom: bool,
    /// The map's time for this layer (what it shows without a time of its own).
    pub follow: Option<&'a str>,
}

/// One overlay's row.
pub fn overlay_item(cx: &ItemContext<'_>, layer: &CatalogLayer, overlay: &Overlay) -> Html {
    let lang = cx.lang;
    let on_toggle = emit::<Event>(cx.on_edit, Edit::Toggle(layer.id.clone()));
    let on_raise = emit::<MouseEvent>(cx.on_edit, Edit::Raise(layer.id.clone()));
    let on_lower = emit::<MouseEvent>(cx.on_edit, Edit::Lower(layer.id.clone()));
    let on_remove = emit::<MouseEvent>(cx.on_edit, Edit::Remove(layer.id.clone()));
    let on_opacity = {
        let (on_edit, id) = (cx.on_edit.clone(), layer.id.clone());
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
    let ogc = layer.ogc.as_ref();
    let time = ogc.and_then(|o| o.time.clone()).map(|dimension| {
        let on_change = {
            let (on_edit, id) = (cx.on_edit.clone(), layer.id.clone());
            Callback::from(move |at: Option<String>| on_edit.emit(Edit::Time(id.clone(), at)))
        };
        html! {
            <div class="extra">
                <TimeSelect id={layer.id.clone()} title={layer.title.clone()} {dimension}
                            value={overlay.time.clone()} follow={cx.follow.map(str::to_owned)} {on_change} {lang} />
            </div>
        }
    });
    let table = ogc.and_then(|o| o.wfs.as_ref()).map(|_| {
        let (on_table, id) = (cx.on_table.clone(), layer.id.clone());
        let onclick = Callback::from(move |_: MouseEvent| on_table.emit(id.clone()));
        let label = format!("{} — {}", t(lang, Msg::AttributeTable), layer.title);
        html! {
            <button type="button" class="table-open" data-table-for={layer.id.clone()}
                    title={label.clone()} aria-label={label} {onclick}>{ t(lang, Msg::Table) }</button>
        }
    });
    let remove_label = format!("{} — {}", t(lang, Msg::RemoveLayer), layer.title);
    let zoom = layer.bounds.map(|bounds| {
        let on_fit = cx.on_fit.clone();
        let onclick =
            Callback::from(move |_: MouseEvent| on_fit.emit(Extent::from_lonlat_bounds(bounds)));
        let label = format!("{} — {}", t(lang, Msg::ZoomToLayer), layer.title);
        html! {
            <button type="button" data-zoom-to={layer.id.clone()} onclick={onclick}
                    title={label.clone()} aria-label={label}>{ "⤢" }</button>
        }
    });
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
                <button type="button" data-raise={layer.id.clone()} disabled={cx.top} onclick={on_raise}
                        title={t(lang, Msg::MoveUp)} aria-label={t(lang, Msg::MoveUp)}>{ "▲" }</button>
                <button type="button" data-lower={layer.id.clone()} disabled={cx.bottom} onclick={on_lower}
                        title={t(lang, Msg::MoveDown)} aria-label={t(lang, Msg::MoveDown)}>{ "▼" }</button>
                { for zoom }
                <button type="button" data-remove={layer.id.clone()} onclick={on_remove}
                        title={remove_label.clone()} aria-label={remove_label}>{ "×" }</button>
            </div>
            { for time }
            if table.is_some() || ogc.and_then(|o| o.wfs.as_ref()).is_some_and(|w| w.download) {
                <div class="extra actions">
                    { for table }
                    { download_links(layer, lang) }
                </div>
            }
        </li>
    }
}

/// A callback sending `edit` whatever the event.
fn emit<E: 'static>(on_edit: &Callback<Edit>, edit: Edit) -> Callback<E> {
    let on_edit = on_edit.clone();
    Callback::from(move |_: E| on_edit.emit(edit.clone()))
}
