//! The chart panel of a chronicle station, along the bottom of the map: the station's name,
//! its variables (tick boxes; the first two ticked; two units at most), the chart (wheel
//! zoom, drag pan, double click or ⤢ for the whole period, keys when focused), a tooltip
//! with time, value and unit, *Compare with* another station of the dataset (its series in
//! the same chart, in other colours, named in the legend), and exports: the chart as PNG, and
//! beside each series in the legend its raw CSV for the period in view (the server's CSV).
//! `Esc` closes it.

use std::rc::Rc;

use kartenn_common::SeriesInfo;
use kartenn_engine::chart::stations::{Station, parse_stations};
use kartenn_engine::chart::window::STEP_ZOOM;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::api::chronicles;
use crate::chart::selection::{StationPick, file_name, initial_selection, series_specs, toggle};
use crate::chart::{ChartHandle, ChartMount, SeriesSpec};
use crate::i18n::{ChartMsg, Lang, Msg, months, t, tc};

#[derive(Properties, PartialEq)]
pub struct ChartPanelProps {
    pub pick: StationPick,
    pub on_close: Callback<()>,
    pub lang: Lang,
}

/// A station's series, as loaded.
#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Ready(Rc<Vec<SeriesInfo>>),
    Failed(String),
}

impl Load {
    fn series(&self) -> &[SeriesInfo] {
        match self {
            Load::Ready(series) => series,
            _ => &[],
        }
    }
}

/// Loads the series of `station` into `target` (and, when asked, ticks the first ones).
fn load_series(
    dataset: String,
    station: String,
    target: UseStateHandle<Load>,
    selected: Option<UseStateHandle<Vec<String>>>,
) {
    target.set(Load::Loading);
    wasm_bindgen_futures::spawn_local(async move {
        match chronicles::series(&dataset, &station).await {
            Ok(series) => {
                if let Some(selected) = selected {
                    selected.set(initial_selection(&series));
                }
                target.set(Load::Ready(Rc::new(series)));
            }
            Err(failure) => target.set(Load::Failed(failure.to_string())),
        }
    });
}

