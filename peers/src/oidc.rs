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

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

const INSTALL_HINT: &str = "needs Node.js 20.18+ and npm (apt-get install nodejs npm)";
const REALM_PATH: &str = "/realms/indigeo";
const OIDC_PATH: &str = "/protocol/openid-connect";
/// A start takes about 0.4 s, but once took over 15 s while the machine was busy compiling.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const NPM_LOCK_TIMEOUT: Duration = Duration::from_secs(300);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
const REFRESH_TOKEN_TTL_SECS: u64 = 1800;

/// A test user of the realm (see the table in the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestUser {
    pub username: &'static str,
    pub password: &'static str,
    /// Keycloak-style UUID, the tokens' `sub`.
    pub sub: &'static str,
    pub first_name: Option<&'static str>,
    pub last_name: Option<&'static str>,
    pub email: &'static str,
    pub email_verified: bool,
    /// `realm_access.roles` (claim absent when empty).
    pub realm_roles: &'static [&'static str],
    /// `resource_access.kartenn.roles` (member absent when empty).
    pub kartenn_roles: &'static [&'static str],
    /// `resource_access.account.roles` (member absent when empty; decides the `account` audience).
    pub account_roles: &'static [&'static str],
    /// `groups`, full paths (claim absent when empty).
    pub groups: &'static [&'static str],
}

impl TestUser {
    /// The `name` claim: first and last name, or `None` when the user has neither.
    pub fn name(&self) -> Option<String> {
        match (self.first_name, self.last_name) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        }
    }
}

/// A researcher: realm role `chercheur`, `kartenn` client role `lecteur-traits`, group `/letg`.
pub const ALICE: TestUser = TestUser {
    username: "alice",
    password: "alice-pw",
    sub: "5f1c2a9e-6d3b-4b8a-9c1e-a11ce0000001",
    first_name: Some("Alice"),
    last_name: Some("Martin"),
    email: "alice@indigeo.example.org",
    email_verified: true,
    realm_roles: &["chercheur"],
    kartenn_roles: &["lecteur-traits"],
    account_roles: &["manage-account"],
    groups: &["/letg"],
};

/// Realm role `maddog`, no client role, group `/geo-ocean`.
pub const BOB: TestUser = TestUser {
    username: "bob",
    password: "bob-pw",
    sub: "7b0b5e2d-1c4f-4e6a-8f3d-b0b000000002",
    first_name: Some("Bob"),
    last_name: Some("Le Gall"),
    email: "bob@indigeo.example.org",
    email_verified: true,
    realm_roles: &["maddog"],
    kartenn_roles: &[],
    account_roles: &["manage-account"],
    groups: &["/geo-ocean"],
};

/// Realm role `indigeo-admin`, group `/iuem`, and no first or last name (no `name` claim).
pub const ADMIN: TestUser = TestUser {
    username: "admin",
    password: "admin-pw",
    sub: "ad000000-0000-4000-8000-000000000003",
    first_name: None,
    last_name: None,
    email: "admin@indigeo.example.org",
    email_verified: true,
    realm_roles: &["indigeo-admin"],
    kartenn_roles: &[],
    account_roles: &["manage-account"],
    groups: &["/iuem"],
};

/// No role (not even `account` ones) and no group: those claims are absent, and `aud` is the
/// string `"kartenn"`. Unverified e-mail, non-ASCII name.
pub const CAROL: TestUser = TestUser {
    username: "carol",
    password: "carol-pw",
    sub: "ca201000-0000-4000-8000-000000000004",
    first_name: Some("Carol"),
    last_name: Some("Jézéquel"),
    email: "carol@indigeo.example.org",
    email_verified: false,
    realm_roles: &[],
    kartenn_roles: &[],
    account_roles: &[],
    groups: &[],
};

/// Every user of the realm.
pub const USERS: [TestUser; 4] = [ALICE, BOB, ADMIN, CAROL];

/// The user called `username` (exact, lower case).
pub fn user(username: &str) -> Option<&'static TestUser> {
    USERS.iter().find(|user| user.username == username)
}

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

/// `peers/oidc`: package.json, package-lock.json, server.mjs.
fn oidc_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc")
}

