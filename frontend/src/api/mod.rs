//! Client of the Kartenn API: one request helper that turns HTTP statuses and the backend's
//! JSON error body into a typed error, and one function per endpoint; OGC requests through the
//! proxy (GetFeatureInfo, WFS pages), their failures said in words.
//!
//! Every failed answer read here goes through [`notice_failure`]: when the backend says the
//! session cookie is no longer valid (401, code `session_expired`), it dispatches
//! [`SESSION_EXPIRED_EVENT`] on `window`, which the application listens to. Requests are
//! same-origin, so the session cookie goes with each of them.

pub mod admin;
pub mod admin_catalog;
pub mod admin_roles;
pub mod chronicles;
pub mod maps;

use std::fmt;

use gloo::net::http::{Request, RequestBuilder, Response};
use kartenn_common::{ApiErrorBody, Catalog, ClientConfig, ErrorCode, LogoutRedirect, Me};
use serde::de::DeserializeOwned;
use web_sys::RequestCredentials;

/// DOM event dispatched on `window` when a request finds the session expired.
pub const SESSION_EXPIRED_EVENT: &str = "kartenn-session-expired";

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server answered with its JSON error body.
    Api { status: u16, body: ApiErrorBody },
    /// The server answered something else than expected.
    Http { status: u16 },
    /// The request did not complete (network, CORS, aborted) or the body was unreadable.
    Network(String),
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiFailure::Api { status, body } => write!(f, "{} (HTTP {status})", body.message),
            ApiFailure::Http { status } => write!(f, "HTTP {status}"),
            ApiFailure::Network(reason) => f.write_str(reason),
        }
    }
}

/// Whether an error answer means "your session has expired, sign in again".
fn session_expired(status: u16, body: &ApiErrorBody) -> bool {
    status == 401 && body.code == ErrorCode::SessionExpired
}

/// The backend's JSON error body, if a failed answer's text is one.
fn error_body(text: &str) -> Option<ApiErrorBody> {
    serde_json::from_str(text).ok()
}

/// Tells the application (through a DOM event) that the session has expired.
fn announce_session_expired() {
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::Event::new(SESSION_EXPIRED_EVENT),
    ) {
        // The event is only a notification: nobody listening is not an error.
        let _ = window.dispatch_event(&event);
    }
}

/// Looks at a failed answer's status and text: announces an expired session.
fn notice_failure(status: u16, text: &str) -> Option<ApiErrorBody> {
    let body = error_body(text)?;
    if session_expired(status, &body) {
        announce_session_expired();
    }
    Some(body)
}

/// The typed error of a failed answer (after [`notice_failure`]). Every fetch of the viewer's
/// data should turn its failed answers into errors here.
pub(crate) async fn failure(response: Response) -> ApiFailure {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    match notice_failure(status, &text) {
        Some(body) => ApiFailure::Api { status, body },
        None => ApiFailure::Http { status },
    }
}

fn network(error: impl fmt::Display) -> ApiFailure {
    ApiFailure::Network(error.to_string())
}

/// Sends a request: the response if it says OK, else what went wrong.
pub(crate) async fn answer(request: Request) -> Result<Response, ApiFailure> {
    let response = request.send().await.map_err(network)?;
    if response.ok() {
        Ok(response)
    } else {
        Err(failure(response).await)
    }
}

/// Sends a request and reads its JSON answer.
pub(crate) async fn send<T: DeserializeOwned>(request: Request) -> Result<T, ApiFailure> {
    answer(request).await?.json().await.map_err(network)
}

/// Builds and sends a request and reads its JSON answer.
async fn send_json<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ApiFailure> {
    send(request.build().map_err(network)?).await
}

/// A state-changing request with the session's CSRF token (if it has one).
pub(crate) fn guarded(request: RequestBuilder, csrf: Option<&str>) -> RequestBuilder {
    let request = request.credentials(RequestCredentials::SameOrigin);
    match csrf {
        Some(token) => request.header("X-CSRF-Token", token),
        None => request,
    }
}

pub(crate) async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    send_json(Request::get(url)).await
}

pub use kartenn_common::admin::etag;

/// POSTs `body` as JSON (with the CSRF token) and reads the JSON answer.
pub(crate) async fn post_json<T: DeserializeOwned>(
    url: &str,
    body: &impl serde::Serialize,
    csrf: Option<&str>,
) -> Result<T, ApiFailure> {
    let request = guarded(Request::post(url), csrf)
        .json(body)
        .map_err(network)?;
    send(request).await
}

/// PUTs `body` as JSON in place of the object read with `etag`, and reads the JSON answer.
pub(crate) async fn put_json<T: DeserializeOwned>(
    url: &str,
    etag: &str,
    body: &impl serde::Serialize,
    csrf: Option<&str>,
) -> Result<T, ApiFailure> {
    let request = guarded(Request::put(url), csrf)
        .header("If-Match", etag)
        .json(body)
        .map_err(network)?;
    send(request).await
}

/// DELETEs the object read with `etag`.
fn delete_request(url: &str, etag: &str, csrf: Option<&str>) -> Result<Request, ApiFailure> {
    guarded(Request::delete(url), csrf)
        .header("If-Match", etag)
        .build()
        .map_err(network)
}

/// DELETEs the object read with `etag`; the answer's body is not read.
pub(crate) async fn delete_versioned(
    url: &str,
    etag: &str,
    csrf: Option<&str>,
) -> Result<(), ApiFailure> {
    answer(delete_request(url, etag, csrf)?).await.map(drop)
}

