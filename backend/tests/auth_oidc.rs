//! Sign-in against a real OpenID provider made to look like Keycloak (npm `oidc-provider`, see
//! `kartenn_peers::oidc`): the browser flow over HTTP (authorization code + PKCE, session cookie,
//! CSRF-checked sign-out at the issuer), sessions across a Kartenn restart, refresh and its
//! refusal, bearer tokens from the issuer, forged and misused tokens, and key rotation.
//! Ignored by default (they need Node.js); `cargo xtask test` runs them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod oidc_site;
mod support;

use std::io::Write as _;
use std::time::Duration;

use kartenn_peers::oidc::{Browser, OidcOptions, OidcProvider};
use oidc_site::{PRIVATE_TILE, Site, forgeries, log_buffer};
use serde_json::Value;

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
