//! Criterion benchmarks of what sign-in adds to a request: verifying a Keycloak-shaped RS256
//! access token (header, JWKS lookup, signature, claims) and turning its claims into a
//! principal, and deciding a layer right. `cargo bench -p kartenn --bench auth`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use kartenn::acl::{Acl, Action, DefaultAccess, LayerRef, Rule};
use kartenn::auth::claims;
use kartenn::auth::jwt::{JwksFetcher, JwtError, JwtVerifier, VerifierConfig};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::json;

const KEY: &[u8] = include_bytes!("../src/auth/jwt/testdata/rsa2048_a.pk8.der");
const ISSUER: &str = "https://sso.example.org/realms/indigeo";

struct Static(Vec<u8>);

#[async_trait::async_trait]
impl JwksFetcher for Static {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        Ok(self.0.clone())
    }
}

fn token(pair: &RsaKeyPair) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "iss": ISSUER, "aud": ["kartenn", "account"], "azp": "kartenn", "typ": "Bearer",
        "exp": now + 3600, "iat": now, "sub": "5f1c2a9e", "preferred_username": "alice",
        "realm_access": {"roles": ["chercheur", "offline_access", "default-roles-indigeo"]},
        "resource_access": {"kartenn": {"roles": ["lecteur-traits"]},
                            "account": {"roles": ["manage-account"]}},
        "groups": ["/letg"], "scope": "openid profile email"
    });
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn bench(c: &mut Criterion) {
    let pair = RsaKeyPair::from_pkcs8(KEY).unwrap();
    let RsaPublicKeyComponents { n, e } = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}]});
    let verifier = JwtVerifier::new(
        VerifierConfig::new(ISSUER, "unused", vec!["kartenn".into()]),
        Arc::new(Static(jwks.to_string().into_bytes())),
    );
    let token = token(&pair);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let verified = runtime.block_on(verifier.verify(&token)).unwrap();

    c.bench_function("verify an RS256 access token", |b| {
        b.iter(|| {
            runtime
                .block_on(verifier.verify(black_box(&token)))
                .unwrap()
        });
    });
    let mapping = BTreeMap::from([("realm:chercheur".to_owned(), vec!["chercheurs".to_owned()])]);
    c.bench_function("claims to principal", |b| {
        b.iter(|| claims::principal(black_box(&verified.claims), &mapping));
    });
    let principal = claims::principal(&verified.claims, &mapping);
    // Paid by every request with a caller: the role mapping in force applied again (20
    // stored mappings beside the file's).
    let roles = claims::RoleMapping::new(mapping.clone());
    roles.set_stored((0..20).map(|i| (format!("group:/g{i}"), vec![format!("r{i}")])));
    c.bench_function("apply the role mapping to a principal", |b| {
        b.iter(|| roles.apply(black_box(&principal)));
    });
    let rules: Vec<Rule> = toml::from_str::<BTreeMap<String, Vec<Rule>>>(
        "[[rules]]\nlayer = \"indigeo:private_*\"\nview = [\"realm:maddog\"]\n\
         [[rules]]\nlayer = \"indigeo:*\"\nview = \"public\"\nquery = [\"chercheurs\"]\n\
         [[rules]]\nlayer = \"*\"\nview = \"authenticated\"\n",
    )
    .unwrap()
    .remove("rules")
    .unwrap();
    let acl = Acl::new(rules, DefaultAccess::Deny);
    let layer = LayerRef {
        id: "indigeo-traits",
        source: Some("indigeo"),
        names: &["indigeo:traits_de_cote"],
    };
    c.bench_function("decide a layer right (3 rules)", |b| {
        b.iter(|| acl.allows(black_box(&principal), black_box(layer), Action::Query));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
