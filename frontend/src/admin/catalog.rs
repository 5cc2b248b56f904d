//! The "Catalogue" section: the category tree (create, rename, move, delete with the choice of
//! where its content goes; harvested categories not stored yet shown apart, with a button to
//! manage them) above the layer table (`catalog_layers`). Both reload after every change; a 409
//! shows the server's message with a reload button, a 422 each field's message.

use std::rc::Rc;

use kartenn_common::admin_catalog::{AdminLayer, CategoryBody, CategoryNode, CategoryTree};
use yew::prelude::*;

use super::catalog_i18n::{CatMsg, tc};
use super::catalog_layers::LayerTable;
use super::form::{Problem, alert, edit, focus, value};
use crate::api::ApiFailure;
use crate::api::admin_catalog as client;
use crate::i18n::Lang;

/// Every stored category as (id, path shown `A / B`), depth first.
pub fn stored(tree: &CategoryTree) -> Vec<(i64, String)> {
    fn walk(nodes: &[CategoryNode], out: &mut Vec<(i64, String)>) {
        for n in nodes {
            if let Some(id) = n.id {
                out.push((id, n.path.join(" / ")));
            }
            walk(&n.children, out);
        }
    }
    let mut out = Vec::new();
    walk(&tree.categories, &mut out);
    out
}

type Loaded<T> = Option<Result<Rc<T>, ApiFailure>>;

#[derive(Properties, PartialEq)]
pub struct CatalogProps {
    pub csrf: Option<AttrValue>,
    pub lang: Lang,
}

