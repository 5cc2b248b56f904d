//! The source editor: every `[[sources]]` field but the password (never stored: a file on the
//! server or an environment variable), a "Test connection" button that tries the form as it
//! is, and Save (with `If-Match` for a stored source). A 422 puts each field's message next to
//! its field; a 409 shows the server's message and offers to reload.

use kartenn_common::admin_sources::{SourceEntry, SourceSpec, SourceTest};
use serde_json::{Value, json};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::form::{Problem, alert, edit, save, toggle};
use super::sources::{TestResult, api};
use super::sources_i18n::{SrcMsg, ts};
use crate::api::ApiFailure;
use crate::i18n::Lang;

/// A source being edited: a stored one (and the `ETag` it was read at) or a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceDraft {
    pub etag: Option<String>,
    pub spec: SourceSpec,
}

impl SourceDraft {
    pub fn of(entry: &SourceEntry) -> Self {
        Self {
            etag: Some(entry.etag()),
            spec: entry.source.clone(),
        }
    }

    pub fn key(&self) -> String {
        format!("{}-{:?}", self.spec.id, self.etag)
    }
}

/// The form's texts, as typed.
#[derive(Debug, Clone, PartialEq)]
struct Form {
    id: String,
    title: String,
    url: String,
    wms: bool,
    wms_version: String,
    wfs: bool,
    username: String,
    password_file: String,
    timeout_s: String,
    sync_minutes: String,
    max_response_mb: String,
    category: String,
}

impl Form {
    fn of(spec: &SourceSpec) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            id: spec.id.clone(),
            title: text(&spec.title),
            url: spec.url.clone(),
            wms: spec.wms,
            wms_version: spec.wms_version.clone(),
            wfs: spec.wfs,
            username: text(&spec.username),
            password_file: text(&spec.password_file),
            timeout_s: spec.timeout_s.to_string(),
            sync_minutes: spec.sync_minutes.to_string(),
            max_response_mb: spec.max_response_mb.to_string(),
            category: text(&spec.category),
        }
    }

    /// The body: empty texts left out, numbers as numbers (what does not parse is sent as
    /// typed, so the server names the field).
    fn body(&self) -> Value {
        let mut body = json!({
            "id": self.id.trim(), "url": self.url.trim(), "wms": self.wms, "wfs": self.wfs,
            "wms_version": self.wms_version,
        });
        if let Some(map) = body.as_object_mut() {
            for (key, text) in [
                ("title", &self.title),
                ("username", &self.username),
                ("password_file", &self.password_file),
                ("category", &self.category),
            ] {
                if !text.trim().is_empty() {
                    map.insert(key.to_owned(), Value::from(text.trim()));
                }
            }
            for (key, text) in [
                ("timeout_s", &self.timeout_s),
                ("sync_minutes", &self.sync_minutes),
                ("max_response_mb", &self.max_response_mb),
            ] {
                let value = serde_json::from_str::<serde_json::Number>(text.trim())
                    .map_or_else(|_| Value::from(text.trim()), Value::Number);
                map.insert(key.to_owned(), value);
            }
        }
        body
    }
}

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub draft: SourceDraft,
    pub csrf: Option<AttrValue>,
    pub on_saved: Callback<()>,
    pub on_cancel: Callback<()>,
    /// A fresh copy (after a conflict).
    pub on_reload: Callback<Option<SourceDraft>>,
    pub lang: Lang,
}

