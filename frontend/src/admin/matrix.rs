//! The permission matrix: each layer (the catalogue as the administrator sees it, plus layers
//! rules name) × view / query / download, who may, under the rules in force (the engine's
//! reckoning, same as the server's). A cell opens the stored rule that decides it, or offers a
//! new rule for that layer (put first) when the file's rule or the default decides.

use std::rc::Rc;

use kartenn_common::Catalog;
use kartenn_common::admin::{Audience, DefaultAccess, Keyword, Rule, RuleList};
use kartenn_engine::admin::{Act, Cell, LayerName, Who, cell, rows};
use yew::prelude::*;

use super::Draft;
use super::catalog_bulk::{CategoryBulk, category_paths, in_category};
use super::catalog_i18n::{CatMsg, tc};
use crate::i18n::{AdminMsg, Lang, ta};

#[derive(Properties, PartialEq)]
pub struct MatrixProps {
    pub list: Rc<RuleList>,
    pub catalog: Rc<Catalog>,
    pub on_draft: Callback<Option<Draft>>,
    pub csrf: Option<AttrValue>,
    /// After a bulk change: reload the rules.
    pub on_changed: Callback<()>,
    pub lang: Lang,
}

fn who_text(lang: Lang, who: &Who) -> String {
    match who {
        Who::Public => ta(lang, AdminMsg::Public).to_owned(),
        Who::Authenticated => ta(lang, AdminMsg::Authenticated).to_owned(),
        Who::Roles(roles) => roles.join(", "),
        Who::Nobody => ta(lang, AdminMsg::Nobody).to_owned(),
    }
}

fn who_class(who: &Who) -> &'static str {
    match who {
        Who::Public => "public",
        Who::Authenticated => "authenticated",
        Who::Roles(_) => "roles",
        Who::Nobody => "nobody",
    }
}

#[function_component(MatrixPage)]
pub fn matrix_page(props: &MatrixProps) -> Html {
    let lang = props.lang;
    let search = use_state(String::new);
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            let input: Option<web_sys::HtmlInputElement> = e.target_dyn_into();
            search.set(input.map(|i| i.value()).unwrap_or_default());
        })
    };
    let category = use_state(String::new);
    let on_category = {
        let category = category.clone();
        Callback::from(move |e: Event| {
            let select: Option<web_sys::HtmlSelectElement> = e.target_dyn_into();
            category.set(select.map(|s| s.value()).unwrap_or_default());
        })
    };
    let rules = &props.list.rules;
    let mut layers = rows(&props.catalog, rules, &search);
    if !category.is_empty() {
        layers.retain(|l| in_category(&props.catalog, &l.id, &category));
    }
    let draft_for = |layer: &LayerName, decided: &Cell| -> (Draft, AdminMsg) {
        let deciding = decided.rule.and_then(|i| rules.get(i));
        if let Some(entry) = deciding.filter(|e| !e.from_config) {
            return (Draft::of(entry), AdminMsg::OpenRule);
        }
        // A new rule for this layer alone, first, keeping what decides it today.
        let public = || Some(Audience::Keyword(Keyword::Public));
        let base = deciding.map_or_else(
            || match props.list.default {
                DefaultAccess::Public => Rule {
                    view: public(),
                    query: public(),
                    download: public(),
                    ..Rule::default()
                },
                DefaultAccess::Deny => Rule::default(),
            },
            |e| e.rule.clone(),
        );
        let rule = Rule {
            layer: Some(layer.id.clone()),
            dataset: None,
            source: None,
            ..base
        };
        let draft = Draft {
            id: None,
            etag: None,
            position: Some(0),
            rule,
        };
        (draft, AdminMsg::CreateRule)
    };
    let row = |layer: &LayerName| {
        let cells = Act::ALL.map(|act| {
            let decided = cell(rules, props.list.default, layer, act);
            let (draft, hint) = draft_for(layer, &decided);
            let on_draft = props.on_draft.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_draft.emit(Some(draft.clone())));
            let by = match decided.rule {
                Some(i) => format!("#{}", i + 1),
                None => ta(lang, AdminMsg::ByDefault).to_owned(),
            };
            html! {
                <td class={classes!("cell", who_class(&decided.who))}>
                    <button type="button" {onclick} data-layer={layer.id.clone()} data-action={act.name()}
                            title={ta(lang, hint)}
                            aria-label={format!("{} — {}: {} ({by}). {}", layer.title, act.name(), who_text(lang, &decided.who), ta(lang, hint))}>
                        <span class="who">{ who_text(lang, &decided.who) }</span>
                        <span class="by">{ by }</span>
                    </button>
                </td>
            }
        });
        html! {
            <tr>
                <th scope="row"><span class="title">{ &layer.title }</span>
                    if layer.title != layer.id { <span class="id">{ &layer.id }</span> }</th>
                { for cells }
            </tr>
        }
    };
    html! {
        <div class="admin-matrix">
            <p class="intro">{ ta(lang, AdminMsg::MatrixIntro) }</p>
            <label class="search" for="matrix-search">{ ta(lang, AdminMsg::Search) }</label>
            <input id="matrix-search" type="search" value={(*search).clone()} oninput={on_search} />
            <label class="search" for="matrix-category">{ tc(lang, CatMsg::CategoryFilter) }</label>
            <select id="matrix-category" onchange={on_category}>
                <option value="" selected={category.is_empty()}>{ tc(lang, CatMsg::AllCategories) }</option>
                { for category_paths(&props.catalog).into_iter().map(|p| html! {
                    <option value={p.clone()} selected={*category == p}>{ p.replace('/', " / ") }</option>
                }) }
            </select>
            if !category.is_empty() {
                <CategoryBulk path={(*category).clone()} csrf={props.csrf.clone()}
                              on_changed={props.on_changed.clone()} {lang} />
            }
            <table class="matrix">
                <thead><tr>
                    <th scope="col">{ ta(lang, AdminMsg::Layer) }</th>
                    { for Act::ALL.iter().map(|a| html! { <th scope="col">{ a.name() }</th> }) }
                </tr></thead>
                <tbody>{ for layers.iter().map(row) }</tbody>
            </table>
            if layers.is_empty() { <p>{ ta(lang, AdminMsg::NoEntries) }</p> }
        </div>
    }
}
