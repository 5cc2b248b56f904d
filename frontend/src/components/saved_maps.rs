//! Saved maps in the viewer. Opening: `/?map=<id>` loads that saved map's state through the
//! permalink code (a fragment `#map=…`, when present, wins: it is the state last seen on this
//! page); without either, the landing map set by an administrator opens, if any. A map that
//! does not exist or is private says so; layers the caller cannot see are left out, named in a
//! notice. The "Maps" panel (signed-in users): save the current map (title, folder or a new
//! one, public or private), list one's maps and folders, rename, move, delete, copy a link;
//! and the public maps of others.

use std::rc::Rc;

use kartenn_common::maps::{MapBody, MapList, MapSummary, MapView, SavedMap, Visibility};
use kartenn_common::{Catalog, Me};
use kartenn_engine::permalink::Permalink;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::saved_maps_i18n::{MapsMsg, tm};
use crate::api::maps::{self, from_permalink, link, map_param, to_permalink};
use crate::api::{ApiFailure, ApiFailure::Api};
use crate::i18n::Lang;

/// What the viewer opened with, besides a plain link.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opening {
    /// The saved map opened: id and title.
    pub map: Option<(String, String)>,
    /// `?map=` named a map that does not exist or that the caller may not open.
    pub not_found: bool,
    /// Why the saved map could not be read (other failures).
    pub failed: Option<String>,
    /// Layers of the saved map the catalogue does not offer this caller.
    pub skipped: Vec<String>,
}

fn location(part: &str) -> String {
    web_sys::window()
        .and_then(|w| match part {
            "search" => w.location().search().ok(),
            _ => w.location().origin().ok(),
        })
        .unwrap_or_default()
}

fn opened(map: &SavedMap, catalog: &Catalog) -> (Permalink, Opening) {
    let skipped = map
        .state
        .layers
        .iter()
        .filter(|l| !catalog.layers.iter().any(|c| c.id == l.id))
        .map(|l| l.id.clone())
        .collect();
    let opening = Opening {
        map: Some((map.summary.id.clone(), map.summary.title.clone())),
        skipped,
        ..Opening::default()
    };
    (to_permalink(&map.state), opening)
}

/// The permalink the viewer restores: the page's fragment if it says anything, else the
/// saved map `?map=` names, else the landing map, else the fragment (the configuration).
pub async fn opening_link(link: &Permalink, catalog: &Catalog) -> (Permalink, Opening) {
    if *link != Permalink::default() {
        return (link.clone(), Opening::default());
    }
    if let Some(id) = map_param(&location("search")) {
        return match maps::get(&id).await {
            Ok(map) => opened(&map, catalog),
            Err(Api { status: 404, .. }) => (
                link.clone(),
                Opening {
                    not_found: true,
                    ..Opening::default()
                },
            ),
            Err(e) => (
                link.clone(),
                Opening {
                    failed: Some(e.to_string()),
                    ..Opening::default()
                },
            ),
        };
    }
    match maps::default_map().await {
        Ok(map) => opened(&map, catalog),
        Err(_) => (link.clone(), Opening::default()),
    }
}

