//! JSON Web Key Sets (RFC 7517): fetching the issuer's document ([`JwksFetcher`],
//! [`HttpJwksFetcher`]) and keeping the keys that can verify RS256 or ES256 signatures.
//!
//! A key is kept when it has a `kid` and is either RSA (modulus 2048 to 8192 bits, odd, with
//! an odd exponent from 3 to 2^33 - 1, as `ring` requires) or EC on P-256 (`x` and `y` exactly
//! 32 bytes; the point itself is validated by `ring` when a signature is checked). Other types
//! (`oct`, `OKP`, other curves), malformed members, and keys that carry private parts (`d`)
//! are skipped, never fatal; `x5c` and `x5t` are ignored. `use`, `alg` and `key_ops` are kept
//! and checked against the token's algorithm when the key is chosen.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
use serde_json::{Map, Value};

use super::{Algorithm, JwtError};

/// Where the raw JWKS document comes from.
#[async_trait::async_trait]
pub trait JwksFetcher: Send + Sync {
    /// The raw JWKS JSON document.
    async fn fetch(&self) -> Result<Vec<u8>, JwtError>;
}

/// Fetches the JWKS over HTTP(S): `GET` with a timeout for the whole exchange, a size cap, and
/// any non-2xx status an error.
#[derive(Debug, Clone)]
pub struct HttpJwksFetcher {
    client: reqwest::Client,
    jwks_uri: String,
    timeout: Duration,
    max_bytes: usize,
}

impl HttpJwksFetcher {
    /// Default limit for the whole request, body included.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default size cap of the document (Keycloak's is a few KiB).
    pub const DEFAULT_MAX_BYTES: usize = 256 * 1024;

