//! The OpenID Connect relying party (`openidconnect` crate): discovery from the issuer (cached,
//! refreshed after [`DISCOVERY_TTL`] or when a signature key is unknown), the authorization-code
//! flow with PKCE (state and nonce checked), token refresh, and the issuer's end-session URL.
//! Its HTTP client never follows redirects. The JWKS it discovers also feeds the bearer-token
//! verifier ([`DiscoveredJwks`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreTokenResponse,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl, RefreshToken,
    Scope, TokenResponse,
};
use tokio::sync::Mutex;

use super::AuthError;
use super::jwt::{JwksFetcher, JwtError};
use crate::config::OidcConfig;

/// Discovery (and the JWKS in it) is fetched again after this long.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(600);
/// Largest discovery or JWKS document read.
const MAX_DOCUMENT: usize = 256 * 1024;

type Metadata = ProviderMetadataWithLogout;
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
type KeycloakIdToken = IdToken<
    EmptyAdditionalClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What the issuer announced, and when we learned it.
struct Discovered {
    metadata: Metadata,
    at: Instant,
}

/// Where the browser goes to sign in, and what the callback will need.
pub struct LoginStart {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Raw tokens from the token endpoint.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub expires_in: Option<Duration>,
}

pub struct OidcClient {
    config: OidcConfig,
    redirect_uri: String,
    http: reqwest::Client,
    discovered: Mutex<Option<Arc<Discovered>>>,
}

