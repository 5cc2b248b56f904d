//! The forged-token suite: tokens are built and signed here with `ring` (RSA keys from
//! `testdata/`, P-256 keys generated per test) and checked against an in-memory JWKS that
//! counts its fetches and can change its keys.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm, KeyPair as _, RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RSA_PSS_SHA256, RsaEncoding, RsaKeyPair,
    RsaPublicKeyComponents,
};
use serde_json::{Value, json};

use super::jwks::KeySet;
use super::*;

const ISSUER: &str = "https://sso.example.org/realms/kartenn";
const AUDIENCE: &str = "kartenn";
const SUBJECT: &str = "5b0c5d34-6f7e-4c1a-9d0e-1f2a3b4c5d6e";
/// The verification time of most tests (seconds since the epoch).
const NOW: u64 = 1_750_000_000;

static RSA_A: LazyLock<RsaSigner> =
    LazyLock::new(|| RsaSigner::load("rsa-a", include_bytes!("testdata/rsa2048_a.pk8.der")));
static RSA_B: LazyLock<RsaSigner> =
    LazyLock::new(|| RsaSigner::load("rsa-b", include_bytes!("testdata/rsa2048_b.pk8.der")));

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

// Accepted tokens.

#[tokio::test]
async fn a_valid_rs256_access_token_is_accepted_and_its_claims_returned() {
    let s = setup();
    let claims = access_claims();
    let verified = accepted(&s.verifier, &RSA_A.token(&claims)).await;
    assert_eq!(verified.subject, SUBJECT);
    assert_eq!(
        verified.expires_at,
        UNIX_EPOCH + Duration::from_secs(NOW + 300)
    );
    assert_eq!(Value::Object(verified.claims), claims);
    assert_eq!(s.jwks.fetches(), 1);
    // The keys are cached: a second token fetches nothing.
    accepted(&s.verifier, &RSA_B.token(&claims)).await;
    assert_eq!(s.jwks.fetches(), 1);
}

#[tokio::test]
async fn a_valid_es256_access_token_is_accepted() {
    let s = setup();
    let verified = accepted(&s.verifier, &s.ec.token(&access_claims())).await;
    assert_eq!(verified.subject, SUBJECT);
}

#[tokio::test]
async fn the_audience_may_come_from_azp_alone_or_from_aud_as_a_string() {
    let s = setup();
    let azp_only = with(
        with(access_claims(), "aud", json!("account")),
        "azp",
        json!(AUDIENCE),
    );
    accepted(&s.verifier, &RSA_A.token(&azp_only)).await;
    let no_aud = with(without(access_claims(), "aud"), "azp", json!(AUDIENCE));
    accepted(&s.verifier, &RSA_A.token(&no_aud)).await;
    let aud_string = with(access_claims(), "aud", json!(AUDIENCE));
    accepted(&s.verifier, &RSA_A.token(&aud_string)).await;
}

#[tokio::test]
async fn a_header_typ_at_jwt_marks_an_access_token_without_a_payload_typ() {
    let s = setup();
    let claims = without(access_claims(), "typ");
    for typ in ["at+jwt", "AT+JWT"] {
        let header = json!({"alg": "RS256", "typ": typ, "kid": "rsa-a"});
        accepted(&s.verifier, &RSA_A.token_with(&header, &claims)).await;
    }
}

#[tokio::test]
async fn the_header_typ_may_be_absent_or_jwt_in_any_case() {
    let s = setup();
    let claims = access_claims();
    for header in [
        json!({"alg": "RS256", "kid": "rsa-a"}),
        json!({"alg": "RS256", "kid": "rsa-a", "typ": "jwt"}),
    ] {
        accepted(&s.verifier, &RSA_A.token_with(&header, &claims)).await;
    }
}

#[tokio::test]
async fn a_verifier_is_send_and_sync_and_its_verification_runs_in_spawned_tasks() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<JwtVerifier>();
    let s = setup();
    let verifier = Arc::new(s.verifier);
    let token = RSA_A.token(&access_claims());
    let task = tokio::spawn(async move { verifier.verify_at(&token, now()).await });
    assert_eq!(task.await.unwrap().unwrap().subject, SUBJECT);
}

#[tokio::test]
async fn verify_uses_the_current_time() {
    let s = setup();
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let current = with(
        with(access_claims(), "exp", json!(now_s + 300)),
        "iat",
        json!(now_s),
    );
    assert!(s.verifier.verify(&RSA_A.token(&current)).await.is_ok());
    let error = s
        .verifier
        .verify(&RSA_A.token(&access_claims()))
        .await
        .unwrap_err();
    assert_eq!(error, JwtError::Expired);
}

