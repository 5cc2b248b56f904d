//! The harness of `auth_oidc.rs`: Kartenn on a loopback port, on its own runtime, in front of a
//! real OpenID provider ([`Site`]), the server log captured in memory ([`log_buffer`]), and
//! tokens forged from genuine ones ([`forgeries`]). Included by that test binary only.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kartenn::auth::session::SessionStore;
use kartenn::config::Config;
use kartenn::state::AppState;
use kartenn::store::Store;
use kartenn_peers::oidc::{Browser, OidcOptions, OidcProvider, Tokens};
use serde_json::{Value, json};

/// Everything the server logged in this test binary (to prove tokens never reach the log).
pub fn log_buffer() -> Arc<Mutex<Vec<u8>>> {
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
pub struct Site {
    pub provider: OidcProvider,
    pub runtime: tokio::runtime::Runtime,
    addr: SocketAddr,
    config: Config,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl Site {
    pub fn start(options: OidcOptions, extra_oidc: &str) -> Self {
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
        let communes = crate::support::demo_dir().join("communes.fgb");
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
    pub fn serve(&mut self) {
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

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request to Kartenn, redirects not followed.
    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
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

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.call("GET", path, headers)
    }

    pub fn as_bearer(&self, token: &str, path: &str) -> Reply {
        self.get(path, &[("authorization", &format!("Bearer {token}"))])
    }

    pub fn with_cookie(&self, cookie: &str, path: &str) -> Reply {
        self.get(path, &[("cookie", &format!("kartenn_session={cookie}"))])
    }

    /// Signs `username` in through the browser flow; answers the session cookie.
    pub fn sign_in(&self, browser: &mut Browser, username: &str, return_to: &str) -> String {
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

    pub fn store(&self) -> SessionStore {
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

/// A tile of the `team` layer, which only the role `chercheurs` (realm role `chercheur`) sees.
pub const PRIVATE_TILE: &str = "/tiles/team/8/125/88.mvt";

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
pub fn forgeries(site: &Site, alice: &Tokens) -> Vec<(&'static str, String)> {
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
