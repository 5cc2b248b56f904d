//! The rules section: every rule in the order it is tried (stored ones with edit and delete,
//! the configuration's marked read-only), a "New rule" button and the editor.

use std::rc::Rc;

use kartenn_common::admin::{Audience, DefaultAccess, Keyword, Rule, RuleEntry, RuleList};
use kartenn_engine::admin::Act;
use yew::prelude::*;

use super::Draft;
use super::editor::RuleEditor;
use crate::api;
use crate::i18n::{AdminMsg, Lang, ta};

#[derive(Properties, PartialEq)]
pub struct RulesProps {
    pub list: Rc<RuleList>,
    pub draft: Option<Draft>,
    pub on_draft: Callback<Option<Draft>>,
    pub on_changed: Callback<()>,
    pub csrf: Option<AttrValue>,
    pub lang: Lang,
}

/// An audience in words.
pub fn audience_text(lang: Lang, audience: Option<&Audience>) -> String {
    match audience {
        None => ta(lang, AdminMsg::Nobody).to_owned(),
        Some(Audience::Keyword(Keyword::Public)) => ta(lang, AdminMsg::Public).to_owned(),
        Some(Audience::Keyword(Keyword::Authenticated)) => {
            ta(lang, AdminMsg::Authenticated).to_owned()
        }
        Some(Audience::Roles(roles)) => roles.join(", "),
    }
}

fn target(rule: &Rule) -> String {
    match (&rule.layer, &rule.dataset, &rule.source) {
        (Some(layer), _, Some(source)) => format!("{layer} @ {source}"),
        (Some(layer), _, None) => layer.clone(),
        (None, Some(dataset), _) => format!("dataset: {dataset}"),
        (None, None, _) => String::new(),
    }
}

#[function_component(RulesPage)]
pub fn rules_page(props: &RulesProps) -> Html {
    let lang = props.lang;
    let failed = use_state(|| None::<String>);
    let delete = |entry: &RuleEntry| {
        let (id, etag) = (entry.id.unwrap_or_default(), entry.etag());
        let (csrf, on_changed, failed) =
            (props.csrf.clone(), props.on_changed.clone(), failed.clone());
        Callback::from(move |_: MouseEvent| {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(ta(lang, AdminMsg::ConfirmDelete))
                        .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (etag, csrf, on_changed, failed) = (
                etag.clone(),
                csrf.clone(),
                on_changed.clone(),
                failed.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin::delete(id, &etag, csrf.as_deref()).await {
                    Ok(()) => failed.set(None),
                    Err(e) => failed.set(Some(e.to_string())),
                }
                on_changed.emit(());
            });
        })
    };
    let open = |draft: Draft| {
        let on_draft = props.on_draft.clone();
        Callback::from(move |_: MouseEvent| on_draft.emit(Some(draft.clone())))
    };
    let new_rule = open(Draft {
        id: None,
        etag: None,
        position: None,
        rule: Rule {
            layer: Some(String::new()),
            ..Rule::default()
        },
    });
    let on_saved = {
        let (on_draft, on_changed) = (props.on_draft.clone(), props.on_changed.clone());
        Callback::from(move |()| {
            on_draft.emit(None);
            on_changed.emit(());
        })
    };
    let on_cancel = {
        let on_draft = props.on_draft.clone();
        Callback::from(move |()| on_draft.emit(None))
    };
    let default = match props.list.default {
        DefaultAccess::Deny => ta(lang, AdminMsg::Deny),
        DefaultAccess::Public => ta(lang, AdminMsg::Public),
    };
    let row = |(i, entry): (usize, &RuleEntry)| {
        let rule = &entry.rule;
        let editing = props
            .draft
            .as_ref()
            .is_some_and(|d| d.id.is_some() && d.id == entry.id);
        html! {
            <li class={classes!("rule", entry.from_config.then_some("from-config"), editing.then_some("editing"))}
                data-rule-id={entry.id.map(|id| id.to_string())}>
                <span class="rule-index">{ i + 1 }</span>
                <span class="rule-target">{ target(rule) }</span>
                <dl class="rule-audiences">
                    { for Act::ALL.iter().map(|act| html! {
                        <><dt>{ act.name() }</dt><dd>{ audience_text(lang, act.of(rule)) }</dd></>
                    }) }
                </dl>
                if entry.from_config {
                    <span class="badge config">{ ta(lang, AdminMsg::FromConfig) }</span>
                } else {
                    <span class="rule-actions">
                        <button type="button" class="edit-rule" onclick={open(Draft::of(entry))}
                                aria-label={format!("{} {}", ta(lang, AdminMsg::Edit), target(rule))}>
                            { ta(lang, AdminMsg::Edit) }</button>
                        <button type="button" class="delete-rule danger" onclick={delete(entry)}
                                aria-label={format!("{} {}", ta(lang, AdminMsg::Delete), target(rule))}>
                            { ta(lang, AdminMsg::Delete) }</button>
                    </span>
                }
            </li>
        }
    };
    html! {
        <div class="admin-rules">
            <p class="intro">{ ta(lang, AdminMsg::RulesIntro) }</p>
            if let Some(reason) = &*failed {
                <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ reason }</p>
            }
            <button type="button" id="new-rule" class="primary" onclick={new_rule}>{ ta(lang, AdminMsg::NewRule) }</button>
            if let Some(draft) = &props.draft {
                <RuleEditor key={draft.key()} draft={draft.clone()} csrf={props.csrf.clone()} {on_saved}
                            {on_cancel} on_reload={props.on_draft.clone()} {lang} />
            }
            <ol class="rule-list">{ for props.list.rules.iter().enumerate().map(row) }</ol>
            <p class="default-access">{ ta(lang, AdminMsg::DefaultAccess) }{ " " }<strong>{ default }</strong></p>
        </div>
    }
}
