//! Client of the Kartenn API: one request helper that turns HTTP statuses and the backend's
//! JSON error body into a typed error, and one function per endpoint; OGC requests through the
//! proxy (GetFeatureInfo, WFS pages), their failures said in words.

use std::fmt;

use gloo::net::http::Request;
use kartenn_common::{ApiErrorBody, Catalog, ClientConfig};
use serde::de::DeserializeOwned;

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

async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    let status = response.status();
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|e| ApiFailure::Network(e.to_string()));
    }
    match response.json::<ApiErrorBody>().await {
        Ok(body) => Err(ApiFailure::Api { status, body }),
        Err(_) => Err(ApiFailure::Http { status }),
    }
}

pub async fn config() -> Result<ClientConfig, ApiFailure> {
    get_json("/api/config").await
}

pub async fn catalog() -> Result<Catalog, ApiFailure> {
    get_json("/api/catalog").await
}

/// Fetches one vector tile: `Ok(None)` when the server has no data there (204).
pub async fn tile(url: &str, signal: &web_sys::AbortSignal) -> Result<Option<Vec<u8>>, ApiFailure> {
    let response = Request::get(url)
        .abort_signal(Some(signal))
        .send()
        .await
        .map_err(|e| ApiFailure::Network(e.to_string()))?;
    match response.status() {
        204 => Ok(None),
        200 => response
            .binary()
            .await
            .map(Some)
            .map_err(|e| ApiFailure::Network(e.to_string())),
        status => Err(ApiFailure::Http { status }),
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
