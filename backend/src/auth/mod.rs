//! Who is calling: OpenID Connect sign-in for the browser (sessions kept server-side, an
//! HttpOnly cookie in the browser), bearer JWTs for API clients, and Keycloak claims turned into
//! a [`Principal`]. Every handler that cares asks for a [`Caller`] (an axum extractor); the
//! rights themselves are decided in [`crate::acl`].
//!
//! - `Authorization: Bearer <JWT>` wins over a cookie; a bad token is a 401, never anonymous.
//! - A session cookie that no longer opens a session makes the caller anonymous with
//!   `session_expired` set: public data keeps flowing, the viewer says the session ended, and
//!   what needed the session answers 401 `session_expired`.
//! - A session's access token is refreshed shortly before it expires (one refresh at a time per
//!   session); if the issuer refuses, the session ends.

pub mod claims;
mod csrf;
pub mod jwt;
pub mod oidc;
pub mod routes;
pub mod session;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

pub use csrf::csrf_guard;

use self::jwt::{JwksFetcher, JwtError, JwtVerifier, VerifierConfig};
use self::oidc::{DiscoveredJwks, OidcClient, Tokens};
use self::session::{Grant, Session, SessionStore, hash, now_s};
use crate::acl::{Acl, Action, LayerRef, Principal};
use crate::config::{Config, OidcConfig};
use crate::state::AppState;
use crate::store::{Store, StoreError};

/// How long a verified bearer token's principal is reused (besides the token's own expiry, and
/// only while the verifier's key set is the one that verified it).
const BEARER_CACHE_TTL: Duration = Duration::from_secs(60);

/// Refresh the access token when it has less than this left.
const REFRESH_MARGIN_S: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("sign-in is not configured on this server")]
    NotConfigured,
    #[error("bearer tokens are not accepted: sign-in is not configured on this server")]
    BearerWithoutSignIn,
    #[error("invalid bearer token: {0}")]
    BadToken(#[from] JwtError),
    #[error("the Authorization header must be `Bearer <token>`")]
    BadScheme,
    #[error("your session has expired; sign in again")]
    SessionExpired,
    #[error("sign in first")]
    SignInRequired,
    #[error("{0}")]
    Forbidden(String),
    #[error("missing or wrong CSRF token (send the X-CSRF-Token header of /api/me)")]
    Csrf,
    #[error("this sign-in is unknown or took too long; start again")]
    LoginUnknown,
    #[error("sign-in failed: {0}")]
    SignInFailed(String),
    #[error("the identity provider refused to refresh the session: {0}")]
    RefreshRefused(String),
    #[error("the identity provider is unreachable or answered badly: {0}")]
    Issuer(String),
    #[error("too many sign-ins under way; try again in a few minutes")]
    TooManySignIns,
    #[error("no random numbers available")]
    Random,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The caller of one request.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub principal: Principal,
    /// The browser session, when the caller came with a live one.
    pub session: Option<Arc<Session>>,
    /// A session cookie came that opens no session (ended, expired, signed out).
    pub session_expired: bool,
}

impl Caller {
    /// What to answer when this caller may not do something: anonymous callers are asked to
    /// sign in (or told their session ended), signed-in ones are refused.
    pub fn refusal(&self, what: impl FnOnce() -> String) -> AuthError {
        if self.principal.is_authenticated() {
            AuthError::Forbidden(what())
        } else if self.session_expired {
            AuthError::SessionExpired
        } else {
            AuthError::SignInRequired
        }
    }

    /// `Ok` when the ACL lets this caller do `action` with `layer`.
    pub fn require(&self, acl: &Acl, layer: LayerRef<'_>, action: Action) -> Result<(), AuthError> {
        if acl.allows(&self.principal, layer, action) {
            Ok(())
        } else {
            Err(self.refusal(|| format!("you may not {} layer `{}`", action.verb(), layer.id)))
        }
    }
}

/// Sign-in configured: the relying party, the token verifier and the sessions.
pub struct SignIn {
    pub client: Arc<OidcClient>,
    pub verifier: JwtVerifier,
    pub sessions: SessionStore,
    /// Sessions by id hash (`None`: no such session), a few seconds fresh.
    cache: moka::future::Cache<String, Option<Arc<Session>>>,
    /// Principals of verified bearer tokens by the token's hash, with the token's expiry (Unix
    /// s): a client sending the same token for every tile pays the RSA check once a minute.
    bearers: moka::future::Cache<String, (Principal, i64, u64)>,
    pub cookie: CookieNames,
    pub public_url: String,
}

/// The cookies' names and attributes: `__Host-` and `Secure` when served over https.
#[derive(Debug, Clone)]
pub struct CookieNames {
    pub session: &'static str,
    pub login: &'static str,
    pub secure: bool,
}

