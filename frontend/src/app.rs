//! The application shell: loads the configuration and the catalogue, then shows the map with
//! its layer list. Layer visibility lives here and flows down to the map.

use std::rc::Rc;

use kartenn_common::{Catalog, ClientConfig};
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
    let visible = use_state(|| Rc::new(Vec::<bool>::new()));
    let basemap = use_state(|| Some(0usize));
    {
        let load = load.clone();
        let visible = visible.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let result =
                    async { Ok::<_, ApiFailure>((api::config().await?, api::catalog().await?)) }
                        .await;
                match result {
                    Ok((config, catalog)) => {
                        visible.set(Rc::new(catalog.layers.iter().map(|l| l.visible).collect()));
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
    let on_toggle = {
        let visible = visible.clone();
        Callback::from(move |index: usize| {
            let mut next = (**visible).clone();
            if let Some(v) = next.get_mut(index) {
                *v = !*v;
            }
            visible.set(Rc::new(next));
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
                <MapView config={config.clone()} catalog={catalog.clone()} visible={(*visible).clone()}
                         basemap={(*basemap).filter(|i| *i < config.basemaps.len())} {lang} />
                <aside class="panel">
                    <h1>{ &config.title }</h1>
                    <LayerList catalog={catalog.clone()} visible={(*visible).clone()} {on_toggle}
                               basemaps={Rc::new(config.basemaps.clone())} basemap={(*basemap).filter(|i| *i < config.basemaps.len())}
                               {on_basemap} {lang} />
                </aside>
            </main>
        },
    }
}
