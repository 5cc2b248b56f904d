//! The permission matrix's "apply to the whole category": one audience for one action given to
//! every layer in the chosen category and below it, by the server in one transaction
//! (`POST /api/admin/rules/bulk` with `category`).

use kartenn_engine::admin::{Act, Choice, from_form};
use yew::prelude::*;

use super::catalog_i18n::{CatMsg, tc};
use super::form::{Problem, alert, value};
use crate::api::admin_catalog as client;
use crate::i18n::{AdminMsg, Lang, ta};

#[derive(Properties, PartialEq)]
pub struct BulkProps {
    /// The category path (`A/B`).
    pub path: AttrValue,
    pub csrf: Option<AttrValue>,
    /// After the change: reload the rules.
    pub on_changed: Callback<()>,
    pub lang: Lang,
}

#[function_component(CategoryBulk)]
pub fn category_bulk(props: &BulkProps) -> Html {
    let lang = props.lang;
    let action = use_state(|| "view".to_owned());
    let choice = use_state(|| Choice::Authenticated);
    let roles = use_state(String::new);
    let problem = use_state(|| None::<Problem>);
    let applied = use_state(|| false);
    let apply = {
        let (action, choice, roles, problem, applied) = (
            action.clone(),
            choice.clone(),
            roles.clone(),
            problem.clone(),
            applied.clone(),
        );
        let (path, csrf, on_changed) = (
            props.path.clone(),
            props.csrf.clone(),
            props.on_changed.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(tc(lang, CatMsg::ConfirmBulk)).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let audience = from_form(*choice, &roles);
            let (action, path, csrf) = ((*action).clone(), path.clone(), csrf.clone());
            let (problem, applied, on_changed) =
                (problem.clone(), applied.clone(), on_changed.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::bulk_by_category(&path, &action, audience.as_ref(), csrf.as_deref())
                    .await
                {
                    Ok(()) => {
                        problem.set(None);
                        applied.set(true);
                        on_changed.emit(());
                    }
                    Err(e) => {
                        applied.set(false);
                        problem.set(Some(Problem::of(e)));
                    }
                }
            });
        })
    };
    let on_action = {
        let action = action.clone();
        Callback::from(move |e: Event| action.set(value(&e)))
    };
    let on_choice = {
        let choice = choice.clone();
        Callback::from(move |e: Event| choice.set(Choice::from_key(&value(&e))))
    };
    let on_roles = {
        let roles = roles.clone();
        Callback::from(move |e: InputEvent| roles.set(value(&e)))
    };
    let label = |c: Choice| match c {
        Choice::Public => ta(lang, AdminMsg::Public),
        Choice::Authenticated => ta(lang, AdminMsg::Authenticated),
        Choice::Roles => ta(lang, AdminMsg::RoleList),
        Choice::Nobody => ta(lang, AdminMsg::Nobody),
    };
    html! {
        <fieldset class="category-bulk">
            <legend>{ tc(lang, CatMsg::ApplyToCategory) }{ " — " }{ props.path.replace('/', " / ") }</legend>
            { alert(lang, problem.as_ref(), "reload-bulk", &Callback::noop()) }
            if *applied { <p class="applied" role="status">{ tc(lang, CatMsg::Applied) }</p> }
            <label for="bulk-action">{ tc(lang, CatMsg::Action) }</label>
            <select id="bulk-action" onchange={on_action}>
                { for Act::ALL.iter().map(|a| html! {
                    <option value={a.name()} selected={*action == a.name()}>{ a.name() }</option>
                }) }
            </select>
            <label for="bulk-audience">{ tc(lang, CatMsg::Audience) }</label>
            <select id="bulk-audience" onchange={on_choice}>
                { for Choice::ALL.iter().map(|c| html! {
                    <option value={c.key()} selected={*c == *choice}>{ label(*c) }</option>
                }) }
            </select>
            if *choice == Choice::Roles {
                <input id="bulk-roles" type="text" value={(*roles).clone()} oninput={on_roles}
                       aria-label={tc(lang, CatMsg::RolesHint)} placeholder={tc(lang, CatMsg::RolesHint)} />
            }
            <button type="button" id="bulk-apply" class="primary" onclick={apply}>{ tc(lang, CatMsg::ApplyToCategory) }</button>
        </fieldset>
    }
}
