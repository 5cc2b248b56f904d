//! The "Maps" section: every saved map of everyone (title, owner, folder, visibility, landing
//! map), a filter, and per map: move to another of its owner's folders, delete, set or unset
//! as the landing map (public maps only). Changes carry `If-Match` with the version listed; a
//! failure (a 409 when someone changed the map meanwhile) is shown and the list reloaded.

use std::rc::Rc;

use kartenn_common::maps::{AdminMapList, MapSummary, Visibility};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::api::{self, ApiFailure};
use crate::components::saved_maps_i18n::{MapsMsg, tm};
use crate::i18n::{AdminMsg, Lang, Msg, t, ta};

/// One change to run with the session's CSRF token.
type Change = Box<
    dyn FnOnce(
        Option<AttrValue>,
    ) -> futures_util::future::LocalBoxFuture<'static, Result<(), ApiFailure>>,
>;

#[derive(Properties, PartialEq)]
pub struct MapsProps {
    pub csrf: Option<AttrValue>,
    pub lang: Lang,
}

/// Whether `map` matches the filter text (title, owner or folder, any case).
pub fn matches(map: &MapSummary, filter: &str) -> bool {
    let filter = filter.trim().to_lowercase();
    filter.is_empty()
        || [
            Some(map.title.as_str()),
            Some(map.owner.as_str()),
            map.folder_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .any(|s| s.to_lowercase().contains(&filter))
}

#[function_component(MapsPage)]
pub fn maps_page(props: &MapsProps) -> Html {
    let lang = props.lang;
    let list = use_state(|| None::<Result<Rc<AdminMapList>, String>>);
    let filter = use_state(String::new);
    let failed = use_state(|| None::<String>);
    let reload = {
        let list = list.clone();
        use_callback((), move |(), ()| {
            let list = list.clone();
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(
                    api::maps::admin_list()
                        .await
                        .map(Rc::new)
                        .map_err(|e| e.to_string()),
                ));
            });
        })
    };
    {
        let reload = reload.clone();
        use_effect_with((), move |()| reload.emit(()));
    }
    // Runs a change, shows its failure, reloads.
    let run = {
        let (csrf, failed, reload) = (props.csrf.clone(), failed.clone(), reload.clone());
        Rc::new(move |change: Change| {
            let (csrf, failed, reload) = (csrf.clone(), failed.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match change(csrf).await {
                    Ok(()) => failed.set(None),
                    Err(e) => failed.set(Some(e.to_string())),
                }
                reload.emit(());
            });
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                filter.set(input.value());
            }
        })
    };
    let list = match &*list {
        None => return html! { <p class="status" role="status">{ t(lang, Msg::Loading) }</p> },
        Some(Err(e)) => {
            return html! { <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ e.clone() }</p> };
        }
        Some(Ok(l)) => l.clone(),
    };
    let row = |map: &MapSummary| {
        let (id, version) = (map.id.clone(), map.version);
        let on_move = {
            let (run, id) = (run.clone(), id.clone());
            Callback::from(move |e: Event| {
                let folder: Option<i64> = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                    .and_then(|s| s.value().parse().ok());
                let id = id.clone();
                run(Box::new(move |csrf| {
                    Box::pin(async move {
                        api::maps::admin_move(&id, version, folder, csrf.as_deref())
                            .await
                            .map(drop)
                    })
                }));
            })
        };
        let on_delete = {
            let (run, id) = (run.clone(), id.clone());
            Callback::from(move |_: MouseEvent| {
                let confirmed = web_sys::window()
                    .and_then(|w| {
                        w.confirm_with_message(tm(lang, MapsMsg::ConfirmDelete))
                            .ok()
                    })
                    .unwrap_or(false);
                if confirmed {
                    let id = id.clone();
                    run(Box::new(move |csrf| {
                        Box::pin(async move {
                            api::maps::admin_delete(&id, version, csrf.as_deref()).await
                        })
                    }));
                }
            })
        };
        let on_default = {
            let run = run.clone();
            let target = (!map.is_default).then(|| id.clone());
            Callback::from(move |_: MouseEvent| {
                let target = target.clone();
                run(Box::new(move |csrf| {
                    Box::pin(async move {
                        api::maps::set_default(target.as_deref(), csrf.as_deref()).await
                    })
                }));
            })
        };
        let public = map.visibility == Visibility::Public;
        let owner_folders = list.folders.iter().filter(|f| f.owner == map.owner);
        let move_id = format!("admin-move-{}", map.id);
        html! {
            <tr key={map.id.clone()} data-map-id={map.id.clone()} class={classes!(map.is_default.then_some("default"))}>
                <td><a href={api::maps::link("", &map.id)}>{ map.title.clone() }</a>
                    if map.is_default { <span class="badge">{ tm(lang, MapsMsg::Default) }</span> }</td>
                <td>{ map.owner.clone() }</td>
                <td>
                    <label for={move_id.clone()} class="visually-hidden">{ tm(lang, MapsMsg::MoveTo) }</label>
                    <select id={move_id} class="admin-move-map" onchange={on_move}>
                        <option value="" selected={map.folder.is_none()}>{ tm(lang, MapsMsg::NoFolder) }</option>
                        { for owner_folders.map(|f| html! {
                            <option value={f.id.to_string()} selected={map.folder == Some(f.id)}>{ f.name.clone() }</option>
                        }) }
                    </select>
                </td>
                <td class={map.visibility.as_str()}>{ if public { tm(lang, MapsMsg::Public) } else { tm(lang, MapsMsg::Private) } }</td>
                <td class="map-admin-actions">
                    <button type="button" class="set-default" onclick={on_default}
                            disabled={!public && !map.is_default}
                            title={(!public).then(|| tm(lang, MapsMsg::MakePublicFirst))}>
                        { if map.is_default { tm(lang, MapsMsg::UnsetDefault) } else { tm(lang, MapsMsg::SetDefault) } }
                    </button>
                    <button type="button" class="admin-delete-map danger" onclick={on_delete}
                            aria-label={format!("{} {}", tm(lang, MapsMsg::Delete), map.title)}>
                        { tm(lang, MapsMsg::Delete) }</button>
                </td>
            </tr>
        }
    };
    let shown = list.maps.iter().filter(|m| matches(m, &filter));
    html! {
        <div class="admin-maps">
            <p class="intro">{ tm(lang, MapsMsg::AdminIntro) }</p>
            if let Some(reason) = &*failed {
                <p class="admin-error" role="alert">{ ta(lang, AdminMsg::Failed) }{ " " }{ reason.clone() }</p>
            }
            <label for="maps-filter">{ tm(lang, MapsMsg::FilterMaps) }</label>
            <input id="maps-filter" type="search" value={(*filter).clone()} oninput={on_filter} />
            <table class="admin-map-table">
                <thead><tr>
                    <th scope="col">{ tm(lang, MapsMsg::Title) }</th>
                    <th scope="col">{ tm(lang, MapsMsg::Owner) }</th>
                    <th scope="col">{ tm(lang, MapsMsg::Folder) }</th>
                    <th scope="col">{ tm(lang, MapsMsg::Visibility) }</th>
                    <th scope="col"></th>
                </tr></thead>
                <tbody>{ for shown.map(row) }</tbody>
            </table>
            if list.maps.is_empty() {
                <p class="empty">{ tm(lang, MapsMsg::NoMaps) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_matches_title_owner_or_folder_in_any_case() {
        let map = MapSummary {
            id: "x".into(),
            title: "Tides of Brest".into(),
            description: None,
            visibility: Visibility::Public,
            owner: "alice".into(),
            folder: Some(1),
            folder_name: Some("Field work".into()),
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            is_default: false,
        };
        for hit in ["", "brest", "ALICE", "field"] {
            assert!(matches(&map, hit), "{hit}");
        }
        assert!(!matches(&map, "bob"));
    }
}