// Algorithms.

#[tokio::test]
async fn alg_none_is_refused_with_an_empty_or_a_non_empty_signature() {
    let s = setup();
    let claims = access_claims();
    for alg in ["none", "None", "NONE"] {
        let input = signing_input(&header(alg, "rsa-a"), &claims);
        // The empty signature already breaks the three non-empty segments rule.
        assert_refused(&s.verifier, &format!("{input}."), JwtError::Malformed).await;
        let token = format!("{input}.{}", b64(b"signature"));
        assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
        let with_rsa_signature = RSA_A.token_with(&header(alg, "rsa-a"), &claims);
        assert_refused(
            &s.verifier,
            &with_rsa_signature,
            JwtError::UnsupportedAlgorithm,
        )
        .await;
    }
    // Refused before any key was looked up.
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let s = setup();
    let RsaPublicKeyComponents { n, .. } = RSA_A.components();
    let hmac_keys: [Vec<u8>; 5] = [
        RSA_A.pair.public().as_ref().to_vec(), // PKCS#1 RSAPublicKey DER
        include_bytes!("testdata/rsa2048_a.spki.der").to_vec(),
        include_bytes!("testdata/rsa2048_a.pub.pem").to_vec(),
        n,
        RSA_A.jwk().to_string().into_bytes(),
    ];
    for alg in ["HS256", "HS384", "HS512"] {
        let digest = match alg {
            "HS256" => ring::hmac::HMAC_SHA256,
            "HS384" => ring::hmac::HMAC_SHA384,
            _ => ring::hmac::HMAC_SHA512,
        };
        for key in &hmac_keys {
            let input = signing_input(&header(alg, "rsa-a"), &access_claims());
            let tag = ring::hmac::sign(&ring::hmac::Key::new(digest, key), input.as_bytes());
            let token = format!("{input}.{}", b64(tag));
            assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
        }
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn rs512_ps256_and_every_other_algorithm_are_refused() {
    let s = setup();
    let claims = access_claims();
    let rs512 = RSA_A.sign_with(
        &RSA_PKCS1_SHA512,
        &signing_input(&header("RS512", "rsa-a"), &claims),
    );
    assert_refused(&s.verifier, &rs512, JwtError::UnsupportedAlgorithm).await;
    let ps256 = RSA_A.sign_with(
        &RSA_PSS_SHA256,
        &signing_input(&header("PS256", "rsa-a"), &claims),
    );
    assert_refused(&s.verifier, &ps256, JwtError::UnsupportedAlgorithm).await;
    // An RS256 signature presented as PS256 or RS512 is no better.
    for alg in ["PS256", "RS512"] {
        let relabelled = RSA_A.token_with(&header(alg, "rsa-a"), &claims);
        assert_refused(&s.verifier, &relabelled, JwtError::UnsupportedAlgorithm).await;
    }
    for alg in [
        json!("RS384"),
        json!("PS384"),
        json!("PS512"),
        json!("ES384"),
        json!("ES512"),
        json!("ES256K"),
        json!("EdDSA"),
        json!("rs256"),
        json!("RS256 "),
        json!(""),
        json!(256),
        json!(["RS256"]),
        Value::Null,
    ] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "rsa-a"});
        let token = RSA_A.token_with(&header, &claims);
        assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
    }
    let no_alg = RSA_A.token_with(&json!({"typ": "JWT", "kid": "rsa-a"}), &claims);
    assert_refused(&s.verifier, &no_alg, JwtError::UnsupportedAlgorithm).await;
    assert_eq!(s.jwks.fetches(), 0);
}

// Claims.

