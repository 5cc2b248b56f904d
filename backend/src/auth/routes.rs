//! The sign-in edge: `GET /api/me`, `GET /auth/login`, `GET /auth/callback`, `POST /auth/logout`
//! (CSRF-checked by [`super::csrf_guard`]). Tokens never leave the server; the browser holds an
//! HttpOnly, SameSite=Lax cookie (`Secure` and `__Host-` over https).

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kartenn_common::{LogoutRedirect, Me, SignedInUser};
use serde::Deserialize;

use super::csrf::origin_of;
use super::session::{PendingLogin, hash};
use super::{AuthError, Caller, SignIn, cookie};
use crate::http::ApiError;
use crate::http::headers::no_store;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
}

/// Path under which the viewer is served (`""` at the root), from `public_url`.
fn prefix(public_url: Option<&str>) -> &str {
    public_url.map_or("", |url| &url[origin_of(url).len()..])
}

async fn me(State(state): State<AppState>, caller: Caller) -> Response {
    let sign_in = state.auth.sign_in.as_ref();
    let prefix = prefix(sign_in.map(|s| s.public_url.as_str()));
    let principal = &caller.principal;
    let me = Me {
        auth_enabled: sign_in.is_some(),
        user: principal.user.as_ref().map(|username| SignedInUser {
            username: username.clone(),
            name: principal.name.clone(),
            roles: principal.roles.clone(),
        }),
        login_url: format!("{prefix}/auth/login"),
        logout_url: format!("{prefix}/auth/logout"),
        csrf_token: caller.session.as_ref().map(|s| s.csrf_token.clone()),
        session_expired: caller.session_expired,
    };
    let mut response = (no_store(), Json(me)).into_response();
    if caller.session_expired
        && let Some(sign_in) = sign_in
    {
        // Said once: the stale cookie goes with this answer.
        append_cookie(
            &mut response,
            &clear_cookie(sign_in, sign_in.cookie.session),
        );
    }
    response
}

#[derive(Debug, Deserialize)]
struct LoginQuery {
    return_to: Option<String>,
}