#[function_component(SourceForm)]
pub fn source_form(props: &FormProps) -> Html {
    let lang = props.lang;
    let stored = props.draft.etag.is_some();
    let form = use_state(|| Form::of(&props.draft.spec));
    let saving = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let tested = use_state(|| None::<Result<SourceTest, String>>);
    let testing = use_state(|| false);
    let first = use_node_ref();
    {
        let first = first.clone();
        use_effect_with((), move |()| {
            if let Some(el) = first.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let errors_for = |name: &str| -> Html {
        let Some(Problem::Invalid(fields)) = &*problem else {
            return Html::default();
        };
        html! { <>{ for fields.iter().filter(|f| f.field == name).map(|f| html! {
            <span class="field-error" id={format!("source-{name}-error")} role="alert">{ &f.message }</span>
        }) }</> }
    };
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
                match &draft.etag {
                    Some(etag) => api::update(&draft.spec.id, etag, &body, csrf.as_deref()).await,
                    None => api::create(&body, csrf.as_deref()).await,
                }
            };
            save(&saving, &problem, request, &on_saved);
        })
    };
    let test = {
        let (form, tested, testing, problem) = (
            form.clone(),
            tested.clone(),
            testing.clone(),
            problem.clone(),
        );
        let csrf = props.csrf.clone();
        Callback::from(move |_: MouseEvent| {
            let body = form.body();
            let (tested, testing, problem, csrf) = (
                tested.clone(),
                testing.clone(),
                problem.clone(),
                csrf.clone(),
            );
            testing.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::test(&body, csrf.as_deref()).await;
                testing.set(false);
                match result {
                    Ok(answer) => tested.set(Some(Ok(answer))),
                    Err(ApiFailure::Api { status: 422, body }) => {
                        tested.set(None);
                        problem.set(Some(Problem::Invalid(body.fields)));
                    }
                    Err(e) => tested.set(Some(Err(e.to_string()))),
                }
            });
        })
    };
    let reload = {
        let (id, on_reload, problem) = (
            props.draft.spec.id.clone(),
            props.on_reload.clone(),
            problem.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (id, on_reload, problem) = (id.clone(), on_reload.clone(), problem.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::one(&id).await {
                    Ok(entry) => on_reload.emit(Some(SourceDraft::of(&entry))),
                    Err(e) => problem.set(Some(Problem::of(e))),
                }
            });
        })
    };
    let cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    let text_field = |name: &'static str,
                      label: SrcMsg,
                      value: String,
                      kind: &'static str,
                      set: fn(&mut Form, String)| {
        let invalid =
            matches!(&*problem, Some(Problem::Invalid(f)) if f.iter().any(|e| e.field == name));
        html! {
            <div class="field">
                <label for={format!("source-{name}")}>{ ts(lang, label) }</label>
                <input id={format!("source-{name}")} type={kind} {value}
                       aria-invalid={invalid.to_string()}
                       aria-describedby={invalid.then(|| format!("source-{name}-error"))}
                       oninput={edit::<Form, InputEvent>(&form, set)} />
                { errors_for(name) }
            </div>
        }
    };
    let title = if stored {
        SrcMsg::EditSource
    } else {
        SrcMsg::NewSource
    };
    let general = alert(lang, problem.as_ref(), "reload-source", &reload);
    html! {
        <form class="rule-editor source-editor" id="source-editor" aria-label={ts(lang, title)} {onsubmit}>
            <h2>{ ts(lang, title) }</h2>
            { general }
            <div class="field">
                <label for="source-id">{ ts(lang, SrcMsg::Id) }</label>
                <input id="source-id" type="text" ref={first} value={form.id.clone()} required=true
                       readonly={stored} pattern="[a-z0-9_-]{1,64}"
                       oninput={edit::<Form, InputEvent>(&form, |f, v| f.id = v)} />
                { errors_for("id") }
            </div>
            { text_field("title", SrcMsg::Title, form.title.clone(), "text", |f, v| f.title = v) }
            { text_field("url", SrcMsg::Url, form.url.clone(), "url", |f, v| f.url = v) }
            <fieldset class="field services">
                <legend>{ "WMS / WFS" }</legend>
                <label><input id="source-wms" type="checkbox" checked={form.wms}
                    onchange={toggle(&form, |f, c| f.wms = c)} />{ ts(lang, SrcMsg::Wms) }</label>
                <label for="source-wms_version">{ ts(lang, SrcMsg::WmsVersion) }</label>
                <select id="source-wms_version" onchange={edit::<Form, Event>(&form, |f, v| f.wms_version = v)}>
                    { for ["1.3.0", "1.1.1"].iter().map(|v| html! {
                        <option value={*v} selected={form.wms_version == *v}>{ *v }</option>
                    }) }
                </select>
                <label><input id="source-wfs" type="checkbox" checked={form.wfs}
                    onchange={toggle(&form, |f, c| f.wfs = c)} />{ ts(lang, SrcMsg::Wfs) }</label>
                { errors_for("wms") }{ errors_for("wms_version") }{ errors_for("wfs") }
            </fieldset>
            { text_field("username", SrcMsg::Username, form.username.clone(), "text", |f, v| f.username = v) }
            { text_field("password_file", SrcMsg::PasswordFile, form.password_file.clone(), "text", |f, v| f.password_file = v) }
            <p class="hint">{ ts(lang, SrcMsg::PasswordHint) }</p>
            { text_field("timeout_s", SrcMsg::Timeout, form.timeout_s.clone(), "number", |f, v| f.timeout_s = v) }
            { text_field("sync_minutes", SrcMsg::SyncMinutes, form.sync_minutes.clone(), "number", |f, v| f.sync_minutes = v) }
            { text_field("max_response_mb", SrcMsg::MaxResponse, form.max_response_mb.clone(), "number", |f, v| f.max_response_mb = v) }
            { text_field("category", SrcMsg::Category, form.category.clone(), "text", |f, v| f.category = v) }
            if let Some(result) = &*tested {
                <TestResult result={result.clone()} {lang} />
            }
            <div class="editor-actions">
                <button type="submit" id="save-source" class="primary" disabled={*saving} aria-busy={saving.to_string()}>
                    { ts(lang, if *saving { SrcMsg::Saving } else { SrcMsg::Save }) }
                </button>
                <button type="button" id="test-source-form" onclick={test} disabled={*testing} aria-busy={testing.to_string()}>
                    { ts(lang, if *testing { SrcMsg::Testing } else { SrcMsg::Test }) }
                </button>
                <button type="button" onclick={cancel}>{ ts(lang, SrcMsg::Cancel) }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_leaves_empty_texts_out_and_sends_numbers_as_numbers() {
        let mut form = Form::of(&SourceSpec::new("geo", "https://h/ows"));
        form.title = "  ".into();
        form.username = " kartenn ".into();
        form.timeout_s = "12.5".into();
        form.sync_minutes = "soon".into();
        let body = form.body();
        assert!(body.get("title").is_none());
        assert_eq!(body["username"], "kartenn");
        assert_eq!(body["timeout_s"], json!(12.5));
        assert_eq!(body["max_response_mb"], json!(64));
        // What does not parse goes as typed: the server names the field.
        assert_eq!(body["sync_minutes"], "soon");
        assert!(body.get("password").is_none());
    }
}
