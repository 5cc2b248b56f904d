//! The account control in the side panel: anonymous, a "Sign in" link (a full-page visit to the
//! backend's login, which comes back to this page); signed in, the user's name, their roles as
//! chips and a "Sign out" button. Nothing when sign-in is not configured. Also the session
//! state the application keeps ([`Session`]): who `/api/me` said the viewer is, and whether a
//! request has since found the session expired.

use std::rc::Rc;

use kartenn_common::Me;
use yew::prelude::*;

use crate::api;
use crate::i18n::{AdminMsg, Lang, Msg, t, ta};

/// What the viewer knows about its session.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// The answer of `/api/me`; `None` until it comes, or when it failed (auth disabled).
    pub me: Option<Rc<Me>>,
    /// The session cookie is no longer valid (said by `/api/me` or by any later request).
    pub expired: bool,
    /// The user closed the "session expired" banner: it stays closed.
    pub dismissed: bool,
}

impl Session {
    /// The "session expired" banner shows, and where its "Sign in" link goes.
    pub fn banner_login_url(&self) -> Option<&str> {
        let me = self.me.as_deref().filter(|me| me.auth_enabled)?;
        (self.expired && !self.dismissed).then_some(me.login_url.as_str())
    }
}

pub enum SessionAction {
    /// `/api/me` answered.
    Loaded(Me),
    /// A request answered `session_expired`: the viewer is anonymous from now on.
    Expired,
    /// The banner was closed.
    Dismiss,
}

impl Reducible for Session {
    type Action = SessionAction;

    fn reduce(self: Rc<Self>, action: SessionAction) -> Rc<Self> {
        match action {
            SessionAction::Loaded(me) => Rc::new(Session {
                expired: self.expired || me.session_expired,
                me: Some(Rc::new(me)),
                dismissed: self.dismissed,
            }),
            SessionAction::Expired if self.expired => self,
            SessionAction::Expired => {
                let me = self.me.as_deref().map(|me| {
                    Rc::new(Me {
                        user: None,
                        csrf_token: None,
                        ..me.clone()
                    })
                });
                Rc::new(Session {
                    me,
                    expired: true,
                    dismissed: self.dismissed,
                })
            }
            SessionAction::Dismiss if self.dismissed => self,
            SessionAction::Dismiss => Rc::new(Session {
                dismissed: true,
                ..(*self).clone()
            }),
        }
    }
}

/// Where "Sign in" goes: the login with this page (path, query, hash) to come back to.
pub fn sign_in_href(login_url: &str) -> String {
    let here = web_sys::window()
        .map(|w| w.location())
        .map(|l| {
            [l.pathname(), l.search(), l.hash()]
                .into_iter()
                .map(Result::unwrap_or_default)
                .collect::<String>()
        })
        .filter(|path| path.starts_with('/'))
        .unwrap_or_else(|| "/".to_owned());
    api::sign_in_href(login_url, &here)
}

#[derive(Properties, PartialEq)]
pub struct AccountProps {
    pub me: Rc<Me>,
    pub lang: Lang,
}

