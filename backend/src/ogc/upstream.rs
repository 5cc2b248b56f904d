//! Calls to an upstream OGC server: always `{source url}?{checked parameters}` (no other path
//! is ever built), with the source's service account and timeout, never the caller's headers;
//! answers read under a size cap.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::OgcError;
use super::kvp::encode;
use crate::config::SourceConfig;

/// The URL of a request: the source's endpoint and the parameters, percent-encoded.
pub fn url(source: &SourceConfig, params: &[(String, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{}?{}", source.url, query.join("&"))
}

/// Sends a GET for `params` to `source`; an answer whose announced length is over the cap is
/// refused before its body is read.
pub async fn get(
    client: &reqwest::Client,
    source: &SourceConfig,
    params: &[(String, String)],
) -> Result<reqwest::Response, OgcError> {
    let mut request = client
        .get(url(source, params))
        .timeout(Duration::from_secs_f64(source.timeout_s));
    if let Some(user) = &source.username {
        request = request.basic_auth(user, source.password.as_ref().map(|p| p.0.as_str()));
    }
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            OgcError::Timeout(source.timeout_s)
        } else {
            OgcError::Upstream(format!("{}: {e}", source.id))
        }
    })?;
    if response
        .content_length()
        .is_some_and(|n| n > cap_bytes(source))
    {
        return Err(OgcError::TooLarge(source.max_response_mb));
    }
    Ok(response)
}

/// The source's answer size limit in bytes.
pub fn cap_bytes(source: &SourceConfig) -> u64 {
    source.max_response_mb.saturating_mul(1024 * 1024)
}

/// Reads a whole answer, failing once it grows over the source's cap.
pub async fn read_capped(
    mut response: reqwest::Response,
    source: &SourceConfig,
) -> Result<Bytes, OgcError> {
    let cap = usize::try_from(cap_bytes(source)).unwrap_or(usize::MAX);
    let mut body = BytesMut::new();
    while let Some(chunk) = next_chunk(&mut response, source).await? {
        if body.len() + chunk.len() > cap {
            return Err(OgcError::TooLarge(source.max_response_mb));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The next piece of a body, with transport errors and timeouts mapped.
pub async fn next_chunk(
    response: &mut reqwest::Response,
    source: &SourceConfig,
) -> Result<Option<Bytes>, OgcError> {
    response.chunk().await.map_err(|e| {
        if e.is_timeout() {
            OgcError::Timeout(source.timeout_s)
        } else {
            OgcError::Upstream(format!("{}: reading the answer: {e}", source.id))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_the_endpoint_and_the_encoded_parameters_only() {
        let source: SourceConfig =
            toml::from_str("id = \"s\"\nurl = \"http://h/geoserver/ows\"\n").unwrap();
        let url = url(
            &source,
            &[
                ("SERVICE".into(), "WMS".into()),
                ("LAYERS".into(), "ws:a,b".into()),
                ("FORMAT".into(), "image/png; mode=8bit".into()),
                ("X".into(), "&evil=1#".into()),
            ],
        );
        assert_eq!(
            url,
            "http://h/geoserver/ows?SERVICE=WMS&LAYERS=ws:a,b&FORMAT=image%2Fpng%3B%20mode%3D8bit&X=%26evil%3D1%23"
        );
    }
}
