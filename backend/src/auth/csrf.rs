//! CSRF protection for cookie sessions: every state-changing request (anything but GET, HEAD,
//! OPTIONS) that carries a session cookie and no bearer token must send the session's token in
//! `X-CSRF-Token` (from `/api/me`), and, when the browser says where it comes from (`Origin`),
//! come from Kartenn's own origin. SameSite=Lax already keeps the cookie off cross-site POSTs;
//! this is the second lock.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::session::hash;
use super::{AuthError, cookie};
use crate::http::ApiError;
use crate::state::AppState;

pub const CSRF_HEADER: &str = "x-csrf-token";

/// Middleware over the whole router.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    // Only the method and headers are read (a request's body is not `Sync`).
    let (method, headers) = (request.method().clone(), request.headers().clone());
    match check(&state, &method, &headers).await {
        Ok(()) => next.run(request).await,
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn check(state: &AppState, method: &Method, headers: &HeaderMap) -> Result<(), AuthError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || headers.contains_key(header::AUTHORIZATION)
    {
        return Ok(());
    }
    let Some(sign_in) = &state.auth.sign_in else {
        return Ok(());
    };
    // No cookie, no ambient authority to abuse: the endpoint decides (usually 401).
    let Some(cookie) = cookie(headers, sign_in.cookie.session) else {
        return Ok(());
    };
    if let Some(origin) = headers.get(header::ORIGIN)
        && origin.as_bytes() != origin_of(&sign_in.public_url).as_bytes()
    {
        return Err(AuthError::Csrf);
    }
    let session = sign_in
        .session(&hash(&cookie))
        .await?
        .ok_or(AuthError::SessionExpired)?;
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthError::Csrf)?;
    // Comparing digests: the time taken says nothing about the token.
    if hash(sent) == hash(&session.csrf_token) {
        Ok(())
    } else {
        Err(AuthError::Csrf)
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_a_public_url_drops_its_path() {
        assert_eq!(
            origin_of("https://carto.example.org/kartenn"),
            "https://carto.example.org"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
