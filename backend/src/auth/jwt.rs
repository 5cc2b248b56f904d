//! Bearer JWT verification for API clients: Keycloak access tokens (`Authorization: Bearer
//! <JWT>`) checked here, explicitly, with `ring`.
//!
//! Everything is denied unless it passes every rule:
//!
//! - structure: at most [`MAX_TOKEN_BYTES`], exactly three non-empty base64url segments (strict
//!   alphabet, no padding), header and payload JSON objects without duplicate member names;
//! - header: `alg` is `RS256` or `ES256` (nothing else, never `none` nor HMAC), no `crit`, a
//!   `kid`, and `typ` (if present) `JWT` or `at+jwt`;
//! - key: only from the configured issuer's JWKS, chosen by `kid`, and fit for the algorithm
//!   (see [`jwks`]); the signature is checked with `ring` before any claim is read;
//! - claims: `iss` byte for byte, `exp` (required), `nbf` and `iat` with the configured leeway,
//!   the audience (`aud` or `azp`), `sub` (required), and an access-token marker (payload
//!   `typ: "Bearer"` as Keycloak writes it, or header `typ: at+jwt` as in RFC 9068).
//!
//! Error messages are fixed texts: they never repeat the token, its header or its claims, so
//! they may go to logs and JSON error bodies.

mod jwks;
#[cfg(test)]
mod tests;

pub use jwks::{HttpJwksFetcher, JwksFetcher};

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::{Map, Value};

use jwks::{KeyMaterial, KeySet};

/// Longest accepted token, in bytes (checked before anything is decoded).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Default clock skew allowed for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// Default age after which the key set is fetched again.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(600);
/// Default shortest time between two JWKS fetches caused by unknown key ids.
pub const DEFAULT_MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// What a token must match: the issuer, where its keys are, who it is for.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// Compared byte for byte with the `iss` claim (e.g. `https://sso.example.org/realms/x`).
    pub issuer: String,
    /// The issuer's JWKS address (Keycloak: `<issuer>/protocol/openid-connect/certs`).
    pub jwks_uri: String,
    /// A token is accepted when its `aud` (string or array) contains one of these, or its `azp`
    /// equals one. Empty: no token is accepted.
    pub audiences: Vec<String>,
    /// Clock skew allowed for `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    /// Shortest time between two JWKS fetch attempts caused by unknown key ids.
    pub min_refresh_interval: Duration,
    /// A key set older than this is fetched again at the next use (so a key the issuer
    /// withdrew stops working even if no token names a new key); the old set is used while
    /// the issuer does not answer.
    pub max_age: Duration,
}

impl VerifierConfig {
    /// A configuration with the default leeway (60 s) and refresh interval (30 s).
    pub fn new(
        issuer: impl Into<String>,
        jwks_uri: impl Into<String>,
        audiences: Vec<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            jwks_uri: jwks_uri.into(),
            audiences,
            leeway: DEFAULT_LEEWAY,
            min_refresh_interval: DEFAULT_MIN_REFRESH_INTERVAL,
            max_age: DEFAULT_MAX_AGE,
        }
    }
}

/// A token that passed every check.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The whole payload.
    pub claims: Map<String, Value>,
    /// The `exp` claim (without leeway).
    pub expires_at: SystemTime,
    /// The `sub` claim.
    pub subject: String,
}

