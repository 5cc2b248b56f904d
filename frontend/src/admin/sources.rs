//! The sources section: every upstream OGC server (the configuration's read-only, the stored
//! ones editable) with its layer count and last synchronisation; per source a connection test,
//! "Synchronise…" (the diff the server would apply is shown first, then Apply or Cancel) and
//! delete (the confirmation names how many layers go with it); a "New source" button and the
//! editor.

use std::rc::Rc;

use kartenn_common::admin_sources::{
    DiffLayer, SourceEntry, SourceList, SourceSpec, SourceTest, SyncPreview,
};
use yew::prelude::*;

use super::sources_form::{SourceDraft, SourceForm};
use super::sources_i18n::{SrcMsg, confirm_delete, layers_in, ts};
use crate::api::ApiFailure;
use crate::i18n::Lang;

/// Client of `/api/admin/sources…` (changes carry the session's `X-CSRF-Token`).
pub mod api {
    use gloo::net::http::Request;
    use kartenn_common::admin_sources::{
        SourceDeleted, SourceEntry, SourceList, SourceTest, SyncApplied, SyncPreview,
    };
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use crate::api::{ApiFailure, delete_json, get_json, guarded, put_json, send};

    fn network(e: impl std::fmt::Display) -> ApiFailure {
        ApiFailure::Network(e.to_string())
    }

    async fn post<T: DeserializeOwned>(
        url: &str,
        body: &Value,
        csrf: Option<&str>,
    ) -> Result<T, ApiFailure> {
        send(
            guarded(Request::post(url), csrf)
                .json(body)
                .map_err(network)?,
        )
        .await
    }

    pub async fn list() -> Result<SourceList, ApiFailure> {
        get_json("/api/admin/sources").await
    }

    pub async fn one(id: &str) -> Result<SourceEntry, ApiFailure> {
        get_json(&format!("/api/admin/sources/{id}")).await
    }

    pub async fn create(body: &Value, csrf: Option<&str>) -> Result<SourceEntry, ApiFailure> {
        post("/api/admin/sources", body, csrf).await
    }

    /// Replaces source `id`; `etag` is the version it was read at.
    pub async fn update(
        id: &str,
        etag: &str,
        body: &Value,
        csrf: Option<&str>,
    ) -> Result<SourceEntry, ApiFailure> {
        put_json(&format!("/api/admin/sources/{id}"), etag, body, csrf).await
    }

    pub async fn delete(
        id: &str,
        etag: &str,
        csrf: Option<&str>,
    ) -> Result<SourceDeleted, ApiFailure> {
        delete_json(&format!("/api/admin/sources/{id}"), etag, csrf).await
    }

    pub async fn test(body: &Value, csrf: Option<&str>) -> Result<SourceTest, ApiFailure> {
        post("/api/admin/sources/test", body, csrf).await
    }

    pub async fn preview(id: &str, csrf: Option<&str>) -> Result<SyncPreview, ApiFailure> {
        let url = format!("/api/admin/sources/{id}/sync/preview");
        post(&url, &Value::Null, csrf).await
    }

    pub async fn apply(
        id: &str,
        token: &str,
        csrf: Option<&str>,
    ) -> Result<SyncApplied, ApiFailure> {
        let url = format!("/api/admin/sources/{id}/sync/apply");
        post(&url, &serde_json::json!({ "preview": token }), csrf).await
    }
}

#[derive(Properties, PartialEq)]
pub struct TestProps {
    pub result: Result<SourceTest, String>,
    pub lang: Lang,
}

/// A connection test's answer, per service.
#[function_component(TestResult)]
pub fn test_result(props: &TestProps) -> Html {
    let lang = props.lang;
    match &props.result {
        Err(reason) => html! {
            <p class="admin-error test-result" role="status">{ ts(lang, SrcMsg::Failed) }{ " " }{ reason }</p>
        },
        Ok(test) => html! {
            <div class={classes!("test-result", if test.ok { "ok" } else { "failed" })} role="status">
                <strong>{ ts(lang, if test.ok { SrcMsg::TestOk } else { SrcMsg::TestFailed }) }</strong>
                <ul>{ for test.services.iter().map(|s| html! {
                    <li>
                        <strong>{ &s.service }</strong>{ " — " }
                        if s.ok {
                            { s.title.clone().unwrap_or_default() }{ " · " }{ layers_in(lang, s.layers, s.elapsed_ms) }
                        } else {
                            { s.error.clone().unwrap_or_default() }
                        }
                    </li>
                }) }</ul>
            </div>
        },
    }
}

