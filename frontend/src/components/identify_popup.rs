//! The identify popup: the features found under a click, by layer, with their attributes.
//! Values are text nodes (Yew escapes them), never HTML.

use yew::prelude::*;

use crate::i18n::{Lang, Msg, t};
use crate::map::Identified;

#[derive(Properties, PartialEq)]
pub struct IdentifyPopupProps {
    pub identified: Identified,
    pub on_close: Callback<()>,
    pub lang: Lang,
}

#[function_component(IdentifyPopup)]
pub fn identify_popup(props: &IdentifyPopupProps) -> Html {
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
    let features = props.identified.features.iter().enumerate().map(|(i, f)| {
        html! {
            <section class="feature" key={i}>
                <h3>{ &f.layer_title }</h3>
                <table>
                    { for f.properties.iter().map(|(k, v)| html! { <tr><th>{ k }</th><td>{ v }</td></tr> }) }
                </table>
            </section>
        }
    });
    html! {
        <div class="identify" role="dialog" aria-live="polite" tabindex="-1" {onkeydown}
             style={format!("left:{x:.0}px;top:{y:.0}px")}
             data-count={props.identified.features.len().to_string()}>
            <button type="button" class="close" aria-label={t(props.lang, Msg::Close)} title={t(props.lang, Msg::Close)} onclick={close}>{ "×" }</button>
            { for features }
        </div>
    }
}
