//! The rule editor: what the rule names (layers or a dataset, a pattern, an optional source),
//! its position and, for view / query / download, public / signed in / roles / nobody. Saves
//! with `If-Match`; a 409 shows the server's message and offers to reload the rule, a 422 puts
//! each field's message next to the field.

use kartenn_common::admin::{Rule, RuleBody};
use kartenn_engine::admin::{Act, Choice, from_form, optional, to_form};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::Draft;
use super::form::{Problem, alert, edit, field_errors, save};
use crate::api;
use crate::i18n::{AdminMsg, Lang, ta};

#[derive(Debug, Clone, PartialEq)]
struct Form {
    dataset: bool,
    pattern: String,
    source: String,
    position: String,
    audiences: [(Choice, String); 3],
}

impl Form {
    fn of(draft: &Draft) -> Self {
        let r = &draft.rule;
        let [v, q, d] = Act::ALL.map(|a| to_form(a.of(r)));
        Self {
            dataset: r.dataset.is_some() && r.layer.is_none(),
            pattern: r
                .layer
                .clone()
                .or_else(|| r.dataset.clone())
                .unwrap_or_default(),
            source: r.source.clone().unwrap_or_default(),
            position: draft.position.map(|p| p.to_string()).unwrap_or_default(),
            audiences: [v, q, d],
        }
    }

