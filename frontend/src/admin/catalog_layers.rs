//! The layer table of the "Catalogue" section: every catalogue layer with its values in force,
//! a text and a kind filter, and a settings form per layer where each field shows the
//! harvested value beside the override (empty / "harvested value": no override). Saves with
//! `If-Match`; "back to harvested values" clears every override.

use std::rc::Rc;

use kartenn_common::TimeExtent;
use kartenn_common::admin_catalog::{AdminLayer, LayerSettings, LayerValues};
use yew::prelude::*;

use super::catalog_i18n::{CatMsg, tc};
use super::form::{Problem, alert, edit, focus, value};
use crate::api::admin_catalog as client;
use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub layers: Rc<Vec<AdminLayer>>,
    /// Stored categories: (id, path).
    pub categories: Rc<Vec<(i64, String)>>,
    pub csrf: Option<AttrValue>,
    pub on_changed: Callback<()>,
    pub lang: Lang,
}

fn yes_no(lang: Lang, on: bool) -> &'static str {
    tc(lang, if on { CatMsg::Yes } else { CatMsg::No })
}

fn matches(layer: &AdminLayer, text: &str, kind: &str) -> bool {
    let text = text.trim().to_lowercase();
    (kind.is_empty() || layer.kind == kind)
        && (text.is_empty()
            || layer.id.to_lowercase().contains(&text)
            || layer.effective.title.to_lowercase().contains(&text)
            || layer
                .effective
                .category
                .join("/")
                .to_lowercase()
                .contains(&text))
}

#[function_component(LayerTable)]
pub fn layer_table(props: &TableProps) -> Html {
    let lang = props.lang;
    let search = use_state(String::new);
    let kind = use_state(String::new);
    let editing = use_state(|| None::<String>);
    let mut kinds: Vec<&str> = props.layers.iter().map(|l| l.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let shown: Vec<&AdminLayer> = props
        .layers
        .iter()
        .filter(|l| matches(l, &search, &kind))
        .collect();
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| search.set(value(&e)))
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| kind.set(value(&e)))
    };
    let open = |id: &str| {
        let (editing, id) = (editing.clone(), id.to_owned());
        Callback::from(move |_: MouseEvent| editing.set(Some(id.clone())))
    };
    let close = {
        let (editing, on_changed) = (editing.clone(), props.on_changed.clone());
        Callback::from(move |changed: bool| {
            editing.set(None);
            if changed {
                on_changed.emit(());
            }
        })
    };
    let row = |l: &&AdminLayer| {
        let v = &l.effective;
        html! {
            <tr data-layer={l.id.clone()}>
                <th scope="row"><span class="title">{ &v.title }</span>
                    <span class="id">{ &l.id }</span>
                    if !l.settings.settings.is_empty() { <span class="badge">{ tc(lang, CatMsg::Overridden) }</span> }</th>
                <td>{ &l.kind }</td>
                <td>{ v.category.join(" / ") }</td>
                <td>{ yes_no(lang, v.published) }</td>
                <td>{ yes_no(lang, v.queryable) }</td>
                <td>{ yes_no(lang, v.downloadable) }</td>
                <td><button type="button" class="edit-settings" onclick={open(&l.id)}
                            aria-label={format!("{} {}", tc(lang, CatMsg::EditSettings), v.title)}>
                    { tc(lang, CatMsg::EditSettings) }</button></td>
            </tr>
        }
    };
    let form = (*editing)
        .as_ref()
        .and_then(|id| props.layers.iter().find(|l| &l.id == id))
        .map(|l| {
            html! {
                <SettingsForm key={format!("{}-{}", l.id, l.settings.version)} layer={l.clone()}
                              categories={props.categories.clone()} csrf={props.csrf.clone()}
                              on_close={close.clone()} {lang} />
            }
        });
    html! {
        <div class="admin-layers">
            <div class="layer-filters">
                <label for="layer-search">{ tc(lang, CatMsg::Filter) }</label>
                <input id="layer-search" type="search" value={(*search).clone()} oninput={on_search} />
                <label for="layer-kind">{ tc(lang, CatMsg::Kind) }</label>
                <select id="layer-kind" onchange={on_kind}>
                    <option value="" selected={kind.is_empty()}>{ tc(lang, CatMsg::AllKinds) }</option>
                    { for kinds.iter().map(|k| html! { <option value={k.to_string()} selected={*kind == *k}>{ k.to_string() }</option> }) }
                </select>
            </div>
            { form.unwrap_or_default() }
            <table class="matrix layer-table">
                <thead><tr>
                    <th scope="col">{ tc(lang, CatMsg::Title) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Kind) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Category) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Published) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Queryable) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Downloadable) }</th>
                    <th scope="col">{ tc(lang, CatMsg::Actions) }</th>
                </tr></thead>
                <tbody>{ for shown.iter().map(row) }</tbody>
            </table>
            if shown.is_empty() { <p>{ tc(lang, CatMsg::NoLayers) }</p> }
        </div>
    }
}

