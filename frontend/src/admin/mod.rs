//! The admin pages (`/admin`): for callers holding the `admin` role (others get a message and a
//! sign-in link). Sections: the access rules (stored ones editable, the configuration's
//! read-only), the permission matrix (layers × roles, computed by the engine from the same
//! rules), the role mapping, the catalogue (categories and layer settings), the data sources
//! (with the sync diff shown before it is applied), the saved maps and the audit log. The rule
//! list is loaded here and shared: the matrix opens a rule in the rules section.

mod access_matrix;
mod audit;
mod catalog;
mod catalog_bulk;
mod catalog_i18n;
mod catalog_layers;
mod editor;
mod form;
mod maps;
mod roles;
mod rules;
mod sources;
mod sources_form;
mod sources_i18n;

use std::rc::Rc;

use kartenn_common::Me;
use kartenn_common::admin::{Rule, RuleEntry, RuleList};
use kartenn_engine::access::target_of;
use yew::prelude::*;

use crate::api::{self, ApiFailure};
use crate::components::account::sign_in_href;
use crate::components::saved_maps_i18n;
use crate::i18n::{AdminMsg, Lang, Msg, t, ta};

/// Whether `/api/me` names an administrator.
pub fn is_admin(me: &Me) -> bool {
    me.user
        .as_ref()
        .is_some_and(|u| u.roles.iter().any(|r| r == "admin"))
}

/// A rule being edited: a stored one (id and the `ETag` it was read at) or a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: Option<i64>,
    pub etag: Option<String>,
    pub position: Option<i64>,
    pub rule: Rule,
}

impl Draft {
    pub fn of(entry: &RuleEntry) -> Self {
        Self {
            id: entry.id,
            etag: Some(entry.etag()),
            position: entry.position,
            rule: entry.rule.clone(),
        }
    }