impl CookieNames {
    fn for_url(public_url: &str) -> Self {
        let secure = public_url.starts_with("https://");
        Self {
            session: if secure {
                "__Host-kartenn_session"
            } else {
                "kartenn_session"
            },
            login: if secure {
                "__Secure-kartenn_login"
            } else {
                "kartenn_login"
            },
            secure,
        }
    }
}

/// The server's authentication: `sign_in` is `None` when `[oidc]` is not configured (everyone
/// is anonymous, bearer tokens are refused).
#[derive(Default)]
pub struct Auth {
    pub sign_in: Option<SignIn>,
    /// Claims → Kartenn roles, applied to each request's principal.
    pub roles: Arc<claims::RoleMapping>,
}

impl Auth {
    /// No sign-in: every caller is anonymous.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Sign-in from `[oidc]`, its sessions in `store`.
    pub fn new(config: &Config, store: Store) -> Result<Self, AuthError> {
        Self::build(config, store, None)
    }

    /// Like [`Self::new`], with bearer-token keys from `jwks` instead of the issuer's discovery
    /// (tests that sign their own tokens).
    pub fn with_jwks(
        config: &Config,
        store: Store,
        jwks: Arc<dyn JwksFetcher>,
    ) -> Result<Self, AuthError> {
        Self::build(config, store, Some(jwks))
    }

    fn build(
        config: &Config,
        store: Store,
        jwks: Option<Arc<dyn JwksFetcher>>,
    ) -> Result<Self, AuthError> {
        let Some(oidc) = &config.oidc else {
            return Ok(Self::disabled());
        };
        let public_url = config
            .server
            .public_url
            .clone()
            .ok_or(AuthError::NotConfigured)?;
        Ok(Self {
            sign_in: Some(SignIn::new(oidc, &public_url, store, jwks)?),
            roles: Arc::new(claims::RoleMapping::new(oidc.role_mapping.clone())),
        })
    }

    /// Who sent these headers.
    pub async fn caller(&self, headers: &HeaderMap) -> Result<Caller, AuthError> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let sign_in = self
                .sign_in
                .as_ref()
                .ok_or(AuthError::BearerWithoutSignIn)?;
            let value = value.to_str().map_err(|_| AuthError::BadScheme)?;
            let token = bearer(value).ok_or(AuthError::BadScheme)?;
            return Ok(Caller {
                principal: self.roles.apply(&sign_in.bearer(token).await?),
                session: None,
                session_expired: false,
            });
        }
        let Some(sign_in) = &self.sign_in else {
            return Ok(Caller::default());
        };
        let Some(cookie) = cookie(headers, sign_in.cookie.session) else {
            return Ok(Caller::default());
        };
        match sign_in.session(&hash(&cookie)).await {
            Ok(Some(session)) => Ok(Caller {
                principal: self.roles.apply(&session.principal),
                session: Some(session),
                session_expired: false,
            }),
            Ok(None) => Ok(Caller {
                session_expired: true,
                ..Caller::default()
            }),
            // The issuer is away and the access token ran out: anonymous for now, the session
            // stays for the next request.
            Err(e) => {
                tracing::warn!(error = %e, "session could not be refreshed");
                Ok(Caller::default())
            }
        }
    }
}