#[tokio::test]
async fn a_wrong_issuer_is_refused_even_when_only_a_trailing_slash_differs() {
    let s = setup();
    for iss in [
        json!("https://evil.example.org/realms/kartenn"),
        json!(format!("{ISSUER}/")),
        json!(ISSUER.to_uppercase()),
        json!(format!(" {ISSUER}")),
        json!([ISSUER]),
        Value::Null,
    ] {
        let token = RSA_A.token(&with(access_claims(), "iss", iss));
        assert_refused(&s.verifier, &token, JwtError::WrongIssuer).await;
    }
    let token = RSA_A.token(&without(access_claims(), "iss"));
    assert_refused(&s.verifier, &token, JwtError::WrongIssuer).await;
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    let s = setup();
    let elsewhere = with(
        with(access_claims(), "aud", json!(["account", "other"])),
        "azp",
        json!("other"),
    );
    assert_refused(
        &s.verifier,
        &RSA_A.token(&elsewhere),
        JwtError::WrongAudience,
    )
    .await;
    let nowhere = without(without(access_claims(), "aud"), "azp");
    assert_refused(&s.verifier, &RSA_A.token(&nowhere), JwtError::WrongAudience).await;
    let prefix = with(
        with(access_claims(), "aud", json!("kartenn-admin")),
        "azp",
        json!("kartenn-web"),
    );
    assert_refused(&s.verifier, &RSA_A.token(&prefix), JwtError::WrongAudience).await;
    for aud in [json!(7), json!([AUDIENCE, 7]), json!({"aud": AUDIENCE})] {
        let token = RSA_A.token(&with(access_claims(), "aud", aud));
        assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
    }
    let token = RSA_A.token(&with(access_claims(), "azp", json!([AUDIENCE])));
    assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn no_audience_configured_accepts_no_token() {
    let mut config = config();
    config.audiences.clear();
    let s = setup_with(config);
    let token = RSA_A.token(&access_claims());
    assert_refused(&s.verifier, &token, JwtError::WrongAudience).await;
}

#[tokio::test]
async fn an_expired_token_is_refused_just_beyond_the_leeway_and_accepted_just_within() {
    let s = setup();
    let beyond = with(access_claims(), "exp", json!(NOW - 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::Expired).await;
    let within = with(access_claims(), "exp", json!(NOW - 60));
    let verified = accepted(&s.verifier, &RSA_A.token(&within)).await;
    assert_eq!(verified.expires_at, now() - Duration::from_secs(60));
    let fractional = with(access_claims(), "exp", json!(NOW as f64 + 0.5));
    let verified = accepted(&s.verifier, &RSA_A.token(&fractional)).await;
    assert_eq!(verified.expires_at, now() + Duration::from_millis(500));
}

#[tokio::test]
async fn a_token_without_a_numeric_expiry_is_refused() {
    let s = setup();
    let token = RSA_A.token(&without(access_claims(), "exp"));
    assert_refused(&s.verifier, &token, JwtError::MissingExpiry).await;
    for exp in [
        json!((NOW + 300).to_string()),
        Value::Null,
        json!([NOW + 300]),
    ] {
        let token = RSA_A.token(&with(access_claims(), "exp", exp));
        assert_refused(&s.verifier, &token, JwtError::MissingExpiry).await;
    }
    // Beyond any representable time.
    let token = RSA_A.token(&with(access_claims(), "exp", json!(1e300)));
    assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused_beyond_the_leeway() {
    let s = setup();
    let beyond = with(access_claims(), "nbf", json!(NOW + 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::NotYetValid).await;
    let within = with(access_claims(), "nbf", json!(NOW + 60));
    accepted(&s.verifier, &RSA_A.token(&within)).await;
    let text = with(access_claims(), "nbf", json!("soon"));
    assert_refused(&s.verifier, &RSA_A.token(&text), JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused_beyond_the_leeway() {
    let s = setup();
    let beyond = with(access_claims(), "iat", json!(NOW + 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::IssuedInFuture).await;
    let within = with(access_claims(), "iat", json!(NOW + 60));
    accepted(&s.verifier, &RSA_A.token(&within)).await;
    let text = with(access_claims(), "iat", json!("now"));
    assert_refused(&s.verifier, &RSA_A.token(&text), JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn the_leeway_is_configurable() {
    let mut config = config();
    config.leeway = Duration::ZERO;
    let s = setup_with(config);
    let just_expired = with(access_claims(), "exp", json!(NOW - 1));
    assert_refused(&s.verifier, &RSA_A.token(&just_expired), JwtError::Expired).await;
    let at_expiry = with(access_claims(), "exp", json!(NOW));
    accepted(&s.verifier, &RSA_A.token(&at_expiry)).await;
}

#[tokio::test]
async fn a_token_without_a_subject_is_refused() {
    let s = setup();
    let token = RSA_A.token(&without(access_claims(), "sub"));
    assert_refused(&s.verifier, &token, JwtError::MissingSubject).await;
    for sub in [json!(""), json!(42), Value::Null] {
        let token = RSA_A.token(&with(access_claims(), "sub", sub));
        assert_refused(&s.verifier, &token, JwtError::MissingSubject).await;
    }
}

#[tokio::test]
async fn keycloak_id_and_refresh_tokens_are_refused() {
    let s = setup();
    for typ in ["ID", "Refresh", "Offline", "Logout", "bearer", "Bearer "] {
        let token = RSA_A.token(&with(access_claims(), "typ", json!(typ)));
        assert_refused(&s.verifier, &token, JwtError::NotAnAccessToken).await;
    }
    // A realistic ID token: audience is the client, so only the type can tell.
    let id_token = with(
        with(access_claims(), "typ", json!("ID")),
        "aud",
        json!(AUDIENCE),
    );
    assert_refused(
        &s.verifier,
        &RSA_A.token(&id_token),
        JwtError::NotAnAccessToken,
    )
    .await;
    // An at+jwt header does not turn an ID token into an access token.
    let header = json!({"alg": "RS256", "typ": "at+jwt", "kid": "rsa-a"});
    let token = RSA_A.token_with(&header, &id_token);
    assert_refused(&s.verifier, &token, JwtError::NotAnAccessToken).await;
}

#[tokio::test]
async fn a_token_with_no_type_marker_is_refused() {
    let s = setup();
    let untyped = without(access_claims(), "typ");
    assert_refused(
        &s.verifier,
        &RSA_A.token(&untyped),
        JwtError::NotAnAccessToken,
    )
    .await;
    let not_a_string = with(access_claims(), "typ", json!(["Bearer"]));
    assert_refused(
        &s.verifier,
        &RSA_A.token(&not_a_string),
        JwtError::NotAnAccessToken,
    )
    .await;
}

// Signatures and keys.

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let forged = signing_input(
        &header("RS256", "rsa-a"),
        &with(access_claims(), "sub", json!("admin")),
    );
    let signature = token.rsplit('.').next().unwrap();
    assert_refused(
        &s.verifier,
        &format!("{forged}.{signature}"),
        JwtError::BadSignature,
    )
    .await;
    let es = s.ec.token(&access_claims());
    let es_signature = es.rsplit('.').next().unwrap();
    let forged = signing_input(
        &header("ES256", "ec-1"),
        &with(access_claims(), "exp", json!(NOW + 86_400)),
    );
    assert_refused(
        &s.verifier,
        &format!("{forged}.{es_signature}"),
        JwtError::BadSignature,
    )
    .await;
}

#[tokio::test]
async fn a_tampered_header_pointing_to_another_valid_key_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let mut segments = token.split('.');
    let (_, payload, signature) = (
        segments.next().unwrap(),
        segments.next().unwrap(),
        segments.next().unwrap(),
    );
    let forged = format!(
        "{}.{payload}.{signature}",
        b64(header("RS256", "rsa-b").to_string())
    );
    assert_refused(&s.verifier, &forged, JwtError::BadSignature).await;
    // Signed by A but labelled B from the start.
    let mislabelled = RSA_A.token_with(&header("RS256", "rsa-b"), &access_claims());
    assert_refused(&s.verifier, &mislabelled, JwtError::BadSignature).await;
}

#[tokio::test]
async fn broken_signatures_are_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[100] ^= 1;
    let flipped = format!("{input}.{}", b64(&bytes));
    assert_refused(&s.verifier, &flipped, JwtError::BadSignature).await;
    let truncated = format!("{input}.{}", b64(&bytes[..255]));
    assert_refused(&s.verifier, &truncated, JwtError::BadSignature).await;
    let zeros = format!("{input}.{}", b64([0u8; 256]));
    assert_refused(&s.verifier, &zeros, JwtError::BadSignature).await;
    // ES256 signatures are the fixed 64-byte form; the ASN.1 form is refused.
    let asn1 = EcSigner::generate_for("ec-1", &ECDSA_P256_SHA256_ASN1_SIGNING);
    let asn1_keys = jwks(&[asn1.jwk()]);
    let jwks_asn1 = MemoryJwks::new(&asn1_keys);
    let verifier = verifier_with(config(), &jwks_asn1);
    assert_refused(
        &verifier,
        &asn1.token(&access_claims()),
        JwtError::BadSignature,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_kid_costs_one_fetch_then_no_more_within_the_interval() {
    let s = setup();
    let stranger = RSA_A.token_with(&header("RS256", "never-published-1"), &access_claims());
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    let another = RSA_A.token_with(&header("RS256", "never-published-2"), &access_claims());
    assert_refused(&s.verifier, &another, JwtError::UnknownKey).await;
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    // Known keys keep working without fetching.
    accepted(&s.verifier, &RSA_A.token(&access_claims())).await;
    assert_eq!(s.jwks.fetches(), 1);
}

#[tokio::test]
async fn an_unknown_kid_fetches_again_once_the_interval_has_passed() {
    let mut config = config();
    config.min_refresh_interval = Duration::from_millis(300);
    let s = setup_with(config);
    accepted(&s.verifier, &RSA_A.token(&access_claims())).await;
    let stranger = RSA_A.token_with(&header("RS256", "never-published"), &access_claims());
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_a_single_fetch() {
    let fetcher = MemoryJwks::slow(&jwks(&[RSA_A.jwk()]), Duration::from_millis(100));
    let verifier = Arc::new(verifier_with(config(), &fetcher));
    let token = RSA_A.token(&access_claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify_at(&token, now()).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().subject, SUBJECT);
    }
    assert_eq!(fetcher.fetches(), 1);
}

#[tokio::test]
async fn a_rotated_key_set_replaces_the_old_one_after_one_refresh() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    let fetcher = MemoryJwks::new(&jwks(&[RSA_A.jwk()]));
    let verifier = verifier_with(config, &fetcher);
    let old = RSA_A.token(&access_claims());
    let new = RSA_B.token(&access_claims());
    accepted(&verifier, &old).await;
    assert_eq!(fetcher.fetches(), 1);

    fetcher.set(&jwks(&[RSA_B.jwk()]));
    // Still cached until a token names a key the cache does not know.
    accepted(&verifier, &old).await;
    assert_eq!(fetcher.fetches(), 1);
    accepted(&verifier, &new).await;
    assert_eq!(fetcher.fetches(), 2);
    // The refresh replaced the whole set: the removed key no longer verifies anything.
    assert_refused(&verifier, &old, JwtError::UnknownKey).await;
    accepted(&verifier, &new).await;
}

#[tokio::test]
async fn a_key_set_past_its_age_is_fetched_again_and_a_withdrawn_key_stops_working() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    config.max_age = Duration::from_millis(200);
    let fetcher = MemoryJwks::new(&jwks(&[RSA_A.jwk(), RSA_B.jwk()]));
    let verifier = verifier_with(config, &fetcher);
    let a = RSA_A.token(&access_claims());
    accepted(&verifier, &a).await;
    // The issuer withdraws key A; no token names a new key.
    fetcher.set(&jwks(&[RSA_B.jwk()]));
    accepted(&verifier, &a).await;
    assert_eq!(fetcher.fetches(), 1, "young keys are not fetched again");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_refused(&verifier, &a, JwtError::UnknownKey).await;
    assert_eq!(fetcher.fetches(), 2);
    // An old set keeps working while the issuer does not answer.
    tokio::time::sleep(Duration::from_millis(250)).await;
    fetcher.fail(true);
    accepted(&verifier, &RSA_B.token(&access_claims())).await;
    assert_eq!(fetcher.fetches(), 3);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_previous_keys() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    let s = setup_with(config);
    let token = RSA_A.token(&access_claims());
    accepted(&s.verifier, &token).await;
    s.jwks.fail(true);
    let stranger = RSA_A.token_with(&header("RS256", "never-published"), &access_claims());
    let error = s.verifier.verify_at(&stranger, now()).await.unwrap_err();
    assert_eq!(error, JwtError::UnknownKey);
    assert!(!error.is_unavailable());
    assert_eq!(s.jwks.fetches(), 2);
    accepted(&s.verifier, &token).await;
    // A document that is not a key set is a failed fetch too.
    s.jwks.fail(false);
    s.jwks.set_raw(b"<html>maintenance</html>");
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    accepted(&s.verifier, &token).await;
    assert_eq!(s.jwks.fetches(), 3);
}

#[tokio::test]
async fn without_any_key_set_a_failed_fetch_makes_the_verifier_unavailable() {
    let mut config = config();
    config.min_refresh_interval = Duration::from_millis(300);
    let s = setup_with(config);
    s.jwks.fail(true);
    let token = RSA_A.token(&access_claims());
    let error = s.verifier.verify_at(&token, now()).await.unwrap_err();
    assert_eq!(error, JwtError::JwksUnavailable);
    assert!(error.is_unavailable());
    assert_says_nothing_of(&error, &token);
    // Paced like any refresh: no second fetch within the interval.
    assert_refused(&s.verifier, &token, JwtError::JwksUnavailable).await;
    assert_eq!(s.jwks.fetches(), 1);
    s.jwks.fail(false);
    tokio::time::sleep(Duration::from_millis(400)).await;
    accepted(&s.verifier, &token).await;
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test]
async fn a_1024_bit_rsa_key_is_skipped() {
    let pkcs8 = include_bytes!("testdata/rsa1024.pk8.der");
    let (n, e) = rsa_components_from_pkcs8(pkcs8);
    let token = include_str!("testdata/rsa1024_rs256.jwt").trim();
    // The token is genuinely signed by that key (checked with ring's legacy parameters)...
    let (input, signature) = token.rsplit_once('.').unwrap();
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            input.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).unwrap(),
        )
        .unwrap();
    // ...but the key is too short to be kept.
    let small = json!({"kty": "RSA", "kid": "rsa-1024", "use": "sig", "alg": "RS256",
                       "n": b64(&n), "e": b64(&e)});
    let document = jwks(&[small, RSA_A.jwk()]);
    let set = KeySet::parse(document.to_string().as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 1));
    let verifier = verifier_with(config(), &MemoryJwks::new(&document));
    let signed_at = UNIX_EPOCH + Duration::from_secs(1_700_000_100);
    let error = verifier.verify_at(token, signed_at).await.unwrap_err();
    assert_eq!(error, JwtError::UnknownKey);
    assert_says_nothing_of(&error, token);
}

/// `n` and `e` of a PKCS#8 RSA private key (enough DER for the test key).
fn rsa_components_from_pkcs8(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn element(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = input[0];
        let (len, header) = match input[1] {
            short if short < 0x80 => (usize::from(short), 2),
            0x81 => (usize::from(input[2]), 3),
            0x82 => (usize::from(input[2]) << 8 | usize::from(input[3]), 4),
            other => panic!("unexpected DER length form {other:#x}"),
        };
        (tag, &input[header..header + len], &input[header + len..])
    }
    let (_, private_key_info, _) = element(der);
    let (_, _version, rest) = element(private_key_info);
    let (_, _algorithm, rest) = element(rest);
    let (tag, octets, _) = element(rest);
    assert_eq!(tag, 0x04);
    let (_, rsa_private_key, _) = element(octets);
    let (_, _version, rest) = element(rsa_private_key);
    let (_, n, rest) = element(rest);
    let (_, e, _) = element(rest);
    let strip = |b: &[u8]| {
        b.iter()
            .copied()
            .skip_while(|&x| x == 0)
            .collect::<Vec<u8>>()
    };
    (strip(n), strip(e))
}

#[tokio::test]
async fn a_jwk_not_meant_for_verification_is_not_usable() {
    let token = RSA_A.token(&access_claims());
    let restricted = |member: &str, value: Value| {
        let mut jwk = RSA_A.jwk();
        jwk[member] = value;
        jwk
    };
    for jwk in [
        restricted("use", json!("enc")),
        restricted("use", json!(["sig"])),
        restricted("alg", json!("RS512")),
        restricted("alg", json!("RSA-OAEP")),
        restricted("alg", json!(256)),
        restricted("key_ops", json!(["encrypt", "wrapKey"])),
        restricted("key_ops", json!("verify")),
    ] {
        let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
        assert_refused(&verifier, &token, JwtError::KeyNotUsable).await;
    }
    // Without the optional members, or with key_ops allowing verification, the key works.
    let mut bare = RSA_A.jwk();
    for member in ["use", "alg"] {
        bare.as_object_mut().unwrap().remove(member);
    }
    for jwk in [bare, restricted("key_ops", json!(["verify"]))] {
        let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
        accepted(&verifier, &token).await;
    }
}

#[tokio::test]
async fn a_key_of_the_wrong_type_for_the_algorithm_is_not_usable() {
    let s = setup();
    // The EC key's kid, presented with RS256 (and signed by an RSA key).
    let rs_on_ec = RSA_A.token_with(&header("RS256", "ec-1"), &access_claims());
    assert_refused(&s.verifier, &rs_on_ec, JwtError::KeyNotUsable).await;
    // An RSA key's kid, presented with ES256 (and signed by the EC key).
    let es_on_rsa = s.ec.token_with(&header("ES256", "rsa-a"), &access_claims());
    assert_refused(&s.verifier, &es_on_rsa, JwtError::KeyNotUsable).await;
    // An EC key without an alg member, presented with RS256.
    let mut ec_jwk = s.ec.jwk();
    ec_jwk.as_object_mut().unwrap().remove("alg");
    let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[ec_jwk])));
    assert_refused(&verifier, &rs_on_ec, JwtError::KeyNotUsable).await;
}

