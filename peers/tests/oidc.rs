//! Integration tests of the OpenID provider peer: npm `oidc-provider` under Node.js, shaped like
//! the Keycloak realm `indigeo` (paths, JWT claims, login form, logout) as the backend's auth
//! tests will rely on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kartenn_peers::oidc::{
    self, ADMIN, ALICE, BOB, Browser, CAROL, OidcOptions, OidcProvider, http_get, jwt_claims,
    jwt_header, query_param,
};
use serde_json::{Value, json};

const NEEDS: &str = "needs node and npm: run `cargo xtask test`";

/// RFC 7636, appendix B.
const PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

const CALLBACK: &str = "http://127.0.0.1:9/callback";

fn start() -> OidcProvider {
    OidcProvider::start(OidcOptions::default()).expect(NEEDS)
}

fn discovery(provider: &OidcProvider) -> Value {
    http_get(&provider.discovery_url())
        .unwrap()
        .ok()
        .unwrap()
        .json()
        .unwrap()
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn discovery_names_keycloak_paths_and_rs256() {
    let provider = start();
    let issuer = provider.issuer();
    assert_eq!(
        issuer,
        format!("http://127.0.0.1:{}/realms/indigeo", provider.port())
    );
    let doc = discovery(&provider);
    assert_eq!(doc["issuer"], issuer.as_str());
    let oidc = format!("{issuer}/protocol/openid-connect");
    for (member, path) in [
        ("authorization_endpoint", "/auth"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/certs"),
        ("userinfo_endpoint", "/userinfo"),
        ("end_session_endpoint", "/logout"),
        ("introspection_endpoint", "/token/introspect"),
        ("revocation_endpoint", "/revoke"),
    ] {
        assert_eq!(doc[member], format!("{oidc}{path}").as_str(), "{member}");
    }
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    let grants = doc["grant_types_supported"].as_array().unwrap();
    for grant in ["authorization_code", "refresh_token", "password"] {
        assert!(grants.contains(&json!(grant)), "{grant} missing: {doc}");
    }
    assert_eq!(provider.authorization_endpoint(), format!("{oidc}/auth"));
    assert_eq!(provider.token_endpoint(), format!("{oidc}/token"));
    assert_eq!(provider.jwks_uri(), format!("{oidc}/certs"));

    let jwks = provider.jwks().unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert!(key["kid"].as_str().unwrap().len() >= 20, "{key}");
    assert!(key.get("d").is_none(), "private key published: {key}");

    // Keycloak's realm document.
    let realm = http_get(&issuer).unwrap().ok().unwrap().json().unwrap();
    assert_eq!(realm["realm"], "indigeo");
    assert!(realm["public_key"].as_str().unwrap().starts_with("MIIB"));
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn password_grant_gives_alice_a_keycloak_shaped_jwt_access_token() {
    let provider = start();
    let tokens = provider
        .password_grant(
            OidcProvider::CLIENT_ID,
            Some(OidcProvider::DEFAULT_CLIENT_SECRET),
            "alice",
            "alice-pw",
        )
        .unwrap();
    assert_eq!(tokens.expires_in, 300);
    assert_eq!(tokens.raw["token_type"], "Bearer");
    assert_eq!(tokens.raw["refresh_expires_in"], 1800);
    assert_eq!(tokens.raw["not-before-policy"], 0);
    assert_eq!(tokens.scope.as_deref(), Some("openid profile email"));
    assert!(tokens.refresh_token.is_some());

    let header = jwt_header(&tokens.access_token).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["kid"], provider.signing_kid().unwrap().as_str());

    let claims = tokens.access_claims().unwrap();
    assert_eq!(claims["iss"], provider.issuer().as_str());
    assert_eq!(claims["sub"], ALICE.sub);
    assert_eq!(claims["aud"], json!(["kartenn", "account"]));
    assert_eq!(claims["azp"], "kartenn");
    assert_eq!(claims["typ"], "Bearer");
    assert_eq!(claims["scope"], "openid profile email");
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["name"], "Alice Martin");
    assert_eq!(claims["given_name"], "Alice");
    assert_eq!(claims["family_name"], "Martin");
    assert_eq!(claims["email"], "alice@indigeo.example.org");
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["realm_access"], json!({"roles": ["chercheur"]}));
    assert_eq!(
        claims["resource_access"],
        json!({
            "kartenn": {"roles": ["lecteur-traits"]},
            "account": {"roles": ["manage-account"]},
        })
    );
    assert_eq!(claims["groups"], json!(["/letg"]));
    assert!(claims.get("client_id").is_none(), "{claims}");
    let (iat, exp) = (
        claims["iat"].as_u64().unwrap(),
        claims["exp"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 300);
    assert!(!claims["jti"].as_str().unwrap().is_empty());
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn id_token_is_for_the_client_and_typed_id() {
    let provider = start();
    let tokens = provider.token_for("bob").unwrap();
    let header = jwt_header(tokens.id_token.as_deref().unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    let claims = tokens.id_claims().unwrap();
    assert_eq!(claims["aud"], "kartenn");
    assert_eq!(claims["azp"], "kartenn");
    assert_eq!(claims["typ"], "ID");
    assert_eq!(claims["sub"], BOB.sub);
    assert_eq!(claims["name"], "Bob Le Gall");
    assert_eq!(claims["preferred_username"], "bob");
    assert_eq!(claims["acr"], "1");
    assert!(claims["auth_time"].is_u64());
    // Roles stay out of the ID token (Keycloak's default mappers); groups are in.
    assert!(claims.get("realm_access").is_none());
    assert_eq!(claims["groups"], json!(["/geo-ocean"]));
    // Bob has no kartenn role: resource_access only has `account`.
    let access = tokens.access_claims().unwrap();
    assert_eq!(access["realm_access"], json!({"roles": ["maddog"]}));
    assert_eq!(
        access["resource_access"],
        json!({"account": {"roles": ["manage-account"]}})
    );
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn carols_token_has_no_role_or_group_claims() {
    let provider = start();
    let claims = provider
        .token_for("carol")
        .unwrap()
        .access_claims()
        .unwrap();
    assert_eq!(claims["sub"], CAROL.sub);
    assert_eq!(claims["name"], "Carol Jézéquel");
    assert_eq!(claims["email_verified"], false);
    for absent in ["realm_access", "resource_access", "groups"] {
        assert!(claims.get(absent).is_none(), "{absent} present: {claims}");
    }
    // Without account roles the only audience is the mapper's, written as a string.
    assert_eq!(claims["aud"], "kartenn");

    let admin = provider
        .token_for("admin")
        .unwrap()
        .access_claims()
        .unwrap();
    assert_eq!(admin["sub"], ADMIN.sub);
    assert_eq!(admin["realm_access"], json!({"roles": ["indigeo-admin"]}));
    assert_eq!(admin["groups"], json!(["/iuem"]));
    assert!(admin.get("name").is_none(), "{admin}");
    assert_eq!(admin["preferred_username"], "admin");
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn wrong_password_is_refused_with_401_invalid_grant() {
    let provider = start();
    for (username, password) in [("alice", "bob-pw"), ("nobody", "x"), ("alice", "")] {
        let answer = provider
            .token_request(&[
                ("grant_type", "password"),
                ("client_id", "kartenn"),
                ("client_secret", "kartenn-secret"),
                ("username", username),
                ("password", password),
                ("scope", "openid"),
            ])
            .unwrap();
        assert_eq!(answer.status, 401, "{}", answer.body);
        assert_eq!(
            answer.json().unwrap(),
            json!({"error": "invalid_grant", "error_description": "Invalid user credentials"})
        );
    }
    let error = provider
        .password_grant("kartenn", Some("kartenn-secret"), "alice", "nope")
        .unwrap_err();
    assert!(format!("{error:#}").contains("401"), "{error:#}");
    // A wrong client secret is refused too.
    let answer = provider
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", "kartenn"),
            ("client_secret", "wrong"),
            ("username", "alice"),
            ("password", "alice-pw"),
        ])
        .unwrap();
    assert_eq!(answer.status, 401, "{}", answer.body);
    // The e-mail address and another case work as the username, as in Keycloak.
    let tokens = provider
        .password_grant(
            "kartenn",
            Some("kartenn-secret"),
            "Alice@Indigeo.example.org",
            "alice-pw",
        )
        .unwrap();
    assert_eq!(tokens.access_claims().unwrap()["sub"], ALICE.sub);
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn refresh_token_grant_gives_a_new_access_token() {
    let provider = start();
    let first = provider.token_for("alice").unwrap();
    let refresh_token = first.refresh_token.clone().unwrap();
    let second = provider
        .refresh("kartenn", Some("kartenn-secret"), &refresh_token)
        .unwrap();
    assert_ne!(second.access_token, first.access_token);
    let claims = second.access_claims().unwrap();
    assert_eq!(claims["sub"], ALICE.sub);
    assert_eq!(claims["realm_access"], json!({"roles": ["chercheur"]}));
    assert_eq!(second.id_claims().unwrap()["typ"], "ID");
    assert!(second.refresh_token.is_some());
    // Keycloak keeps the old refresh token usable.
    provider
        .refresh("kartenn", Some("kartenn-secret"), &refresh_token)
        .unwrap();
    // Another client cannot use it.
    let answer = provider
        .token_request(&[
            ("grant_type", "refresh_token"),
            ("client_id", "kartenn-cli"),
            ("refresh_token", &refresh_token),
        ])
        .unwrap();
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.json().unwrap()["error"], "invalid_grant");
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn public_cli_client_gets_and_refreshes_tokens_without_a_secret() {
    let provider = start();
    let tokens = provider
        .password_grant(OidcProvider::CLI_CLIENT_ID, None, "bob", "bob-pw")
        .unwrap();
    let claims = tokens.access_claims().unwrap();
    assert_eq!(claims["azp"], "kartenn-cli");
    assert_eq!(claims["aud"], json!(["kartenn", "account"]));
    assert_eq!(tokens.id_claims().unwrap()["aud"], "kartenn-cli");
    let refreshed = provider
        .refresh(
            "kartenn-cli",
            None,
            tokens.refresh_token.as_deref().unwrap(),
        )
        .unwrap();
    assert_eq!(refreshed.access_claims().unwrap()["sub"], BOB.sub);
    // The public client has no authorization code flow.
    let answer = http_get(&format!(
        "{}?client_id=kartenn-cli&response_type=code&scope=openid&redirect_uri={CALLBACK}",
        provider.authorization_endpoint()
    ))
    .unwrap();
    assert_eq!(answer.status, 400, "{}", answer.body);
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn access_token_lifetime_follows_the_options() {
    let provider = OidcProvider::start(OidcOptions {
        access_token_ttl_secs: 5,
        client_secret: "s3cret".to_owned(),
        ..OidcOptions::default()
    })
    .expect(NEEDS);
    let tokens = provider.token_for("alice").unwrap();
    assert_eq!(tokens.expires_in, 5);
    let claims = tokens.access_claims().unwrap();
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        5
    );
    let id = tokens.id_claims().unwrap();
    assert_eq!(id["exp"].as_u64().unwrap() - id["iat"].as_u64().unwrap(), 5);
    // The default secret is no longer accepted.
    assert!(
        provider
            .password_grant("kartenn", Some("kartenn-secret"), "alice", "alice-pw")
            .is_err()
    );
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn rotate_key_changes_the_kid_and_drops_the_old_key() {
    let mut provider = start();
    let port = provider.port();
    let old_kid = provider.signing_kid().unwrap();
    let old_token = provider.token_for("alice").unwrap().access_token;
    provider.rotate_key().unwrap();
    assert_eq!(provider.port(), port);
    let new_kid = provider.signing_kid().unwrap();
    assert_ne!(new_kid, old_kid);
    let jwks = provider.jwks().unwrap();
    assert!(!jwks.to_string().contains(&old_kid), "{jwks}");
    let new_token = provider.token_for("alice").unwrap().access_token;
    assert_eq!(jwt_header(&new_token).unwrap()["kid"], new_kid.as_str());
    assert_eq!(jwt_header(&old_token).unwrap()["kid"], old_kid.as_str());
    // Discovery answers on the same port and issuer.
    assert_eq!(discovery(&provider)["issuer"], provider.issuer().as_str());
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn restart_keeps_the_port_and_the_kid() {
    let mut provider = start();
    let issuer = provider.issuer();
    let kid = provider.signing_kid().unwrap();
    provider.restart().unwrap();
    assert_eq!(provider.issuer(), issuer);
    assert_eq!(provider.signing_kid().unwrap(), kid);
    let token = provider.token_for("carol").unwrap().access_token;
    assert_eq!(jwt_header(&token).unwrap()["kid"], kid.as_str());
    // Two restarts in a row are fine, and the log shows both starts.
    provider.restart().unwrap();
    assert_eq!(
        provider.log().matches(" ready (kid ").count(),
        3,
        "{}",
        provider.log()
    );
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn authorization_endpoint_serves_the_login_form_with_keycloak_ids() {
    let provider = start();
    let mut browser = Browser::new();
    let page = browser
        .get(&provider.authorization_url(CALLBACK, "st", &[("nonce", "n")]))
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    for fragment in [
        "<form id=\"kc-form-login\"",
        "method=\"post\"",
        "id=\"username\" name=\"username\"",
        "id=\"password\" name=\"password\" type=\"password\"",
        "id=\"kc-login\" type=\"submit\"",
    ] {
        assert!(
            page.body.contains(fragment),
            "{fragment} missing: {}",
            page.body
        );
    }
    assert!(browser.cookie("_interaction").is_some());
    // An unregistered redirect URI is refused before any form.
    let options = OidcOptions {
        redirect_uris: vec!["http://127.0.0.1:7000/callback".to_owned()],
        ..OidcOptions::default()
    };
    let strict = OidcProvider::start(options).expect(NEEDS);
    let refused = Browser::new()
        .get(&strict.authorization_url("http://127.0.0.1:7001/callback", "st", &[]))
        .unwrap();
    assert_eq!(refused.status, 400);
    let accepted = Browser::new()
        .get(&strict.authorization_url("http://127.0.0.1:7000/callback", "st", &[]))
        .unwrap();
    assert_eq!(accepted.status, 200);
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn wrong_password_in_the_form_shows_an_error_and_the_form_again() {
    let provider = start();
    let mut browser = Browser::new();
    let url = provider.authorization_url(CALLBACK, "st", &[]);
    let error = browser.login(&url, "alice", "bob-pw").unwrap_err();
    assert_eq!(
        format!("{error:#}"),
        "login refused: Invalid username or password."
    );
    assert!(browser.cookie("_session").is_none());
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn browser_login_returns_a_code_the_confidential_client_exchanges_with_pkce() {
    let provider = start();
    let mut browser = Browser::new();
    let url = provider.authorization_url(
        CALLBACK,
        "state-1",
        &[
            ("nonce", "nonce-1"),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    let back = browser.login(&url, "alice", "alice-pw").unwrap();
    assert!(back.starts_with(&format!("{CALLBACK}?")), "{back}");
    assert_eq!(query_param(&back, "state").as_deref(), Some("state-1"));
    assert_eq!(query_param(&back, "iss"), Some(provider.issuer()));
    let code = query_param(&back, "code").unwrap();
    assert!(browser.cookie("_session").is_some());

    // A wrong verifier is refused (and burns nothing else).
    let wrong = provider.exchange_code(&code, CALLBACK, Some("x".repeat(43).as_str()));
    assert!(wrong.is_err());

    let url = provider.authorization_url(
        CALLBACK,
        "state-2",
        &[
            ("nonce", "nonce-2"),
            ("code_challenge", PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    );
    // Signed in at the provider: no form this time.
    let back = browser.navigate(&url).unwrap();
    assert_eq!(query_param(&back, "state").as_deref(), Some("state-2"));
    let code = query_param(&back, "code").unwrap();
    let tokens = provider
        .exchange_code(&code, CALLBACK, Some(PKCE_VERIFIER))
        .unwrap();
    let access = tokens.access_claims().unwrap();
    assert_eq!(access["sub"], ALICE.sub);
    assert_eq!(access["azp"], "kartenn");
    assert_eq!(access["aud"], json!(["kartenn", "account"]));
    assert_eq!(
        access["resource_access"]["kartenn"],
        json!({"roles": ["lecteur-traits"]})
    );
    assert!(access["sid"].is_string(), "{access}");
    let id = tokens.id_claims().unwrap();
    assert_eq!(id["nonce"], "nonce-2");
    assert_eq!(id["typ"], "ID");
    assert_eq!(id["sid"], access["sid"]);
    assert!(tokens.refresh_token.is_some(), "{}", tokens.raw);
    // A code is single-use.
    assert!(
        provider
            .exchange_code(&code, CALLBACK, Some(PKCE_VERIFIER))
            .is_err()
    );

    // HTTP Basic client authentication and no PKCE work as well.
    let back = browser
        .navigate(&provider.authorization_url(CALLBACK, "state-3", &[]))
        .unwrap();
    let answer = oidc::http_post_form(
        &provider.token_endpoint(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &query_param(&back, "code").unwrap()),
            ("redirect_uri", CALLBACK),
        ],
        Some(("kartenn", "kartenn-secret")),
    )
    .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn logout_with_id_token_hint_redirects_without_confirmation_and_ends_the_session() {
    let provider = start();
    let mut browser = Browser::new();
    let back = browser
        .login(
            &provider.authorization_url(CALLBACK, "s", &[]),
            "bob",
            "bob-pw",
        )
        .unwrap();
    let tokens = provider
        .exchange_code(&query_param(&back, "code").unwrap(), CALLBACK, None)
        .unwrap();
    let id_token = tokens.id_token.clone().unwrap();
    let refresh_token = tokens.refresh_token.clone().unwrap();

    let logout = format!(
        "{}?id_token_hint={id_token}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fbye&state=st-out",
        provider.end_session_endpoint()
    );
    let answer = browser.get(&logout).unwrap();
    assert_eq!(answer.status, 302, "{}", answer.body);
    assert_eq!(
        answer.header("location"),
        Some("http://127.0.0.1:9/bye?state=st-out")
    );
    assert!(browser.cookie("_session").is_none());
    // The session's refresh token is revoked.
    let refused = provider.refresh("kartenn", Some("kartenn-secret"), &refresh_token);
    assert!(refused.is_err());
    // The next authorization request asks for the password again.
    let page = browser
        .get(&provider.authorization_url(CALLBACK, "s2", &[]))
        .unwrap();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"kc-login\""));
    // Logging out again without a session still redirects at once.
    assert_eq!(
        browser.navigate(&logout).unwrap(),
        "http://127.0.0.1:9/bye?state=st-out"
    );
    // Without id_token_hint Keycloak asks for confirmation.
    browser
        .login(
            &provider.authorization_url(CALLBACK, "s3", &[]),
            "bob",
            "bob-pw",
        )
        .unwrap();
    let confirm = browser.get(&provider.end_session_endpoint()).unwrap();
    assert_eq!(confirm.status, 200);
    assert!(
        confirm.body.contains("id=\"kc-logout\""),
        "{}",
        confirm.body
    );
    // An unregistered post-logout URI is refused.
    let options = OidcOptions {
        post_logout_redirect_uris: vec!["http://127.0.0.1:7000/*".to_owned()],
        ..OidcOptions::default()
    };
    let strict = OidcProvider::start(options).expect(NEEDS);
    let id_token = strict.token_for("bob").unwrap().id_token.unwrap();
    let end = strict.end_session_endpoint();
    let mut other = Browser::new();
    let refused = other
        .get(&format!(
            "{end}?id_token_hint={id_token}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A7001%2Fx"
        ))
        .unwrap();
    assert_eq!(refused.status, 400);
    let accepted = other
        .navigate(&format!(
            "{end}?id_token_hint={id_token}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A7000%2Fany%2Fpath"
        ))
        .unwrap();
    assert_eq!(accepted, "http://127.0.0.1:7000/any/path");
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn userinfo_and_introspection_accept_the_jwt_access_token() {
    let provider = start();
    let tokens = provider.token_for("alice").unwrap();
    let userinfo = get_with_bearer(&provider.userinfo_endpoint(), &tokens.access_token);
    assert_eq!(userinfo.status, 200, "{}", userinfo.body);
    let claims = userinfo.json().unwrap();
    assert_eq!(claims["sub"], ALICE.sub);
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["email"], "alice@indigeo.example.org");

    // Same header and payload, another signature.
    let (signed, signature) = tokens.access_token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    let refused = get_with_bearer(&provider.userinfo_endpoint(), &forged);
    assert_eq!(refused.status, 401);
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );

    let introspection = format!("{}/introspect", provider.token_endpoint());
    let active = oidc::http_post_form(
        &introspection,
        &[("token", &tokens.access_token)],
        Some(("kartenn", "kartenn-secret")),
    )
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(active["active"], true);
    assert_eq!(active["username"], "alice");
    assert_eq!(active["client_id"], "kartenn");
    let inactive = oidc::http_post_form(
        &introspection,
        &[("token", &forged)],
        Some(("kartenn", "kartenn-secret")),
    )
    .unwrap()
    .json()
    .unwrap();
    assert_eq!(inactive, json!({"active": false}));
    let _ = jwt_claims(&tokens.access_token).unwrap();
}

fn get_with_bearer(url: &str, token: &str) -> oidc::HttpResponse {
    oidc::http_get_with_headers(url, &[("Authorization", &format!("Bearer {token}"))]).unwrap()
}

#[test]
#[ignore = "needs node and npm: run `cargo xtask test`"]
fn a_failed_start_reports_the_tail_of_nodes_log() {
    let options = OidcOptions {
        redirect_uris: vec!["not a URL*".to_owned()],
        ..OidcOptions::default()
    };
    let Err(error) = OidcProvider::start(options) else {
        panic!("started with a bad redirect URI");
    };
    let message = format!("{error:#}");
    assert!(message.contains("node exited"), "{message}");
    assert!(message.contains("Invalid URL"), "{message}");
}
