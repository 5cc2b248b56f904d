//! Sign-in against a real OpenID provider made to look like Keycloak (npm `oidc-provider`, see
//! `kartenn_peers::oidc`): the browser flow over HTTP (authorization code + PKCE, session cookie,
//! CSRF-checked sign-out at the issuer), sessions across a Kartenn restart, refresh and its
//! refusal, bearer tokens from the issuer, forged and misused tokens, and key rotation.
//! Ignored by default (they need Node.js); `cargo xtask test` runs them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kartenn::auth::session::SessionStore;
use kartenn::config::Config;
use kartenn::state::AppState;
use kartenn::store::Store;
use kartenn_peers::oidc::{Browser, OidcOptions, OidcProvider};
use serde_json::{Value, json};

/// Everything the server logged in this test binary (to prove tokens never reach the log).
fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("kartenn=debug,info")
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Kartenn on a loopback port, on its own runtime, in front of the provider.
struct Site {
    provider: OidcProvider,
    runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    config: Config,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Site {
    fn start(options: OidcOptions, extra_oidc: &str) -> Self {
        log_buffer();
        let provider = OidcProvider::start(options).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let dir = tempfile::tempdir().unwrap();
        let communes = support::demo_dir().join("communes.fgb");
        let mut text = format!(
            "[server]\npublic_url = \"http://{addr}\"\n[store]\npath = \"{}\"\n",
            dir.path().join("kartenn.db").display()
        );
        for id in ["open", "team"] {
            writeln!(
                text,
                "[[layers]]\nid = \"{id}\"\ntitle = \"{id}\"\npath = \"{}\"",
                communes.display()
            )
            .unwrap();
        }
        writeln!(
            text,
            "[[rules]]\nlayer = \"open\"\nview = \"public\"\n\
             [[rules]]\nlayer = \"team\"\nview = [\"chercheurs\"]\n\
             [oidc]\nissuer = \"{}\"\nclient_id = \"kartenn\"\n{extra_oidc}\n\
             [oidc.roles]\n\"realm:chercheur\" = \"chercheurs\"\n\"realm:indigeo-admin\" = \"admin\"",
            provider.issuer()
        )
        .unwrap();
        let env = |key: &str| {
            (key == "KARTENN_OIDC_CLIENT_SECRET")
                .then(|| OidcProvider::DEFAULT_CLIENT_SECRET.into())
        };
        let config = Config::from_toml(&text, dir.path(), &env).unwrap();
        let mut site = Self {
            provider,
            runtime,
            addr,
            config,
            server: None,
            _dir: dir,
        };
        site.serve();
        site
    }

    /// (Re)starts Kartenn on its address with a fresh state from the same configuration.
    fn serve(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = self.runtime.block_on(server);
        }
        let config = self.config.clone();
        let addr = self.addr;
        let listener = self.runtime.block_on(async {
            for _ in 0..50 {
                if let Ok(listener) = tokio::net::TcpListener::bind(addr).await {
                    return listener;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("cannot bind {addr} again");
        });
        let state = self
            .runtime
            .block_on(AppState::from_config(&config))
            .unwrap();
        self.server = Some(self.runtime.spawn(async move {
            let _ = axum::serve(listener, kartenn::app(state)).await;
        }));
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request to Kartenn, redirects not followed.
    fn call(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let url = self.url(path);
        self.runtime.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut request = client.request(method.parse().unwrap(), url);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request.send().await.unwrap();
            Reply {
                status: response.status().as_u16(),
                headers: response.headers().clone(),
                body: response.text().await.unwrap(),
            }
        })
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.call("GET", path, headers)
    }

    fn as_bearer(&self, token: &str, path: &str) -> Reply {
        self.get(path, &[("authorization", &format!("Bearer {token}"))])
    }

    fn with_cookie(&self, cookie: &str, path: &str) -> Reply {
        self.get(path, &[("cookie", &format!("kartenn_session={cookie}"))])
    }

    /// Signs `username` in through the browser flow; answers the session cookie.
    fn sign_in(&self, browser: &mut Browser, username: &str, return_to: &str) -> String {
        let start = browser
            .get(&self.url(&format!("/auth/login?return_to={return_to}")))
            .unwrap();
        assert_eq!(start.status, 303, "{}", start.body);
        let authorize = start.header("location").unwrap().to_owned();
        assert!(
            authorize.starts_with(&self.provider.issuer()),
            "{authorize}"
        );
        for part in [
            "code_challenge_method=S256",
            "code_challenge=",
            "state=",
            "nonce=",
        ] {
            assert!(authorize.contains(part), "{part} missing in {authorize}");
        }
        let password = format!("{username}-pw");
        let callback = browser.login(&authorize, username, &password).unwrap();
        assert!(
            callback.starts_with(&self.url("/auth/callback")),
            "{callback}"
        );
        let done = browser.get(&callback).unwrap();
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.header("location"), Some(return_to_decoded(return_to)));
        let set_cookie = done
            .set_cookies()
            .find(|c| c.starts_with("kartenn_session="))
            .unwrap()
            .to_owned();
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{set_cookie}");
        }
        assert!(!set_cookie.contains("Secure"), "plain http on loopback");
        browser.cookie("kartenn_session").unwrap().to_owned()
    }

    fn store(&self) -> SessionStore {
        let path = self.config.store.path.clone();
        SessionStore::new(self.runtime.block_on(Store::open(&path)).unwrap())
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

fn return_to_decoded(path: &str) -> &str {
    match path {
        "%2F%3Fmap%3D1" => "/?map=1",
        other => other,
    }
}

const PRIVATE_TILE: &str = "/tiles/team/8/125/88.mvt";

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn a_browser_signs_in_with_pkce_sees_its_layers_and_signs_out_at_the_issuer() {
    let site = Site::start(OidcOptions::default(), "");
    let mut browser = Browser::new();

    let anonymous = site.get("/api/me", &[]).json();
    assert_eq!(anonymous["auth_enabled"], true);
    assert_eq!(anonymous["user"], Value::Null);
    assert_eq!(site.get(PRIVATE_TILE, &[]).status, 401);

    let cookie = site.sign_in(&mut browser, "alice", "%2F%3Fmap%3D1");
    let me = site.with_cookie(&cookie, "/api/me");
    assert_eq!(me.headers["cache-control"], "no-store");
    let me = me.json();
    assert_eq!(me["user"]["username"], "alice");
    assert_eq!(me["user"]["name"], "Alice Martin");
    let roles: Vec<&str> = me["user"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"realm:chercheur") && roles.contains(&"chercheurs"),
        "{roles:?}"
    );
    assert!(roles.contains(&"client:kartenn:lecteur-traits") && roles.contains(&"group:/letg"));
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();

    // Her layer is hers now: catalogue and tiles.
    let catalog = site.with_cookie(&cookie, "/api/catalog").json();
    let ids: Vec<&str> = catalog["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["open", "team"]);
    assert!(matches!(
        site.with_cookie(&cookie, PRIVATE_TILE).status,
        200 | 204
    ));

    // Bob has no business with it.
    let mut other = Browser::new();
    let bob = site.sign_in(&mut other, "bob", "/");
    assert_eq!(site.with_cookie(&bob, PRIVATE_TILE).status, 403);

    // Signing out needs the CSRF token, and a same-origin Origin.
    let session = format!("kartenn_session={cookie}");
    let refused = site.call("POST", "/auth/logout", &[("cookie", &session)]);
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["code"], "csrf");
    let cross = site.call(
        "POST",
        "/auth/logout",
        &[
            ("cookie", &session),
            ("x-csrf-token", &csrf),
            ("origin", "http://evil.example"),
        ],
    );
    assert_eq!(cross.status, 403);
    let origin = site.url("");
    let out = site.call(
        "POST",
        "/auth/logout",
        &[
            ("cookie", &session),
            ("x-csrf-token", &csrf),
            ("origin", &origin),
        ],
    );
    assert_eq!(out.status, 200, "{}", out.body);
    assert!(
        out.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("kartenn_session=;")),
        "the cookie is cleared"
    );
    let redirect = out.json()["redirect"].as_str().unwrap().to_owned();
    assert!(redirect.starts_with(&format!(
        "{}/protocol/openid-connect/logout",
        site.provider.issuer()
    )));
    assert!(redirect.contains("id_token_hint=") && redirect.contains("post_logout_redirect_uri="));
    // The issuer ends its session too, and sends the browser back to the viewer.
    let back = browser.navigate(&redirect).unwrap();
    assert_eq!(back, site.url("/"));

    // The old cookie opens nothing now: anonymous, told the session ended.
    let me = site.with_cookie(&cookie, "/api/me").json();
    assert_eq!(me["user"], Value::Null);
    assert_eq!(me["session_expired"], true);
    let tile = site.with_cookie(&cookie, PRIVATE_TILE);
    assert_eq!(tile.status, 401);
    assert_eq!(tile.json()["code"], "session_expired");
    // Public layers keep flowing for that browser.
    assert!(matches!(
        site.with_cookie(&cookie, "/tiles/open/8/125/88.mvt").status,
        200 | 204
    ));
    // Signing in again at the issuer asks for the password again.
    let again = browser.get(&site.url("/auth/login")).unwrap();
    let page = browser.get(again.header("location").unwrap()).unwrap();
    assert_eq!(page.status, 200, "the login form, not an instant redirect");
    assert!(page.body.contains("kc-login"));
}

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn a_callback_that_was_not_started_here_or_is_replayed_starts_no_session() {
    let site = Site::start(OidcOptions::default(), "");
    let mut browser = Browser::new();
    let start = browser.get(&site.url("/auth/login")).unwrap();
    let authorize = start.header("location").unwrap().to_owned();
    let callback = browser.login(&authorize, "alice", "alice-pw").unwrap();
    let path = callback.trim_start_matches(&site.url(""));

    // Another browser (no sign-in cookie) cannot finish it: login CSRF.
    let stolen = site.get(path, &[]);
    assert_eq!(stolen.status, 400);
    assert!(
        stolen
            .headers
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("kartenn_session="))
    );

    // The right browser finishes it once; a replay fails.
    assert_eq!(browser.get(&callback).unwrap().status, 303);
    let login_cookie = format!(
        "kartenn_login={}",
        callback
            .split("state=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
    );
    assert_eq!(site.get(path, &[("cookie", &login_cookie)]).status, 400);

    // The issuer's refusal (e.g. access_denied) is shown, not a crash.
    let denied = site.get("/auth/callback?error=access_denied&state=x", &[]);
    assert_eq!(denied.status, 400);
    assert!(denied.body.contains("Sign-in failed"));
    // A foreign return_to is not followed.
    let start = browser
        .get(&site.url("/auth/login?return_to=https://evil.example/"))
        .unwrap();
    let callback = browser
        .login(start.header("location").unwrap(), "alice", "alice-pw")
        .unwrap();
    let done = browser.get(&callback).unwrap();
    assert_eq!(done.header("location"), Some("/"));
}

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn sessions_survive_a_restart_refresh_before_expiry_and_end_when_the_issuer_forgets_them() {
    let options = OidcOptions {
        access_token_ttl_secs: 36,
        ..OidcOptions::default()
    };
    let mut site = Site::start(options, "");
    let mut browser = Browser::new();
    let cookie = site.sign_in(&mut browser, "alice", "/");
    let first = site
        .runtime
        .block_on(site.store().get(&cookie))
        .unwrap()
        .unwrap();

    // Kartenn restarts: the session is in the store, not in memory.
    site.serve();
    assert_eq!(
        site.with_cookie(&cookie, "/api/me").json()["user"]["username"],
        "alice"
    );

    // Within 30 s of expiry the access token is refreshed on the next request.
    std::thread::sleep(Duration::from_secs(7));
    assert!(matches!(
        site.with_cookie(&cookie, PRIVATE_TILE).status,
        200 | 204
    ));
    let refreshed = site
        .runtime
        .block_on(site.store().get(&cookie))
        .unwrap()
        .unwrap();
    assert_ne!(refreshed.access_token, first.access_token);
    assert!(refreshed.access_expires_at > first.access_expires_at);

    // The issuer loses its sessions (its refresh tokens are unknown now): at the next refresh
    // the session ends, and the caller is told so.
    site.provider.restart().unwrap();
    std::thread::sleep(Duration::from_secs(7));
    let tile = site.with_cookie(&cookie, PRIVATE_TILE);
    assert_eq!(tile.status, 401, "{}", tile.body);
    assert_eq!(tile.json()["code"], "session_expired");
    assert!(
        site.runtime
            .block_on(site.store().get(&cookie))
            .unwrap()
            .is_none()
    );
}

