//! The "session expired" banner over the map: says the session cookie is no longer valid, offers
//! to sign in again (coming back to this page), and can be closed. The map keeps showing the
//! public layers meanwhile.

use yew::prelude::*;

use crate::components::account::sign_in_href;
use crate::i18n::{Lang, Msg, t};

#[derive(Properties, PartialEq)]
pub struct SessionBannerProps {
    /// The backend's login address (`Me.login_url`).
    pub login_url: AttrValue,
    pub on_dismiss: Callback<()>,
    pub lang: Lang,
}

#[function_component(SessionBanner)]
pub fn session_banner(props: &SessionBannerProps) -> Html {
    let lang = props.lang;
    let dismiss = {
        let on_dismiss = props.on_dismiss.clone();
        Callback::from(move |_: MouseEvent| on_dismiss.emit(()))
    };
    html! {
        <div id="session-expired" class="session-banner" role="alert">
            <p>{ t(lang, Msg::SessionExpired) }</p>
            <a class="sign-in" href={sign_in_href(&props.login_url)}>{ t(lang, Msg::SignIn) }</a>
            <button type="button" class="close" aria-label={t(lang, Msg::Close)} title={t(lang, Msg::Close)}
                    onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