/// Runs `npm ci` in `dir` unless its node_modules already holds the pinned oidc-provider.
/// Concurrent callers (threads or test processes) wait on a lock file; the second finds the
/// packages installed and returns.
fn ensure_node_modules(dir: &Path) -> Result<()> {
    if installed(dir) {
        return Ok(());
    }
    let _lock = LockFile::acquire(&dir.join(".npm-ci.lock"), NPM_LOCK_TIMEOUT)?;
    if installed(dir) {
        return Ok(());
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running npm ci in {} ({INSTALL_HINT})", dir.display()))?;
    if !output.status.success() {
        bail!(
            "npm ci in {} failed ({}):\n{}\n{}",
            dir.display(),
            output.status,
            tail(&String::from_utf8_lossy(&output.stdout), 20),
            tail(&String::from_utf8_lossy(&output.stderr), 40)
        );
    }
    if !installed(dir) {
        bail!(
            "npm ci in {} left no oidc-provider of the pinned version",
            dir.display()
        );
    }
    Ok(())
}

/// Whether `npm ci` finished in `dir` and installed the version package.json pins.
fn installed(dir: &Path) -> bool {
    let read = |path: PathBuf| -> Option<Value> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    };
    let modules = dir.join("node_modules");
    if !modules.join(".package-lock.json").is_file() {
        return false;
    }
    let pinned = read(dir.join("package.json")).and_then(|package| {
        package["dependencies"]["oidc-provider"]
            .as_str()
            .map(str::to_owned)
    });
    let present = read(modules.join("oidc-provider/package.json"))
        .and_then(|package| package["version"].as_str().map(str::to_owned));
    pinned.is_some() && pinned == present
}

/// A lock held by creating a file exclusively; removed on drop. A lock left by a dead process
/// (its PID gone from /proc) or older than 10 minutes is broken.
struct LockFile(PathBuf);

impl LockFile {
    fn acquire(path: &Path, timeout: Duration) -> Result<Self> {
        let deadline = Instant::now() + timeout;
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(Self(path.to_owned()));
                }
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    if Self::stale(path) {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("creating {}", path.display()));
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "{} is still held after {} s (remove it if no npm ci is running)",
                    path.display(),
                    timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn stale(path: &Path) -> bool {
        let old = std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| SystemTime::now().duration_since(modified).ok())
            .is_some_and(|age| age > Duration::from_secs(600));
        let dead = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
            .is_some_and(|pid| {
                Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
            });
        old || dead
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.0 client over std::net, usable from sync and async tests alike.

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

fn http_request(
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

fn parse_response(bytes: &[u8]) -> Result<HttpResponse> {
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
fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url, |at| &url[..after_scheme + at])
}

/// `application/x-www-form-urlencoded`.
fn form_encode(pairs: &[(&str, &str)]) -> String {
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

// ---------------------------------------------------------------------------------------------
// A browser stand-in for the provider's pages.

/// Drives the provider's login and logout pages like a browser without JavaScript: keeps the
/// cookies the provider sets (ignoring their paths) and follows redirects while they stay on the
/// provider, stopping at the first one that leaves it (the client's `redirect_uri`).
#[derive(Debug, Clone, Default)]
pub struct Browser {
    cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of a cookie the provider set (`_session` is the provider session).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    /// GET with the cookies; redirects are not followed.
    pub fn get(&mut self, url: &str) -> Result<HttpResponse> {
        let headers = self.headers();
        let response = http_request("GET", url, &headers, None)?;
        self.keep_cookies(&response);
        Ok(response)
    }

    /// POST a form with the cookies; redirects are not followed.
    pub fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> Result<HttpResponse> {
        let mut headers = self.headers();
        headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        let response = http_request("POST", url, &headers, Some(form_encode(form).as_bytes()))?;
        self.keep_cookies(&response);
        Ok(response)
    }

    /// Opens `authorize_url`, signs in on the login form if it is shown, and returns the URL
    /// the provider finally sends the browser to (the `redirect_uri` with `code` and `state`).
    /// A refused password is an error quoting the page's message.
    pub fn login(&mut self, authorize_url: &str, username: &str, password: &str) -> Result<String> {
        let site = origin(authorize_url).to_owned();
        let page = self.get(authorize_url)?;
        if is_redirect(page.status) {
            return self.follow_redirects(&site, page);
        }
        let action = login_form_action(&page)?;
        let action = if action.starts_with('/') {
            format!("{site}{action}")
        } else {
            action
        };
        let answer = self.post_form(&action, &[("username", username), ("password", password)])?;
        if answer.status == 200 {
            bail!(
                "login refused: {}",
                input_error(&answer.body).unwrap_or_else(|| tail(&answer.body, 10))
            );
        }
        self.follow_redirects(&site, answer)
    }

    /// Opens `url` and follows the provider's redirects; returns the first URL outside the
    /// provider. An error when a page is shown instead (e.g. the login form).
    pub fn navigate(&mut self, url: &str) -> Result<String> {
        let site = origin(url).to_owned();
        let first = self.get(url)?;
        self.follow_redirects(&site, first)
    }

    fn follow_redirects(&mut self, site: &str, mut response: HttpResponse) -> Result<String> {
        for _ in 0..10 {
            if !is_redirect(response.status) {
                bail!(
                    "HTTP {} instead of a redirect: {}",
                    response.status,
                    tail(&response.body, 15)
                );
            }
            let location = response
                .header("location")
                .context("redirect without Location")?
                .to_owned();
            let location = if location.starts_with('/') {
                format!("{site}{location}")
            } else {
                location
            };
            if origin(&location) != site {
                return Ok(location);
            }
            response = self.get(&location)?;
        }
        bail!("too many redirects")
    }

    fn headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![(
            "Accept".to_owned(),
            "text/html,application/xhtml+xml,*/*;q=0.8".to_owned(),
        )];
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            headers.push(("Cookie".to_owned(), cookie));
        }
        headers
    }

