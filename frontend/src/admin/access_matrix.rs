//! The permission matrix, layers × roles: one row per layer and chronicle dataset (filtered by
//! text and category), one column for anonymous visitors, one for any signed-in user and one
//! per role the rules or the role mappings name; each cell says which of view (V), query (Q)
//! and download (D) that caller gets and which rule decides — the engine's reckoning, same as
//! the server's. A cell opens the stored rule that decides it, or a new rule for that row (put
//! first, keeping today's rights) when the file's rule or the default decides. With a category
//! chosen, one audience for one action can be given to every layer in it (server-side bulk).

use std::rc::Rc;

use kartenn_common::admin::{Audience, DefaultAccess, Keyword, Rule, RuleList};
use kartenn_engine::access::{Column, Grant, Target, category_paths, columns, grant, targets};
use kartenn_engine::admin::Act;
use yew::prelude::*;

use super::Draft;
use super::catalog_bulk::CategoryBulk;
use super::catalog_i18n::{CatMsg, tc};
use crate::api;
use crate::i18n::{AdminMsg, Lang, ta};

/// This page's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum M {
    Intro,
    Anonymous,
    SignedIn,
    Legend,
    Dataset,
    Nothing,
    CreateDatasetRule,
}

fn tr(lang: Lang, msg: M) -> &'static str {
    match (lang, msg) {
        (Lang::Fr, M::Intro) => {
            "Ce que chaque rôle peut faire de chaque couche et jeu de chroniques selon les règles \
             en vigueur. Une case ouvre la règle qui décide, ou en crée une pour cette ligne."
        }
        (Lang::En, M::Intro) => {
            "What each role may do with each layer and chronicle dataset under the rules in \
             force. A cell opens the rule that decides, or creates one for that row."
        }
        (Lang::Fr, M::Anonymous) => "Anonyme",
        (Lang::En, M::Anonymous) => "Anonymous",
        (Lang::Fr, M::SignedIn) => "Connecté",
        (Lang::En, M::SignedIn) => "Signed in",
        (Lang::Fr, M::Legend) => "V : voir · Q : interroger · D : télécharger · — : rien",
        (Lang::En, M::Legend) => "V: view · Q: query · D: download · —: nothing",
        (Lang::Fr, M::Dataset) => "chroniques",
        (Lang::En, M::Dataset) => "chronicles",
        (Lang::Fr, M::Nothing) => "rien",
        (Lang::En, M::Nothing) => "nothing",
        (Lang::Fr, M::CreateDatasetRule) => "Créer une règle pour ce jeu de données",
        (Lang::En, M::CreateDatasetRule) => "Create a rule for this dataset",
    }
}

#[derive(Properties, PartialEq)]
pub struct MatrixProps {
    pub list: Rc<RuleList>,
    /// Every layer and dataset with its category path.
    pub entries: Rc<Vec<(Target, Vec<String>)>>,
    pub on_draft: Callback<Option<Draft>>,
    pub csrf: Option<AttrValue>,
    /// After a bulk change: reload the rules.
    pub on_changed: Callback<()>,
    pub lang: Lang,
}

fn column_title(lang: Lang, column: &Column) -> String {
    match column {
        Column::Anonymous => tr(lang, M::Anonymous).to_owned(),
        Column::SignedIn => tr(lang, M::SignedIn).to_owned(),
        Column::Role(role) => role.clone(),
    }
}

fn grant_class(g: &Grant) -> &'static str {
    match (g.view, g.query, g.download) {
        (false, false, false) => "grants-none",
        (true, true, true) => "grants-all",
        (true, false, false) => "grants-view",
        _ => "grants-some",
    }
}

/// The actions of a grant in words, for screen readers.
fn grant_words(lang: Lang, g: &Grant) -> String {
    let acts: Vec<&str> = Act::ALL
        .iter()
        .filter(|a| g.allows(**a))
        .map(|a| a.name())
        .collect();
    if acts.is_empty() {
        tr(lang, M::Nothing).to_owned()
    } else {
        acts.join(", ")
    }
}