impl SignIn {
    fn new(
        oidc: &OidcConfig,
        public_url: &str,
        store: Store,
        jwks: Option<Arc<dyn JwksFetcher>>,
    ) -> Result<Self, AuthError> {
        let client = Arc::new(OidcClient::new(oidc.clone(), public_url)?);
        let mut audiences = vec![oidc.audience.clone()];
        if oidc.client_id != oidc.audience {
            audiences.push(oidc.client_id.clone());
        }
        let verifier = JwtVerifier::new(
            VerifierConfig {
                issuer: oidc.issuer.clone(),
                // Informative only: the keys come from the `jwks_uri` discovery names.
                jwks_uri: format!("{}/.well-known/openid-configuration", oidc.issuer),
                audiences,
                leeway: Duration::from_secs(oidc.leeway_s),
                min_refresh_interval: Duration::from_secs(oidc.jwks_min_refresh_s),
                max_age: oidc::DISCOVERY_TTL,
            },
            jwks.unwrap_or_else(|| Arc::new(DiscoveredJwks(client.clone()))),
        );
        Ok(Self {
            client,
            verifier,
            sessions: SessionStore::new(store),
            cache: moka::future::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(10))
                .build(),
            bearers: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(BEARER_CACHE_TTL)
                .build(),
            cookie: CookieNames::for_url(public_url),
            public_url: public_url.to_owned(),
        })
    }

    /// The live session of an id hash, its access token refreshed when about to expire.
    pub async fn session(&self, id_hash: &str) -> Result<Option<Arc<Session>>, AuthError> {
        let load = || async {
            let session = self.sessions.get_by_hash(id_hash).await?;
            match session {
                Some(s) if s.access_expires_at - now_s() < REFRESH_MARGIN_S => {
                    self.refresh(s).await.map(|s| s.map(Arc::new))
                }
                other => Ok(other.map(Arc::new)),
            }
        };
        let cached = self
            .cache
            .try_get_with_by_ref(id_hash, load())
            .await
            .map_err(|e| AuthError::Issuer(e.to_string()))?;
        match cached {
            Some(s) if s.access_expires_at - now_s() < REFRESH_MARGIN_S => {
                // Cached before its token aged: load (and refresh) again, once for everyone.
                self.cache.invalidate(id_hash).await;
                self.cache
                    .try_get_with_by_ref(id_hash, load())
                    .await
                    .map_err(|e| AuthError::Issuer(e.to_string()))
            }
            other => Ok(other),
        }
    }

    /// The principal of a bearer token: verified (or verified less than a minute ago).
    async fn bearer(&self, token: &str) -> Result<Principal, AuthError> {
        let key = hash(token);
        if let Some((principal, expires, generation)) = self.bearers.get(&key).await
            && expires > now_s()
            && generation == self.verifier.key_generation()
        {
            return Ok(principal);
        }
        let (principal, expires) = self.verified_principal(token).await?;
        let generation = self.verifier.key_generation();
        self.bearers
            .insert(key, (principal.clone(), expires, generation))
            .await;
        Ok(principal)
    }

    /// Forgets a cached session (after sign-out).
    pub async fn forget(&self, id_hash: &str) {
        self.cache.invalidate(id_hash).await;
    }

    async fn refresh(&self, session: Session) -> Result<Option<Session>, AuthError> {
        let Some(refresh_token) = session.refresh_token.clone() else {
            // Nothing to refresh with: the session ends with its access token.
            return Ok((session.access_expires_at > now_s()).then_some(session));
        };
        match self.client.refresh(&refresh_token).await {
            Ok(tokens) => {
                let grant = self.grant(tokens).await?;
                self.sessions
                    .update_tokens(&session.id_hash, &grant)
                    .await?;
                // As stored: a missing refresh or ID token keeps the previous one.
                Ok(Some(Session {
                    principal: grant.principal,
                    access_token: grant.access_token,
                    refresh_token: grant.refresh_token.or(session.refresh_token),
                    id_token: grant.id_token.or(session.id_token),
                    access_expires_at: grant.access_expires_at,
                    ..session
                }))
            }
            Err(AuthError::RefreshRefused(reason)) => {
                tracing::info!(reason, "session ended: the issuer refused to refresh it");
                self.sessions.delete(&session.id_hash).await?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Checks an issuer's answer: the access token must pass the bearer rules too; its claims
    /// make the principal.
    pub async fn grant(&self, tokens: Tokens) -> Result<Grant, AuthError> {
        let (principal, expires_at) = self.verified_principal(&tokens.access_token).await?;
        Ok(Grant {
            principal,
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            access_expires_at: expires_at,
        })
    }

    /// Verifies an access token; the principal its claims make (claim-derived names only: the
    /// role mapping is applied per request, see [`claims::RoleMapping`]) and its expiry (Unix s).
    async fn verified_principal(&self, token: &str) -> Result<(Principal, i64), AuthError> {
        let verified = self.verifier.verify(token).await?;
        let principal = claims::principal(&verified.claims, &claims::Mapping::new());
        let expires = verified
            .expires_at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Ok((principal, expires))
    }

    /// How long a new browser session lasts.
    pub fn session_lifetime_s(&self) -> i64 {
        (self.client.config().session_hours * 3600.0) as i64
    }
}

/// The token of `Bearer <token>` (scheme case-insensitive).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A cookie's value from every `Cookie` header of the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = crate::http::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = state.auth.caller(&parts.headers).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn bearer_tokens_are_read_with_any_scheme_case_and_nothing_else() {
        assert_eq!(bearer("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer("bearer  abc"), Some("abc"));
        assert_eq!(bearer("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearer"), None);
    }

    #[test]
    fn cookies_are_found_across_headers_and_pairs() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; kartenn_session=xyz"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&headers, "kartenn_session").as_deref(), Some("xyz"));
        assert_eq!(cookie(&headers, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&headers, "kartenn"), None);
    }

    #[test]
    fn cookies_are_host_bound_and_secure_over_https_only() {
        let https = CookieNames::for_url("https://carto.example.org");
        assert!(https.secure);
        assert_eq!(https.session, "__Host-kartenn_session");
        let http = CookieNames::for_url("http://127.0.0.1:8080");
        assert!(!http.secure);
        assert_eq!(http.session, "kartenn_session");
    }

    #[tokio::test]
    async fn without_sign_in_everyone_is_anonymous_and_bearer_tokens_are_refused() {
        let auth = Auth::disabled();
        let caller = auth.caller(&HeaderMap::new()).await.unwrap();
        assert!(!caller.principal.is_authenticated());
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer x.y.z"),
        );
        assert!(matches!(
            auth.caller(&headers).await,
            Err(AuthError::BearerWithoutSignIn)
        ));
    }
}
