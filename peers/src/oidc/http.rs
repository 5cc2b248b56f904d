//! A small HTTP/1.0 client over std::net, usable from sync and async tests alike: GET and form
//! POST, chunked answers, `http://` URLs only, plus the text helpers the provider's pages and
//! tokens need (form encoding, query parameters, base64, unverified JWT decoding).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::tail;

const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(|(key, _)| key == "set-cookie")
            .map(|(_, value)| value.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body).with_context(|| {
            format!(
                "HTTP {} answer is not JSON: {}",
                self.status,
                tail(&self.body, 20)
            )
        })
    }

    /// Itself when the status is 200, else an error with the status and body.
    pub fn ok(self) -> Result<Self> {
        if self.status == 200 {
            Ok(self)
        } else {
            bail!("HTTP {}: {}", self.status, tail(&self.body, 20))
        }
    }
}

/// GET `url` (`http://` only; redirects not followed).
pub fn http_get(url: &str) -> Result<HttpResponse> {
    http_request("GET", url, &[], None)
}

/// GET `url` with extra headers, e.g. `("Authorization", "Bearer …")`.
pub fn http_get_with_headers(url: &str, headers: &[(&str, &str)]) -> Result<HttpResponse> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    http_request("GET", url, &headers, None)
}

/// POST an `application/x-www-form-urlencoded` body, with HTTP Basic credentials if given.
pub fn http_post_form(
    url: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Result<HttpResponse> {
    let mut headers = vec![(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    if let Some((user, password)) = basic {
        let credentials = format!("{}:{}", form_component(user), form_component(password));
        headers.push((
            "Authorization".to_owned(),
            format!("Basic {}", base64_encode(credentials.as_bytes())),
        ));
    }
    http_request("POST", url, &headers, Some(form_encode(form).as_bytes()))
}

pub(super) fn http_request(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<HttpResponse> {
    let (host, port, target) = split_url(url)?;
    let mut stream = TcpStream::connect((host.as_str(), port))
        .with_context(|| format!("connecting to {host}:{port}"))?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
    stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
    let mut request = format!("{method} {target} HTTP/1.0\r\nHost: {host}:{port}\r\n");
    let has_accept = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("accept"));
    if !has_accept {
        request.push_str("Accept: application/json, text/html;q=0.9, */*;q=0.8\r\n");
    }
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    if let Some(body) = body {
        let _ = write!(request, "Content-Length: {}\r\n", body.len());
    }
    request.push_str("\r\n");
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body.unwrap_or_default());
    stream
        .write_all(&bytes)
        .with_context(|| format!("sending {method} {url}"))?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .with_context(|| format!("reading the answer to {method} {url}"))?;
    parse_response(&answer).with_context(|| format!("answer to {method} {url}"))
}

pub(super) fn parse_response(bytes: &[u8]) -> Result<HttpResponse> {
    let end = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .context("no end of headers")?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let raw = &bytes[end + 4..];
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|window| window == b"\r\n")
            .context("truncated chunk size")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .with_context(|| format!("bad chunk size {size_text:?}"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        let chunk = raw.get(..size).context("truncated chunk")?;
        body.extend_from_slice(chunk);
        raw = raw.get(size + 2..).unwrap_or_default();
    }
}

/// `http://host:port/path?query` → (host, port, `/path?query`).
fn split_url(url: &str) -> Result<(String, u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .with_context(|| format!("not an http:// URL: {url}"))?;
    let (authority, target) = match rest.find(['/', '?']) {
        Some(at) if rest[at..].starts_with('/') => (&rest[..at], rest[at..].to_owned()),
        Some(at) => (&rest[..at], format!("/{}", &rest[at..])),
        None => (rest, "/".to_owned()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (
            host,
            port.parse().with_context(|| format!("bad port in {url}"))?,
        ),
        _ => (authority, 80),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        bail!("no host in {url}");
    }
    Ok((host.to_owned(), port, target))
}

/// `scheme://authority` of an absolute URL.
pub(super) fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url, |at| &url[..after_scheme + at])
}

/// `application/x-www-form-urlencoded`.
pub(super) fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", form_component(name), form_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn form_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// The value of query parameter `name` in `url`, percent-decoded.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes
            .get(at + 1..at + 3)
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[at], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                at += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                at += 1;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, byte)| n | (u32::from(*byte) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64url_decode(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => break,
            _ => bail!("not base64url: {:?}", char::from(byte)),
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn jwt_part(token: &str, index: usize) -> Result<Value> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        bail!("not a JWS compact serialization ({} parts)", parts.len());
    }
    let bytes = base64url_decode(parts[index])?;
    serde_json::from_slice(&bytes).context("JWT part is not JSON")
}

/// A JWT's decoded JOSE header (signature not checked).
pub fn jwt_header(token: &str) -> Result<Value> {
    jwt_part(token, 0)
}

/// A JWT's decoded payload (signature not checked).
pub fn jwt_claims(token: &str) -> Result<Value> {
    jwt_part(token, 1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn base64url_round_trips_through_the_standard_alphabet() {
        let decoded = base64url_decode("eyJhbGciOiJSUzI1NiJ9").unwrap();
        assert_eq!(decoded, br#"{"alg":"RS256"}"#);
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert_eq!(
            base64_encode(b"kartenn:kartenn-secret"),
            "a2FydGVubjprYXJ0ZW5uLXNlY3JldA=="
        );
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert!(base64url_decode("a+b").is_err());
    }

    #[test]
    fn forms_are_encoded_and_query_parameters_decoded() {
        let encoded = form_encode(&[
            ("redirect_uri", "http://127.0.0.1:8/cb?a=1"),
            ("scope", "openid profile"),
        ]);
        assert_eq!(
            encoded,
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8%2Fcb%3Fa%3D1&scope=openid+profile"
        );
        let url = "http://127.0.0.1:9/cb?code=a%2Fb+c&state=xyz&iss=http%3A%2F%2Fh#frag";
        assert_eq!(query_param(url, "code").as_deref(), Some("a/b c"));
        assert_eq!(query_param(url, "state").as_deref(), Some("xyz"));
        assert_eq!(query_param(url, "iss").as_deref(), Some("http://h"));
        assert_eq!(query_param(url, "nope"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn urls_split_into_host_port_and_target() {
        assert_eq!(
            split_url("http://127.0.0.1:8080/realms/indigeo?x=1").unwrap(),
            (
                "127.0.0.1".to_owned(),
                8080,
                "/realms/indigeo?x=1".to_owned()
            )
        );
        assert_eq!(
            split_url("http://localhost?x").unwrap(),
            ("localhost".to_owned(), 80, "/?x".to_owned())
        );
        assert_eq!(split_url("http://[::1]:81/").unwrap().0, "::1");
        assert!(split_url("https://example.org/").is_err());
        assert_eq!(origin("http://127.0.0.1:8/a/b?c"), "http://127.0.0.1:8");
        assert_eq!(origin("http://127.0.0.1:8"), "http://127.0.0.1:8");
    }

    #[test]
    fn responses_are_parsed_plain_and_chunked() {
        let plain = parse_response(b"HTTP/1.1 303 See Other\r\nLocation: /x\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nbody").unwrap();
        assert_eq!(plain.status, 303);
        assert_eq!(plain.header("LOCATION"), Some("/x"));
        assert_eq!(plain.set_cookies().collect::<Vec<_>>(), ["a=1", "b=2"]);
        assert_eq!(plain.body, "body");
        let chunked = parse_response(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.json().unwrap(), json!({"a": 1}));
    }
}