/// Why a token was refused, or why no key set could be loaded. The texts are fixed: they never
/// contain the token, its header or its claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Longer than [`MAX_TOKEN_BYTES`].
    #[error("bearer token too large")]
    TooLarge,
    /// Not exactly three non-empty dot-separated segments.
    #[error("bearer token is not a compact JWS (three non-empty segments expected)")]
    Malformed,
    /// A segment is not unpadded base64url.
    #[error("bearer token segment is not valid base64url")]
    InvalidBase64,
    /// The header is not a JSON object (or repeats a member name).
    #[error("bearer token header is not a valid JSON object")]
    InvalidHeader,
    /// The payload is not a JSON object (or repeats a member name).
    #[error("bearer token payload is not a valid JSON object")]
    InvalidPayload,
    /// `alg` is missing or not RS256/ES256.
    #[error("bearer token algorithm not supported")]
    UnsupportedAlgorithm,
    /// The header has a `crit` member.
    #[error("bearer token has critical header parameters")]
    CriticalHeader,
    /// The header has no (string) `kid`.
    #[error("bearer token has no key id")]
    MissingKeyId,
    /// The header `typ` is neither `JWT` nor `at+jwt`.
    #[error("bearer token header type not supported")]
    UnsupportedType,
    /// No key with this `kid` in the issuer's key set, even after a refresh.
    #[error("bearer token signed with an unknown key")]
    UnknownKey,
    /// The key with this `kid` does not allow this algorithm (type, `use`, `alg`, `key_ops`).
    #[error("bearer token key not usable for its algorithm")]
    KeyNotUsable,
    /// The signature does not verify.
    #[error("bearer token signature is invalid")]
    BadSignature,
    /// `iss` is not the configured issuer.
    #[error("bearer token issuer not accepted")]
    WrongIssuer,
    /// `exp` is missing or not a number.
    #[error("bearer token has no valid expiry")]
    MissingExpiry,
    /// `exp` (plus leeway) is in the past.
    #[error("bearer token expired")]
    Expired,
    /// `nbf` (minus leeway) is in the future.
    #[error("bearer token not valid yet")]
    NotYetValid,
    /// `iat` (minus leeway) is in the future.
    #[error("bearer token issued in the future")]
    IssuedInFuture,
    /// A registered claim (`nbf`, `iat`, `aud`, `azp`) has the wrong JSON type, or `exp` is
    /// beyond any representable time.
    #[error("bearer token has a malformed claim")]
    MalformedClaim,
    /// Neither `aud` nor `azp` names a configured audience.
    #[error("bearer token audience not accepted")]
    WrongAudience,
    /// `sub` is missing, empty or not a string.
    #[error("bearer token has no subject")]
    MissingSubject,
    /// An ID token, a refresh token, or a token without an access-token marker.
    #[error("bearer token is not an access token")]
    NotAnAccessToken,
    /// No key set could be loaded from the issuer (the fetch failed and none was loaded before).
    #[error("token signing keys unavailable")]
    JwksUnavailable,
    /// The JWKS request failed (connection, TLS, timeout, reading the body, or another key
    /// source's error). The detail is for logs (`Debug`); the message stays fixed.
    #[error("JWKS request failed")]
    Jwks(String),
    /// The JWKS answer had a non-2xx status.
    #[error("JWKS request answered HTTP {0}")]
    JwksStatus(u16),
    /// The JWKS answer exceeded the size cap.
    #[error("JWKS answer too large")]
    JwksTooLarge,
    /// The JWKS answer is not a JSON object with a `keys` array.
    #[error("JWKS answer is not a valid key set")]
    JwksInvalid,
}

impl JwtError {
    /// True when the keys could not be obtained at all (answer 503), false when the token
    /// itself is refused (answer 401). [`JwtVerifier::verify`] reports fetch problems as
    /// [`JwtError::JwksUnavailable`] only when no key set is loaded; with an older set, an
    /// unknown `kid` stays [`JwtError::UnknownKey`].
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::JwksUnavailable
                | Self::Jwks(_)
                | Self::JwksStatus(_)
                | Self::JwksTooLarge
                | Self::JwksInvalid
        )
    }
}

/// The two accepted signature algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Rs256,
    Es256,
}

impl Algorithm {
    fn from_header(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }
}

/// The checked JOSE header.
struct Header {
    alg: Algorithm,
    kid: String,
    /// `typ: at+jwt` (RFC 9068 access token).
    at_jwt: bool,
}

/// A token split and decoded, its payload not parsed yet (that waits for the signature).
struct Compact<'a> {
    signing_input: &'a [u8],
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

