//! An OpenID Connect provider that looks like Keycloak, for integration and browser tests: npm
//! [`oidc-provider`](https://www.npmjs.com/package/oidc-provider) 9.13.3 (OpenID Certified) run
//! by Node.js (20.18 or later) on a free loopback port, configured as the realm `indigeo` of a
//! Keycloak.
//!
//! [`OidcProvider::start`] installs the npm packages when `peers/oidc/node_modules` is missing
//! or stale (`npm ci`, once, under a lock file shared by concurrent test processes), writes a
//! JSON config into a temporary directory, starts `node peers/oidc/server.mjs CONFIG` and waits
//! until the discovery document answers (30 s at most). Node's output goes to `oidc.log` in that
//! directory ([`OidcProvider::log`]); a failed start reports its tail. Dropping the guard kills
//! that node process (by its PID) and removes the directory; node also exits by itself when its
//! stdin, a pipe from this process, closes (a test process killed outright leaves no server). Provider state (sessions, refresh
//! tokens, codes) lives in node's memory; the RS256 signing key lives in `key.json` in the
//! directory, generated at the first start with a random `kid`, kept by
//! [`OidcProvider::restart`] and replaced by [`OidcProvider::rotate_key`].
//!
//! Timing on the development machine (2 cores): `npm ci` 2–6 s with a warm npm cache; a start
//! (key generation included) about 0.4 s.
//!
//! # Realm
//!
//! Issuer `http://127.0.0.1:PORT/realms/indigeo`; endpoints at Keycloak's paths under it:
//! `/.well-known/openid-configuration`, `/protocol/openid-connect/auth`, `…/token`, `…/certs`
//! (JWKS), `…/userinfo`, `…/logout` (end session), `…/token/introspect`, `…/revoke`,
//! `…/ext/par/request`; the realm document `/realms/indigeo` (`public_key`, …) too.
//!
//! | client | kind | authentication | grants | redirect URIs |
//! |---|---|---|---|---|
//! | `kartenn` | confidential | `client_secret_basic` or `client_secret_post`, secret [`OidcOptions::client_secret`] (`kartenn-secret`) | `authorization_code` (PKCE S256 accepted, not required), `refresh_token`, `password` | [`OidcOptions::redirect_uris`], [`OidcOptions::post_logout_redirect_uris`] |
//! | `kartenn-cli` | public | `none` (only `client_id`) | `password`, `refresh_token` | — |
//!
//! Redirect URIs ending with `*` match by prefix, like Keycloak's wildcards; the default
//! (`http://127.0.0.1:*`, `http://localhost:*`) accepts any loopback URL.
//!
//! | user | password | `sub` | name | realm roles | `kartenn` roles | groups |
//! |---|---|---|---|---|---|---|
//! | `alice` | `alice-pw` | `5f1c2a9e-6d3b-4b8a-9c1e-a11ce0000001` | Alice Martin | `chercheur` | `lecteur-traits` | `/letg` |
//! | `bob` | `bob-pw` | `7b0b5e2d-1c4f-4e6a-8f3d-b0b000000002` | Bob Le Gall | `maddog` | — | `/geo-ocean` |
//! | `admin` | `admin-pw` | `ad000000-0000-4000-8000-000000000003` | (none: no first or last name) | `indigeo-admin` | — | `/iuem` |
//! | `carol` | `carol-pw` | `ca201000-0000-4000-8000-000000000004` | Carol Jézéquel | — | — | — |
//!
//! E-mails are `USERNAME@indigeo.example.org` (verified, except carol's). alice, bob and admin
//! also hold the `account` client role `manage-account`, as every Keycloak user does by default;
//! carol holds no role at all. See [`USERS`].
//!
//! # Tokens
//!
//! Access tokens are JWTs signed RS256 (header `{"alg":"RS256","typ":"JWT","kid":…}`), with
//! Keycloak's claims: `iss`, `sub`, `aud` (`["kartenn","account"]`: the audience mapper adds
//! `kartenn`, Keycloak adds `account` for users with account roles — carol's token has the single
//! audience as a **string**, `"kartenn"`, as Keycloak writes it), `azp` (the client that got the
//! token), `typ: "Bearer"`, `exp`, `iat`, `jti`, `acr: "1"`, `sid` (browser sessions only),
//! `scope` (the requested scopes plus the default `profile email`), `preferred_username`, `name`,
//! `given_name`, `family_name`, `email`, `email_verified`, `realm_access: {roles}`,
//! `resource_access: {kartenn: {roles}, account: {roles}}` and `groups`. Role and group claims
//! are **absent**, not empty, for a user without any. Lifetime [`OidcOptions::access_token_ttl_secs`]
//! (300 s by default, also the ID token's); refresh tokens live 1 800 s.
//!
//! ID tokens: `aud` = the client id (a string), `azp`, `typ: "ID"`, `auth_time`, `acr`, `nonce`
//! (code flow), `sid` (code flow), and the profile, e-mail and `groups` claims (no roles).
//! A refresh token comes with every `password` and `authorization_code` grant (no
//! `offline_access` needed). Token responses carry `access_token`, `expires_in`,
//! `refresh_token`, `refresh_expires_in`, `token_type: "Bearer"`, `id_token` (when `scope`
//! has `openid`), `not-before-policy` and `scope`.
//!
//! Direct access grants: `grant_type=password&username=…&password=…&client_id=…[&client_secret=…]&scope=openid`
//! at the token endpoint ([`OidcProvider::password_grant`]); a wrong user or password gets HTTP
//! 401 `{"error":"invalid_grant","error_description":"Invalid user credentials"}`. The username
//! is case-insensitive and the e-mail address works too, as in Keycloak.
//!
//! # Browser login and logout
//!
//! The authorization endpoint answers (200) with a login page whose
//! `<form id="kc-form-login" method="post">` has Keycloak's `id="username"`, `id="password"` and
//! submit button `id="kc-login"`; a wrong password shows the form again with
//! `<span id="input-error">Invalid username or password.</span>`. After a good password, consent
//! is implicit and the browser goes back to the `redirect_uri` with `code`, `state` and `iss`.
//! The provider session (cookie `_session`) makes a later authorization request answer at once.
//! RP-initiated logout at `…/logout?id_token_hint=…&post_logout_redirect_uri=…&state=…` ends the
//! session, revokes its refresh tokens and answers `302` to `post_logout_redirect_uri?state=…`
//! (no confirmation, no JavaScript needed); without `id_token_hint` it shows a confirmation page
//! with a `kc-logout` button, as Keycloak does. [`Browser`] drives these pages without a browser.
//!
//! # What differs from Keycloak
//!
//! - Refresh tokens are opaque strings, not Keycloak's HS512 JWTs (`typ: "Refresh"`); refreshing
//!   returns the same refresh token (Keycloak returns a new one; both keep the old one valid).
//! - ID tokens' JOSE header has no `typ` (Keycloak: `"JWT"`); `jti` values are random strings,
//!   not UUIDs; no `session_state` claim or response member, no `allowed-origins`.
//! - Realm roles are exactly the listed ones: no `default-roles-indigeo`, `offline_access` or
//!   `uma_authorization`; account roles are only `manage-account`.
//! - The JWKS has the one RS256 signing key, without `x5c`/`x5t` and without Keycloak's
//!   RSA-OAEP encryption key. After [`OidcProvider::rotate_key`] the old key is gone at once
//!   (Keycloak keeps a passive key).
//! - Wrong client credentials: 401 `invalid_client` (Keycloak: 401 `unauthorized_client`).
//!   Error pages are not Keycloak's. Only PKCE `S256` (Keycloak also takes `plain`). Logout is
//!   GET only (a POST needs `SameSite=None` cookies, hence HTTPS). The authorization redirect is
//!   `303` (Keycloak: `302`) and carries `iss` but no `session_state`.
//! - Userinfo and introspection accept the access-token JWTs by signature and expiry only: they
//!   stay valid after logout until they expire (Keycloak checks the user session). Introspection
//!   of a refresh token answers `{"active": false}`.
//! - Unknown scopes are ignored at the authorization endpoint (the password grant answers
//!   `invalid_scope`, as Keycloak does). The provider's state is lost on [`OidcProvider::restart`]
//!   (sessions, refresh tokens), unlike Keycloak's database.
//! - oidc-provider 9 prints "Unsupported runtime" on Node 20 (it wants 22); it works.