    /// A fetcher for `jwks_uri` through `client` (e.g. from [`crate::upstream::client_builder`]),
    /// with the default timeout and size cap.
    pub fn new(client: reqwest::Client, jwks_uri: impl Into<String>) -> Self {
        Self {
            client,
            jwks_uri: jwks_uri.into(),
            timeout: Self::DEFAULT_TIMEOUT,
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }

    /// The same fetcher with another timeout for the whole request.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same fetcher with another size cap, in bytes.
    #[must_use]
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

#[async_trait::async_trait]
impl JwksFetcher for HttpJwksFetcher {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        let transport = |e: reqwest::Error| JwtError::Jwks(e.to_string());
        let mut response = self
            .client
            .get(&self.jwks_uri)
            .timeout(self.timeout)
            .header(
                reqwest::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(JwtError::JwksStatus(status.as_u16()));
        }
        let cap = u64::try_from(self.max_bytes).unwrap_or(u64::MAX);
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(JwtError::JwksTooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len().saturating_add(chunk.len()) > self.max_bytes {
                return Err(JwtError::JwksTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// Public key material `ring` can verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum KeyMaterial {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// The uncompressed point `0x04 || x || y` on P-256.
    P256 { point: Vec<u8> },
}

/// One usable key of the set.
#[derive(Debug, Clone)]
pub(super) struct Jwk {
    pub(super) material: KeyMaterial,
    /// `use` absent or `sig`, and `key_ops` absent or containing `verify`.
    for_verification: bool,
    /// The JWK's `alg`, when it names one (a non-string `alg` clears `for_verification`).
    alg: Option<String>,
}

impl Jwk {
    /// Whether this key may verify a signature made with `alg`.
    pub(super) fn fits(&self, alg: Algorithm) -> bool {
        let kind = matches!(
            (&self.material, alg),
            (KeyMaterial::Rsa { .. }, Algorithm::Rs256)
                | (KeyMaterial::P256 { .. }, Algorithm::Es256)
        );
        kind && self.for_verification && self.alg.as_deref().is_none_or(|a| a == alg.name())
    }
}

/// The usable keys of one JWKS document, by `kid`.
#[derive(Debug, Default)]
pub(super) struct KeySet {
    by_kid: HashMap<String, Vec<Jwk>>,
    skipped: usize,
}

impl KeySet {
    /// Parses a JWKS document. Only a document that is not a JSON object with a `keys` array
    /// is an error; unusable keys are counted in [`KeySet::skipped`].
    pub(super) fn parse(document: &[u8]) -> Result<Self, JwtError> {
        let document: Map<String, Value> =
            serde_json::from_slice(document).map_err(|_| JwtError::JwksInvalid)?;
        let Some(Value::Array(keys)) = document.get("keys") else {
            return Err(JwtError::JwksInvalid);
        };
        let mut set = Self::default();
        for key in keys {
            match key.as_object().and_then(parse_key) {
                Some((kid, jwk)) => set.by_kid.entry(kid).or_default().push(jwk),
                None => set.skipped += 1,
            }
        }
        Ok(set)
    }

    pub(super) fn contains(&self, kid: &str) -> bool {
        self.by_kid.contains_key(kid)
    }

    /// The usable keys with this `kid` (usually one).
    pub(super) fn candidates(&self, kid: &str) -> &[Jwk] {
        self.by_kid.get(kid).map_or(&[], Vec::as_slice)
    }

    /// How many keys were kept.
    pub(super) fn len(&self) -> usize {
        self.by_kid.values().map(Vec::len).sum()
    }

    /// How many keys of the document were skipped.
    pub(super) fn skipped(&self) -> usize {
        self.skipped
    }
}

/// One JWK, if it is usable: its `kid` and key.
fn parse_key(key: &Map<String, Value>) -> Option<(String, Jwk)> {
    let kid = key.get("kid")?.as_str().filter(|kid| !kid.is_empty())?;
    if key.contains_key("d") {
        // A published private key: anyone could sign with it.
        return None;
    }
    let material = match key.get("kty")?.as_str()? {
        "RSA" => rsa_material(key)?,
        "EC" => p256_material(key)?,
        _ => return None,
    };
    let use_sig = match key.get("use") {
        None => true,
        Some(Value::String(usage)) => usage == "sig",
        Some(_) => false,
    };
    let verify_op = match key.get("key_ops") {
        None => true,
        Some(Value::Array(ops)) => ops.iter().any(|op| op.as_str() == Some("verify")),
        Some(_) => false,
    };
    let (alg, alg_ok) = match key.get("alg") {
        None => (None, true),
        Some(Value::String(alg)) => (Some(alg.clone()), true),
        Some(_) => (None, false),
    };
    Some((
        kid.to_owned(),
        Jwk {
            material,
            for_verification: use_sig && verify_op && alg_ok,
            alg,
        },
    ))
}

/// RSA `n` and `e`, within the bounds `ring` verifies with.
fn rsa_material(key: &Map<String, Value>) -> Option<KeyMaterial> {
    let n = strip_leading_zeros(decode_member(key, "n")?);
    let e = strip_leading_zeros(decode_member(key, "e")?);
    let n_bits = bit_length(&n);
    if !(2048..=8192).contains(&n_bits) || n.last().is_none_or(|low| low & 1 == 0) {
        return None;
    }
    if e.len() > 5 {
        return None;
    }
    let e_value = e.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
    if e_value < 3 || e_value & 1 == 0 || e_value >= 1 << 33 {
        return None;
    }
    Some(KeyMaterial::Rsa { n, e })
}

/// A P-256 point from `x` and `y` (32 bytes each).
fn p256_material(key: &Map<String, Value>) -> Option<KeyMaterial> {
    if key.get("crv")?.as_str()? != "P-256" {
        return None;
    }
    let x = decode_member(key, "x").filter(|x| x.len() == 32)?;
    let y = decode_member(key, "y").filter(|y| y.len() == 32)?;
    let mut point = Vec::with_capacity(65);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Some(KeyMaterial::P256 { point })
}

/// A base64url member (padding tolerated: the document comes from the trusted issuer).
fn decode_member(key: &Map<String, Value>, name: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD_INDIFFERENT
        .decode(key.get(name)?.as_str()?)
        .ok()
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.drain(..zeros);
    bytes
}

/// Bits of a big-endian number without leading zero bytes.
fn bit_length(bytes: &[u8]) -> usize {
    bytes.first().map_or(0, |&high| {
        (bytes.len() - 1) * 8 + (8 - high.leading_zeros() as usize)
    })
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use axum::Router;
    use axum::body::Body;
    use axum::http::StatusCode;
    use axum::routing::get;

    use super::*;

    const DOCUMENT: &str = r#"{"keys":[]}"#;

    /// A local server with `/ok`, `/error`, `/big` (announced length), `/streamed` (no
    /// length) and `/slow`.
    async fn serve() -> SocketAddr {
        let router = Router::new()
            .route("/ok", get(|| async { DOCUMENT }))
            .route(
                "/error",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, DOCUMENT) }),
            )
            .route("/big", get(|| async { vec![b' '; 4096] }))
            .route(
                "/streamed",
                get(|| async {
                    let chunks = (0..8).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024]));
                    Body::from_stream(futures_util::stream::iter(chunks))
                }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    DOCUMENT
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        address
    }

    fn fetcher(address: SocketAddr, path: &str) -> HttpJwksFetcher {
        let client = crate::upstream::client_builder().build().unwrap();
        HttpJwksFetcher::new(client, format!("http://{address}{path}"))
            .with_max_bytes(2048)
            .with_timeout(Duration::from_millis(500))
    }

    #[tokio::test]
    async fn a_200_answer_is_returned_as_is() {
        let address = serve().await;
        let body = fetcher(address, "/ok").fetch().await.unwrap();
        assert_eq!(body, DOCUMENT.as_bytes());
    }

    #[tokio::test]
    async fn a_500_answer_is_an_error_with_its_status() {
        let address = serve().await;
        let error = fetcher(address, "/error").fetch().await.unwrap_err();
        assert_eq!(error, JwtError::JwksStatus(500));
        assert!(error.is_unavailable());
    }

    #[tokio::test]
    async fn an_answer_over_the_cap_is_an_error_whether_announced_or_streamed() {
        let address = serve().await;
        let announced = fetcher(address, "/big").fetch().await.unwrap_err();
        assert_eq!(announced, JwtError::JwksTooLarge);
        let streamed = fetcher(address, "/streamed").fetch().await.unwrap_err();
        assert_eq!(streamed, JwtError::JwksTooLarge);
    }

    #[tokio::test]
    async fn a_slow_answer_times_out_and_an_unreachable_server_fails() {
        let address = serve().await;
        let slow = fetcher(address, "/slow").fetch().await.unwrap_err();
        assert!(matches!(slow, JwtError::Jwks(_)), "{slow:?}");
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed_address = closed.local_addr().unwrap();
        drop(closed);
        let unreachable = fetcher(closed_address, "/ok").fetch().await.unwrap_err();
        assert!(matches!(unreachable, JwtError::Jwks(_)), "{unreachable:?}");
        assert_eq!(unreachable.to_string(), "JWKS request failed");
    }

    #[test]
    fn a_document_without_a_keys_array_is_invalid_but_bad_keys_are_only_skipped() {
        assert_eq!(KeySet::parse(b"[]").unwrap_err(), JwtError::JwksInvalid);
        assert_eq!(KeySet::parse(b"{}").unwrap_err(), JwtError::JwksInvalid);
        assert_eq!(
            KeySet::parse(br#"{"keys":{}}"#).unwrap_err(),
            JwtError::JwksInvalid
        );
        assert_eq!(
            KeySet::parse(b"not json").unwrap_err(),
            JwtError::JwksInvalid
        );
        let set = KeySet::parse(
            br#"{"keys":[1,"x",{"kty":"oct","kid":"h","k":"c2VjcmV0"},{"kty":"RSA","kid":"r"},
            {"kty":"EC","kid":"e","crv":"P-384","x":"AA","y":"AA"},{"kty":"OKP","kid":"o"}]}"#,
        )
        .unwrap();
        assert_eq!((set.len(), set.skipped()), (0, 6));
    }

    #[test]
    fn the_bit_length_counts_from_the_highest_set_bit() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0x7f, 0, 0]), 23);
        assert_eq!(strip_leading_zeros(vec![0, 0, 1, 0]), vec![1, 0]);
    }
}