/// Starts the authorization-code flow: state, nonce and PKCE verifier kept server-side, the
/// state also in a short-lived cookie so the callback only completes in this browser.
async fn login(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
) -> Result<Response, ApiError> {
    let sign_in = state
        .auth
        .sign_in
        .as_ref()
        .ok_or(AuthError::NotConfigured)?;
    let return_to = safe_return_to(
        query.return_to.as_deref(),
        prefix(Some(&sign_in.public_url)),
    );
    let start = sign_in.client.begin().await?;
    sign_in
        .sessions
        .begin_login(
            &start.state,
            &PendingLogin {
                nonce: start.nonce,
                pkce_verifier: start.pkce_verifier,
                return_to,
            },
        )
        .await?;
    let mut response = redirect(&start.url);
    append_cookie(
        &mut response,
        &set_cookie(
            sign_in,
            sign_in.cookie.login,
            &start.state,
            super::session::LOGIN_TTL_S,
        ),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The issuer sends the browser back here: the code is exchanged, the ID token and the access
/// token checked, and a session starts.
async fn callback(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Response {
    let Some(sign_in) = state.auth.sign_in.as_ref() else {
        return ApiError::from(AuthError::NotConfigured).into_response();
    };
    match finish(sign_in, &query, &headers).await {
        Ok((session_cookie, return_to)) => {
            let mut response = redirect(&return_to);
            append_cookie(
                &mut response,
                &set_cookie(
                    sign_in,
                    sign_in.cookie.session,
                    &session_cookie,
                    sign_in.session_lifetime_s(),
                ),
            );
            append_cookie(&mut response, &clear_cookie(sign_in, sign_in.cookie.login));
            response
        }
        Err(e) => {
            tracing::warn!(error = %e, "sign-in failed");
            let status = ApiError::from(e).status();
            let mut response = failure_page(status, &sign_in.public_url);
            append_cookie(&mut response, &clear_cookie(sign_in, sign_in.cookie.login));
            response
        }
    }
}

async fn finish(
    sign_in: &SignIn,
    query: &CallbackQuery,
    headers: &HeaderMap,
) -> Result<(String, String), AuthError> {
    if let Some(error) = &query.error {
        return Err(AuthError::SignInFailed(format!(
            "the identity provider answered `{error}`{}",
            query
                .error_description
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )));
    }
    let (Some(code), Some(state)) = (&query.code, &query.state) else {
        return Err(AuthError::LoginUnknown);
    };
    let bound = cookie(headers, sign_in.cookie.login).ok_or(AuthError::LoginUnknown)?;
    if hash(&bound) != hash(state) {
        return Err(AuthError::LoginUnknown);
    }
    let pending = sign_in
        .sessions
        .take_login(state)
        .await?
        .ok_or(AuthError::LoginUnknown)?;
    let tokens = sign_in
        .client
        .finish(code, &pending.pkce_verifier, &pending.nonce)
        .await?;
    let grant = sign_in.grant(tokens).await?;
    let (session_cookie, session) = sign_in
        .sessions
        .create(&grant, sign_in.session_lifetime_s())
        .await?;
    tracing::info!(
        user = session.principal.user.as_deref().unwrap_or_default(),
        "signed in"
    );
    Ok((session_cookie, pending.return_to))
}

/// Ends the session here and says where the browser goes to end it at the issuer.
async fn logout(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let sign_in = state
        .auth
        .sign_in
        .as_ref()
        .ok_or(AuthError::NotConfigured)?;
    let back_to = format!("{}/", sign_in.public_url);
    let redirect = match &caller.session {
        Some(session) => {
            sign_in.sessions.delete(&session.id_hash).await?;
            sign_in.forget(&session.id_hash).await;
            tracing::info!(
                user = session.principal.user.as_deref().unwrap_or_default(),
                "signed out"
            );
            sign_in
                .client
                .end_session_url(session.id_token.as_deref(), &back_to)
                .await
                .unwrap_or(back_to)
        }
        None => back_to,
    };
    let mut response = (no_store(), Json(LogoutRedirect { redirect })).into_response();
    append_cookie(
        &mut response,
        &clear_cookie(sign_in, sign_in.cookie.session),
    );
    Ok(response)
}

/// A path on this site to come back to; anything else (other sites, `//host`, `\`, control
/// characters, overlong) becomes the viewer's root.
fn safe_return_to(asked: Option<&str>, prefix: &str) -> String {
    let root = format!("{prefix}/");
    let Some(path) = asked else { return root };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && path.len() <= 2048
        && !path.chars().any(char::is_control)
        && path.starts_with(&root);
    if ok { path.to_owned() } else { root }
}

fn set_cookie(sign_in: &SignIn, name: &str, value: &str, max_age_s: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if sign_in.cookie.secure {
            "; Secure"
        } else {
            ""
        }
    )
}

fn clear_cookie(sign_in: &SignIn, name: &str) -> String {
    set_cookie(sign_in, name, "", 0)
}

fn append_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A plain page for a sign-in that did not work (a browser navigation, not an API call).
fn failure_page(status: StatusCode, public_url: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Kartenn — sign-in \
         failed</title><h1>Sign-in failed · Échec de la connexion</h1><p>The sign-in could not \
         be completed; the server log has the reason. La connexion n'a pas abouti ; le journal \
         du serveur en donne la raison.</p><p><a href=\"{}/\">Back to the map · Retour à la \
         carte</a></p></html>",
        html_escape(public_url)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_return_to(Some("/?x=1#map=8/48/-4"), ""),
            "/?x=1#map=8/48/-4"
        );
        assert_eq!(safe_return_to(None, ""), "/");
        for evil in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/ok\r\nSet-Cookie: x=1",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_return_to(Some(evil), ""), "/", "{evil:?}");
        }
        assert_eq!(
            safe_return_to(Some("/kartenn/?a"), "/kartenn"),
            "/kartenn/?a"
        );
        assert_eq!(safe_return_to(Some("/other"), "/kartenn"), "/kartenn/");
    }

    #[test]
    fn the_prefix_is_the_public_urls_path() {
        assert_eq!(prefix(Some("https://x.org/kartenn")), "/kartenn");
        assert_eq!(prefix(Some("http://127.0.0.1:8080")), "");
        assert_eq!(prefix(None), "");
    }
}