    fn keep_cookies(&mut self, response: &HttpResponse) {
        for set_cookie in response.set_cookies() {
            let mut attributes = set_cookie.split(';');
            let Some((name, value)) = attributes.next().and_then(|pair| pair.split_once('='))
            else {
                continue;
            };
            let expired = attributes.any(|attribute| {
                let attribute = attribute.trim().to_ascii_lowercase();
                attribute.starts_with("expires=") && attribute.contains("1970")
                    || attribute == "max-age=0"
            });
            if expired || value.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The `action` of the page's `<form id="kc-form-login">`, HTML entities decoded.
fn login_form_action(page: &HttpResponse) -> Result<String> {
    let form = page
        .body
        .find("id=\"kc-form-login\"")
        .map(|at| &page.body[at..])
        .with_context(|| {
            format!(
                "HTTP {}: no login form in {}",
                page.status,
                tail(&page.body, 15)
            )
        })?;
    let start = form
        .find("action=\"")
        .context("login form without action")?
        + 8;
    let end = form[start..]
        .find('"')
        .context("unterminated action attribute")?;
    Ok(html_unescape(&form[start..start + end]))
}

/// The text of `<span id="input-error">`, if any.
fn input_error(page: &str) -> Option<String> {
    let at = page.find("id=\"input-error\"")?;
    let start = at + page[at..].find('>')? + 1;
    let end = start + page[start..].find('<')?;
    Some(html_unescape(page[start..end].trim()))
}

fn html_unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
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

#[cfg(test)]
mod tests {
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

    #[test]
    fn browser_keeps_and_forgets_cookies() {
        let mut browser = Browser::new();
        let response = parse_response(
            b"HTTP/1.1 200 OK\r\nSet-Cookie: _session=abc; path=/; httponly\r\nSet-Cookie: _interaction=x; path=/p\r\n\r\n",
        )
        .unwrap();
        browser.keep_cookies(&response);
        assert_eq!(browser.cookie("_session"), Some("abc"));
        let cleared = parse_response(
            b"HTTP/1.1 302 Found\r\nSet-Cookie: _session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
        )
        .unwrap();
        browser.keep_cookies(&cleared);
        assert_eq!(browser.cookie("_session"), None);
        assert_eq!(browser.cookie("_interaction"), Some("x"));
    }

    #[test]
    fn login_page_parts_are_found() {
        let page = HttpResponse {
            status: 200,
            headers: vec![],
            body: r#"<form id="kc-form-login" action="/realms/indigeo/login-actions/authenticate?session_code=u&amp;client_id=kartenn" method="post">
            <span id="input-error" class="kc-feedback-text">Invalid username or password.</span>"#
                .to_owned(),
        };
        assert_eq!(
            login_form_action(&page).unwrap(),
            "/realms/indigeo/login-actions/authenticate?session_code=u&client_id=kartenn"
        );
        assert_eq!(
            input_error(&page.body).as_deref(),
            Some("Invalid username or password.")
        );
    }

    #[test]
    fn users_have_keycloak_style_names() {
        assert_eq!(ALICE.name().as_deref(), Some("Alice Martin"));
        assert_eq!(ADMIN.name(), None);
        assert_eq!(user("carol"), Some(&CAROL));
        assert_eq!(USERS.len(), 4);
    }
}
