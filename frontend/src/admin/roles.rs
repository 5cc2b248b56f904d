//! The role mapping section: which Kartenn roles a Keycloak claim gives — a realm role
//! (`realm:<role>`), a client role (`client:<client-id>:<role>`) or a group (`group:<path>`).
//! Stored mappings are edited here (with `If-Match`; a 409 offers to reload, a 422 puts each
//! message beside its field); the configuration's `[oidc.roles]` are shown read-only. The
//! administrator's own claims are offered as examples.

use std::rc::Rc;

use kartenn_common::admin::{RoleMappingBody, RoleMappingEntry, RoleMappingList};
use yew::prelude::*;

use super::form::{Problem, alert, edit, field_errors, save};
use crate::api::{self, ApiFailure};
use crate::i18n::{AdminMsg, Lang, Msg, t, ta};

/// This section's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Tab,
    Intro,
    Claim,
    ClaimHint,
    Roles,
    RolesHint,
    NewMapping,
    EditMapping,
    YourClaims,
    None,
}

fn tr(lang: Lang, msg: R) -> &'static str {
    match (lang, msg) {
        (Lang::Fr, R::Tab) => "Rôles",
        (Lang::En, R::Tab) => "Role mapping",
        (Lang::Fr, R::Intro) => {
            "Un rôle de royaume, un rôle de client ou un groupe Keycloak donne des rôles Kartenn, \
             que les règles nomment. Un changement vaut dès la requête suivante de chaque \
             utilisateur."
        }
        (Lang::En, R::Intro) => {
            "A Keycloak realm role, client role or group gives Kartenn roles, which the rules \
             name. A change applies from every user's next request."
        }
        (Lang::Fr, R::Claim) => "Revendication Keycloak",
        (Lang::En, R::Claim) => "Keycloak claim",
        (_, R::ClaimHint) => "realm:<role>, client:<client-id>:<role>, group:<group>",
        (Lang::Fr, R::Roles) => "Rôles Kartenn",
        (Lang::En, R::Roles) => "Kartenn roles",
        (Lang::Fr, R::RolesHint) => "rôles séparés par des virgules",
        (Lang::En, R::RolesHint) => "roles separated by commas",
        (Lang::Fr, R::NewMapping) => "Nouvelle correspondance",
        (Lang::En, R::NewMapping) => "New mapping",
        (Lang::Fr, R::EditMapping) => "Modifier la correspondance",
        (Lang::En, R::EditMapping) => "Edit mapping",
        (Lang::Fr, R::YourClaims) => "Vos propres revendications :",
        (Lang::En, R::YourClaims) => "Your own claims:",
        (Lang::Fr, R::None) => "Aucune correspondance.",
        (Lang::En, R::None) => "No mappings.",
    }
}

/// The section's name, for its tab.
pub fn tab_label(lang: Lang) -> &'static str {
    tr(lang, R::Tab)
}

/// The comma-separated roles of the form, trimmed, empty ones dropped.
fn role_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A mapping being edited: a stored one (id and `ETag`) or a new one.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: Option<i64>,
    etag: Option<String>,
    claim: String,
    roles: String,
}