/// The settings as form texts: `""` keeps the harvested value; switches are `""`, `"true"`,
/// `"false"`.
#[derive(Debug, Clone, PartialEq, Default)]
struct Form {
    title: String,
    abstract_text: String,
    category: String,
    published: String,
    in_map: String,
    style: String,
    popup: String,
    queryable: String,
    downloadable: String,
    time_default: String,
    time_hidden: String,
}

fn flag_text(flag: Option<bool>) -> String {
    flag.map(|b| b.to_string()).unwrap_or_default()
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|t| !t.is_empty())
}

impl Form {
    fn of(s: &LayerSettings) -> Self {
        Self {
            title: s.title.clone().unwrap_or_default(),
            abstract_text: s.abstract_text.clone().unwrap_or_default(),
            category: s.category.map(|c| c.to_string()).unwrap_or_default(),
            published: flag_text(s.published),
            in_map: flag_text(s.in_map),
            style: s.style.clone().unwrap_or_default(),
            popup: s.popup.clone().unwrap_or_default(),
            queryable: flag_text(s.queryable),
            downloadable: flag_text(s.downloadable),
            time_default: s.time_default.clone().unwrap_or_default(),
            time_hidden: flag_text(s.time_hidden),
        }
    }

    fn settings(&self) -> LayerSettings {
        let flag = |s: &str| s.parse().ok();
        LayerSettings {
            title: text(&self.title),
            abstract_text: text(&self.abstract_text),
            category: self.category.parse().ok(),
            published: flag(&self.published),
            in_map: flag(&self.in_map),
            style: text(&self.style),
            popup: text(&self.popup),
            queryable: flag(&self.queryable),
            downloadable: flag(&self.downloadable),
            time_default: text(&self.time_default),
            time_hidden: flag(&self.time_hidden),
        }
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    layer: AdminLayer,
    categories: Rc<Vec<(i64, String)>>,
    csrf: Option<AttrValue>,
    /// `true`: something changed (reload).
    on_close: Callback<bool>,
    lang: Lang,
}

#[function_component(SettingsForm)]
fn settings_form(props: &FormProps) -> Html {
    let lang = props.lang;
    let layer = &props.layer;
    let h: &LayerValues = &layer.harvested;
    let form = use_state(|| Form::of(&layer.settings.settings));
    let problem = use_state(|| None::<Problem>);
    let saving = use_state(|| false);
    // The form takes the focus when it opens.
    use_effect_with((), |()| focus("settings-title"));
    let input = |f: fn(&mut Form, String)| edit::<Form, InputEvent>(&form, f);
    let choose = |f: fn(&mut Form, String)| edit::<Form, Event>(&form, f);
    let finish = {
        let (problem, saving, on_close) = (problem.clone(), saving.clone(), props.on_close.clone());
        Callback::from(move |result: Result<(), crate::api::ApiFailure>| {
            saving.set(false);
            match result {
                Ok(()) => on_close.emit(true),
                Err(e) => problem.set(Some(Problem::of(e))),
            }
        })
    };
    let onsubmit = {
        let (form, saving, finish, csrf) = (
            form.clone(),
            saving.clone(),
            finish.clone(),
            props.csrf.clone(),
        );
        let (id, version) = (layer.id.clone(), layer.settings.version);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (settings, finish, csrf, id) =
                (form.settings(), finish.clone(), csrf.clone(), id.clone());
            saving.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let r = client::put_settings(&id, version, &settings, csrf.as_deref()).await;
                finish.emit(r.map(drop));
            });
        })
    };
    let reset = {
        let (finish, csrf) = (finish.clone(), props.csrf.clone());
        let (id, version) = (layer.id.clone(), layer.settings.version);
        Callback::from(move |_: MouseEvent| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(tc(lang, CatMsg::ConfirmReset)).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (finish, csrf, id) = (finish.clone(), csrf.clone(), id.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let r = client::reset_settings(&id, version, csrf.as_deref()).await;
                finish.emit(r.map(drop));
            });
        })
    };
    let reload = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(true))
    };
    let cancel = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(false))
    };
    let beside = |harvested: String| {
        html! { <span class="harvested">{ tc(lang, CatMsg::HarvestedValue) }{ " " }{ harvested }</span> }
    };
    let field_error = |name: &str| -> Html {
        let Some(Problem::Invalid(fields)) = &*problem else {
            return Html::default();
        };
        html! { <>{ for fields.iter().filter(|f| f.field == name).map(|f| html! {
            <span class="field-error" role="alert">{ &f.message }</span>
        }) }</> }
    };
    let switch = |id: &'static str,
                  label: CatMsg,
                  current: &str,
                  harvested: bool,
                  f: fn(&mut Form, String)| {
        html! {
            <div class="field">
                <label for={id}>{ tc(lang, label) }</label>
                <select {id} onchange={choose(f)}>
                    <option value="" selected={current.is_empty()}>{ tc(lang, CatMsg::KeepHarvested) }</option>
                    <option value="true" selected={current == "true"}>{ tc(lang, CatMsg::Yes) }</option>
                    <option value="false" selected={current == "false"}>{ tc(lang, CatMsg::No) }</option>
                </select>
                { beside(yes_no(lang, harvested).to_owned()) }
            </div>
        }
    };
    let times: Vec<String> = layer
        .time
        .iter()
        .flat_map(|t| t.extent.iter())
        .filter_map(|e| match e {
            TimeExtent::Instant { at } => Some(at.clone()),
            TimeExtent::Range { .. } => None,
        })
        .collect();
    let labelled = tc(lang, CatMsg::EditSettings);
    html! {
        <form class="rule-editor settings-form" id="settings-form" aria-label={format!("{labelled} {}", layer.id)} {onsubmit}>
            <h3>{ labelled }{ " — " }<code>{ &layer.id }</code></h3>
            { alert(lang, problem.as_ref(), "reload-settings", &reload) }
            <div class="field">
                <label for="settings-title">{ tc(lang, CatMsg::Title) }</label>
                <input id="settings-title" type="text" maxlength="200" value={form.title.clone()} oninput={input(|f, v| f.title = v)} />
                { beside(h.title.clone()) }{ field_error("title") }
            </div>
            <div class="field">
                <label for="settings-abstract">{ tc(lang, CatMsg::Abstract) }</label>
                <textarea id="settings-abstract" rows="3" value={form.abstract_text.clone()} oninput={input(|f, v| f.abstract_text = v)} />
                { beside(h.abstract_text.clone().unwrap_or_default()) }{ field_error("abstract") }
            </div>
            <div class="field">
                <label for="settings-category">{ tc(lang, CatMsg::Category) }</label>
                <select id="settings-category" onchange={choose(|f, v| f.category = v)}>
                    <option value="" selected={form.category.is_empty()}>{ tc(lang, CatMsg::KeepHarvested) }</option>
                    { for props.categories.iter().map(|(id, path)| html! {
                        <option value={id.to_string()} selected={form.category == id.to_string()}>{ path }</option>
                    }) }
                </select>
                { beside(h.category.join(" / ")) }{ field_error("category") }
            </div>
            { switch("settings-published", CatMsg::Published, &form.published, h.published, |f, v| f.published = v) }
            { switch("settings-in-map", CatMsg::InMap, &form.in_map, h.in_map, |f, v| f.in_map = v) }
            { switch("settings-queryable", CatMsg::Queryable, &form.queryable, h.queryable, |f, v| f.queryable = v) }
            { switch("settings-downloadable", CatMsg::Downloadable, &form.downloadable, h.downloadable, |f, v| f.downloadable = v) }
            if !layer.styles.is_empty() {
                <div class="field">
                    <label for="settings-style">{ tc(lang, CatMsg::Style) }</label>
                    <select id="settings-style" onchange={choose(|f, v| f.style = v)}>
                        <option value="" selected={form.style.is_empty()}>{ tc(lang, CatMsg::KeepHarvested) }</option>
                        { for layer.styles.iter().map(|s| html! {
                            <option value={s.clone()} selected={form.style == *s}>{ s }</option>
                        }) }
                    </select>
                    { beside(h.style.clone().unwrap_or_default()) }{ field_error("style") }
                </div>
            }
            <div class="field">
                <label for="settings-popup">{ tc(lang, CatMsg::Popup) }</label>
                <input id="settings-popup" type="text" maxlength="2000" value={form.popup.clone()} oninput={input(|f, v| f.popup = v)} />
                { beside(h.popup.clone().unwrap_or_default()) }{ field_error("popup") }
            </div>
            if layer.time.is_some() {
                <div class="field">
                    <label for="settings-time">{ tc(lang, CatMsg::TimeDefault) }</label>
                    <input id="settings-time" type="text" list="settings-times" value={form.time_default.clone()}
                           oninput={input(|f, v| f.time_default = v)} />
                    <datalist id="settings-times">{ for times.iter().map(|t| html! { <option value={t.clone()} /> }) }</datalist>
                    { beside(h.time_default.clone().unwrap_or_default()) }{ field_error("time_default") }
                </div>
                { switch("settings-time-hidden", CatMsg::TimeHidden, &form.time_hidden, h.time_hidden, |f, v| f.time_hidden = v) }
            }
            <div class="editor-actions">
                <button type="submit" id="save-settings" class="primary" disabled={*saving} aria-busy={saving.to_string()}>
                    { tc(lang, if *saving { CatMsg::Saving } else { CatMsg::Save }) }</button>
                <button type="button" id="reset-settings" class="danger" onclick={reset}
                        disabled={layer.settings.settings.is_empty()}>{ tc(lang, CatMsg::Reset) }</button>
                <button type="button" onclick={cancel}>{ tc(lang, CatMsg::Cancel) }</button>
            </div>
        </form>
    }
}
