//! The audit log: newest first, filtered by user, action (those the log holds) and dates, with
//! a CSV export of the same rows. Read-only: the log cannot be edited.

use kartenn_common::admin::AuditEntry;
use serde_json::Value;
use yew::prelude::*;

use super::form::value;
use crate::api::{self, ApiFailure};
use crate::i18n::{AdminMsg, Lang, Msg, t, ta};

#[derive(Properties, PartialEq)]
pub struct AuditProps {
    pub lang: Lang,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Filters {
    user: String,
    action: String,
    since: String,
    until: String,
}

/// A date (`YYYY-MM-DD`) as the start of that day in UTC; `next`: of the day after (so the
/// chosen "until" day is included).
fn day(date: &str, next: bool) -> String {
    if date.trim().is_empty() {
        return String::new();
    }
    let start = js_sys::Date::new(&format!("{}T00:00:00Z", date.trim()).into());
    if next {
        start.set_time(start.get_time() + 86_400_000.0);
    }
    if start.get_time().is_nan() {
        return String::new();
    }
    String::from(start.to_iso_string())
}

impl Filters {
    fn query(&self) -> String {
        api::admin::audit_query(&[
            ("user", self.user.clone()),
            ("action", self.action.clone()),
            ("since", day(&self.since, false)),
            ("until", day(&self.until, true)),
        ])
    }
}

/// Longest summary shown in a row (the CSV export has everything).
const SUMMARY_CHARS: usize = 200;

/// A short summary of a change: the object after it (or before, for a deletion) as compact
/// JSON — for a rule, the rule itself — cut at [`SUMMARY_CHARS`].
fn summary(entry: &AuditEntry) -> String {
    let object = entry.after.as_ref().or(entry.before.as_ref());
    let text = object
        .map(|o| o.get("rule").unwrap_or(o))
        .map(Value::to_string)
        .unwrap_or_default();
    if text.chars().count() > SUMMARY_CHARS {
        let cut: String = text.chars().take(SUMMARY_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[function_component(AuditPage)]
pub fn audit_page(props: &AuditProps) -> Html {
    let lang = props.lang;
    let filters = use_state(Filters::default);
    let applied = use_state(String::new);
    let rows = use_state(|| None::<Result<Vec<AuditEntry>, ApiFailure>>);
    let actions = use_state(Vec::<String>::new);
    {
        let actions = actions.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(list) = api::admin::audit_actions().await {
                    actions.set(list);
                }
            });
        });
    }
    {
        let rows = rows.clone();
        use_effect_with((*applied).clone(), move |query| {
            let query = query.clone();
            wasm_bindgen_futures::spawn_local(async move {
                rows.set(Some(api::admin::audit(&query).await));
            });
        });
    }
    let set = |f: fn(&mut Filters, String)| {
        let filters = filters.clone();
        Callback::from(move |e: Event| {
            let mut next = (*filters).clone();
            f(&mut next, value(&e));
            filters.set(next);
        })
    };
    let onsubmit = {
        let (filters, applied) = (filters.clone(), applied.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            applied.set(filters.query());
        })
    };
    let csv = format!("/api/admin/audit.csv?{}", *applied);
    let table = match &*rows {
        None => html! { <p class="status" role="status">{ t(lang, Msg::Loading) }</p> },
        Some(Err(e)) => html! {
            <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ e.to_string() }</p>
        },
        Some(Ok(list)) if list.is_empty() => html! { <p>{ ta(lang, AdminMsg::NoEntries) }</p> },
        Some(Ok(list)) => html! {
            <table class="audit" id="audit-log">
                <thead><tr>
                    <th scope="col">{ ta(lang, AdminMsg::When) }</th>
                    <th scope="col">{ ta(lang, AdminMsg::User) }</th>
                    <th scope="col">{ ta(lang, AdminMsg::Action) }</th>
                    <th scope="col">{ ta(lang, AdminMsg::Target) }</th>
                    <th scope="col">{ ta(lang, AdminMsg::Change) }</th>
                </tr></thead>
                <tbody>{ for list.iter().map(|e| html! {
                    <tr>
                        <td><time datetime={e.at.clone()}>{ &e.at }</time></td>
                        <td>{ e.username.clone().or_else(|| e.subject.clone()).unwrap_or_default() }</td>
                        <td>{ &e.action }</td>
                        <td>{ &e.target }</td>
                        <td class="change"><code>{ summary(e) }</code></td>
                    </tr>
                }) }</tbody>
            </table>
        },
    };
    html! {
        <div class="admin-audit">
            <form class="audit-filters" {onsubmit}>
                <div class="field">
                    <label for="audit-user">{ ta(lang, AdminMsg::User) }</label>
                    <input id="audit-user" type="text" value={filters.user.clone()} onchange={set(|f, v| f.user = v)} />
                </div>
                <div class="field">
                    <label for="audit-action">{ ta(lang, AdminMsg::Action) }</label>
                    <select id="audit-action" onchange={set(|f, v| f.action = v)}>
                        <option value="" selected={filters.action.is_empty()}>{ ta(lang, AdminMsg::Any) }</option>
                        { for actions.iter().map(|a| html! {
                            <option value={a.clone()} selected={filters.action == *a}>{ a }</option>
                        }) }
                    </select>
                </div>
                <div class="field">
                    <label for="audit-since">{ ta(lang, AdminMsg::Since) }</label>
                    <input id="audit-since" type="date" value={filters.since.clone()} onchange={set(|f, v| f.since = v)} />
                </div>
                <div class="field">
                    <label for="audit-until">{ ta(lang, AdminMsg::Until) }</label>
                    <input id="audit-until" type="date" value={filters.until.clone()} onchange={set(|f, v| f.until = v)} />
                </div>
                <button type="submit" class="primary">{ ta(lang, AdminMsg::ApplyFilters) }</button>
                <a id="audit-csv" class="export" href={csv} download="kartenn-audit.csv">{ ta(lang, AdminMsg::ExportCsv) }</a>
            </form>
            { table }
        </div>
    }
}