/// Copies `text` to the clipboard (when the browser allows it).
fn copy(text: &str) {
    let clipboard = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined());
    let write = clipboard.as_ref().and_then(|c| {
        js_sys::Reflect::get(c, &"writeText".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    if let (Some(c), Some(write)) = (clipboard, write) {
        let _ = write.call1(&c, &text.into());
    }
}

fn confirmed(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

fn event_value(event: &Event) -> String {
    let target = event.target();
    if let Some(input) = target
        .clone()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    {
        return input.value();
    }
    target
        .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// Reads a map whole, changes its title or folder, and writes it back with its version.
async fn change(
    id: &str,
    edit: impl FnOnce(&mut MapBody),
    csrf: Option<&str>,
) -> Result<(), ApiFailure> {
    let map = maps::get(id).await?;
    let mut body = MapBody {
        title: map.summary.title,
        description: map.summary.description,
        visibility: map.summary.visibility,
        folder: map.summary.folder,
        state: map.state,
    };
    edit(&mut body);
    maps::update(id, map.summary.version, &body, csrf)
        .await
        .map(drop)
}

#[derive(Properties, PartialEq)]
pub struct SavedMapsProps {
    pub me: Option<Rc<Me>>,
    pub opening: Rc<Opening>,
    /// The view saved when the map has not reported its own yet.
    pub view: MapView,
    pub lang: Lang,
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Busy,
    Saved(String),
    /// A change that went through, said in words.
    Done(&'static str),
    Failed(String),
}

/// The notices of the opening, and the "Maps" button and panel for signed-in users.
#[function_component(SavedMaps)]
pub fn saved_maps(props: &SavedMapsProps) -> Html {
    let lang = props.lang;
    let open = use_state(|| false);
    let list = use_state(|| None::<Result<Rc<MapList>, String>>);
    let title = use_state(String::new);
    let visibility = use_state(|| Visibility::Private);
    let folder = use_state(String::new);
    let new_folder = use_state(String::new);
    let status = use_state(|| Status::Idle);
    let signed_in = props.me.as_ref().filter(|m| m.user.is_some()).cloned();
    let csrf = signed_in.as_ref().and_then(|m| m.csrf_token.clone());
    let reload = {
        let list = list.clone();
        Callback::from(move |()| {
            let list = list.clone();
            wasm_bindgen_futures::spawn_local(async move {
                list.set(Some(
                    maps::list().await.map(Rc::new).map_err(|e| e.to_string()),
                ));
            });
        })
    };
    let toggle = {
        let (open, reload) = (open.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            if !*open {
                reload.emit(());
            }
            open.set(!*open);
        })
    };
    let on_save = {
        let (title, visibility, folder, new_folder, status, reload) = (
            title.clone(),
            visibility.clone(),
            folder.clone(),
            new_folder.clone(),
            status.clone(),
            reload.clone(),
        );
        let (csrf, view) = (csrf.clone(), props.view);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let state = from_permalink(&crate::permalink::current(), view);
            let (folder_choice, new_folder_name) = (folder.clone(), new_folder.clone());
            let (title, visibility, folder, new_folder, status, reload, csrf) = (
                (*title).clone(),
                *visibility,
                (*folder).clone(),
                (*new_folder).clone(),
                status.clone(),
                reload.clone(),
                csrf.clone(),
            );
            status.set(Status::Busy);
            wasm_bindgen_futures::spawn_local(async move {
                let folder = match folder.as_str() {
                    "" => Ok(None),
                    // A new folder is made once: the form then names it like the others.
                    "new" => maps::create_folder(&new_folder, csrf.as_deref())
                        .await
                        .map(|f| {
                            folder_choice.set(f.id.to_string());
                            new_folder_name.set(String::new());
                            Some(f.id)
                        }),
                    id => Ok(id.parse().ok()),
                };
                let body = |folder| MapBody {
                    title,
                    description: None,
                    visibility,
                    folder,
                    state,
                };
                let saved = match folder {
                    Ok(folder) => maps::create(&body(folder), csrf.as_deref()).await,
                    Err(e) => Err(e),
                };
                status.set(match saved {
                    Ok(map) => Status::Saved(link(&location("origin"), &map.summary.id)),
                    Err(e) => Status::Failed(failure_text(&e)),
                });
                reload.emit(());
            });
        })
    };
    let notice = notices(lang, &props.opening);
    let Some(_) = signed_in else {
        return notice;
    };
    let text_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(event_value(&e)))
    };
    let on_visibility = {
        let visibility = visibility.clone();
        Callback::from(move |e: Event| {
            visibility.set(Visibility::parse(&event_value(&e)).unwrap_or_default());
        })
    };
    let on_folder = {
        let folder = folder.clone();
        Callback::from(move |e: Event| folder.set(event_value(&e)))
    };
    let loaded = match &*list {
        Some(Ok(l)) => Some(l.clone()),
        _ => None,
    };
    let folders = loaded
        .as_ref()
        .map(|l| l.folders.clone())
        .unwrap_or_default();
    let row_context = RowContext {
        lang,
        view: props.view,
        csrf: csrf.clone(),
        reload: reload.clone(),
        status: status.clone(),
        folders: Rc::new(folders.clone()),
    };
    html! {
        <>
            { notice }
            <button type="button" id="maps-open" class="maps-open" aria-expanded={open.to_string()}
                    aria-controls="saved-maps" onclick={toggle}>{ tm(lang, MapsMsg::Maps) }</button>
            if *open {
                <section id="saved-maps" class="saved-maps" aria-labelledby="saved-maps-title">
                    <h2 id="saved-maps-title">{ tm(lang, MapsMsg::SaveMap) }</h2>
                    <form class="save-map" onsubmit={on_save}>
                        <label for="map-title">{ tm(lang, MapsMsg::Title) }</label>
                        <input id="map-title" required=true maxlength="200" value={(*title).clone()}
                               oninput={text_input(&title)} />
                        <label for="map-visibility">{ tm(lang, MapsMsg::Visibility) }</label>
                        <select id="map-visibility" onchange={on_visibility}>
                            <option value="private" selected={*visibility == Visibility::Private}>{ tm(lang, MapsMsg::Private) }</option>
                            <option value="public" selected={*visibility == Visibility::Public}>{ tm(lang, MapsMsg::Public) }</option>
                        </select>
                        <label for="map-folder">{ tm(lang, MapsMsg::Folder) }</label>
                        <select id="map-folder" onchange={on_folder}>
                            <option value="" selected={folder.is_empty()}>{ tm(lang, MapsMsg::NoFolder) }</option>
                            { for folders.iter().map(|f| html! {
                                <option value={f.id.to_string()} selected={*folder == f.id.to_string()}>{ f.name.clone() }</option>
                            }) }
                            <option value="new" selected={*folder == "new"}>{ tm(lang, MapsMsg::NewFolder) }</option>
                        </select>
                        if *folder == "new" {
                            <label for="map-new-folder">{ tm(lang, MapsMsg::NewFolderName) }</label>
                            <input id="map-new-folder" required=true maxlength="200" value={(*new_folder).clone()}
                                   oninput={text_input(&new_folder)} />
                        }
                        <button type="submit" id="map-save" class="primary" disabled={*status == Status::Busy}>
                            { if *status == Status::Busy { tm(lang, MapsMsg::Saving) } else { tm(lang, MapsMsg::Save) } }
                        </button>
                    </form>
                    { status_line(lang, &status) }
                    { lists(&row_context, list.as_ref()) }
                </section>
            }
        </>
    }
}