#[function_component(AccessMatrix)]
pub fn access_matrix(props: &MatrixProps) -> Html {
    let lang = props.lang;
    let search = use_state(String::new);
    let category = use_state(Vec::<String>::new);
    let mapped_roles = use_state(Vec::<String>::new);
    {
        let mapped_roles = mapped_roles.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                // The roles mappings give are columns even before a rule names them.
                if let Ok(list) = api::admin_roles::list().await {
                    let mut roles: Vec<String> =
                        list.mappings.into_iter().flat_map(|m| m.roles).collect();
                    roles.sort();
                    roles.dedup();
                    mapped_roles.set(roles);
                }
            });
        });
    }
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            let input: Option<web_sys::HtmlInputElement> = e.target_dyn_into();
            search.set(input.map(|i| i.value()).unwrap_or_default());
        })
    };
    let paths = category_paths(&props.entries);
    let on_category = {
        let category = category.clone();
        Callback::from(move |e: Event| {
            let select: Option<web_sys::HtmlSelectElement> = e.target_dyn_into();
            let path = select.map(|s| s.value()).unwrap_or_default();
            category.set(if path.is_empty() {
                Vec::new()
            } else {
                path.split('/').map(str::to_owned).collect()
            });
        })
    };
    let rules = &props.list.rules;
    let default = props.list.default;
    let rows = targets((*props.entries).clone(), rules, &search, &category);
    let cols = columns(rules, &mapped_roles);
    let draft_for = |target: &Target, decided: Option<usize>| -> (Draft, &'static str) {
        let deciding = decided.and_then(|i| rules.get(i));
        if let Some(entry) = deciding.filter(|e| !e.from_config) {
            return (Draft::of(entry), ta(lang, AdminMsg::OpenRule));
        }
        // A new rule for this row alone, first, keeping what decides it today.
        let public = || Some(Audience::Keyword(Keyword::Public));
        let base = deciding.map_or_else(
            || match default {
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
        let (rule, hint) = match target {
            Target::Layer(l) => (
                Rule {
                    layer: Some(l.id.clone()),
                    dataset: None,
                    source: None,
                    ..base
                },
                ta(lang, AdminMsg::CreateRule),
            ),
            Target::Dataset { id, .. } => (
                Rule {
                    layer: None,
                    dataset: Some(id.clone()),
                    source: None,
                    ..base
                },
                tr(lang, M::CreateDatasetRule),
            ),
        };
        let draft = Draft {
            id: None,
            etag: None,
            position: Some(0),
            rule,
        };
        (draft, hint)
    };
    let row = |target: &Target| {
        let cells = cols.iter().map(|column| {
            let g = grant(rules, default, target, column);
            let (draft, hint) = draft_for(target, g.rule);
            let on_draft = props.on_draft.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_draft.emit(Some(draft.clone())));
            let by = match g.rule {
                Some(i) => format!("#{}", i + 1),
                None => ta(lang, AdminMsg::ByDefault).to_owned(),
            };
            let label = format!(
                "{} — {}: {} ({by}). {hint}",
                target.title(),
                column_title(lang, column),
                grant_words(lang, &g)
            );
            html! {
                <td class={classes!("cell", grant_class(&g))}>
                    <button type="button" {onclick} data-row={target.id().to_owned()}
                            data-column={column_title(Lang::En, column)} title={hint} aria-label={label}>
                        <span class="who">{ g.letters() }</span>
                        <span class="by">{ by }</span>
                    </button>
                </td>
            }
        });
        let kind = matches!(target, Target::Dataset { .. })
            .then(|| html! { <span class="badge">{ tr(lang, M::Dataset) }</span> });
        html! {
            <tr>
                <th scope="row"><span class="title">{ target.title() }</span>{ " " }{ for kind }
                    if target.title() != target.id() { <span class="id">{ target.id() }</span> }</th>
                { for cells }
            </tr>
        }
    };
    html! {
        <div class="admin-matrix">
            <p class="intro">{ tr(lang, M::Intro) }</p>
            <div class="matrix-filters">
                <label class="search" for="matrix-search">{ ta(lang, AdminMsg::Search) }</label>
                <input id="matrix-search" type="search" value={(*search).clone()} oninput={on_search} />
                <label for="matrix-category">{ tc(lang, CatMsg::CategoryFilter) }</label>
                <select id="matrix-category" onchange={on_category}>
                    <option value="" selected={category.is_empty()}>{ tc(lang, CatMsg::AllCategories) }</option>
                    { for paths.iter().map(|p| html! {
                        <option value={p.join("/")} selected={*p == *category}>{ p.join(" / ") }</option>
                    }) }
                </select>
            </div>
            if !category.is_empty() {
                <CategoryBulk path={category.join("/")} csrf={props.csrf.clone()}
                              on_changed={props.on_changed.clone()} {lang} />
            }
            <p class="legend">{ tr(lang, M::Legend) }</p>
            <table class="matrix by-role">
                <thead><tr>
                    <th scope="col">{ ta(lang, AdminMsg::Layer) }</th>
                    { for cols.iter().map(|c| html! { <th scope="col">{ column_title(lang, c) }</th> }) }
                </tr></thead>
                <tbody>{ for rows.iter().map(row) }</tbody>
            </table>
            if rows.is_empty() { <p>{ ta(lang, AdminMsg::NoEntries) }</p> }
        </div>
    }
}
