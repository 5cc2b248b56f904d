//! The application shell: loads the configuration and the catalogue, then shows the map with
//! its side panel (account, catalogue button, layer list, legend), the catalogue panel and the
//! attribute table. The overlays (which layers are in the map, their order, visibility, opacity
//! and time) live here and flow down to the map. The session (`/api/me`, read at start) lives
//! here too: any request finding it expired says so by a DOM event, and a banner shows. So
//! does the map's time (the time control's choice, applied to the overlays by the engine) and
//! the permalink: read when the viewer opens, kept up to date as layers and time change.

use std::rc::Rc;

use gloo::events::EventListener;
use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::overlays::{Edit, Overlays};
use kartenn_engine::time::applied::{Applied, TimeChoice, apply};
use yew::prelude::*;

use crate::api::{self, ApiFailure};
use crate::components::account::{Account, Session, SessionAction};
use crate::components::attribute_table::AttributeTablePanel;
use crate::components::catalog_panel::CatalogPanel;
use crate::components::layer_list::LayerList;
use crate::components::legend_panel::LegendPanel;
use crate::components::map_view::{FitRequest, MapView};
use crate::components::saved_maps::{Opening, SavedMaps, opening_link};
use crate::components::session_banner::SessionBanner;
use crate::components::time_control::{ChronicleSpans, TimeControl, map_time};
use crate::i18n::{Lang, Msg, t};

enum Load {
    Loading,
    Ready(Rc<ClientConfig>, Rc<Catalog>),
    Failed(ApiFailure),
}

