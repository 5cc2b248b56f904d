//! `GET /ows/{source}`: the OGC proxy's HTTP edge. The request is checked by [`super::proxy`],
//! sent to the source's endpoint, and the answer streamed back under the size cap — or, for
//! capabilities, filtered to what the caller may see with every URL pointing at Kartenn.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures_util::stream;

use super::OgcError;
use super::capabilities;
use super::catalog::SourceLayers;
use super::proxy::{Expect, Prepared, content_type_allowed, looks_like_exception, prepare};
use super::upstream;
use crate::acl::Principal;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/ows/{source}", get(ows))
}

/// Proxied answers may not run anything on Kartenn's origin, whatever they contain.
const SANDBOX: &str =
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

async fn ows(
    State(state): State<AppState>,
    caller: Caller,
    Path(source): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = uri.query().unwrap_or_default();
    let json_errors = query
        .to_ascii_lowercase()
        .contains("exceptions=application%2fjson")
        || query
            .to_ascii_lowercase()
            .contains("exceptions=application/json");
    match answer(&state, &caller.principal, &source, query, &headers).await {
        Ok(response) => response,
        // What was refused might have been theirs with the session they lost: say so.
        Err(OgcError::LayerNotAvailable(_)) if caller.session_expired => {
            ApiError::from(caller.refusal(String::new)).into_response()
        }
        Err(err) => error_response(&err, json_errors),
    }
}

async fn answer(
    state: &AppState,
    who: &Principal,
    source_id: &str,
    query: &str,
    headers: &HeaderMap,
) -> Result<Response, OgcError> {
    // The sources and the catalogue in force when the request came: an admin change applies
    // from the next request on.
    let sources = state.ogc.sources();
    let catalog = state.ogc.catalog();
    let layers = catalog.source(source_id);
    let prepared = prepare(
        &sources,
        layers,
        &state.acl(),
        who,
        &state.ogc.limits,
        source_id,
        query,
    )?;
    match prepared.expect {
        None => capabilities_answer(state, &prepared, layers, who, headers).await,
        Some(expect) => passthrough(state, &prepared, expect).await,
    }
}

async fn capabilities_answer(
    state: &AppState,
    prepared: &Prepared<'_>,
    layers: Option<&SourceLayers>,
    who: &Principal,
    headers: &HeaderMap,
) -> Result<Response, OgcError> {
    let source = prepared.source;
    let response = upstream::get(&state.ogc.client, source, &prepared.request.params).await?;
    if !response.status().is_success() {
        return Err(OgcError::Upstream(format!(
            "{} capabilities: HTTP {}",
            source.id,
            response.status()
        )));
    }
    let body = upstream::read_capped(response, source).await?;
    let empty = SourceLayers::default();
    let layers = layers.unwrap_or(&empty);
    let acl = state.acl();
    let allowed = |name: &str| super::proxy::visible_in_capabilities(layers, &acl, who, name);
    let proxy_url = format!("{}/ows/{}?", public_base(state, headers), source.id);
    let filtered = capabilities::filter(&body, &allowed, &proxy_url)
        .map_err(|e| OgcError::Upstream(format!("{} capabilities: {e}", source.id)))?;
    // Links the filter leaves alone (schema locations, vendor metadata links) may still name
    // the upstream endpoint: it never leaves Kartenn.
    let text =
        String::from_utf8_lossy(&filtered).replace(&source.url, proxy_url.trim_end_matches('?'));
    Ok(proxied(
        StatusCode::OK,
        "application/xml; charset=utf-8",
        Body::from(text),
    ))
}

async fn passthrough(
    state: &AppState,
    prepared: &Prepared<'_>,
    expect: Expect,
) -> Result<Response, OgcError> {
    let source = prepared.source;
    let mut response = upstream::get(&state.ogc.client, source, &prepared.request.params).await?;
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !status.is_success() {
        return Err(OgcError::Upstream(format!(
            "{} {}: HTTP {status}",
            source.id,
            prepared.request.operation.as_str()
        )));
    }
    let first = upstream::next_chunk(&mut response, source)
        .await?
        .unwrap_or_default();
    if looks_like_exception(expect, &content_type) || is_exception_report(&first) {
        let rest = upstream::read_capped(response, source)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&first).into_owned() + &String::from_utf8_lossy(&rest);
        return Err(OgcError::Upstream(format!(
            "{} {} answered an exception: {}",
            source.id,
            prepared.request.operation.as_str(),
            text.chars().take(2000).collect::<String>()
        )));
    }
    if !content_type_allowed(expect, &content_type) {
        return Err(OgcError::Upstream(format!(
            "{} {} answered content type `{content_type}`",
            source.id,
            prepared.request.operation.as_str()
        )));
    }
    let cap = upstream::cap_bytes(source);
    let source = source.clone();
    let first_len = first.len() as u64;
    let head = stream::once(async move { Ok::<Bytes, std::io::Error>(first) });
    let rest = stream::unfold(
        (response, first_len, false),
        move |(mut response, sent, done)| {
            let source = source.clone();
            async move {
                if done {
                    return None;
                }
                match upstream::next_chunk(&mut response, &source).await {
                    Ok(Some(chunk)) if sent + chunk.len() as u64 > cap => {
                        tracing::warn!(source = %source.id, "answer cut at the size cap");
                        Some((
                            Err(std::io::Error::other("size cap")),
                            (response, sent, true),
                        ))
                    }
                    Ok(Some(chunk)) => {
                        let sent = sent + chunk.len() as u64;
                        Some((Ok(chunk), (response, sent, false)))
                    }
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(source = %source.id, error = %e, "upstream stream failed");
                        Some((
                            Err(std::io::Error::other(e.to_string())),
                            (response, sent, true),
                        ))
                    }
                }
            }
        },
    );
    // Fused: the compression layer may poll again after the end.
    let body = Body::from_stream(futures_util::StreamExt::fuse(
        futures_util::StreamExt::chain(head, rest),
    ));
    Ok(proxied(StatusCode::OK, &content_type, body))
}

/// Whether the start of an answer is an OGC exception report (MapServer sends them with 200).
fn is_exception_report(start: &[u8]) -> bool {
    let head = &start[..start.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    text.contains("ServiceExceptionReport") || text.contains("ExceptionReport")
}

fn proxied(status: StatusCode, content_type: &str, body: Body) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SANDBOX),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    // Answers depend on who asks (capabilities are filtered, layers refused).
    headers.insert(
        header::VARY,
        HeaderValue::from_static("cookie, authorization"),
    );
    response
}

/// `https://host` as the caller reached Kartenn (the configured public URL wins).
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn error_response(err: &OgcError, json: bool) -> Response {
    if let OgcError::Upstream(detail) = err {
        tracing::warn!(error = %detail, "OGC upstream failure");
    }
    if json {
        return ApiError::from(err).into_response();
    }
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_GATEWAY);
    proxied(
        status,
        "application/vnd.ogc.se_xml; charset=utf-8",
        Body::from(err.to_xml()),
    )
}