#[tokio::test]
async fn malformed_and_foreign_keys_are_skipped_and_the_rest_still_works() {
    let ec = EcSigner::generate("ec-1");
    let RsaPublicKeyComponents { n, e } = RSA_A.components();
    let mut with_zero = vec![0];
    with_zero.extend_from_slice(&n);
    let mut ec_short_x = ec.jwk();
    ec_short_x["x"] = json!(b64([1u8; 31]));
    let mut ec_p384 = ec.jwk();
    ec_p384["crv"] = json!("P-384");
    let mut private = RSA_B.jwk();
    private["d"] = json!(b64(b"private exponent"));
    let mut no_kid = RSA_B.jwk();
    no_kid.as_object_mut().unwrap().remove("kid");
    let keys = [
        json!({"kty": "oct", "kid": "rsa-b", "k": b64(b"shared secret"), "alg": "HS256"}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": "!!!", "e": "AQAB"}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": b64(&n), "e": b64([1])}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": b64(&n), "e": b64([1, 0, 0, 0, 0, 1])}),
        json!({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64([0u8; 32])}),
        json!("not an object"),
        ec_short_x,
        ec_p384,
        private,
        no_kid,
        // Kept: a leading zero byte on n is tolerated, and x5c is ignored.
        json!({"kty": "RSA", "kid": "rsa-a", "n": b64(&with_zero), "e": b64(&e), "x5c": ["junk"]}),
    ];
    let document = jwks(&keys);
    let set = KeySet::parse(document.to_string().as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 10));
    let verifier = verifier_with(config(), &MemoryJwks::new(&document));
    accepted(&verifier, &RSA_A.token(&access_claims())).await;
    let b = RSA_B.token(&access_claims());
    assert_refused(&verifier, &b, JwtError::UnknownKey).await;
    assert_refused(&verifier, &ec.token(&access_claims()), JwtError::UnknownKey).await;
}