#[function_component(ChartPanel)]
#[allow(
    clippy::too_many_lines,
    reason = "one panel: its state, effects and markup read best together"
)]
pub fn chart_panel(props: &ChartPanelProps) -> Html {
    let lang = props.lang;
    let pick = &props.pick;
    let main = use_state(|| Load::Loading);
    let selected = use_state(Vec::<String>::new);
    let compare = use_state(|| None::<Station>);
    let compared = use_state(|| Load::Loading);
    let stations = use_state(|| None::<Rc<Vec<Station>>>);
    let range = use_state(|| None::<[f64; 2]>);
    let chart_error = use_state(|| None::<String>);
    let handle = use_mut_ref(|| None::<ChartHandle>);
    let (panel, container, canvas, tooltip) = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );

    {
        let (handle, range, chart_error) = (handle.clone(), range.clone(), chart_error.clone());
        let refs = (container.clone(), canvas.clone(), tooltip.clone());
        use_effect_with((), move |()| {
            let mount = ChartMount {
                container: &refs.0,
                canvas: &refs.1,
                tooltip: &refs.2,
                months: months(lang),
                on_range: Callback::from(move |r| range.set(Some(r))),
                on_error: Callback::from(move |e| chart_error.set(e)),
            };
            match ChartHandle::mount(mount) {
                Ok(chart) => *handle.borrow_mut() = Some(chart),
                Err(err) => web_sys::console::error_1(&err),
            }
            move || drop(handle.borrow_mut().take())
        });
    }
    {
        // A station (again): its series, the first ticked, no comparison; the focus comes here
        // so Esc closes at once.
        let (main, selected, compare, range) = (
            main.clone(),
            selected.clone(),
            compare.clone(),
            range.clone(),
        );
        let panel = panel.clone();
        let key = (pick.seq, pick.dataset.clone(), pick.station.id.clone());
        use_effect_with(key, move |(_, dataset, station)| {
            compare.set(None);
            range.set(None);
            selected.set(Vec::new());
            load_series(dataset.clone(), station.clone(), main, Some(selected));
            if let Some(panel) = panel.cast::<web_sys::HtmlElement>() {
                let _ = panel.focus();
            }
        });
    }
    {
        let stations = stations.clone();
        use_effect_with(pick.stations_url.clone(), move |url| {
            let url = url.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let list = chronicles::stations(&url)
                    .await
                    .map(|doc| parse_stations(&doc))
                    .unwrap_or_default();
                stations.set(Some(Rc::new(list)));
            });
        });
    }
    {
        let compared = compared.clone();
        let key = (pick.dataset.clone(), (*compare).clone());
        use_effect_with(key, move |(dataset, other)| {
            if let Some(other) = other {
                load_series(dataset.clone(), other.id.clone(), compared, None);
            } else {
                compared.set(Load::Loading);
            }
        });
    }

    let compare_with = compare.as_ref().map(|c| (c, compared.series()));
    let specs = series_specs(&pick.station, main.series(), compare_with, &selected);
    {
        let handle = handle.clone();
        use_effect_with(specs.clone(), move |specs| {
            if let Some(chart) = handle.borrow().as_ref() {
                chart.set_series(specs);
            }
        });
    }

    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| {
            focus_map();
            on_close.emit(());
        })
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                focus_map();
                on_close.emit(());
            }
        })
    };
    let chart_action = |action: fn(&ChartHandle)| {
        let handle = handle.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(chart) = handle.borrow().as_ref() {
                action(chart);
            }
        })
    };
    let png = {
        let handle = handle.clone();
        let name = file_name(&format!("{}-{}", pick.dataset, pick.station.id), "png");
        Callback::from(move |_: MouseEvent| {
            if let Some(chart) = handle.borrow().as_ref() {
                chart.export_png(&name);
            }
        })
    };
    let on_compare = {
        let (compare, stations) = (compare.clone(), stations.clone());
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let id = select.value();
            let chosen = stations
                .as_ref()
                .and_then(|list| list.iter().find(|s| s.id == id).cloned());
            compare.set(chosen);
        })
    };

    let status = match &*main {
        Load::Loading => Some(html! { <p class="chart-status" role="status">{ tc(lang, ChartMsg::Loading) }</p> }),
        Load::Failed(reason) => Some(html! {
            <p class="chart-status error" role="alert">{ format!("{} : {reason}", tc(lang, ChartMsg::Failed)) }</p>
        }),
        Load::Ready(series) if series.is_empty() => {
            Some(html! { <p class="chart-status" role="status">{ tc(lang, ChartMsg::NoSeries) }</p> })
        }
        Load::Ready(_) => (*chart_error).as_ref().map(|reason| html! {
            <p class="chart-status error" role="alert">{ format!("{} : {reason}", tc(lang, ChartMsg::Failed)) }</p>
        }),
    };
    let others: Vec<Station> = stations
        .as_ref()
        .map(|list| {
            list.iter()
                .filter(|s| s.id != pick.station.id)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let shown_range = (*range).or_else(|| {
        specs
            .iter()
            .filter_map(|s| s.extent)
            .reduce(|a, b| [a[0].min(b[0]), a[1].max(b[1])])
    });

    html! {
        <section class="chart-panel" id="chart-panel" ref={panel} tabindex="-1" {onkeydown}
                 aria-labelledby="chart-title" data-station={pick.station.id.clone()}>
            <header>
                <h2 id="chart-title">{ &pick.station.name }</h2>
                <span class="chart-layer">{ format!("{} — {}", tc(lang, ChartMsg::Panel), pick.layer_title) }</span>
                <button type="button" class="close" aria-label={t(lang, Msg::Close)} title={t(lang, Msg::Close)} onclick={close}>{ "×" }</button>
            </header>
            <div class="chart-controls">
                { variables_html(main.series(), &selected, &specs, lang) }
                if !others.is_empty() {
                    <label class="chart-compare">
                        { tc(lang, ChartMsg::CompareWith) }
                        <select id="chart-compare" onchange={on_compare}>
                            <option value="" selected={compare.is_none()}>{ tc(lang, ChartMsg::NoCompare) }</option>
                            { for others.iter().map(|s| html! {
                                <option value={s.id.clone()} selected={compare.as_ref().is_some_and(|c| c.id == s.id)}>{ &s.name }</option>
                            }) }
                        </select>
                    </label>
                }
            </div>
            { for status }
            <div class="chart" id="chart" ref={container}>
                <canvas ref={canvas} tabindex="0" role="img" aria-label={tc(lang, ChartMsg::Chart)}></canvas>
                <div class="chart-tooltip" ref={tooltip} hidden=true></div>
            </div>
            <footer>
                { legend_html(&specs, shown_range, lang) }
                <span class="chart-help">{ tc(lang, ChartMsg::Help) }</span>
                <span class="chart-tools" role="group">
                    <button type="button" onclick={chart_action(|c| c.zoom(STEP_ZOOM))}
                            title={tc(lang, ChartMsg::ZoomIn)} aria-label={tc(lang, ChartMsg::ZoomIn)}>{ "+" }</button>
                    <button type="button" onclick={chart_action(|c| c.zoom(1.0 / STEP_ZOOM))}
                            title={tc(lang, ChartMsg::ZoomOut)} aria-label={tc(lang, ChartMsg::ZoomOut)}>{ "−" }</button>
                    <button type="button" class="chart-reset" onclick={chart_action(ChartHandle::reset)}
                            title={tc(lang, ChartMsg::Reset)} aria-label={tc(lang, ChartMsg::Reset)}>{ "⤢" }</button>
                </span>
                <span class="chart-export" role="group" aria-label={tc(lang, ChartMsg::Export)}>
                    <button type="button" id="chart-png" onclick={png} title={tc(lang, ChartMsg::ExportPng)}>{ "PNG" }</button>
                </span>
            </footer>
        </section>
    }
}

/// Gives the focus back to the map (the panel is closing).
fn focus_map() {
    let canvas = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".map > canvas").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(canvas) = canvas {
        let _ = canvas.focus();
    }
}