#[function_component(CatalogPage)]
pub fn catalog_page(props: &CatalogProps) -> Html {
    let lang = props.lang;
    let tree = use_state(|| None::<Result<Rc<CategoryTree>, ApiFailure>>);
    let layers = use_state(|| None::<Result<Rc<Vec<AdminLayer>>, ApiFailure>>);
    let reload = {
        let (tree, layers) = (tree.clone(), layers.clone());
        use_callback((), move |(), ()| {
            let (tree, layers) = (tree.clone(), layers.clone());
            wasm_bindgen_futures::spawn_local(async move {
                tree.set(Some(client::categories().await.map(Rc::new)));
                layers.set(Some(client::layers().await.map(Rc::new)));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((), move |()| reload.emit(()));
    }
    let failed = |e: &ApiFailure| {
        html! { <p class="admin-error" role="alert">{ tc(lang, CatMsg::Failed) }{ " " }{ e.to_string() }</p> }
    };
    let loading = || html! { <p class="status" role="status">{ tc(lang, CatMsg::Loading) }</p> };
    let (tree_html, table_html) = match (&*tree, &*layers as &Loaded<Vec<AdminLayer>>) {
        (Some(Ok(t)), Some(Ok(l))) => (
            html! { <TreeView tree={t.clone()} csrf={props.csrf.clone()} on_changed={reload.clone()} {lang} /> },
            html! { <LayerTable layers={l.clone()} categories={Rc::new(stored(t))} csrf={props.csrf.clone()}
            on_changed={reload.clone()} {lang} /> },
        ),
        (Some(Err(e)), _) | (_, Some(Err(e))) => (failed(e), Html::default()),
        _ => (loading(), Html::default()),
    };
    html! {
        <div class="admin-catalog">
            <p class="intro">{ tc(lang, CatMsg::Intro) }</p>
            <h2>{ tc(lang, CatMsg::Categories) }</h2>
            { tree_html }
            <h2>{ tc(lang, CatMsg::Layers) }</h2>
            { table_html }
        </div>
    }
}

/// The category form (new or edited).
#[derive(Debug, Clone, PartialEq, Default)]
struct Form {
    /// `(id, version)` of the category edited; `None`: a new one.
    editing: Option<(i64, i64)>,
    title: String,
    title_en: String,
    /// `""`: the root; else a stored id.
    parent: String,
}

impl Form {
    fn body(&self) -> CategoryBody {
        CategoryBody {
            title: self.title.trim().to_owned(),
            title_en: Some(self.title_en.trim().to_owned()).filter(|t| !t.is_empty()),
            parent: self.parent.parse().ok(),
            position: None,
        }
    }
}

#[derive(Properties, PartialEq)]
struct TreeProps {
    tree: Rc<CategoryTree>,
    csrf: Option<AttrValue>,
    on_changed: Callback<()>,
    lang: Lang,
}

/// What a node's buttons need.
struct Ctx<'a> {
    lang: Lang,
    edit: &'a dyn Fn(&CategoryNode) -> Callback<MouseEvent>,
    adopt: &'a dyn Fn(&CategoryNode, Option<i64>) -> Callback<MouseEvent>,
    delete: &'a dyn Fn(&CategoryNode) -> Callback<MouseEvent>,
    deleting: Option<i64>,
    delete_panel: &'a dyn Fn(&CategoryNode) -> Html,
}

fn node_html(node: &CategoryNode, parent: Option<i64>, parent_stored: bool, ctx: &Ctx<'_>) -> Html {
    let lang = ctx.lang;
    let label = node.path.join(" / ");
    let buttons = match node.id {
        Some(id) => html! {
            <span class="category-actions">
                <button type="button" class="edit-category" onclick={(ctx.edit)(node)}
                        aria-label={format!("{} {label}", tc(lang, CatMsg::Edit))}>{ tc(lang, CatMsg::Edit) }</button>
                <button type="button" class="delete-category danger" onclick={(ctx.delete)(node)}
                        aria-expanded={(ctx.deleting == Some(id)).to_string()}
                        aria-label={format!("{} {label}", tc(lang, CatMsg::Delete))}>{ tc(lang, CatMsg::Delete) }</button>
            </span>
        },
        None if parent_stored => html! {
            <button type="button" class="adopt-category" onclick={(ctx.adopt)(node, parent)}
                    aria-label={format!("{} {label}", tc(lang, CatMsg::Adopt))}>{ tc(lang, CatMsg::Adopt) }</button>
        },
        None => Html::default(),
    };
    html! {
        <li class={classes!("category", node.id.is_none().then_some("harvested"))}
            data-category-id={node.id.map(|i| i.to_string())}>
            <span class="category-title">{ &node.title }</span>
            if let Some(en) = &node.title_en { <span class="category-en">{ format!(" ({en})") }</span> }
            <span class="category-count" title={tc(lang, CatMsg::Layers)}>{ format!(" {} / {}", node.layers, node.total_layers) }</span>
            if node.id.is_none() { <span class="badge">{ tc(lang, CatMsg::Harvested) }</span> }
            { buttons }
            if node.id.is_some() && ctx.deleting == node.id { { (ctx.delete_panel)(node) } }
            if !node.children.is_empty() {
                <ul>{ for node.children.iter().map(|c| node_html(c, node.id, node.id.is_some(), ctx)) }</ul>
            }
        </li>
    }
}

#[function_component(TreeView)]
fn tree_view(props: &TreeProps) -> Html {
    let lang = props.lang;
    let form = use_state(Form::default);
    let deleting = use_state(|| None::<(i64, i64)>);
    let move_to = use_state(String::new);
    let problem = use_state(|| None::<Problem>);
    let categories = stored(&props.tree);
    let done = {
        let (form, deleting, problem, on_changed) = (
            form.clone(),
            deleting.clone(),
            problem.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |result: Result<(), ApiFailure>| match result {
            Ok(()) => {
                form.set(Form::default());
                deleting.set(None);
                problem.set(None);
                on_changed.emit(());
            }
            Err(e) => problem.set(Some(Problem::of(e))),
        })
    };
    let onsubmit = {
        let (form, csrf, done) = (form.clone(), props.csrf.clone(), done.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (body, editing, csrf, done) =
                (form.body(), form.editing, csrf.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match editing {
                    Some((id, version)) => {
                        client::update_category(id, version, &body, csrf.as_deref()).await
                    }
                    None => client::create_category(&body, csrf.as_deref()).await,
                };
                done.emit(result.map(drop));
            });
        })
    };
    let edit_node = |node: &CategoryNode| {
        let form = form.clone();
        let next = Form {
            editing: node.id.zip(node.version),
            title: node.title.clone(),
            title_en: node.title_en.clone().unwrap_or_default(),
            parent: node.parent.map(|p| p.to_string()).unwrap_or_default(),
        };
        Callback::from(move |_: MouseEvent| {
            form.set(next.clone());
            focus("category-title");
        })
    };
    let adopt = |node: &CategoryNode, parent: Option<i64>| {
        let (csrf, done) = (props.csrf.clone(), done.clone());
        let body = CategoryBody {
            title: node.title.clone(),
            title_en: None,
            parent,
            position: None,
        };
        Callback::from(move |_: MouseEvent| {
            let (csrf, done, body) = (csrf.clone(), done.clone(), body.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = client::create_category(&body, csrf.as_deref()).await;
                done.emit(result.map(drop));
            });
        })
    };
    let delete = |node: &CategoryNode| {
        let (deleting, move_to, key) =
            (deleting.clone(), move_to.clone(), node.id.zip(node.version));
        Callback::from(move |_: MouseEvent| {
            move_to.set(String::new());
            deleting.set(if *deleting == key { None } else { key });
        })
    };
    let confirm = {
        let (deleting, move_to, csrf, done) = (
            deleting.clone(),
            move_to.clone(),
            props.csrf.clone(),
            done.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some((id, version)) = *deleting else {
                return;
            };
            let target = Some((*move_to).clone()).filter(|m| !m.is_empty());
            let (csrf, done) = (csrf.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result =
                    client::delete_category(id, version, target.as_deref(), csrf.as_deref()).await;
                done.emit(result);
            });
        })
    };
    let on_move_to = {
        let move_to = move_to.clone();
        Callback::from(move |e: Event| move_to.set(value(&e)))
    };
    let delete_panel = |node: &CategoryNode| {
        let id = node.id.unwrap_or_default();
        let select_id = format!("move-to-{id}");
        html! {
            <div class="delete-panel">
                <label for={select_id.clone()}>{ tc(lang, CatMsg::MoveTo) }</label>
                <select id={select_id} onchange={on_move_to.clone()}>
                    <option value="" selected={move_to.is_empty()}>{ tc(lang, CatMsg::NothingToMove) }</option>
                    <option value="root" selected={*move_to == "root"}>{ tc(lang, CatMsg::Root) }</option>
                    { for categories.iter().filter(|(c, _)| *c != id && !under(&props.tree, *c, id)).map(|(c, path)| html! {
                        <option value={c.to_string()} selected={*move_to == c.to_string()}>{ path }</option>
                    }) }
                </select>
                <button type="button" class="danger confirm-delete" onclick={confirm.clone()}>{ tc(lang, CatMsg::ConfirmDelete) }</button>
            </div>
        }
    };
    let ctx = Ctx {
        lang,
        edit: &edit_node,
        adopt: &adopt,
        delete: &delete,
        deleting: deleting.map(|d| d.0),
        delete_panel: &delete_panel,
    };
    let reload = {
        let (on_changed, problem) = (props.on_changed.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            problem.set(None);
            on_changed.emit(());
        })
    };
    let cancel = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| form.set(Form::default()))
    };
    let editing = form.editing.map(|(id, _)| id);
    html! {
        <div class="category-tree">
            { alert(lang, problem.as_ref(), "reload-category", &reload) }
            <ul class="categories">
                { for props.tree.categories.iter().map(|n| node_html(n, None, true, &ctx)) }
            </ul>
            <p class="uncategorised">{ tc(lang, CatMsg::Uncategorised) }{ " " }{ props.tree.uncategorised }</p>
            <form class="category-form" id="category-form" {onsubmit}
                  aria-label={tc(lang, if editing.is_some() { CatMsg::Edit } else { CatMsg::NewCategory })}>
                <h3>{ tc(lang, if editing.is_some() { CatMsg::Edit } else { CatMsg::NewCategory }) }</h3>
                <div class="field">
                    <label for="category-title">{ tc(lang, CatMsg::Title) }</label>
                    <input id="category-title" type="text" required=true maxlength="120" value={form.title.clone()}
                           oninput={edit::<Form, InputEvent>(&form, |f, v| f.title = v)} />
                </div>
                <div class="field">
                    <label for="category-title-en">{ tc(lang, CatMsg::TitleEn) }</label>
                    <input id="category-title-en" type="text" maxlength="120" value={form.title_en.clone()}
                           oninput={edit::<Form, InputEvent>(&form, |f, v| f.title_en = v)} />
                </div>
                <div class="field">
                    <label for="category-parent">{ tc(lang, CatMsg::Parent) }</label>
                    <select id="category-parent" onchange={edit::<Form, Event>(&form, |f, v| f.parent = v)}>
                        <option value="" selected={form.parent.is_empty()}>{ tc(lang, CatMsg::Root) }</option>
                        { for categories.iter()
                            .filter(|(c, _)| editing.is_none_or(|e| *c != e && !under(&props.tree, *c, e)))
                            .map(|(c, path)| html! {
                                <option value={c.to_string()} selected={form.parent == c.to_string()}>{ path }</option>
                            }) }
                    </select>
                </div>
                <div class="editor-actions">
                    <button type="submit" id="save-category" class="primary">
                        { tc(lang, if editing.is_some() { CatMsg::Save } else { CatMsg::Create }) }</button>
                    if editing.is_some() {
                        <button type="button" onclick={cancel}>{ tc(lang, CatMsg::Cancel) }</button>
                    }
                </div>
            </form>
        </div>
    }
}

/// Whether stored category `candidate` lies below stored category `id`.
fn under(tree: &CategoryTree, candidate: i64, id: i64) -> bool {
    fn find(nodes: &[CategoryNode], id: i64) -> Option<&CategoryNode> {
        nodes.iter().find_map(|n| {
            if n.id == Some(id) {
                Some(n)
            } else {
                find(&n.children, id)
            }
        })
    }
    find(&tree.categories, id).is_some_and(|n| find(&n.children, candidate).is_some())
}