/// A preview (or its failure) for one source.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    id: String,
    state: Result<Rc<SyncPreview>, String>,
    /// The apply failed (409: preview again).
    apply_error: Option<String>,
}

fn diff_list(lang: Lang, label: SrcMsg, class: &'static str, layers: &[DiffLayer]) -> Html {
    html! {
        <section class={classes!("diff", class)}>
            <h4>{ ts(lang, label) }{ format!(" ({})", layers.len()) }</h4>
            if !layers.is_empty() {
                <ul>{ for layers.iter().map(|l| html! {
                    <li>
                        { &l.title }{ " " }<code>{ &l.id }</code>
                        if !l.fields.is_empty() { <span class="fields">{ format!(" — {}", l.fields.join(", ")) }</span> }
                    </li>
                }) }</ul>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct SourcesProps {
    pub csrf: Option<AttrValue>,
    pub lang: Lang,
}

#[function_component(SourcesPage)]
pub fn sources_page(props: &SourcesProps) -> Html {
    let lang = props.lang;
    let list = use_state(|| None::<Result<Rc<SourceList>, ApiFailure>>);
    let draft = use_state(|| None::<SourceDraft>);
    let message = use_state(|| None::<Result<String, String>>);
    let tested = use_state(|| None::<(String, Result<SourceTest, String>)>);
    let pending = use_state(|| None::<Pending>);
    let busy = use_state(|| false);
    let csrf = props.csrf.clone();
    let reload = {
        let list = list.clone();
        use_callback((), move |(), ()| {
            let list = list.clone();
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(api::list().await.map(Rc::new)));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((), move |()| reload.emit(()));
    }
    // A preview just shown takes the focus on Apply (keyboard users land on the decision).
    {
        let shown = (*pending)
            .as_ref()
            .and_then(|p| p.state.as_ref().ok().map(|s| s.token.clone()));
        use_effect_with(shown, move |shown| {
            if shown.is_some()
                && let Some(button) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id("apply-sync"))
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            {
                let _ = button.focus();
            }
        });
    }
    let test = |id: &str| {
        let (id, tested, csrf) = (id.to_owned(), tested.clone(), csrf.clone());
        Callback::from(move |_: MouseEvent| {
            let (id, tested, csrf) = (id.clone(), tested.clone(), csrf.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let body = serde_json::json!({ "id": id });
                let result = api::test(&body, csrf.as_deref()).await;
                tested.set(Some((id, result.map_err(|e| e.to_string()))));
            });
        })
    };
    let preview = |id: &str| {
        let (id, pending, busy, csrf) =
            (id.to_owned(), pending.clone(), busy.clone(), csrf.clone());
        Callback::from(move |_: MouseEvent| {
            let (id, pending, busy, csrf) =
                (id.clone(), pending.clone(), busy.clone(), csrf.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let state = api::preview(&id, csrf.as_deref()).await;
                busy.set(false);
                pending.set(Some(Pending {
                    id,
                    state: state.map(Rc::new).map_err(|e| e.to_string()),
                    apply_error: None,
                }));
            });
        })
    };
    let apply = {
        let (pending, busy, message, reload, csrf) = (
            pending.clone(),
            busy.clone(),
            message.clone(),
            reload.clone(),
            csrf.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(Pending {
                id, state: Ok(p), ..
            }) = (*pending).clone()
            else {
                return;
            };
            let (pending, busy, message, reload, csrf) = (
                pending.clone(),
                busy.clone(),
                message.clone(),
                reload.clone(),
                csrf.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::apply(&id, &p.token, csrf.as_deref()).await;
                busy.set(false);
                match result {
                    Ok(_) => {
                        pending.set(None);
                        message.set(Some(Ok(ts(lang, SrcMsg::Applied).to_owned())));
                        reload.emit(());
                    }
                    Err(e) => pending.set(Some(Pending {
                        id,
                        state: Ok(p),
                        apply_error: Some(e.to_string()),
                    })),
                }
            });
        })
    };
    let close_preview = {
        let pending = pending.clone();
        Callback::from(move |_: MouseEvent| pending.set(None))
    };
    let delete = |entry: &SourceEntry| {
        let (id, etag, layers) = (entry.source.id.clone(), entry.etag(), entry.layers);
        let (csrf, reload, message) = (csrf.clone(), reload.clone(), message.clone());
        Callback::from(move |_: MouseEvent| {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&confirm_delete(lang, &id, layers))
                        .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
            let (id, etag, csrf, reload, message) = (
                id.clone(),
                etag.clone(),
                csrf.clone(),
                reload.clone(),
                message.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete(&id, &etag, csrf.as_deref()).await {
                    Ok(_) => message.set(None),
                    Err(e) => message.set(Some(Err(e.to_string()))),
                }
                reload.emit(());
            });
        })
    };
    let open = |d: SourceDraft| {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| draft.set(Some(d.clone())))
    };
    let on_saved = {
        let (draft, reload) = (draft.clone(), reload.clone());
        Callback::from(move |()| {
            draft.set(None);
            reload.emit(());
        })
    };
    let on_cancel = {
        let draft = draft.clone();
        Callback::from(move |()| draft.set(None))
    };
    let on_reload = {
        let draft = draft.clone();
        Callback::from(move |d: Option<SourceDraft>| draft.set(d))
    };
    let sync_state = |entry: &SourceEntry| match &entry.last_sync {
        None => ts(lang, SrcMsg::Never).to_owned(),
        Some(s) => match &s.error {
            None => s.attempted_at.clone(),
            Some(e) => format!("{} {} {e}", s.attempted_at, ts(lang, SrcMsg::SyncFailed)),
        },
    };
    let row = |entry: &SourceEntry| {
        let id = entry.source.id.clone();
        let name = entry.source.title.clone().unwrap_or_else(|| id.clone());
        let failed = entry.last_sync.as_ref().is_some_and(|s| s.error.is_some());
        html! {
            <tr class={classes!("source", entry.from_config.then_some("from-config"))} data-source-id={id.clone()}>
                <th scope="row"><code>{ &id }</code><br />{ &name }</th>
                <td class="url">{ &entry.source.url }<br />
                    <small>{ ts(lang, if entry.has_password { SrcMsg::Password } else { SrcMsg::NoPassword }) }</small></td>
                <td>{ entry.layers }</td>
                <td class={classes!(failed.then_some("sync-failed"))}>{ sync_state(entry) }</td>
                <td class="rule-actions">
                    <button type="button" class="test-source" onclick={test(&id)}
                            aria-label={format!("{} {id}", ts(lang, SrcMsg::Test))}>{ ts(lang, SrcMsg::Test) }</button>
                    <button type="button" class="sync-source" onclick={preview(&id)} disabled={*busy}
                            aria-label={format!("{} {id}", ts(lang, SrcMsg::Synchronise))}>{ ts(lang, SrcMsg::Synchronise) }</button>
                    if entry.from_config {
                        <span class="badge config">{ ts(lang, SrcMsg::FromConfig) }</span>
                    } else {
                        <button type="button" class="edit-source" onclick={open(SourceDraft::of(entry))}
                                aria-label={format!("{} {id}", ts(lang, SrcMsg::Edit))}>{ ts(lang, SrcMsg::Edit) }</button>
                        <button type="button" class="delete-source danger" onclick={delete(entry)}
                                aria-label={format!("{} {id}", ts(lang, SrcMsg::Delete))}>{ ts(lang, SrcMsg::Delete) }</button>
                    }
                </td>
            </tr>
        }
    };
    let preview_panel = (*pending).clone().map(|p| match &p.state {
        Err(reason) => html! {
            <div class="admin-error sync-preview" role="alert">
                <p>{ format!("{}: ", p.id) }{ ts(lang, SrcMsg::Failed) }{ " " }{ reason }</p>
                <button type="button" onclick={close_preview.clone()}>{ ts(lang, SrcMsg::Cancel) }</button>
            </div>
        },
        Ok(shown) => html! {
            <section class="rule-editor sync-preview" id="sync-preview" aria-labelledby="sync-preview-title">
                <h2 id="sync-preview-title">{ ts(lang, SrcMsg::PreviewTitle) }{ format!(" — {}", shown.source) }</h2>
                if let Some(reason) = &p.apply_error {
                    <div class="admin-error conflict" role="alert">
                        <p>{ reason }</p>
                        <button type="button" id="preview-again" onclick={preview(&p.id)}>{ ts(lang, SrcMsg::PreviewAgain) }</button>
                    </div>
                }
                <p role="status">{ format!("{} {} · {} {}", shown.layers, ts(lang, SrcMsg::Layers).to_lowercase(),
                    shown.diff.unchanged, ts(lang, SrcMsg::Unchanged)) }</p>
                if shown.diff.is_empty() { <p>{ ts(lang, SrcMsg::NoChange) }</p> }
                { diff_list(lang, SrcMsg::Added, "added", &shown.diff.added) }
                { diff_list(lang, SrcMsg::Changed, "changed", &shown.diff.changed) }
                { diff_list(lang, SrcMsg::Removed, "removed", &shown.diff.removed) }
                <div class="editor-actions">
                    <button type="button" id="apply-sync" class="primary" onclick={apply.clone()}
                            disabled={*busy || p.apply_error.is_some()} aria-busy={busy.to_string()}>
                        { ts(lang, if *busy { SrcMsg::Applying } else { SrcMsg::Apply }) }</button>
                    <button type="button" id="cancel-sync" onclick={close_preview.clone()}>{ ts(lang, SrcMsg::Cancel) }</button>
                </div>
            </section>
        },
    });
    let table = match &*list {
        None => html! { <p class="status" role="status">{ ts(lang, SrcMsg::Loading) }</p> },
        Some(Err(e)) => html! {
            <p class="admin-error" role="alert">{ ts(lang, SrcMsg::Failed) }{ " " }{ e.to_string() }</p>
        },
        Some(Ok(list)) => html! {
            <table class="audit sources">
                <thead><tr>
                    <th scope="col">{ ts(lang, SrcMsg::Id) }</th>
                    <th scope="col">{ ts(lang, SrcMsg::Url) }</th>
                    <th scope="col">{ ts(lang, SrcMsg::Layers) }</th>
                    <th scope="col">{ ts(lang, SrcMsg::LastSync) }</th>
                    <th scope="col">{ ts(lang, SrcMsg::Actions) }</th>
                </tr></thead>
                <tbody>{ for list.sources.iter().map(row) }</tbody>
            </table>
        },
    };
    let notice = match &*message {
        None => Html::default(),
        Some(Ok(text)) => html! { <p class="source-notice" role="status">{ text }</p> },
        Some(Err(reason)) => html! {
            <p class="admin-error" role="alert">{ ts(lang, SrcMsg::Failed) }{ " " }{ reason }</p>
        },
    };
    let new_source = open(SourceDraft {
        etag: None,
        spec: SourceSpec::new("", ""),
    });
    html! {
        <div class="admin-sources">
            <p class="intro">{ ts(lang, SrcMsg::Intro) }</p>
            { notice }
            <button type="button" id="new-source" class="primary" onclick={new_source}>{ ts(lang, SrcMsg::NewSource) }</button>
            if let Some(d) = &*draft {
                <SourceForm key={d.key()} draft={d.clone()} csrf={props.csrf.clone()} {on_saved} {on_cancel} {on_reload} {lang} />
            }
            if *busy && pending.is_none() { <p class="source-notice" role="status">{ ts(lang, SrcMsg::Harvesting) }</p> }
            { preview_panel.unwrap_or_default() }
            if let Some((id, result)) = &*tested {
                <div class="source-test">
                    <h3>{ format!("{} — {id}", ts(lang, SrcMsg::Test)) }</h3>
                    <TestResult result={result.clone()} {lang} />
                </div>
            }
            { table }
        </div>
    }
}