fn segments(token: &str) -> (Value, Value, String) {
    let parts: Vec<&str> = token.split('.').collect();
    let decode = |s: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
    (decode(parts[0]), decode(parts[1]), parts[2].to_owned())
}

fn assemble(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

fn hs256(header: &Value, payload: &Value, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key),
        input.as_bytes(),
    );
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// Tokens that must not open anything, made from Alice's genuine ones.
fn forgeries(site: &Site, alice: &kartenn_peers::oidc::Tokens) -> Vec<(&'static str, String)> {
    let (header, payload, signature) = segments(&alice.access_token);
    let jwk = site.provider.jwks().unwrap()["keys"][0].clone();
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    let with = |key: &str, value: Value| {
        let mut p = payload.clone();
        p[key] = value;
        p
    };
    let mut none = header.clone();
    none["alg"] = json!("none");
    let mut hs = header.clone();
    hs["alg"] = json!("HS256");
    let mut other_kid = header.clone();
    other_kid["kid"] = json!("not-a-key-of-this-issuer");
    let mut wrong_audience = with("aud", json!("grafana"));
    wrong_audience["azp"] = json!("grafana");
    let expired = site
        .provider
        .password_grant(
            "kartenn",
            Some(OidcProvider::DEFAULT_CLIENT_SECRET),
            "alice",
            "alice-pw",
        )
        .unwrap();
    let forgeries: Vec<(&str, String)> = vec![
        ("alg none", assemble(&none, &payload, "")),
        (
            "alg none with a signature",
            assemble(&none, &payload, &signature),
        ),
        ("HS256 keyed with the RSA modulus", hs256(&hs, &payload, &n)),
        (
            "HS256 keyed with the JWK text",
            hs256(&hs, &payload, jwk.to_string().as_bytes()),
        ),
        (
            "wrong issuer",
            assemble(
                &header,
                &with("iss", json!("http://127.0.0.1:1/realms/evil")),
                &signature,
            ),
        ),
        (
            "wrong audience",
            assemble(&header, &wrong_audience, &signature),
        ),
        (
            "expiry moved into the past",
            assemble(&header, &with("exp", json!(1_000_000_000)), &signature),
        ),
        (
            "not yet valid",
            assemble(&header, &with("nbf", json!(4_000_000_000_u64)), &signature),
        ),
        ("unknown kid", assemble(&other_kid, &payload, &signature)),
        (
            "tampered roles",
            assemble(
                &header,
                &with("realm_access", json!({"roles": ["indigeo-admin"]})),
                &signature,
            ),
        ),
        ("ID token as access token", alice.id_token.clone().unwrap()),
        ("a refresh token", expired.refresh_token.clone().unwrap()),
        ("garbage", "a.b.c".to_owned()),
    ];
    forgeries
}

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn bearer_tokens_from_the_issuer_open_what_their_roles_allow_and_forgeries_get_a_json_401() {
    let site = Site::start(OidcOptions::default(), "leeway_s = 0");
    let alice = site.provider.token_for("alice").unwrap();
    let carol = site.provider.token_for("carol").unwrap();
    let cli = site
        .provider
        .password_grant(OidcProvider::CLI_CLIENT_ID, None, "alice", "alice-pw")
        .unwrap();

    assert!(matches!(
        site.as_bearer(&alice.access_token, PRIVATE_TILE).status,
        200 | 204
    ));
    assert_eq!(
        site.as_bearer(&alice.access_token, "/api/me").json()["user"]["username"],
        "alice"
    );
    assert_eq!(
        site.as_bearer(&carol.access_token, PRIVATE_TILE).status,
        403
    );
    // The public client's tokens name Kartenn's audience (the mapper): accepted too.
    assert!(matches!(
        site.as_bearer(&cli.access_token, PRIVATE_TILE).status,
        200 | 204
    ));

    let forgeries = forgeries(&site, &alice);
    let log_before = log_buffer().lock().unwrap().len();
    for (what, token) in &forgeries {
        let reply = site.as_bearer(token, PRIVATE_TILE);
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        assert_eq!(reply.json()["code"], "unauthorized", "{what}");
        assert!(
            reply.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{what}"
        );
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(
                !reply.body.contains(part),
                "{what}: the answer quotes the token"
            );
        }
    }
    // Not a Bearer scheme at all.
    let basic = site.get(
        PRIVATE_TILE,
        &[("authorization", "Basic YWxpY2U6YWxpY2UtcHc=")],
    );
    assert_eq!(basic.status, 401);
    let log = log_buffer().lock().unwrap()[log_before..].to_vec();
    let log = String::from_utf8_lossy(&log);
    for (what, token) in &forgeries {
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(!log.contains(part), "{what}: the log quotes the token");
        }
    }
    let _ = std::io::stderr().flush();
}

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn a_rotated_signing_key_is_picked_up_and_tokens_of_the_old_key_are_refused() {
    let mut site = Site::start(OidcOptions::default(), "jwks_min_refresh_s = 1");
    let old = site.provider.token_for("alice").unwrap();
    let old_kid = site.provider.signing_kid().unwrap();
    assert!(matches!(
        site.as_bearer(&old.access_token, PRIVATE_TILE).status,
        200 | 204
    ));

    site.provider.rotate_key().unwrap();
    assert_ne!(site.provider.signing_kid().unwrap(), old_kid);
    std::thread::sleep(Duration::from_millis(1100));
    let new = site.provider.token_for("alice").unwrap();
    assert!(
        matches!(
            site.as_bearer(&new.access_token, PRIVATE_TILE).status,
            200 | 204
        ),
        "a new key id makes Kartenn read the JWKS again"
    );
    std::thread::sleep(Duration::from_millis(1100));
    let refused = site.as_bearer(&old.access_token, PRIVATE_TILE);
    assert_eq!(
        refused.status, 401,
        "the old key is gone from the JWKS: {}",
        refused.body
    );

    // A browser sign-in works with the new key too (ID token checked by openidconnect).
    let mut browser = Browser::new();
    let cookie = site.sign_in(&mut browser, "alice", "/");
    assert_eq!(
        site.with_cookie(&cookie, "/api/me").json()["user"]["username"],
        "alice"
    );
}

#[test]
#[ignore = "needs Node.js (the OIDC provider); cargo xtask test runs it"]
fn a_token_past_its_expiry_is_refused() {
    let options = OidcOptions {
        access_token_ttl_secs: 2,
        ..OidcOptions::default()
    };
    let site = Site::start(options, "leeway_s = 0");
    let token = site.provider.token_for("alice").unwrap();
    assert!(matches!(
        site.as_bearer(&token.access_token, PRIVATE_TILE).status,
        200 | 204
    ));
    std::thread::sleep(Duration::from_millis(3100));
    let reply = site.as_bearer(&token.access_token, PRIVATE_TILE);
    assert_eq!(reply.status, 401);
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}