/// The variables' tick boxes (a third unit disabled).
fn variables_html(
    series: &[SeriesInfo],
    selected: &UseStateHandle<Vec<String>>,
    specs: &[SeriesSpec],
    lang: Lang,
) -> Html {
    if series.is_empty() {
        return Html::default();
    }
    let boxes = series.iter().map(|info| {
        let variable = info.variable.clone();
        let checked = selected.contains(&variable);
        let color = specs
            .iter()
            .find(|s| s.url == info.url)
            .map(|s| s.color.clone());
        let onchange = {
            let (selected, variable) = (selected.clone(), variable.clone());
            let series = series.to_vec();
            Callback::from(move |_: Event| selected.set(toggle(&series, &selected, &variable)))
        };
        html! {
            <label key={variable.clone()} class="chart-variable">
                <input type="checkbox" {checked} {onchange} data-variable={variable.clone()} />
                if let Some(color) = color { <span class="swatch-line" style={format!("background:{color}")}></span> }
                { variable }
                if let Some(unit) = &info.unit { <span class="unit">{ format!(" ({unit})") }</span> }
            </label>
        }
    });
    html! {
        <fieldset class="chart-variables" title={tc(lang, ChartMsg::TwoUnits)}>
            <legend>{ tc(lang, ChartMsg::Variables) }</legend>
            { for boxes }
        </fieldset>
    }
}

/// The legend: each series shown with its colour, unit, and a link to its raw CSV for the
/// period in view (the first link has id `chart-csv`).
fn legend_html(specs: &[SeriesSpec], range: Option<[f64; 2]>, lang: Lang) -> Html {
    let items = specs.iter().enumerate().map(|(i, spec)| {
        let csv = range.map(|[from, to]| {
            html! {
                <a class="chart-csv" id={(i == 0).then_some("chart-csv")}
                   href={chronicles::csv_url(&spec.url, from, to)}
                   download={file_name(&spec.label, "csv")} data-series={spec.url.clone()}
                   title={format!("{} — {}", tc(lang, ChartMsg::CsvOf), spec.label)}>
                    { tc(lang, ChartMsg::Csv) }
                </a>
            }
        });
        html! {
            <li key={spec.url.clone()}>
                <span class="swatch-line" style={format!("background:{}", spec.color)}></span>
                { &spec.label }
                if let Some(unit) = &spec.unit { <span class="unit">{ format!(" ({unit})") }</span> }
                { for csv }
            </li>
        }
    });
    html! { <ul class="chart-legend">{ for items }</ul> }
}