#[function_component(App)]
pub fn app() -> Html {
    let lang = *use_memo((), |()| Lang::detect());
    let load = use_state(|| Load::Loading);
    let overlays = use_state(|| Rc::new(Overlays::default()));
    let basemap = use_state(|| Some(0usize));
    let catalog_open = use_state(|| false);
    // The layer whose attribute table is open.
    let table = use_state(|| None::<String>);
    let fit = use_state(|| None::<FitRequest>);
    let session = use_reducer(Session::default);
    // The permalink the page was opened with; the map's time; chronicles' spans once loaded.
    let link = use_memo((), |()| crate::permalink::read());
    let time = use_state(|| Rc::new(TimeChoice::default()));
    // The saved map opened (`?map=<id>` or the landing map), and what to say about it.
    let opening = use_state(|| Rc::new(Opening::default()));
    let spans = use_reducer(ChronicleSpans::default);
    let on_span = {
        let spans = spans.dispatcher();
        use_callback((), move |span, ()| spans.dispatch(span))
    };
    {
        let session = session.clone();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                let session = session.clone();
                EventListener::new(&window, api::SESSION_EXPIRED_EVENT, move |_| {
                    session.dispatch(SessionAction::Expired);
                })
            });
            // Until the backend has sign-in, `/api/me` fails: no account control, no error.
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(me) = api::me().await {
                    session.dispatch(SessionAction::Loaded(me));
                }
            });
            move || drop(listener)
        });
    }
    {
        let load = load.clone();
        let overlays = overlays.clone();
        let (basemap, time, link) = (basemap.clone(), time.clone(), link.clone());
        let opening = opening.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                // Both requests at once: the map waits for the slower, not for the sum.
                let result = futures_util::future::try_join(api::config(), api::catalog()).await;
                match result {
                    Ok((config, catalog)) => {
                        // The link's view, layers, basemap and time (or a saved map's), else
                        // the configuration's.
                        let (link, opened) = opening_link(&link, &catalog).await;
                        opening.set(Rc::new(opened));
                        let (config, restored, base, choice) =
                            crate::permalink::restore(&link, config, &catalog);
                        overlays.set(Rc::new(restored));
                        basemap.set(base);
                        time.set(Rc::new(choice));
                        crate::permalink::arm();
                        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                            document.set_title(&config.title);
                        }
                        load.set(Load::Ready(Rc::new(config), Rc::new(catalog)));
                    }
                    Err(failure) => load.set(Load::Failed(failure)),
                }
            });
        });
    }
    let on_edit = {
        let (overlays, table) = (overlays.clone(), table.clone());
        Callback::from(move |edit: Edit| {
            let mut next = (**overlays).clone();
            if next.apply(&edit) {
                overlays.set(Rc::new(next));
            }
            // A layer taken out of the map takes its table with it.
            if let Edit::Remove(id) = &edit
                && table.as_deref() == Some(id.as_str())
            {
                table.set(None);
            }
        })
    };
    let toggle_catalog = {
        let catalog_open = catalog_open.clone();
        Callback::from(move |_: MouseEvent| catalog_open.set(!*catalog_open))
    };
    let close_catalog = {
        let catalog_open = catalog_open.clone();
        Callback::from(move |()| catalog_open.set(false))
    };
    let on_table = {
        let table = table.clone();
        Callback::from(move |id: String| table.set(Some(id)))
    };
    let close_table = {
        let table = table.clone();
        Callback::from(move |()| table.set(None))
    };
    let on_fit = {
        let fit = fit.clone();
        Callback::from(move |extent| {
            let seq = fit.map_or(1, |f| f.seq + 1);
            fit.set(Some(FitRequest { seq, extent }));
        })
    };

    let on_basemap = {
        let basemap = basemap.clone();
        Callback::from(move |choice: Option<usize>| basemap.set(choice))
    };

    let on_dismiss = {
        let session = session.clone();
        Callback::from(move |()| session.dispatch(SessionAction::Dismiss))
    };
    let banner = session.banner_login_url().map(|login_url| {
        html! { <SessionBanner login_url={AttrValue::from(login_url.to_owned())} {on_dismiss} {lang} /> }
    });

    // The map's time applied to the overlays; the permalink follows layers and time.
    let applied = match &*load {
        Load::Ready(_, catalog) => Rc::new(apply(&catalog.layers, &overlays, &spans.0, &time)),
        _ => Rc::new(Applied::default()),
    };
    {
        let compare = applied.compare.as_ref().map(|c| c.layer.clone());
        let deps = ((*overlays).clone(), *basemap, (*time).clone(), compare);
        use_effect_with(deps, |(overlays, basemap, time, compare)| {
            crate::permalink::note_state(overlays, *basemap, time, compare.as_deref());
        });
    }
    let on_time = {
        let time = time.clone();
        Callback::from(move |choice: TimeChoice| time.set(Rc::new(choice)))
    };

    let body = match &*load {
        Load::Loading => {
            html! { <div class="status" role="status">{ t(lang, Msg::Loading) }</div> }
        }
        Load::Failed(failure) => html! {
            <div class="status error" role="alert">
                <strong>{ t(lang, Msg::LoadFailed) }</strong>
                <p>{ failure.to_string() }</p>
            </div>
        },
        Load::Ready(config, catalog) => html! {
            <main class="app">
                <MapView config={config.clone()} catalog={catalog.clone()} overlays={Rc::new(applied.overlays.clone())}
                         basemap={(*basemap).filter(|i| *i < config.basemaps.len())} fit={*fit} {lang}
                         time={map_time(&applied, catalog, &on_span)} />
                <TimeControl applied={applied.clone()} choice={(*time).clone()} on_change={on_time} {lang} />
                <aside class="panel">
                    <h1>{ &config.title }</h1>
                    if let Some(me) = session.me.clone() {
                        <Account {me} {lang} />
                    }
                    <button type="button" class="catalog-open" aria-expanded={catalog_open.to_string()}
                            aria-controls="catalog" onclick={toggle_catalog}>
                        { t(lang, Msg::OpenCatalog) }
                    </button>
                    <SavedMaps me={session.me.clone()} opening={(*opening).clone()} {lang}
                               view={kartenn_common::maps::MapView { zoom: config.view.zoom, lat: config.view.center[1], lon: config.view.center[0] }} />
                    <LayerList catalog={catalog.clone()} overlays={(*overlays).clone()} on_edit={on_edit.clone()} {on_table} on_fit={on_fit.clone()}
                               basemaps={Rc::new(config.basemaps.clone())} basemap={(*basemap).filter(|i| *i < config.basemaps.len())}
                               {on_basemap} follow={Rc::new(applied.follow.clone())} {lang} />
                    <LegendPanel catalog={catalog.clone()} overlays={(*overlays).clone()} {lang} />
                </aside>
                if *catalog_open {
                    <CatalogPanel catalog={catalog.clone()} overlays={(*overlays).clone()} {on_edit}
                                  on_close={close_catalog} {lang} />
                }
                if let Some(layer_id) = (*table).clone() {
                    <AttributeTablePanel catalog={catalog.clone()} {layer_id} on_close={close_table} {on_fit} {lang} />
                }
            </main>
        },
    };
    html! { <>{ for banner }{ body }</> }
}