#[tokio::test]
async fn an_invalid_ec_point_never_verifies() {
    let ec = EcSigner::generate("ec-1");
    let mut jwk = ec.jwk();
    jwk["y"] = json!(b64([0x42u8; 32]));
    let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
    assert_refused(
        &verifier,
        &ec.token(&access_claims()),
        JwtError::BadSignature,
    )
    .await;
}

// Structure and header.

#[tokio::test]
async fn malformed_compact_serialisations_are_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let (header, payload) = input.split_once('.').unwrap();
    for malformed in [
        String::new(),
        ".".to_owned(),
        "..".to_owned(),
        "...".to_owned(),
        "abc".to_owned(),
        input.to_owned(),
        format!("{token}.{signature}"),
        format!("{header}.{payload}.{signature}.{signature}.{signature}"),
        format!("{header}..{signature}"),
        format!(".{payload}.{signature}"),
        format!("{input}."),
    ] {
        assert_refused(&s.verifier, &malformed, JwtError::Malformed).await;
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn anything_but_strict_unpadded_base64url_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let (head, body) = input.split_once('.').unwrap();
    let standard = base64::engine::general_purpose::STANDARD_NO_PAD;
    let padded_header =
        base64::engine::general_purpose::URL_SAFE.encode(header("RS256", "rsa-a").to_string());
    // Stray bits after the last byte: the same bytes, a different text.
    let mut stray = signature.to_owned();
    let last = stray.pop().unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.iter().position(|&c| c == last as u8).unwrap();
    stray.push(char::from(alphabet[index | 1]));
    for garbage in [
        format!("{head}.{body}.{signature}="),
        format!("{head}.{body}.{signature}=="),
        format!("{padded_header}.{body}.{signature}"),
        format!("{head}.{body}.{}", standard.encode([0xfb_u8; 256])),
        format!("{head}.{body}!.{signature}"),
        format!("{head}.{body}.{signature} "),
        format!(" {head}.{body}.{signature}"),
        format!("{head}.{body}.sig\nnature"),
        format!("{head}.{body}.{}", &signature[..signature.len() - 1]),
        format!("{head}.{body}.{stray}"),
        format!("{head}.%7B%7D.{signature}"),
        format!("{head}.{body}.é{signature}"),
    ] {
        assert_refused(&s.verifier, &garbage, JwtError::InvalidBase64).await;
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn an_oversize_token_is_refused_before_anything_else() {
    let s = setup();
    let padding = "x".repeat(MAX_TOKEN_BYTES);
    let big = RSA_A.token(&with(access_claims(), "padding", json!(padding)));
    assert!(big.len() > MAX_TOKEN_BYTES);
    assert_refused(&s.verifier, &big, JwtError::TooLarge).await;
    let junk = "!".repeat(MAX_TOKEN_BYTES + 1);
    assert_refused(&s.verifier, &junk, JwtError::TooLarge).await;
    assert_eq!(s.jwks.fetches(), 0);
    // Just under the cap is fine.
    // The claim grows by 4/3 once encoded.
    let fill = (MAX_TOKEN_BYTES - RSA_A.token(&access_claims()).len() - 100) * 3 / 4;
    let fits = RSA_A.token(&with(access_claims(), "padding", json!("x".repeat(fill))));
    assert!(fits.len() <= MAX_TOKEN_BYTES);
    accepted(&s.verifier, &fits).await;
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let s = setup();
    for crit in [json!(["exp"]), json!([]), json!(["b64"]), Value::Null] {
        let header =
            json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-a", "crit": crit, "b64": false});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::CriticalHeader).await;
    }
}

#[tokio::test]
async fn a_header_without_a_key_id_is_refused() {
    let s = setup();
    for kid in [json!(""), json!(1), Value::Null] {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::MissingKeyId).await;
    }
    let token = RSA_A.token_with(&json!({"alg": "RS256", "typ": "JWT"}), &access_claims());
    assert_refused(&s.verifier, &token, JwtError::MissingKeyId).await;
}

#[tokio::test]
async fn a_header_typ_other_than_jwt_or_at_jwt_is_refused() {
    let s = setup();
    for typ in [
        json!("JWS"),
        json!("JOSE"),
        json!("application/jwt"),
        json!("dpop+jwt"),
        json!("logout+jwt"),
        json!(""),
        json!(1),
    ] {
        let header = json!({"alg": "RS256", "typ": typ, "kid": "rsa-a"});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::UnsupportedType).await;
    }
}

