//! What the admin forms share: sending a change, the problem it ran into (409 conflict, 422 invalid fields,
//! anything else) and how it is shown — an alert (a conflict offers to reload) and each field's
//! message beside it —, the value of the field that sent an event, and focus by id.

use std::future::Future;

use kartenn_common::FieldError;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::api::ApiFailure;
use crate::i18n::{AdminMsg, Lang, ta};

/// What went wrong with the last change.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// 409: changed meanwhile; the server's message says who and when.
    Conflict(String),
    /// 422: what is wrong with which field.
    Invalid(Vec<FieldError>),
    Other(String),
}

impl Problem {
    pub fn of(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Api { status: 409, body } => Self::Conflict(body.message),
            ApiFailure::Api { status: 422, body } => Self::Invalid(body.fields),
            other => Self::Other(other.to_string()),
        }
    }
}

/// The problem as an alert: a conflict offers `reload` (a button with id `reload_id`), invalid
/// input lists every wrong field (also shown beside each field by [`field_errors`]).
pub fn alert(
    lang: Lang,
    problem: Option<&Problem>,
    reload_id: &str,
    reload: &Callback<MouseEvent>,
) -> Html {
    match problem {
        None => Html::default(),
        Some(Problem::Conflict(message)) => html! {
            <div class="admin-error conflict" role="alert">
                <p>{ ta(lang, AdminMsg::Conflict) }{ " " }{ message }</p>
                <button type="button" id={reload_id.to_owned()} onclick={reload.clone()}>
                    { ta(lang, AdminMsg::Reload) }</button>
            </div>
        },
        Some(Problem::Invalid(fields)) => html! {
            <div class="admin-error" role="alert">
                <p>{ ta(lang, AdminMsg::Invalid) }</p>
                <ul>{ for fields.iter().map(|f| html! {
                    <li><code>{ &f.field }</code>{ " : " }{ &f.message }</li>
                }) }</ul>
            </div>
        },
        Some(Problem::Other(reason)) => html! {
            <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ reason }</p>
        },
    }
}

/// Sends a change: `saving` while it runs, then `done`, or the problem it ran into.
pub fn save<T: 'static>(
    saving: &UseStateHandle<bool>,
    problem: &UseStateHandle<Option<Problem>>,
    request: impl Future<Output = Result<T, ApiFailure>> + 'static,
    done: &Callback<()>,
) {
    let (saving, problem, done) = (saving.clone(), problem.clone(), done.clone());
    saving.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let result = request.await;
        saving.set(false);
        match result {
            Ok(_) => done.emit(()),
            Err(e) => problem.set(Some(Problem::of(e))),
        }
    });
}

/// The messages of the wrong fields `wanted` picks (by the field's name), to put beside it.
pub fn field_errors(problem: Option<&Problem>, wanted: impl Fn(&str) -> bool) -> Html {
    let Some(Problem::Invalid(fields)) = problem else {
        return Html::default();
    };
    html! { <>{ for fields.iter().filter(|f| wanted(&f.field)).map(|f| html! {
        <span class="field-error" role="alert">{ &f.message }</span>
    }) }</> }
}

/// The text of the input, select or text area that sent `event`.
pub fn value(event: &Event) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
        return input.value();
    }
    if let Some(area) = target.dyn_ref::<HtmlTextAreaElement>() {
        return area.value();
    }
    target
        .dyn_ref::<HtmlSelectElement>()
        .map(HtmlSelectElement::value)
        .unwrap_or_default()
}

/// Whether the checkbox that sent `event` is checked.
fn checked(event: &Event) -> bool {
    event
        .target()
        .and_then(|t| {
            t.dyn_ref::<HtmlInputElement>()
                .map(HtmlInputElement::checked)
        })
        .unwrap_or(false)
}

/// A callback writing the text of the field that sent the event into `state` through `f`.
pub fn edit<T: Clone + 'static, E: AsRef<Event> + 'static>(
    state: &UseStateHandle<T>,
    f: impl Fn(&mut T, String) + 'static,
) -> Callback<E> {
    let state = state.clone();
    Callback::from(move |e: E| {
        let mut next = (*state).clone();
        f(&mut next, value(e.as_ref()));
        state.set(next);
    })
}

/// A callback writing whether the checkbox that sent the event is checked into `state`.
pub fn toggle<T: Clone + 'static>(
    state: &UseStateHandle<T>,
    f: impl Fn(&mut T, bool) + 'static,
) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        let mut next = (*state).clone();
        f(&mut next, checked(&e));
        state.set(next);
    })
}

/// Moves the focus to the element with this id, if there is one.
pub fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
