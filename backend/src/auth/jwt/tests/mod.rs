//! The forged-token suite: tokens are built and signed here with `ring` (RSA keys from
//! `jwt/testdata/`, P-256 keys generated per test) and checked against an in-memory JWKS that
//! counts its fetches and can change its keys.
//!
//! This module holds the fixtures (signers, [`MemoryJwks`], the configuration, the assertions);
//! the tests are filed by theme: [`verifier`] (accepted tokens, configuration, error texts),
//! [`forgeries`] (algorithms and tampered signatures), [`claims`], [`keys`] (JWKS, rotation,
//! refresh pacing, unusable keys) and [`structure`] (compact serialisation and header).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair as _,
    RSA_PKCS1_SHA256, RsaEncoding, RsaKeyPair, RsaPublicKeyComponents,
};
use serde_json::{Value, json};

use super::*;

mod claims;
mod forgeries;
mod keys;
mod structure;
mod verifier;

const ISSUER: &str = "https://sso.example.org/realms/kartenn";
const AUDIENCE: &str = "kartenn";
const SUBJECT: &str = "5b0c5d34-6f7e-4c1a-9d0e-1f2a3b4c5d6e";
/// The verification time of most tests (seconds since the epoch).
const NOW: u64 = 1_750_000_000;

static RSA_A: LazyLock<RsaSigner> =
    LazyLock::new(|| RsaSigner::load("rsa-a", include_bytes!("../testdata/rsa2048_a.pk8.der")));
static RSA_B: LazyLock<RsaSigner> =
    LazyLock::new(|| RsaSigner::load("rsa-b", include_bytes!("../testdata/rsa2048_b.pk8.der")));

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `base64url(header).base64url(claims)`.
fn signing_input(header: &Value, claims: &Value) -> String {
    format!("{}.{}", b64(header.to_string()), b64(claims.to_string()))
}

struct RsaSigner {
    kid: &'static str,
    pair: RsaKeyPair,
}

impl RsaSigner {
    fn load(kid: &'static str, pkcs8: &[u8]) -> Self {
        Self {
            kid,
            pair: RsaKeyPair::from_pkcs8(pkcs8).unwrap(),
        }
    }

    fn components(&self) -> RsaPublicKeyComponents<Vec<u8>> {
        RsaPublicKeyComponents::from(self.pair.public())
    }

    fn jwk(&self) -> Value {
        let RsaPublicKeyComponents { n, e } = self.components();
        json!({"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256", "n": b64(n), "e": b64(e)})
    }

    fn sign_with(&self, padding: &'static dyn RsaEncoding, input: &str) -> String {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                padding,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .unwrap();
        format!("{input}.{}", b64(signature))
    }

    fn token_with(&self, header: &Value, claims: &Value) -> String {
        self.sign_with(&RSA_PKCS1_SHA256, &signing_input(header, claims))
    }

    /// A valid RS256 access token with these claims.
    fn token(&self, claims: &Value) -> String {
        self.token_with(&header("RS256", self.kid), claims)
    }
}

struct EcSigner {
    kid: &'static str,
    pair: EcdsaKeyPair,
}

impl EcSigner {
    fn generate(kid: &'static str) -> Self {
        Self::generate_for(kid, &ECDSA_P256_SHA256_FIXED_SIGNING)
    }

    fn generate_for(kid: &'static str, alg: &'static EcdsaSigningAlgorithm) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        Self {
            kid,
            pair: EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap(),
        }
    }

    fn jwk(&self) -> Value {
        let point = self.pair.public_key().as_ref();
        assert_eq!((point.len(), point[0]), (65, 0x04));
        json!({"kty": "EC", "kid": self.kid, "use": "sig", "alg": "ES256", "crv": "P-256",
               "x": b64(&point[1..33]), "y": b64(&point[33..])})
    }

    fn token_with(&self, header: &Value, claims: &Value) -> String {
        let input = signing_input(header, claims);
        let signature = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64(signature))
    }

    fn token(&self, claims: &Value) -> String {
        self.token_with(&header("ES256", self.kid), claims)
    }
}

fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "typ": "JWT", "kid": kid})
}