mod browser;
mod http;
mod npm;
mod users;

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

pub use browser::Browser;
pub use http::{
    HttpResponse, http_get, http_get_with_headers, http_post_form, jwt_claims, jwt_header,
    query_param,
};
pub use users::{ADMIN, ALICE, BOB, CAROL, TestUser, USERS, user};

use crate::free_port;
use http::form_encode;
use npm::ensure_node_modules;

const INSTALL_HINT: &str = "needs Node.js 20.18+ and npm (apt-get install nodejs npm)";
const REALM_PATH: &str = "/realms/indigeo";
const OIDC_PATH: &str = "/protocol/openid-connect";
/// A start takes about 0.4 s, but once took over 15 s while the machine was busy compiling.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const REFRESH_TOKEN_TTL_SECS: u64 = 1800;

/// What the provider is started with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcOptions {
    /// The `kartenn` client's redirect URIs; a trailing `*` matches by prefix.
    pub redirect_uris: Vec<String>,
    /// The `kartenn` client's post-logout redirect URIs; a trailing `*` matches by prefix.
    pub post_logout_redirect_uris: Vec<String>,
    /// The `kartenn` client's secret.
    pub client_secret: String,
    /// Lifetime of access and ID tokens.
    pub access_token_ttl_secs: u64,
}