/// Verifies bearer JWTs against one issuer. Keys are fetched on first use, cached, and
/// refreshed (at most once per `min_refresh_interval`, one fetch shared by concurrent callers)
/// when a token names an unknown `kid`. Share it in an [`Arc`].
pub struct JwtVerifier {
    config: VerifierConfig,
    fetcher: Arc<dyn JwksFetcher>,
    /// The current key set and when it was loaded; `None` until a fetch succeeded.
    keys: RwLock<Option<(Arc<KeySet>, Instant)>>,
    /// Held while fetching (single flight); the time the last fetch attempt ended.
    refresh: tokio::sync::Mutex<Option<Instant>>,
    /// Bumped each time a key set is loaded (callers caching verdicts compare it).
    generation: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl JwtVerifier {
    /// A verifier for `config`, loading keys through `fetcher` (nothing is fetched yet).
    pub fn new(config: VerifierConfig, fetcher: Arc<dyn JwksFetcher>) -> Self {
        Self {
            config,
            fetcher,
            keys: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Changes whenever a new key set is loaded: a verdict cached under another generation may
    /// rest on a key the issuer has since withdrawn.
    pub fn key_generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The configuration this verifier checks against.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies `token` (the part after `Bearer `) at the current time.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, JwtError> {
        self.verify_at(token, SystemTime::now()).await
    }

    /// Verifies `token` as if the time were `now` (time claims only; JWKS refreshes are paced
    /// with the monotonic clock).
    pub async fn verify_at(&self, token: &str, now: SystemTime) -> Result<VerifiedToken, JwtError> {
        let compact = split(token)?;
        let keys = self.key_set_with(&compact.header.kid).await?;
        let key = keys
            .candidates(&compact.header.kid)
            .iter()
            .find(|key| key.fits(compact.header.alg))
            .ok_or(JwtError::KeyNotUsable)?;
        check_signature(
            &key.material,
            compact.header.alg,
            compact.signing_input,
            &compact.signature,
        )?;
        let claims = parse_object(&compact.payload).ok_or(JwtError::InvalidPayload)?;
        self.check_claims(claims, &compact.header, now)
    }

    /// The current key set, if any.
    fn current(&self) -> Option<Arc<KeySet>> {
        self.keys
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|(keys, _)| keys.clone())
    }

    /// The current key set if it holds `kid` and is younger than `max_age`.
    fn fresh_with(&self, kid: &str) -> Option<Arc<KeySet>> {
        let guard = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        let (keys, loaded) = guard.as_ref()?;
        (keys.contains(kid) && loaded.elapsed() < self.config.max_age).then(|| keys.clone())
    }

    /// A key set holding `kid`: the cached one, or a refreshed one (single flight, paced).
    async fn key_set_with(&self, kid: &str) -> Result<Arc<KeySet>, JwtError> {
        if let Some(keys) = self.fresh_with(kid) {
            return Ok(keys);
        }
        let mut last_attempt = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited for the lock.
        if let Some(keys) = self.fresh_with(kid) {
            return Ok(keys);
        }
        let due = last_attempt.is_none_or(|at| at.elapsed() >= self.config.min_refresh_interval);
        if due {
            let fetched = self.fetch_key_set().await;
            // Recorded once the attempt ended: a caller cancelled mid-fetch delays nobody.
            *last_attempt = Some(Instant::now());
            match fetched {
                Ok(keys) => {
                    tracing::info!(keys = keys.len(), skipped = keys.skipped(), "JWKS loaded");
                    *self.keys.write().unwrap_or_else(PoisonError::into_inner) =
                        Some((Arc::new(keys), Instant::now()));
                    self.generation
                        .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                }
                Err(e) => tracing::warn!(error = ?e, "JWKS not loaded; the previous keys stay"),
            }
        }
        drop(last_attempt);
        match self.current() {
            Some(keys) if keys.contains(kid) => Ok(keys),
            Some(_) => Err(JwtError::UnknownKey),
            None => Err(JwtError::JwksUnavailable),
        }
    }

    async fn fetch_key_set(&self) -> Result<KeySet, JwtError> {
        let document = self.fetcher.fetch().await?;
        KeySet::parse(&document)
    }

    /// The claim rules, applied to a payload whose signature verified.
    fn check_claims(
        &self,
        claims: Map<String, Value>,
        header: &Header,
        now: SystemTime,
    ) -> Result<VerifiedToken, JwtError> {
        match claims.get("iss") {
            Some(Value::String(iss)) if *iss == self.config.issuer => {}
            _ => return Err(JwtError::WrongIssuer),
        }

        let now_s = seconds_since_epoch(now);
        let leeway_s = self.config.leeway.as_secs_f64();
        let exp = claims
            .get("exp")
            .and_then(numeric_date)
            .ok_or(JwtError::MissingExpiry)?;
        if now_s > exp + leeway_s {
            return Err(JwtError::Expired);
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = numeric_date(nbf).ok_or(JwtError::MalformedClaim)?;
            if nbf > now_s + leeway_s {
                return Err(JwtError::NotYetValid);
            }
        }
        if let Some(iat) = claims.get("iat") {
            let iat = numeric_date(iat).ok_or(JwtError::MalformedClaim)?;
            if iat > now_s + leeway_s {
                return Err(JwtError::IssuedInFuture);
            }
        }
        let expires_at = Duration::try_from_secs_f64(exp)
            .ok()
            .and_then(|since| UNIX_EPOCH.checked_add(since))
            .ok_or(JwtError::MalformedClaim)?;

        let access = match claims.get("typ") {
            // Keycloak marks its tokens: "Bearer" (access), "ID", "Refresh", "Logout"...
            Some(Value::String(typ)) => typ == "Bearer",
            Some(_) => false,
            None => header.at_jwt,
        };
        if !access {
            return Err(JwtError::NotAnAccessToken);
        }

        if !self.audience_accepted(&claims)? {
            return Err(JwtError::WrongAudience);
        }

        let subject = match claims.get("sub") {
            Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
            _ => return Err(JwtError::MissingSubject),
        };

        Ok(VerifiedToken {
            claims,
            expires_at,
            subject,
        })
    }

    /// `aud` (string or array of strings) contains a configured audience, or `azp` is one.
    fn audience_accepted(&self, claims: &Map<String, Value>) -> Result<bool, JwtError> {
        let accepted = |name: &str| self.config.audiences.iter().any(|a| a == name);
        let by_aud = match claims.get("aud") {
            None => false,
            Some(Value::String(aud)) => accepted(aud),
            Some(Value::Array(auds)) => {
                let mut found = false;
                for aud in auds {
                    let aud = aud.as_str().ok_or(JwtError::MalformedClaim)?;
                    found |= accepted(aud);
                }
                found
            }
            Some(_) => return Err(JwtError::MalformedClaim),
        };
        let by_azp = match claims.get("azp") {
            None => false,
            Some(Value::String(azp)) => accepted(azp),
            Some(_) => return Err(JwtError::MalformedClaim),
        };
        Ok(by_aud || by_azp)
    }
}

/// Splits and decodes a compact JWS and checks its header; the payload stays raw.
fn split(token: &str) -> Result<Compact<'_>, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLarge);
    }
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::Malformed);
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err(JwtError::Malformed);
    }
    let signing_input = token
        .as_bytes()
        .get(..header.len() + 1 + payload.len())
        .ok_or(JwtError::Malformed)?;
    let header_json = decode_segment(header)?;
    let payload = decode_segment(payload)?;
    let signature = decode_segment(signature)?;
    let header = check_header(&parse_object(&header_json).ok_or(JwtError::InvalidHeader)?)?;
    Ok(Compact {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// Unpadded base64url with the strict alphabet (no `=`, `+`, `/`, whitespace, stray bits).
fn decode_segment(segment: &str) -> Result<Vec<u8>, JwtError> {
    if !segment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(JwtError::InvalidBase64);
    }
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::InvalidBase64)
}