/// A Keycloak access token's claims, valid at [`NOW`].
fn access_claims() -> Value {
    json!({
        "exp": NOW + 300,
        "iat": NOW - 10,
        "jti": "onrtac:3c5a8f2e-0d4b-4a43-b4b1-1c9a2f4e8d77",
        "iss": ISSUER,
        "aud": [AUDIENCE, "account"],
        "sub": SUBJECT,
        "typ": "Bearer",
        "azp": "kartenn-web",
        "sid": "b7d1b0d6-2f7e-4a0c-8a5e-9d3c1e2f4a6b",
        "scope": "openid profile email",
        "realm_access": {"roles": ["offline_access", "kartenn-editor"]},
        "preferred_username": "ada"
    })
}

/// `claims` with `name` set to `value`.
fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

/// `claims` without `name`.
fn without(mut claims: Value, name: &str) -> Value {
    if let Some(object) = claims.as_object_mut() {
        object.remove(name);
    }
    claims
}

fn jwks(keys: &[Value]) -> Value {
    json!({ "keys": keys })
}

/// An in-memory JWKS that counts fetches, can change its document and can fail.
struct MemoryJwks {
    document: Mutex<Vec<u8>>,
    fetches: AtomicUsize,
    failing: AtomicBool,
    delay: Duration,
}

impl MemoryJwks {
    fn new(document: &Value) -> Arc<Self> {
        Self::slow(document, Duration::ZERO)
    }

    fn slow(document: &Value, delay: Duration) -> Arc<Self> {
        Arc::new(Self {
            document: Mutex::new(document.to_string().into_bytes()),
            fetches: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            delay,
        })
    }

    fn set(&self, document: &Value) {
        *self.document.lock().unwrap() = document.to_string().into_bytes();
    }

    fn set_raw(&self, document: &[u8]) {
        *self.document.lock().unwrap() = document.to_vec();
    }

    fn fail(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl JwksFetcher for MemoryJwks {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if self.failing.load(Ordering::SeqCst) {
            return Err(JwtError::JwksStatus(502));
        }
        Ok(self.document.lock().unwrap().clone())
    }
}

fn config() -> VerifierConfig {
    VerifierConfig::new(
        ISSUER,
        format!("{ISSUER}/protocol/openid-connect/certs"),
        vec![AUDIENCE.to_owned()],
    )
}

fn verifier_with(config: VerifierConfig, fetcher: &Arc<MemoryJwks>) -> JwtVerifier {
    JwtVerifier::new(config, fetcher.clone())
}

/// The usual setup: keys A, B (RSA) and an EC key, default configuration.
struct Setup {
    verifier: JwtVerifier,
    jwks: Arc<MemoryJwks>,
    ec: EcSigner,
}

fn setup() -> Setup {
    setup_with(config())
}

fn setup_with(config: VerifierConfig) -> Setup {
    let ec = EcSigner::generate("ec-1");
    let jwks = MemoryJwks::new(&jwks(&[RSA_A.jwk(), RSA_B.jwk(), ec.jwk()]));
    Setup {
        verifier: verifier_with(config, &jwks),
        jwks,
        ec,
    }
}

/// Asserts that `token` is refused with `expected` at [`NOW`], and that the message repeats
/// nothing from the token.
async fn assert_refused(verifier: &JwtVerifier, token: &str, expected: JwtError) {
    let error = verifier.verify_at(token, now()).await.unwrap_err();
    assert_eq!(error, expected, "token {token}");
    assert_says_nothing_of(&error, token);
}

/// The message contains neither the token nor any of its segments, header values or claim
/// values (member names such as `exp` may of course appear; values shorter than 8 characters
/// are left out so that words of the fixed texts do not count).
fn assert_says_nothing_of(error: &JwtError, token: &str) {
    let text = error.to_string();
    let mut secrets: Vec<String> = vec![token.to_owned()];
    for segment in token.split('.') {
        secrets.push(segment.to_owned());
        if let Ok(json) = URL_SAFE_NO_PAD.decode(segment)
            && let Ok(value) = serde_json::from_slice::<Value>(&json)
        {
            collect_values(&value, &mut secrets);
        }
    }
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !text.contains(secret.as_str()),
            "{text:?} repeats {secret:?}"
        );
    }
}

fn collect_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| collect_values(v, out)),
        Value::Object(members) => members.values().for_each(|v| collect_values(v, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

async fn accepted(verifier: &JwtVerifier, token: &str) -> VerifiedToken {
    match verifier.verify_at(token, now()).await {
        Ok(verified) => verified,
        Err(e) => panic!("refused with {e:?}: {token}"),
    }
}