impl Draft {
    fn of(entry: &RoleMappingEntry) -> Self {
        Self {
            id: entry.id,
            etag: Some(entry.etag()),
            claim: entry.claim.clone(),
            roles: entry.roles.join(", "),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct RolesProps {
    pub csrf: Option<AttrValue>,
    /// The administrator's own claim-derived names (`realm:…`, …), as examples.
    pub own_claims: Rc<Vec<String>>,
    pub lang: Lang,
}

#[function_component(RolesPage)]
pub fn roles_page(props: &RolesProps) -> Html {
    let lang = props.lang;
    let list = use_state(|| None::<Result<Rc<RoleMappingList>, ApiFailure>>);
    let draft = use_state(|| None::<Draft>);
    let problem = use_state(|| None::<Problem>);
    let reload = {
        let list = list.clone();
        use_callback((), move |(), ()| {
            let list = list.clone();
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(api::admin_roles::list().await.map(Rc::new)));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((), move |()| reload.emit(()));
    }
    let open = |d: Draft| {
        let (draft, problem) = (draft.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            problem.set(None);
            draft.set(Some(d.clone()));
        })
    };
    let delete = |entry: &RoleMappingEntry| {
        let (id, etag) = (entry.id.unwrap_or_default(), entry.etag());
        let (csrf, reload, problem) = (props.csrf.clone(), reload.clone(), problem.clone());
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
            let (etag, csrf, reload, problem) =
                (etag.clone(), csrf.clone(), reload.clone(), problem.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::admin_roles::delete(id, &etag, csrf.as_deref()).await {
                    Ok(()) => problem.set(None),
                    Err(e) => problem.set(Some(Problem::of(e))),
                }
                reload.emit(());
            });
        })
    };
    let row = |entry: &RoleMappingEntry| {
        html! {
            <tr class={classes!("role-mapping", entry.from_config.then_some("from-config"))}
                data-mapping-id={entry.id.map(|id| id.to_string())}>
                <td class="claim"><code>{ &entry.claim }</code></td>
                <td class="roles">{ entry.roles.join(", ") }</td>
                <td>
                    if entry.from_config {
                        <span class="badge config">{ ta(lang, AdminMsg::FromConfig) }</span>
                    } else {
                        <button type="button" class="edit-mapping" onclick={open(Draft::of(entry))}
                                aria-label={format!("{} {}", ta(lang, AdminMsg::Edit), entry.claim)}>
                            { ta(lang, AdminMsg::Edit) }</button>
                        { " " }
                        <button type="button" class="delete-mapping danger" onclick={delete(entry)}
                                aria-label={format!("{} {}", ta(lang, AdminMsg::Delete), entry.claim)}>
                            { ta(lang, AdminMsg::Delete) }</button>
                    }
                </td>
            </tr>
        }
    };
    let table = match &*list {
        None => html! { <p class="status" role="status">{ t(lang, Msg::Loading) }</p> },
        Some(Err(e)) => html! {
            <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ e.to_string() }</p>
        },
        Some(Ok(list)) if list.mappings.is_empty() => html! { <p>{ tr(lang, R::None) }</p> },
        Some(Ok(list)) => html! {
            <table class="role-mappings">
                <thead><tr>
                    <th scope="col">{ tr(lang, R::Claim) }</th>
                    <th scope="col">{ tr(lang, R::Roles) }</th>
                    <th scope="col"><span class="visually-hidden">{ ta(lang, AdminMsg::Edit) }</span></th>
                </tr></thead>
                <tbody>{ for list.mappings.iter().map(row) }</tbody>
            </table>
        },
    };
    let reload_list = {
        let reload = reload.clone();
        Callback::from(move |_: MouseEvent| reload.emit(()))
    };
    let new_mapping = open(Draft {
        id: None,
        etag: None,
        claim: String::new(),
        roles: String::new(),
    });
    let on_done = {
        let (draft, reload) = (draft.clone(), reload.clone());
        Callback::from(move |()| {
            draft.set(None);
            reload.emit(());
        })
    };
    html! {
        <div class="admin-roles">
            <p class="intro">{ tr(lang, R::Intro) }</p>
            if !props.own_claims.is_empty() {
                <p class="own-claims">{ tr(lang, R::YourClaims) }{ " " }
                    { for props.own_claims.iter().map(|c| html! { <><code>{ c }</code>{ " " }</> }) }</p>
            }
            <button type="button" id="new-mapping" class="primary" onclick={new_mapping}>
                { tr(lang, R::NewMapping) }</button>
            if let Some(d) = &*draft {
                <MappingEditor key={format!("{:?}-{:?}", d.id, d.etag)} draft={d.clone()}
                    csrf={props.csrf.clone()} {on_done} on_reload={draft.setter()} {lang} />
            }
            { alert(lang, problem.as_ref(), "reload-mappings", &reload_list) }
            { table }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    draft: Draft,
    csrf: Option<AttrValue>,
    on_done: Callback<()>,
    on_reload: UseStateSetter<Option<Draft>>,
    lang: Lang,
}