/// DELETEs the object read with `etag` and reads the JSON answer.
pub(crate) async fn delete_json<T: DeserializeOwned>(
    url: &str,
    etag: &str,
    csrf: Option<&str>,
) -> Result<T, ApiFailure> {
    send(delete_request(url, etag, csrf)?).await
}

pub async fn config() -> Result<ClientConfig, ApiFailure> {
    get_json("/api/config").await
}

pub async fn catalog() -> Result<Catalog, ApiFailure> {
    get_json("/api/catalog").await
}

/// Who the viewer is talking as (`GET /api/me`).
pub async fn me() -> Result<Me, ApiFailure> {
    get_json("/api/me").await
}

/// Ends the session (`POST` to `Me.logout_url` with its CSRF token): where the browser goes
/// next.
pub async fn logout(
    logout_url: &str,
    csrf_token: Option<&str>,
) -> Result<LogoutRedirect, ApiFailure> {
    send_json(guarded(Request::post(logout_url), csrf_token)).await
}

/// The address that signs in and comes back to `return_to` (path, query and hash of the page):
/// `login_url` with `return_to` added to its query, percent-encoded.
pub fn sign_in_href(login_url: &str, return_to: &str) -> String {
    let separator = if login_url.contains('?') { '&' } else { '?' };
    format!(
        "{login_url}{separator}return_to={}",
        encode_component(return_to)
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters (UTF-8 bytes), as a query
/// value needs.
pub(crate) fn encode_component(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}

/// Fetches one vector tile: `Ok(None)` when the server has no data there (204).
pub async fn tile(url: &str, signal: &web_sys::AbortSignal) -> Result<Option<Vec<u8>>, ApiFailure> {
    let response = Request::get(url)
        .abort_signal(Some(signal))
        .send()
        .await
        .map_err(network)?;
    match response.status() {
        204 => Ok(None),
        200 => response.binary().await.map(Some).map_err(network),
        _ => Err(failure(response).await),
    }
}

/// Sends a GET that may be aborted; the body as text, or why it failed (the proxy's JSON error
/// message, an OGC exception report's text, or the status).
async fn ogc_text(url: &str, signal: &web_sys::AbortSignal) -> Result<String, String> {
    let response = Request::get(url)
        .abort_signal(Some(signal))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.map_err(|e| e.to_string())?;
    if response.ok() {
        return Ok(body);
    }
    notice_failure(status, &body);
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|doc| kartenn_engine::identify::error_message(&doc))
        .or_else(|| kartenn_engine::identify::exception_text(&body));
    Err(message.map_or_else(
        || format!("HTTP {status}"),
        |m| format!("{m} (HTTP {status})"),
    ))
}

/// A GetFeatureInfo through the proxy: each feature's attributes as text.
pub async fn feature_info(
    url: &str,
    signal: &web_sys::AbortSignal,
) -> Result<Vec<kartenn_engine::identify::Attributes>, String> {
    let body = ogc_text(url, signal).await?;
    kartenn_engine::identify::parse_feature_info(&body)
}

/// A WFS GetFeature answer in GeoJSON.
pub async fn features(
    url: &str,
    signal: &web_sys::AbortSignal,
) -> Result<serde_json::Value, String> {
    let body = ogc_text(url, signal).await?;
    serde_json::from_str(&body).map_err(|_| {
        kartenn_engine::identify::exception_text(&body)
            .unwrap_or_else(|| "the answer is not GeoJSON".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a failed answer (status, text) is recognised as an expired session.
    fn expired(status: u16, text: &str) -> bool {
        error_body(text).is_some_and(|body| session_expired(status, &body))
    }

    #[test]
    fn a_401_with_code_session_expired_means_the_session_expired() {
        assert!(expired(
            401,
            r#"{"code":"session_expired","message":"sign in again"}"#
        ));
    }

    #[test]
    fn a_401_with_another_code_is_not_an_expired_session() {
        assert!(!expired(
            401,
            r#"{"code":"unauthorized","message":"sign in"}"#
        ));
    }

    #[test]
    fn the_session_expired_code_with_another_status_is_not_an_expired_session() {
        assert!(!expired(403, r#"{"code":"session_expired","message":"x"}"#));
    }

    #[test]
    fn an_answer_that_is_not_the_json_error_body_is_not_an_expired_session() {
        let report = "<ServiceExceptionReport><ServiceException>no</ServiceException>\
                      </ServiceExceptionReport>";
        assert_eq!(error_body(report), None);
        assert!(!expired(401, report));
        assert!(!expired(401, ""));
    }

    #[test]
    fn the_sign_in_address_carries_the_current_path_query_and_hash_encoded() {
        assert_eq!(
            sign_in_href("/auth/login", "/?layers=a,b&t=2024-01-01T00:00Z#map"),
            "/auth/login?return_to=%2F%3Flayers%3Da%2Cb%26t%3D2024-01-01T00%3A00Z%23map"
        );
    }

    #[test]
    fn a_sign_in_address_with_a_query_gets_return_to_after_an_ampersand() {
        assert_eq!(
            sign_in_href("/auth/login?prompt=login", "/"),
            "/auth/login?prompt=login&return_to=%2F"
        );
    }

    #[test]
    fn non_ascii_and_reserved_characters_of_the_path_are_percent_encoded_as_utf8() {
        assert_eq!(
            sign_in_href("/auth/login", "/carte/Brest é+ ~x"),
            "/auth/login?return_to=%2Fcarte%2FBrest%20%C3%A9%2B%20~x"
        );
    }
}