    /// Remounts the editor when the rule or its version changes.
    pub fn key(&self) -> String {
        format!("{:?}-{:?}", self.id, self.etag)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Rules,
    Matrix,
    Roles,
    Audit,
    Maps,
    Sources,
    Catalogue,
}

enum Load {
    Loading,
    Ready(Rc<Me>),
    Failed(ApiFailure),
}

#[function_component(AdminApp)]
pub fn admin_app() -> Html {
    let lang = *use_memo((), |()| Lang::detect());
    let me = use_state(|| Load::Loading);
    {
        let me = me.clone();
        use_effect_with((), move |()| {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                document.set_title(ta(lang, AdminMsg::Administration));
            }
            wasm_bindgen_futures::spawn_local(async move {
                me.set(match api::me().await {
                    Ok(m) => Load::Ready(Rc::new(m)),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }
    let body = match &*me {
        Load::Loading => html! { <p class="status" role="status">{ t(lang, Msg::Loading) }</p> },
        Load::Failed(e) => html! {
            <div class="status error" role="alert">
                <strong>{ t(lang, Msg::LoadFailed) }</strong><p>{ e.to_string() }</p>
            </div>
        },
        Load::Ready(me) if is_admin(me) => html! { <Console me={me.clone()} {lang} /> },
        Load::Ready(me) => html! {
            <div class="admin-denied" role="alert">
                <p>{ ta(lang, AdminMsg::AdminOnly) }</p>
                if me.auth_enabled && me.user.is_none() {
                    <a id="admin-sign-in" class="sign-in" href={sign_in_href(&me.login_url)}>
                        { ta(lang, AdminMsg::SignInAsAdmin) }</a>
                }
                <a href="/">{ ta(lang, AdminMsg::BackToMap) }</a>
            </div>
        },
    };
    html! {
        <main class="admin">
            <header class="admin-header">
                <h1>{ ta(lang, AdminMsg::Administration) }</h1>
                <a href="/" class="back">{ ta(lang, AdminMsg::BackToMap) }</a>
            </header>
            { body }
        </main>
    }
}

#[derive(Properties, PartialEq)]
struct ConsoleProps {
    me: Rc<Me>,
    lang: Lang,
}

/// The sections, once the caller is known to be an administrator.
#[function_component(Console)]
fn console(props: &ConsoleProps) -> Html {
    let lang = props.lang;
    let section = use_state(|| Section::Rules);
    let list = use_state(|| None::<Result<Rc<RuleList>, ApiFailure>>);
    let entries = use_state(|| Rc::new(Vec::new()));
    let draft = use_state(|| None::<Draft>);
    let reload = {
        let list = list.clone();
        use_callback((), move |(), ()| {
            let list = list.clone();
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(api::admin::rules().await.map(Rc::new)));
            });
        })
    };
    {
        let (reload, entries) = (reload.clone(), entries.clone());
        use_effect_with((), move |()| {
            reload.emit(());
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(layers) = api::admin_catalog::layers().await {
                    entries.set(Rc::new(layers.iter().map(target_of).collect()));
                }
            });
        });
    }
    let on_draft = {
        let (draft, section) = (draft.clone(), section.clone());
        Callback::from(move |d: Option<Draft>| {
            if d.is_some() {
                section.set(Section::Rules);
            }
            draft.set(d);
        })
    };
    let tab = |s: Section, label: &'static str| {
        let section = section.clone();
        let current = *section == s;
        html! {
            <button type="button" id={format!("admin-tab-{s:?}").to_lowercase()} class="admin-tab"
                    aria-pressed={current.to_string()} onclick={Callback::from(move |_| section.set(s))}>
                { label }
            </button>
        }
    };
    let csrf: Option<AttrValue> = props.me.csrf_token.clone().map(AttrValue::from);
    let own_claims = use_memo(props.me.clone(), |me| {
        me.user
            .iter()
            .flat_map(|u| u.roles.iter())
            .filter(|r| {
                ["realm:", "client:", "group:"]
                    .iter()
                    .any(|p| r.starts_with(p))
            })
            .cloned()
            .collect::<Vec<_>>()
    });
    let content = match (&*section, &*list) {
        (Section::Audit, _) => html! { <audit::AuditPage {lang} /> },
        (Section::Roles, _) => html! {
            <roles::RolesPage csrf={csrf.clone()} own_claims={own_claims.clone()} {lang} />
        },
        (Section::Maps, _) => html! { <maps::MapsPage csrf={csrf.clone()} {lang} /> },
        (Section::Sources, _) => html! { <sources::SourcesPage csrf={csrf.clone()} {lang} /> },
        (Section::Catalogue, _) => html! { <catalog::CatalogPage csrf={csrf.clone()} {lang} /> },
        (_, None) => html! { <p class="status" role="status">{ t(lang, Msg::Loading) }</p> },
        (_, Some(Err(e))) => html! {
            <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ e.to_string() }</p>
        },
        (Section::Rules, Some(Ok(list))) => html! {
            <rules::RulesPage list={list.clone()} draft={(*draft).clone()} {on_draft}
                              on_changed={reload.clone()} {csrf} {lang} />
        },
        (Section::Matrix, Some(Ok(list))) => html! {
            <access_matrix::AccessMatrix list={list.clone()} entries={(*entries).clone()} {on_draft}
                                         {csrf} on_changed={reload.clone()} {lang} />
        },
    };
    html! {
        <>
            <nav class="admin-tabs" aria-label={ta(lang, AdminMsg::Sections)}>
                { tab(Section::Rules, ta(lang, AdminMsg::Rules)) }
                { tab(Section::Matrix, ta(lang, AdminMsg::Matrix)) }
                { tab(Section::Roles, roles::tab_label(lang)) }
                { tab(Section::Catalogue, catalog_i18n::tc(lang, catalog_i18n::CatMsg::Catalogue)) }
                { tab(Section::Sources, sources_i18n::ts(lang, sources_i18n::SrcMsg::Sources)) }
                { tab(Section::Maps, saved_maps_i18n::tm(lang, saved_maps_i18n::MapsMsg::Maps)) }
                { tab(Section::Audit, ta(lang, AdminMsg::Audit)) }
            </nav>
            <section class="admin-section">{ content }</section>
        </>
    }
}