#[function_component(Account)]
pub fn account(props: &AccountProps) -> Html {
    let lang = props.lang;
    let signing_out = use_state(|| false);
    // Why the last sign-out failed.
    let failed = use_state(|| None::<String>);
    let me = &props.me;
    if !me.auth_enabled {
        return Html::default();
    }
    let Some(user) = &me.user else {
        return html! {
            <div class="account-bar">
                <a id="sign-in" class="sign-in" href={sign_in_href(&me.login_url)}>{ t(lang, Msg::SignIn) }</a>
            </div>
        };
    };
    let sign_out = {
        let (signing_out, failed) = (signing_out.clone(), failed.clone());
        let (url, token) = (me.logout_url.clone(), me.csrf_token.clone());
        Callback::from(move |_: MouseEvent| {
            let (signing_out, failed) = (signing_out.clone(), failed.clone());
            let (url, token) = (url.clone(), token.clone());
            signing_out.set(true);
            failed.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::logout(&url, token.as_deref()).await;
                let assigned = match result {
                    Ok(next) => web_sys::window()
                        .ok_or_else(|| "no window".to_owned())
                        .and_then(|w| {
                            w.location()
                                .assign(&next.redirect)
                                .map_err(|e| format!("{e:?}"))
                        }),
                    Err(failure) => Err(failure.to_string()),
                };
                // On success the page is leaving: the button stays disabled.
                if let Err(reason) = assigned {
                    signing_out.set(false);
                    failed.set(Some(reason));
                }
            });
        })
    };
    let name = user
        .name
        .as_deref()
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .unwrap_or(&user.username);
    html! {
        <div class="account-bar">
            <div id="account" class="account" role="group" aria-label={t(lang, Msg::Account)}>
                <span class="user" title={user.username.clone()}>{ name }</span>
                if !user.roles.is_empty() {
                    <ul class="roles" aria-label={t(lang, Msg::Roles)}>
                        { for user.roles.iter().map(|role| html! { <li class="role">{ role }</li> }) }
                    </ul>
                }
            </div>
            if crate::admin::is_admin(me) {
                <a id="admin-link" class="admin-link" href="/admin">{ ta(lang, AdminMsg::Administration) }</a>
            }
            <button type="button" id="sign-out" class="sign-out" onclick={sign_out}
                    disabled={*signing_out} aria-busy={signing_out.to_string()}>
                { t(lang, if *signing_out { Msg::SigningOut } else { Msg::SignOut }) }
            </button>
            if let Some(reason) = &*failed {
                <p class="account-error" role="alert" title={reason.clone()}>{ t(lang, Msg::SignOutFailed) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use kartenn_common::SignedInUser;

    use super::*;

    fn me(signed_in: bool, session_expired: bool) -> Me {
        Me {
            auth_enabled: true,
            user: signed_in.then(|| SignedInUser {
                username: "anna".into(),
                name: Some("Anna Le Gall".into()),
                roles: vec!["editor".into()],
            }),
            login_url: "/auth/login".into(),
            logout_url: "/auth/logout".into(),
            csrf_token: signed_in.then(|| "token".into()),
            session_expired,
        }
    }

    fn reduce(session: Session, action: SessionAction) -> Session {
        (*Rc::new(session).reduce(action)).clone()
    }

    #[test]
    fn no_banner_shows_before_me_answers_or_when_the_session_is_fine() {
        assert_eq!(Session::default().banner_login_url(), None);
        let loaded = reduce(Session::default(), SessionAction::Loaded(me(true, false)));
        assert_eq!(loaded.banner_login_url(), None);
    }

    #[test]
    fn an_expired_session_reported_by_me_shows_the_banner_with_the_login_url() {
        let loaded = reduce(Session::default(), SessionAction::Loaded(me(false, true)));
        assert_eq!(loaded.banner_login_url(), Some("/auth/login"));
    }

    #[test]
    fn a_request_finding_the_session_expired_signs_the_user_out_and_shows_the_banner() {
        let loaded = reduce(Session::default(), SessionAction::Loaded(me(true, false)));
        let expired = reduce(loaded, SessionAction::Expired);
        let me = expired.me.as_deref().unwrap();
        assert_eq!(me.user, None);
        assert_eq!(me.csrf_token, None);
        assert_eq!(expired.banner_login_url(), Some("/auth/login"));
    }

    #[test]
    fn an_expiry_before_me_answers_is_kept_when_it_does() {
        let expired = reduce(Session::default(), SessionAction::Expired);
        let loaded = reduce(expired, SessionAction::Loaded(me(false, false)));
        assert_eq!(loaded.banner_login_url(), Some("/auth/login"));
    }

    #[test]
    fn a_dismissed_banner_stays_closed_when_more_requests_find_the_session_expired() {
        let loaded = reduce(Session::default(), SessionAction::Loaded(me(false, true)));
        let dismissed = reduce(loaded, SessionAction::Dismiss);
        assert_eq!(dismissed.banner_login_url(), None);
        let again = reduce(dismissed, SessionAction::Expired);
        assert_eq!(again.banner_login_url(), None);
    }

    #[test]
    fn no_banner_shows_when_sign_in_is_not_configured() {
        let disabled = Me {
            auth_enabled: false,
            ..me(false, true)
        };
        let loaded = reduce(Session::default(), SessionAction::Loaded(disabled));
        assert_eq!(loaded.banner_login_url(), None);
    }
}