#[tokio::test]
async fn a_header_or_payload_that_is_not_a_json_object_is_refused() {
    let s = setup();
    let signature = b64(b"whatever");
    let payload = b64(access_claims().to_string());
    for header in [
        b64("[]"),
        b64("\"RS256\""),
        b64("not json"),
        b64(r#"{"alg":"RS256","kid":"rsa-a"} trailing"#),
        // Duplicate member names are refused, not resolved.
        b64(r#"{"alg":"RS256","kid":"rsa-a","alg":"none"}"#),
    ] {
        let token = format!("{header}.{payload}.{signature}");
        assert_refused(&s.verifier, &token, JwtError::InvalidHeader).await;
    }
    // Signed payloads that are not objects: refused after the signature.
    let header = b64(header("RS256", "rsa-a").to_string());
    let duplicated = access_claims().to_string().replacen(
        &format!("\"sub\":\"{SUBJECT}\""),
        &format!("\"sub\":\"{SUBJECT}\",\"sub\":\"admin\""),
        1,
    );
    assert!(duplicated.contains("admin"));
    for payload in ["[]", "null", "\u{feff}{}", &duplicated] {
        let token = RSA_A.sign_with(&RSA_PKCS1_SHA256, &format!("{header}.{}", b64(payload)));
        assert_refused(&s.verifier, &token, JwtError::InvalidPayload).await;
    }
}

#[test]
fn every_error_text_is_fixed_and_unavailability_is_only_about_keys() {
    let all = [
        JwtError::TooLarge,
        JwtError::Malformed,
        JwtError::InvalidBase64,
        JwtError::InvalidHeader,
        JwtError::InvalidPayload,
        JwtError::UnsupportedAlgorithm,
        JwtError::CriticalHeader,
        JwtError::MissingKeyId,
        JwtError::UnsupportedType,
        JwtError::UnknownKey,
        JwtError::KeyNotUsable,
        JwtError::BadSignature,
        JwtError::WrongIssuer,
        JwtError::MissingExpiry,
        JwtError::Expired,
        JwtError::NotYetValid,
        JwtError::IssuedInFuture,
        JwtError::MalformedClaim,
        JwtError::WrongAudience,
        JwtError::MissingSubject,
        JwtError::NotAnAccessToken,
        JwtError::JwksUnavailable,
        JwtError::Jwks("connection refused".to_owned()),
        JwtError::JwksStatus(503),
        JwtError::JwksTooLarge,
        JwtError::JwksInvalid,
    ];
    let texts: std::collections::HashSet<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), all.len(), "each error has its own text");
    let unavailable: Vec<_> = all.iter().filter(|e| e.is_unavailable()).collect();
    assert_eq!(unavailable.len(), 5);
    assert!(!JwtError::UnknownKey.is_unavailable());
    assert!(!JwtError::BadSignature.is_unavailable());
}

#[test]
fn the_default_configuration_has_a_minute_of_leeway_and_thirty_seconds_between_refreshes() {
    let config = config();
    assert_eq!(config.leeway, Duration::from_secs(60));
    assert_eq!(config.min_refresh_interval, Duration::from_secs(30));
    let verifier = JwtVerifier::new(config, MemoryJwks::new(&jwks(&[])));
    assert_eq!(verifier.config().issuer, ISSUER);
    assert!(format!("{verifier:?}").contains("JwtVerifier"));
}