    fn body(&self) -> RuleBody {
        let pattern = Some(self.pattern.trim().to_owned());
        let [v, q, d] = self
            .audiences
            .clone()
            .map(|(c, roles)| from_form(c, &roles));
        RuleBody {
            rule: Rule {
                layer: if self.dataset { None } else { pattern.clone() },
                dataset: if self.dataset { pattern } else { None },
                source: if self.dataset {
                    None
                } else {
                    optional(&self.source)
                },
                view: v,
                query: q,
                download: d,
            },
            position: self.position.trim().parse().ok(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub draft: Draft,
    pub csrf: Option<AttrValue>,
    pub on_saved: Callback<()>,
    pub on_cancel: Callback<()>,
    /// A fresh copy of the rule (after a conflict).
    pub on_reload: Callback<Option<Draft>>,
    pub lang: Lang,
}

#[function_component(RuleEditor)]
pub fn rule_editor(props: &EditorProps) -> Html {
    let lang = props.lang;
    let form = use_state(|| Form::of(&props.draft));
    let saving = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let first = use_node_ref();
    {
        let first = first.clone();
        use_effect_with((), move |()| {
            if let Some(el) = first.cast::<HtmlSelectElement>() {
                let _ = el.focus();
            }
        });
    }
    let errors_for =
        |names: &[&str]| field_errors(problem.as_ref(), |field| names.contains(&field));
    let onsubmit = {
        let (form, saving, problem) = (form.clone(), saving.clone(), problem.clone());
        let (draft, csrf, on_saved) = (
            props.draft.clone(),
            props.csrf.clone(),
            props.on_saved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let body = form.body();
            let (draft, csrf) = (draft.clone(), csrf.clone());
            let request = async move {
                match (draft.id, &draft.etag) {
                    (Some(id), Some(etag)) => {
                        api::admin::update(id, etag, &body, csrf.as_deref()).await
                    }
                    _ => api::admin::create(&body, csrf.as_deref()).await,
                }
            };
            save(&saving, &problem, request, &on_saved);
        })
    };
    let reload = {
        let (id, on_reload, problem) = (props.draft.id, props.on_reload.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let (on_reload, problem) = (on_reload.clone(), problem.clone());
            if let Some(id) = id {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::admin::rule(id).await {
                        Ok(entry) => on_reload.emit(Some(Draft::of(&entry))),
                        Err(e) => problem.set(Some(Problem::of(e))),
                    }
                });
            }
        })
    };
    let cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    let audience = |i: usize, act: Act| {
        let (choice, roles) = form
            .audiences
            .get(i)
            .cloned()
            .unwrap_or((Choice::Nobody, String::new()));
        let name = act.name();
        let on_choice = edit::<Form, Event>(&form, move |f, v| {
            if let Some(a) = f.audiences.get_mut(i) {
                a.0 = Choice::from_key(&v);
            }
        });
        let on_roles = edit::<Form, InputEvent>(&form, move |f, v| {
            if let Some(a) = f.audiences.get_mut(i) {
                a.1 = v;
            }
        });
        let label = |c: Choice| match c {
            Choice::Public => ta(lang, AdminMsg::Public),
            Choice::Authenticated => ta(lang, AdminMsg::Authenticated),
            Choice::Roles => ta(lang, AdminMsg::RoleList),
            Choice::Nobody => ta(lang, AdminMsg::Nobody),
        };
        html! {
            <div class="field audience">
                <label for={format!("rule-{name}")}>{ name }</label>
                <select id={format!("rule-{name}")} onchange={on_choice}>
                    { for Choice::ALL.iter().map(|c| html! {
                        <option value={c.key()} selected={*c == choice}>{ label(*c) }</option>
                    }) }
                </select>
                if choice == Choice::Roles {
                    <input id={format!("rule-{name}-roles")} type="text" value={roles}
                           aria-label={format!("{name}: {}", ta(lang, AdminMsg::RolesHint))}
                           placeholder={ta(lang, AdminMsg::RolesHint)} oninput={on_roles} />
                }
                { errors_for(&[&format!("rule.{name}")]) }
            </div>
        }
    };
    let title = if props.draft.id.is_some() {
        AdminMsg::EditRule
    } else {
        AdminMsg::NewRule
    };
    let general = alert(lang, problem.as_ref(), "reload-rule", &reload);
    html! {
        <form class="rule-editor" id="rule-editor" aria-label={ta(lang, title)} {onsubmit}>
            <h2>{ ta(lang, title) }</h2>
            { general }
            <div class="field">
                <label for="rule-kind">{ ta(lang, AdminMsg::Target) }</label>
                <select id="rule-kind" ref={first} onchange={edit::<Form, Event>(&form, |f, v| f.dataset = v == "dataset")}>
                    <option value="layer" selected={!form.dataset}>{ ta(lang, AdminMsg::Layer) }</option>
                    <option value="dataset" selected={form.dataset}>{ ta(lang, AdminMsg::Dataset) }</option>
                </select>
            </div>
            <div class="field">
                <label for="rule-pattern">{ ta(lang, AdminMsg::Pattern) }</label>
                <input id="rule-pattern" type="text" value={form.pattern.clone()} required=true
                       oninput={edit::<Form, InputEvent>(&form, |f, v| f.pattern = v)} />
                { errors_for(&["rule.layer", "rule.dataset", "rule"]) }
            </div>
            if !form.dataset {
                <div class="field">
                    <label for="rule-source">{ ta(lang, AdminMsg::Source) }</label>
                    <input id="rule-source" type="text" value={form.source.clone()}
                           oninput={edit::<Form, InputEvent>(&form, |f, v| f.source = v)} />
                    { errors_for(&["rule.source"]) }
                </div>
            }
            <div class="field">
                <label for="rule-position">{ ta(lang, AdminMsg::Position) }</label>
                <input id="rule-position" type="number" step="1" value={form.position.clone()}
                       oninput={edit::<Form, InputEvent>(&form, |f, v| f.position = v)} />
                { errors_for(&["position"]) }
            </div>
            { for Act::ALL.iter().enumerate().map(|(i, act)| audience(i, *act)) }
            <div class="editor-actions">
                <button type="submit" id="save-rule" class="primary" disabled={*saving} aria-busy={saving.to_string()}>
                    { ta(lang, if *saving { AdminMsg::Saving } else { AdminMsg::Save }) }
                </button>
                <button type="button" onclick={cancel}>{ ta(lang, AdminMsg::Cancel) }</button>
            </div>
        </form>
    }
}