impl OidcClient {
    /// `public_url`: where browsers reach Kartenn (the callback is `{public_url}/auth/callback`).
    pub fn new(config: OidcConfig, public_url: &str) -> Result<Self, AuthError> {
        let http = crate::upstream::client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AuthError::Issuer(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            config,
            redirect_uri: format!("{public_url}/auth/callback"),
            http,
            discovered: Mutex::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// The issuer's metadata: cached, fetched when missing, stale, or `force`d.
    async fn metadata(&self, force: bool) -> Result<Arc<Discovered>, AuthError> {
        let mut guard = self.discovered.lock().await;
        if let Some(d) = guard.as_ref()
            && !force
            && d.at.elapsed() < DISCOVERY_TTL
        {
            return Ok(d.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| AuthError::Issuer(format!("issuer URL: {e}")))?;
        let http = Http(&self.http);
        match Metadata::discover_async(issuer, &http).await {
            Ok(metadata) => {
                let d = Arc::new(Discovered {
                    metadata,
                    at: Instant::now(),
                });
                *guard = Some(d.clone());
                Ok(d)
            }
            // A stale copy beats none while the issuer is away.
            Err(e) => match guard.as_ref() {
                Some(d) if !force => {
                    tracing::warn!(error = %e, "OIDC discovery failed; using the previous one");
                    Ok(d.clone())
                }
                _ => Err(AuthError::Issuer(format!("discovery failed: {e}"))),
            },
        }
    }

    fn client(&self, metadata: &Metadata) -> Result<Client, AuthError> {
        let redirect = RedirectUrl::new(self.redirect_uri.clone())
            .map_err(|e| AuthError::Issuer(format!("redirect URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config
                .client_secret
                .as_ref()
                .map(|s| ClientSecret::new(s.0.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// A fresh authorization request (PKCE S256, random state and nonce).
    pub async fn begin(&self) -> Result<LoginStart, AuthError> {
        let discovered = self.metadata(false).await?;
        let client = self.client(&discovered.metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(LoginStart {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges an authorization code and checks the ID token (signature, issuer, audience,
    /// nonce, expiry, access-token hash). A signature by a key the cached discovery does not
    /// know triggers one fresh discovery.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Tokens, AuthError> {
        let discovered = self.metadata(false).await?;
        let client = self.client(&discovered.metadata)?;
        let http = Http(&self.http);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| AuthError::Issuer(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&http)
            .await
            .map_err(|e| AuthError::SignInFailed(format!("code exchange: {e}")))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| AuthError::SignInFailed("the issuer sent no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_owned());
        if let Err(first) = check_id_token(&client, &response, id_token, &nonce) {
            // Perhaps the keys rotated since discovery: look again, once.
            let fresh = self.metadata(true).await?;
            let client = self.client(&fresh.metadata)?;
            check_id_token(&client, &response, id_token, &nonce).map_err(|again| {
                tracing::warn!(first = %first, again = %again, "ID token refused");
                AuthError::SignInFailed(format!("ID token refused: {again}"))
            })?;
        }
        Ok(tokens(&response))
    }

    /// A new access token from a refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<Tokens, AuthError> {
        let discovered = self.metadata(false).await?;
        let client = self.client(&discovered.metadata)?;
        let http = Http(&self.http);
        let token = RefreshToken::new(refresh_token.to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .map_err(|e| AuthError::Issuer(format!("token endpoint: {e}")))?
            .request_async(&http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    AuthError::RefreshRefused(r.error().to_string())
                }
                other => AuthError::Issuer(format!("refresh: {other}")),
            })?;
        Ok(tokens(&response))
    }

    /// The issuer's end-session URL for RP-initiated logout, coming back to `back_to`.
    pub async fn end_session_url(
        &self,
        id_token_hint: Option<&str>,
        back_to: &str,
    ) -> Option<String> {
        let discovered = self.metadata(false).await.ok()?;
        let endpoint = discovered
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()?;
        let mut url = endpoint.url().clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("client_id", &self.config.client_id);
            query.append_pair("post_logout_redirect_uri", back_to);
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
        }
        Some(url.to_string())
    }

    /// The JWKS document the issuer announces (for bearer tokens), read under a size cap.
    async fn jwks_document(&self, force: bool) -> Result<Vec<u8>, AuthError> {
        let discovered = self.metadata(force).await?;
        let url = discovered.metadata.jwks_uri().url().clone();
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| AuthError::Issuer(format!("JWKS: {e}")))?;
        if !response.status().is_success() {
            return Err(AuthError::Issuer(format!(
                "JWKS: HTTP {}",
                response.status()
            )));
        }
        read_capped(response).await
    }
}

fn check_id_token(
    client: &Client,
    response: &CoreTokenResponse,
    id_token: &KeycloakIdToken,
    nonce: &Nonce,
) -> Result<(), String> {
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, nonce)
        .map_err(|e| e.to_string())?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg().map_err(|e| e.to_string())?;
        let key = id_token.signing_key(&verifier).map_err(|e| e.to_string())?;
        let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
            .map_err(|e| e.to_string())?;
        if actual != *expected {
            return Err("the access token does not match the ID token's at_hash".into());
        }
    }
    Ok(())
}

fn tokens(response: &CoreTokenResponse) -> Tokens {
    Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        id_token: response.id_token().map(ToString::to_string),
        expires_in: response.expires_in(),
    }
}

/// `openidconnect`'s HTTP seam over our reqwest client (redirects off, body capped).
struct Http<'a>(&'a reqwest::Client);

type HttpFuture<'c> = std::pin::Pin<
    Box<dyn Future<Output = Result<openidconnect::HttpResponse, AuthError>> + Send + 'c>,
>;

impl<'c> openidconnect::AsyncHttpClient<'c> for Http<'_> {
    type Error = AuthError;
    type Future = HttpFuture<'c>;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(http_call(self.0, request))
    }
}

async fn http_call(
    client: &reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, AuthError> {
    let (parts, body) = request.into_parts();
    let mut outgoing = client
        .request(parts.method, parts.uri.to_string())
        .body(body);
    for (name, value) in &parts.headers {
        outgoing = outgoing.header(name, value);
    }
    let response = outgoing
        .send()
        .await
        .map_err(|e| AuthError::Issuer(e.to_string()))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_capped(response).await?;
    let mut builder = openidconnect::http::Response::builder().status(status);
    for (name, value) in &headers {
        builder = builder.header(name, value);
    }
    builder
        .body(body)
        .map_err(|e| AuthError::Issuer(e.to_string()))
}

async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, AuthError> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| AuthError::Issuer(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT {
            return Err(AuthError::Issuer(format!(
                "answer larger than {MAX_DOCUMENT} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The bearer-token verifier's key source: the JWKS the issuer's discovery names. A refresh
/// (asked for an unknown `kid`) also renews the discovery.
pub struct DiscoveredJwks(pub Arc<OidcClient>);

#[async_trait::async_trait]
impl JwksFetcher for DiscoveredJwks {
    async fn fetch(&self) -> Result<Vec<u8>, JwtError> {
        self.0
            .jwks_document(true)
            .await
            .map_err(|e| JwtError::Jwks(e.to_string()))
    }
}