impl Default for OidcOptions {
    /// Any loopback redirect URI, secret `kartenn-secret`, tokens valid 300 s (Keycloak's default).
    fn default() -> Self {
        let loopback = vec![
            "http://127.0.0.1:*".to_owned(),
            "http://localhost:*".to_owned(),
        ];
        Self {
            redirect_uris: loopback.clone(),
            post_logout_redirect_uris: loopback,
            client_secret: OidcProvider::DEFAULT_CLIENT_SECRET.to_owned(),
            access_token_ttl_secs: 300,
        }
    }
}

/// A token endpoint's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    pub scope: Option<String>,
    /// The whole JSON answer.
    pub raw: Value,
}

impl Tokens {
    fn from_json(raw: Value) -> Result<Self> {
        let text = |name: &str| raw[name].as_str().map(str::to_owned);
        Ok(Self {
            access_token: text("access_token")
                .with_context(|| format!("no access_token in {raw}"))?,
            id_token: text("id_token"),
            refresh_token: text("refresh_token"),
            expires_in: raw["expires_in"]
                .as_u64()
                .with_context(|| format!("no expires_in in {raw}"))?,
            scope: text("scope"),
            raw,
        })
    }

    /// The access token's decoded payload (signature not checked).
    pub fn access_claims(&self) -> Result<Value> {
        jwt_claims(&self.access_token)
    }

    /// The ID token's decoded payload (signature not checked).
    pub fn id_claims(&self) -> Result<Value> {
        jwt_claims(self.id_token.as_deref().context("no id_token")?)
    }
}

/// A running provider, stopped when dropped.
pub struct OidcProvider {
    port: u16,
    options: OidcOptions,
    child: Option<Child>,
    dir: TempDir,
}

impl OidcProvider {
    /// The realm name.
    pub const REALM: &'static str = "indigeo";
    /// The confidential client.
    pub const CLIENT_ID: &'static str = "kartenn";
    /// The public client.
    pub const CLI_CLIENT_ID: &'static str = "kartenn-cli";
    /// [`OidcOptions::client_secret`]'s default.
    pub const DEFAULT_CLIENT_SECRET: &'static str = "kartenn-secret";

