//! A test token issuer for in-process rights tests: access tokens shaped like Keycloak's, signed
//! RS256 with the JWT tests' key A (`src/auth/jwt/testdata`), and the JWKS that verifies them
//! (handed to `Auth::with_jwks`, so no identity provider runs).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kartenn::auth::jwt::{JwksFetcher, JwtError};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

/// The issuer the tests' `[oidc]` names.
pub const ISSUER: &str = "http://127.0.0.1:9/realms/indigeo";
const KEY: &[u8] = include_bytes!("../../src/auth/jwt/testdata/rsa2048_a.pk8.der");

pub struct TestIssuer {
    pair: RsaKeyPair,
}

struct StaticJwks(Vec<u8>);

#[async_trait::async_trait]
impl JwksFetcher for StaticJwks {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        Ok(self.0.clone())
    }
}

impl TestIssuer {
    pub fn new() -> Self {
        Self {
            pair: RsaKeyPair::from_pkcs8(KEY).expect("test key"),
        }
    }

    /// The key set that verifies this issuer's tokens (kid `k1`).
    pub fn jwks(&self) -> Arc<dyn JwksFetcher> {
        let RsaPublicKeyComponents { n, e } =
            RsaPublicKeyComponents::<Vec<u8>>::from(self.pair.public());
        let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
            "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)}]});
        Arc::new(StaticJwks(jwks.to_string().into_bytes()))
    }

    /// An access token for `user` (`sub` = `sub-<user>`): Keycloak's registered claims, valid
    /// five minutes, plus `extra` claims (roles, groups…).
    pub fn token(&self, user: &str, extra: &Value) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let mut claims = json!({
            "iss": ISSUER, "aud": ["kartenn", "account"], "azp": "kartenn", "typ": "Bearer",
            "exp": now + 300, "iat": now, "jti": format!("jti-{user}-{now}"),
            "sub": format!("sub-{user}"), "preferred_username": user,
        });
        if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
            claims.extend(extra.clone());
        }
        self.sign(&claims)
    }

    /// An access token for `user` holding these realm roles.
    pub fn with_realm_roles(&self, user: &str, roles: &[&str]) -> String {
        self.token(user, &json!({"realm_access": {"roles": roles}}))
    }

    fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": "k1"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .expect("signing");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}
