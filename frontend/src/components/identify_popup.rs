//! The identify popup: what a click found, grouped by layer, topmost first. Features of loaded
//! data come with the click; queryable WMS layers are asked by GetFeatureInfo, one request per
//! layer, all at once, each group showing its own loading or error state. A layer with a popup
//! template shows it filled in; otherwise its attribute table. Everything is put in text nodes
//! (Yew escapes them), never HTML: markup in data or templates shows literally.

use std::collections::HashMap;
use std::rc::Rc;

use kartenn_engine::identify::{Attributes, fill_from};
use web_sys::AbortController;
use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};
use crate::map::{Found, Identified, IdentifiedLayer};

#[derive(Properties, PartialEq)]
pub struct IdentifyPopupProps {
    pub identified: Identified,
    pub on_close: Callback<()>,
    pub lang: Lang,
}

/// Where one GetFeatureInfo stands.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Done(Vec<Attributes>),
    Failed(String),
}

/// The answers received for click `seq`, by layer index.
#[derive(Debug, Clone, PartialEq, Default)]
struct Answers {
    seq: u64,
    by_layer: HashMap<usize, Answer>,
}

enum Action {
    /// A new click: forget older answers.
    Start(u64),
    Answer(u64, usize, Answer),
}

impl Reducible for Answers {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Start(seq) if seq != self.seq => Rc::new(Answers {
                seq,
                by_layer: HashMap::new(),
            }),
            Action::Answer(seq, layer, answer) if seq == self.seq => {
                let mut next = (*self).clone();
                next.by_layer.insert(layer, answer);
                Rc::new(next)
            }
            _ => self,
        }
    }
}

#[function_component(IdentifyPopup)]
pub fn identify_popup(props: &IdentifyPopupProps) -> Html {
    let answers = use_reducer(Answers::default);
    {
        let answers = answers.clone();
        let identified = props.identified.clone();
        use_effect_with(props.identified.seq, move |&seq| {
            answers.dispatch(Action::Start(seq));
            let controller = AbortController::new().ok();
            if let Some(controller) = &controller {
                for (index, layer) in identified.layers.iter().enumerate() {
                    let Found::Query(url) = &layer.found else {
                        continue;
                    };
                    let (url, signal, answers) =
                        (url.clone(), controller.signal(), answers.clone());
                    wasm_bindgen_futures::spawn_local(async move {
                        let result = crate::api::feature_info(&url, &signal).await;
                        if signal.aborted() {
                            return;
                        }
                        let answer = match result {
                            Ok(features) => Answer::Done(features),
                            Err(reason) => Answer::Failed(reason),
                        };
                        answers.dispatch(Action::Answer(seq, index, answer));
                    });
                }
            }
            move || {
                if let Some(controller) = controller {
                    controller.abort();
                }
            }
        });
    }

    let lang = props.lang;
    let [x, y] = props.identified.at;
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let current = (answers.seq == props.identified.seq).then_some(&answers.by_layer);
    let (mut shown, mut loading) = (0, 0);
    let groups: Vec<Html> = props
        .identified
        .layers
        .iter()
        .enumerate()
        .filter_map(|(index, layer)| {
            let body = match &layer.found {
                Found::Features(features) => {
                    shown += features.len();
                    features_html(layer, features)
                }
                Found::Query(_) => match current.and_then(|c| c.get(&index)) {
                    None => {
                        loading += 1;
                        html! { <p class="loading" role="status">{ t(lang, Msg::Querying) }</p> }
                    }
                    Some(Answer::Failed(reason)) => html! {
                        <p class="error" role="alert">{ format!("{} : {reason}", t(lang, Msg::QueryFailed)) }</p>
                    },
                    Some(Answer::Done(features)) if features.is_empty() => return None,
                    Some(Answer::Done(features)) => {
                        shown += features.len();
                        features_html(layer, features)
                    }
                },
            };
            Some(html! {
                <section class="layer" key={layer.id.clone()} data-identify-layer={layer.id.clone()}>
                    <h3>{ &layer.title }</h3>
                    { body }
                </section>
            })
        })
        .collect();
    let nothing = groups.is_empty();
    html! {
        <div class="identify" role="dialog" aria-live="polite" tabindex="-1" {onkeydown}
             style={format!("left:{x:.0}px;top:{y:.0}px")}
             data-count={shown.to_string()} data-loading={loading.to_string()}>
            <button type="button" class="close" aria-label={t(lang, Msg::Close)} title={t(lang, Msg::Close)} onclick={close}>{ "×" }</button>
            { for groups }
            if nothing {
                <p class="empty">{ t(lang, Msg::NothingFound) }</p>
            }
        </div>
    }
}

/// A layer's features: its template filled in, or each feature's attribute table.
fn features_html(layer: &IdentifiedLayer, features: &[Attributes]) -> Html {
    let items = features.iter().enumerate().map(|(i, attributes)| match &layer.popup {
        Some(template) => html! {
            <p class="feature templated" key={i}>{ fill_from(template, attributes) }</p>
        },
        None => html! {
            <table class="feature" key={i}>
                { for attributes.iter().map(|(k, v)| html! { <tr><th>{ k }</th><td>{ v }</td></tr> }) }
            </table>
        },
    });
    html! { <>{ for items }</> }
}