    /// Installs the npm packages if needed, starts the provider on a free loopback port and
    /// waits until its discovery document answers (30 s at most).
    pub fn start(options: OidcOptions) -> Result<Self> {
        ensure_node_modules(&oidc_dir())?;
        let port = free_port()?;
        let mut provider = Self {
            port,
            options,
            child: None,
            dir: TempDir::new(port)?,
        };
        // A free port can be taken between the probe and node's bind: try another then.
        let mut attempts = 1;
        loop {
            provider.write_config()?;
            match provider.spawn() {
                Ok(()) => return Ok(provider),
                Err(_) if attempts < 3 && provider.log().contains("EADDRINUSE") => {
                    attempts += 1;
                    provider.port = free_port()?;
                    provider.dir = TempDir::new(provider.port)?;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// `http://127.0.0.1:PORT/realms/indigeo`.
    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}{REALM_PATH}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn options(&self) -> &OidcOptions {
        &self.options
    }

    /// `<issuer>/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer())
    }

    /// `<issuer>/protocol/openid-connect/auth`.
    pub fn authorization_endpoint(&self) -> String {
        self.endpoint("/auth")
    }

    /// `<issuer>/protocol/openid-connect/token`.
    pub fn token_endpoint(&self) -> String {
        self.endpoint("/token")
    }

    /// `<issuer>/protocol/openid-connect/certs`.
    pub fn jwks_uri(&self) -> String {
        self.endpoint("/certs")
    }

    /// `<issuer>/protocol/openid-connect/userinfo`.
    pub fn userinfo_endpoint(&self) -> String {
        self.endpoint("/userinfo")
    }

    /// `<issuer>/protocol/openid-connect/logout`.
    pub fn end_session_endpoint(&self) -> String {
        self.endpoint("/logout")
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{OIDC_PATH}{path}", self.issuer())
    }

    /// An authorization request URL for the `kartenn` client (`response_type=code`,
    /// `scope=openid`), with extra parameters such as `nonce` or `code_challenge` (an extra
    /// parameter replaces a default one of the same name, e.g. `scope`).
    pub fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let mut params = vec![
            ("client_id", Self::CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid"),
            ("redirect_uri", redirect_uri),
            ("state", state),
        ];
        params.retain(|(name, _)| !extra.iter().any(|(extra_name, _)| extra_name == name));
        params.extend_from_slice(extra);
        format!("{}?{}", self.authorization_endpoint(), form_encode(&params))
    }

    /// A Keycloak direct access grant (`grant_type=password`, `scope=openid`).
    pub fn password_grant(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<Tokens> {
        let mut form = vec![
            ("grant_type", "password"),
            ("client_id", client_id),
            ("username", username),
            ("password", password),
            ("scope", "openid"),
        ];
        if let Some(secret) = client_secret {
            form.push(("client_secret", secret));
        }
        tokens(self.token_request(&form)?)
    }

    /// Tokens for one of [`USERS`] through the `kartenn` client (password grant).
    pub fn token_for(&self, username: &str) -> Result<Tokens> {
        let user = user(username).with_context(|| format!("no test user {username}"))?;
        self.password_grant(
            Self::CLIENT_ID,
            Some(&self.options.client_secret),
            user.username,
            user.password,
        )
    }

    /// `grant_type=refresh_token`.
    pub fn refresh(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Tokens> {
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("refresh_token", refresh_token),
        ];
        if let Some(secret) = client_secret {
            form.push(("client_secret", secret));
        }
        tokens(self.token_request(&form)?)
    }

    /// `grant_type=authorization_code` for the `kartenn` client (secret in the body).
    pub fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&str>,
    ) -> Result<Tokens> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("client_id", Self::CLIENT_ID),
            ("client_secret", self.options.client_secret.as_str()),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = code_verifier {
            form.push(("code_verifier", verifier));
        }
        tokens(self.token_request(&form)?)
    }

    /// A raw POST to the token endpoint, whatever the answer.
    pub fn token_request(&self, form: &[(&str, &str)]) -> Result<HttpResponse> {
        http_post_form(&self.token_endpoint(), form, None)
    }

    /// The JWKS (`…/certs`).
    pub fn jwks(&self) -> Result<Value> {
        http_get(&self.jwks_uri())?.ok()?.json()
    }

    /// The `kid` of the (only) signing key in the JWKS.
    pub fn signing_kid(&self) -> Result<String> {
        let jwks = self.jwks()?;
        let keys = jwks["keys"]
            .as_array()
            .with_context(|| format!("no keys in {jwks}"))?;
        match keys.as_slice() {
            [key] => key["kid"]
                .as_str()
                .map(str::to_owned)
                .with_context(|| format!("no kid in {key}")),
            _ => bail!("expected one key in the JWKS: {jwks}"),
        }
    }

    /// Stops and starts node again on the same port with the same signing key. Sessions,
    /// codes and refresh tokens are lost (they live in node's memory).
    pub fn restart(&mut self) -> Result<()> {
        self.stop();
        self.spawn()
    }

    /// Restarts with a new signing key (new `kid`); the old key is no longer published.
    pub fn rotate_key(&mut self) -> Result<()> {
        self.stop();
        let key = self.key_file();
        if key.exists() {
            std::fs::remove_file(&key).with_context(|| format!("removing {}", key.display()))?;
        }
        self.spawn()
    }

    /// Node's output: one line per request, oidc-provider's warnings and the errors it met.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }

    fn log_file(&self) -> PathBuf {
        self.dir.0.join("oidc.log")
    }

    fn key_file(&self) -> PathBuf {
        self.dir.0.join("key.json")
    }

    fn config_file(&self) -> PathBuf {
        self.dir.0.join("config.json")
    }

    fn write_config(&self) -> Result<()> {
        let users: Vec<Value> = USERS
            .iter()
            .map(|user| {
                json!({
                    "username": user.username,
                    "password": user.password,
                    "sub": user.sub,
                    "firstName": user.first_name,
                    "lastName": user.last_name,
                    "email": user.email,
                    "emailVerified": user.email_verified,
                    "realmRoles": user.realm_roles,
                    "kartennRoles": user.kartenn_roles,
                    "accountRoles": user.account_roles,
                    "groups": user.groups,
                })
            })
            .collect();
        let config = json!({
            "port": self.port,
            "keysFile": self.key_file(),
            "clientSecret": self.options.client_secret,
            "redirectUris": self.options.redirect_uris,
            "postLogoutRedirectUris": self.options.post_logout_redirect_uris,
            "accessTokenTtl": self.options.access_token_ttl_secs,
            "refreshTokenTtl": REFRESH_TOKEN_TTL_SECS,
            "users": users,
        });
        std::fs::write(self.config_file(), serde_json::to_vec_pretty(&config)?)
            .context("writing the provider's config")
    }

    /// Starts node and waits until it serves discovery; on failure, stops it again.
    fn spawn(&mut self) -> Result<()> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_file())
            .context("opening the provider's log")?;
        let child = Command::new("node")
            .arg(oidc_dir().join("server.mjs"))
            .arg(self.config_file())
            .current_dir(oidc_dir())
            // Node exits when this pipe closes, even if this process dies without dropping us.
            .stdin(Stdio::piped())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| format!("starting node ({INSTALL_HINT})"))?;
        self.child = Some(child);
        if let Err(err) = self.wait_ready() {
            self.stop();
            bail!(
                "the OpenID provider did not start: {err:#}\n{} (tail):\n{}",
                self.log_file().display(),
                tail(&self.log(), 40)
            );
        }
        Ok(())
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let issuer = self.issuer();
        let url = self.discovery_url();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!("node exited with {status}");
            }
            let last = match http_get(&url) {
                Ok(response) if response.status == 200 => {
                    let document = response.json()?;
                    if document["issuer"] == issuer.as_str() {
                        return Ok(());
                    }
                    bail!("discovery names another issuer: {document}");
                }
                Ok(response) => format!("HTTP {}: {}", response.status, response.body),
                Err(err) => format!("{err:#}"),
            };
            if Instant::now() > deadline {
                bail!(
                    "the provider did not answer {url} within {} s; last answer: {last}",
                    READY_TIMEOUT.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills node (by its PID) and reaps it.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

fn tokens(response: HttpResponse) -> Result<Tokens> {
    Tokens::from_json(response.ok()?.json()?)
}

/// `peers/oidc`: package.json, package-lock.json, server.mjs and the ES modules it imports.
fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// The last `lines` lines of `text`, for error messages.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(port: u16) -> Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("kartenn-oidc-{}-{port}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