fn failure_text(e: &ApiFailure) -> String {
    match e {
        Api { body, .. } if !body.fields.is_empty() => body
            .fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn notices(lang: Lang, opening: &Opening) -> Html {
    html! {
        <>
            if let Some((id, title)) = &opening.map {
                <p class="opened-map" data-map-id={id.clone()}>{ tm(lang, MapsMsg::Opened) }{ " " }<strong>{ title.clone() }</strong></p>
            }
            if opening.not_found {
                <p id="map-not-found" class="map-notice error" role="alert">{ tm(lang, MapsMsg::NotFound) }</p>
            }
            if let Some(reason) = &opening.failed {
                <p class="map-notice error" role="alert">{ tm(lang, MapsMsg::Failed) }{ " " }{ reason.clone() }</p>
            }
            if !opening.skipped.is_empty() {
                <p id="map-skipped" class="map-notice" role="status">
                    { tm(lang, MapsMsg::Skipped) }{ " " }{ opening.skipped.join(", ") }</p>
            }
        </>
    }
}

fn status_line(lang: Lang, status: &Status) -> Html {
    match status {
        Status::Idle | Status::Busy => html! {},
        Status::Saved(url) => {
            let target = url.clone();
            html! {
                <p class="map-saved" role="status">
                    { tm(lang, MapsMsg::Saved) }{ " " }
                    <a id="map-saved-link" href={url.clone()}>{ url.clone() }</a>{ " " }
                    <button type="button" onclick={Callback::from(move |_| copy(&target))}>{ tm(lang, MapsMsg::CopyLink) }</button>
                </p>
            }
        }
        Status::Done(text) => html! { <p class="map-notice" role="status">{ *text }</p> },
        Status::Failed(reason) => html! {
            <p class="map-notice error" role="alert">{ tm(lang, MapsMsg::Failed) }{ " " }{ reason.clone() }</p>
        },
    }
}

#[derive(Clone)]
struct RowContext {
    lang: Lang,
    /// The view saved when the map has not reported its own yet.
    view: MapView,
    csrf: Option<String>,
    reload: Callback<()>,
    status: UseStateHandle<Status>,
    folders: Rc<Vec<kartenn_common::maps::MapFolder>>,
}

impl RowContext {
    /// Runs a change, then reloads the list (a failure shows in the status line).
    fn run<F>(&self, change: impl FnOnce(Option<String>) -> F + 'static)
    where
        F: std::future::Future<Output = Result<(), ApiFailure>> + 'static,
    {
        let (csrf, reload, status) = (self.csrf.clone(), self.reload.clone(), self.status.clone());
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = change(csrf).await {
                status.set(Status::Failed(failure_text(&e)));
            }
            reload.emit(());
        });
    }
}

fn my_row(cx: &RowContext, map: &MapSummary) -> Html {
    let lang = cx.lang;
    let url = link(&location("origin"), &map.id);
    let on_copy = {
        let url = url.clone();
        let status = cx.status.clone();
        Callback::from(move |_: MouseEvent| {
            copy(&url);
            status.set(Status::Saved(url.clone()));
        })
    };
    let on_rename = {
        let (cx, id, title) = (cx.clone(), map.id.clone(), map.title.clone());
        Callback::from(move |_: MouseEvent| {
            let answer = web_sys::window()
                .and_then(|w| {
                    w.prompt_with_message_and_default(tm(lang, MapsMsg::RenamePrompt), &title)
                        .ok()
                })
                .flatten()
                .filter(|t| !t.trim().is_empty());
            if let Some(new_title) = answer {
                let id = id.clone();
                cx.run(move |csrf| async move {
                    change(&id, |b| b.title = new_title, csrf.as_deref()).await
                });
            }
        })
    };
    let on_move = {
        let (cx, id) = (cx.clone(), map.id.clone());
        Callback::from(move |e: Event| {
            let target: Option<i64> = event_value(&e).parse().ok();
            let id = id.clone();
            cx.run(move |csrf| async move {
                change(&id, |b| b.folder = target, csrf.as_deref()).await
            });
        })
    };
    let on_overwrite = {
        let (cx, id) = (cx.clone(), map.id.clone());
        Callback::from(move |_: MouseEvent| {
            if confirmed(tm(lang, MapsMsg::ConfirmOverwrite)) {
                // The map on screen now, written over the saved state (title, folder and
                // visibility stay).
                let state = from_permalink(&crate::permalink::current(), cx.view);
                let (id, status) = (id.clone(), cx.status.clone());
                cx.run(move |csrf| async move {
                    change(&id, |b| b.state = state, csrf.as_deref()).await?;
                    status.set(Status::Done(tm(lang, MapsMsg::Overwritten)));
                    Ok(())
                });
            }
        })
    };
    let on_delete = {
        let (cx, id, version) = (cx.clone(), map.id.clone(), map.version);
        Callback::from(move |_: MouseEvent| {
            if confirmed(tm(lang, MapsMsg::ConfirmDelete)) {
                let id = id.clone();
                cx.run(
                    move |csrf| async move { maps::delete(&id, version, csrf.as_deref()).await },
                );
            }
        })
    };
    let move_id = format!("move-{}", map.id);
    html! {
        <li class="saved-map" data-map-id={map.id.clone()} key={map.id.clone()}>
            <a class="title" href={url.clone()}>{ map.title.clone() }</a>
            <span class={classes!("badge", map.visibility.as_str())}>
                { if map.visibility == Visibility::Public { tm(lang, MapsMsg::Public) } else { tm(lang, MapsMsg::Private) } }
            </span>
            <span class="map-actions">
                <button type="button" class="copy-link" onclick={on_copy}>{ tm(lang, MapsMsg::CopyLink) }</button>
                <button type="button" class="rename-map" onclick={on_rename}>{ tm(lang, MapsMsg::Rename) }</button>
                <button type="button" class="overwrite-map" onclick={on_overwrite}>{ tm(lang, MapsMsg::Overwrite) }</button>
                <label for={move_id.clone()} class="visually-hidden">{ tm(lang, MapsMsg::MoveTo) }</label>
                <select id={move_id} class="move-map" onchange={on_move} title={tm(lang, MapsMsg::MoveTo)}>
                    <option value="" selected={map.folder.is_none()}>{ tm(lang, MapsMsg::NoFolder) }</option>
                    { for cx.folders.iter().map(|f| html! {
                        <option value={f.id.to_string()} selected={map.folder == Some(f.id)}>{ f.name.clone() }</option>
                    }) }
                </select>
                <button type="button" class="delete-map danger" onclick={on_delete}>{ tm(lang, MapsMsg::Delete) }</button>
            </span>
        </li>
    }
}

fn lists(cx: &RowContext, list: Option<&Result<Rc<MapList>, String>>) -> Html {
    let lang = cx.lang;
    let list = match list {
        None => return html! {},
        Some(Err(e)) => {
            return html! { <p class="map-notice error" role="alert">{ tm(lang, MapsMsg::Failed) }{ " " }{ e.clone() }</p> };
        }
        Some(Ok(l)) => l,
    };
    let in_folder = |folder: Option<i64>| {
        list.mine
            .iter()
            .filter(move |m| m.folder == folder)
            .map(|m| my_row(cx, m))
    };
    let folder_block = |f: &kartenn_common::maps::MapFolder| {
        let on_delete = {
            let (cx, id, version) = (cx.clone(), f.id, f.version);
            Callback::from(move |_: MouseEvent| {
                if confirmed(tm(lang, MapsMsg::ConfirmDeleteFolder)) {
                    cx.run(move |csrf| async move {
                        maps::delete_folder(id, version, csrf.as_deref()).await
                    });
                }
            })
        };
        html! {
            <li class="map-folder" data-folder-id={f.id.to_string()} key={format!("f{}", f.id)}>
                <span class="folder-name">{ f.name.clone() }</span>
                <button type="button" class="delete-folder danger" onclick={on_delete}
                        aria-label={format!("{} {}", tm(lang, MapsMsg::Delete), f.name)}>{ tm(lang, MapsMsg::Delete) }</button>
                <ul>{ for in_folder(Some(f.id)) }</ul>
            </li>
        }
    };
    html! {
        <>
            <h2>{ tm(lang, MapsMsg::MyMaps) }</h2>
            if list.mine.is_empty() && list.folders.is_empty() {
                <p class="empty">{ tm(lang, MapsMsg::NoMaps) }</p>
            }
            <ul class="my-maps">
                { for list.folders.iter().map(folder_block) }
                { for in_folder(None) }
            </ul>
            if !list.public.is_empty() {
                <h2>{ tm(lang, MapsMsg::PublicMaps) }</h2>
                <ul class="public-maps">
                    { for list.public.iter().map(|m| html! {
                        <li key={m.id.clone()} data-map-id={m.id.clone()}>
                            <a href={link(&location("origin"), &m.id)}>{ m.title.clone() }</a>
                            <span class="owner">{ format!(" — {}", m.owner) }</span>
                        </li>
                    }) }
                </ul>
            }
        </>
    }
}
