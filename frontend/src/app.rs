//! The application shell: loads the configuration and the catalogue, then shows the map with
//! its layer list. The overlays' order, visibility and opacity live here and flow down to the map.

use std::rc::Rc;

use kartenn_common::{Catalog, ClientConfig};
use kartenn_engine::overlays::{Edit, Overlays};
use yew::prelude::*;

use crate::api::{self, ApiFailure};
use crate::components::layer_list::LayerList;
use crate::components::map_view::MapView;
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
    {
        let load = load.clone();
        let overlays = overlays.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                // Both requests at once: the map waits for the slower, not for the sum.
                let result = futures_util::future::try_join(api::config(), api::catalog()).await;
                match result {
                    Ok((config, catalog)) => {
                        overlays.set(Rc::new(Overlays::from_catalog(&catalog.layers)));
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
        let overlays = overlays.clone();
        Callback::from(move |edit: Edit| {
            let mut next = (**overlays).clone();
            if next.apply(&edit) {
                overlays.set(Rc::new(next));
            }
        })
    };

    let on_basemap = {
        let basemap = basemap.clone();
        Callback::from(move |choice: Option<usize>| basemap.set(choice))
    };

    match &*load {
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
                <MapView config={config.clone()} catalog={catalog.clone()} overlays={(*overlays).clone()}
                         basemap={(*basemap).filter(|i| *i < config.basemaps.len())} {lang} />
                <aside class="panel">
                    <h1>{ &config.title }</h1>
                    <LayerList catalog={catalog.clone()} overlays={(*overlays).clone()} {on_edit}
                               basemaps={Rc::new(config.basemaps.clone())} basemap={(*basemap).filter(|i| *i < config.basemaps.len())}
                               {on_basemap} {lang} />
                </aside>
            </main>
        },
    }
}