/// The header rules: algorithm, `crit`, `typ`, `kid`.
fn check_header(header: &Map<String, Value>) -> Result<Header, JwtError> {
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(Algorithm::from_header)
        .ok_or(JwtError::UnsupportedAlgorithm)?;
    if header.contains_key("crit") {
        return Err(JwtError::CriticalHeader);
    }
    let at_jwt = match header.get("typ") {
        None => false,
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => false,
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("at+jwt") => true,
        Some(_) => return Err(JwtError::UnsupportedType),
    };
    let kid = match header.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        _ => return Err(JwtError::MissingKeyId),
    };
    Ok(Header { alg, kid, at_jwt })
}

/// Checks the signature with `ring`; the key's type must match the algorithm.
fn check_signature(
    key: &KeyMaterial,
    alg: Algorithm,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), JwtError> {
    let verified =
        match (key, alg) {
            (KeyMaterial::Rsa { n, e }, Algorithm::Rs256) => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, signing_input, signature),
            (KeyMaterial::P256 { point }, Algorithm::Es256) => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                    .verify(signing_input, signature)
            }
            _ => return Err(JwtError::KeyNotUsable),
        };
    verified.map_err(|_| JwtError::BadSignature)
}

/// A NumericDate: a finite JSON number of seconds since the epoch.
fn numeric_date(value: &Value) -> Option<f64> {
    value.as_f64().filter(|s| s.is_finite())
}

/// `now` in seconds since the epoch (negative before it).
fn seconds_since_epoch(now: SystemTime) -> f64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// A JSON object whose member names are unique (RFC 7515 §4: duplicate header parameters are
/// rejected, and the payload gets the same treatment rather than "last one wins").
struct UniqueObject(Map<String, Value>);

impl<'de> Deserialize<'de> for UniqueObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = UniqueObject;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut object = Map::new();
                while let Some(name) = access.next_key::<String>()? {
                    let value = access.next_value::<Value>()?;
                    if object.insert(name, value).is_some() {
                        return Err(A::Error::custom("duplicate member name"));
                    }
                }
                Ok(UniqueObject(object))
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// `bytes` as a JSON object with unique member names.
fn parse_object(bytes: &[u8]) -> Option<Map<String, Value>> {
    serde_json::from_slice::<UniqueObject>(bytes)
        .ok()
        .map(|o| o.0)
}