/// The form of one mapping: its claim and its roles.
#[function_component(MappingEditor)]
fn mapping_editor(props: &EditorProps) -> Html {
    let lang = props.lang;
    let form = use_state(|| props.draft.clone());
    let saving = use_state(|| false);
    let problem = use_state(|| None::<Problem>);
    let first = use_node_ref();
    {
        let first = first.clone();
        use_effect_with((), move |()| {
            if let Some(el) = first.cast::<web_sys::HtmlInputElement>() {
                let _ = el.focus();
            }
        });
    }
    let errors_for = |prefix: &str| field_errors(problem.as_ref(), |f| f.starts_with(prefix));
    let input = |set: fn(&mut Draft, String)| edit::<Draft, InputEvent>(&form, set);
    let onsubmit = {
        let (form, saving, problem) = (form.clone(), saving.clone(), problem.clone());
        let (csrf, on_done) = (props.csrf.clone(), props.on_done.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let d = (*form).clone();
            let body = RoleMappingBody {
                claim: d.claim.trim().to_owned(),
                roles: role_list(&d.roles),
            };
            let csrf = csrf.clone();
            let request = async move {
                match (d.id, &d.etag) {
                    (Some(id), Some(etag)) => {
                        api::admin_roles::update(id, etag, &body, csrf.as_deref()).await
                    }
                    _ => api::admin_roles::create(&body, csrf.as_deref()).await,
                }
            };
            save(&saving, &problem, request, &on_done);
        })
    };
    let reload = {
        let (id, on_reload, problem) = (props.draft.id, props.on_reload.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let (on_reload, problem) = (on_reload.clone(), problem.clone());
            if let Some(id) = id {
                wasm_bindgen_futures::spawn_local(async move {
                    match api::admin_roles::one(id).await {
                        Ok(entry) => on_reload.set(Some(Draft::of(&entry))),
                        Err(e) => problem.set(Some(Problem::of(e))),
                    }
                });
            }
        })
    };
    let cancel = {
        let on_reload = props.on_reload.clone();
        Callback::from(move |_: MouseEvent| on_reload.set(None))
    };
    let title = tr(
        lang,
        if props.draft.id.is_some() {
            R::EditMapping
        } else {
            R::NewMapping
        },
    );
    let general = alert(lang, problem.as_ref(), "reload-mapping", &reload);
    html! {
        <form class="rule-editor mapping-editor" id="mapping-editor" aria-label={title} {onsubmit}>
            <h2>{ title }</h2>
            { general }
            <div class="field">
                <label for="mapping-claim">{ tr(lang, R::Claim) }</label>
                <input id="mapping-claim" type="text" ref={first} value={form.claim.clone()} required=true
                       placeholder={tr(lang, R::ClaimHint)} oninput={input(|d, v| d.claim = v)} />
                { errors_for("claim") }
            </div>
            <div class="field">
                <label for="mapping-roles">{ tr(lang, R::Roles) }</label>
                <input id="mapping-roles" type="text" value={form.roles.clone()} required=true
                       placeholder={tr(lang, R::RolesHint)} oninput={input(|d, v| d.roles = v)} />
                { errors_for("roles") }
            </div>
            <div class="editor-actions">
                <button type="submit" id="save-mapping" class="primary" disabled={*saving} aria-busy={saving.to_string()}>
                    { ta(lang, if *saving { AdminMsg::Saving } else { AdminMsg::Save }) }
                </button>
                <button type="button" onclick={cancel}>{ ta(lang, AdminMsg::Cancel) }</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_read_from_a_comma_separated_text() {
        assert_eq!(role_list(" letg, ,neo ,"), ["letg", "neo"]);
        assert!(role_list("  ").is_empty());
    }
}
