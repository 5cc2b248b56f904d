//! The claims: issuer, audience, expiry and the other times with their leeway, subject and the
//! access-token marker.

use super::*;

#[tokio::test]
async fn a_wrong_issuer_is_refused_even_when_only_a_trailing_slash_differs() {
    let s = setup();
    for iss in [
        json!("https://evil.example.org/realms/kartenn"),
        json!(format!("{ISSUER}/")),
        json!(ISSUER.to_uppercase()),
        json!(format!(" {ISSUER}")),
        json!([ISSUER]),
        Value::Null,
    ] {
        let token = RSA_A.token(&with(access_claims(), "iss", iss));
        assert_refused(&s.verifier, &token, JwtError::WrongIssuer).await;
    }
    let token = RSA_A.token(&without(access_claims(), "iss"));
    assert_refused(&s.verifier, &token, JwtError::WrongIssuer).await;
}

#[tokio::test]
async fn a_wrong_audience_is_refused() {
    let s = setup();
    let elsewhere = with(
        with(access_claims(), "aud", json!(["account", "other"])),
        "azp",
        json!("other"),
    );
    assert_refused(
        &s.verifier,
        &RSA_A.token(&elsewhere),
        JwtError::WrongAudience,
    )
    .await;
    let nowhere = without(without(access_claims(), "aud"), "azp");
    assert_refused(&s.verifier, &RSA_A.token(&nowhere), JwtError::WrongAudience).await;
    let prefix = with(
        with(access_claims(), "aud", json!("kartenn-admin")),
        "azp",
        json!("kartenn-web"),
    );
    assert_refused(&s.verifier, &RSA_A.token(&prefix), JwtError::WrongAudience).await;
    for aud in [json!(7), json!([AUDIENCE, 7]), json!({"aud": AUDIENCE})] {
        let token = RSA_A.token(&with(access_claims(), "aud", aud));
        assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
    }
    let token = RSA_A.token(&with(access_claims(), "azp", json!([AUDIENCE])));
    assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn no_audience_configured_accepts_no_token() {
    let mut config = config();
    config.audiences.clear();
    let s = setup_with(config);
    let token = RSA_A.token(&access_claims());
    assert_refused(&s.verifier, &token, JwtError::WrongAudience).await;
}

#[tokio::test]
async fn an_expired_token_is_refused_just_beyond_the_leeway_and_accepted_just_within() {
    let s = setup();
    let beyond = with(access_claims(), "exp", json!(NOW - 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::Expired).await;
    let within = with(access_claims(), "exp", json!(NOW - 60));
    let verified = accepted(&s.verifier, &RSA_A.token(&within)).await;
    assert_eq!(verified.expires_at, now() - Duration::from_secs(60));
    let fractional = with(access_claims(), "exp", json!(NOW as f64 + 0.5));
    let verified = accepted(&s.verifier, &RSA_A.token(&fractional)).await;
    assert_eq!(verified.expires_at, now() + Duration::from_millis(500));
}

#[tokio::test]
async fn a_token_without_a_numeric_expiry_is_refused() {
    let s = setup();
    let token = RSA_A.token(&without(access_claims(), "exp"));
    assert_refused(&s.verifier, &token, JwtError::MissingExpiry).await;
    for exp in [
        json!((NOW + 300).to_string()),
        Value::Null,
        json!([NOW + 300]),
    ] {
        let token = RSA_A.token(&with(access_claims(), "exp", exp));
        assert_refused(&s.verifier, &token, JwtError::MissingExpiry).await;
    }
    // Beyond any representable time.
    let token = RSA_A.token(&with(access_claims(), "exp", json!(1e300)));
    assert_refused(&s.verifier, &token, JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn a_token_not_yet_valid_is_refused_beyond_the_leeway() {
    let s = setup();
    let beyond = with(access_claims(), "nbf", json!(NOW + 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::NotYetValid).await;
    let within = with(access_claims(), "nbf", json!(NOW + 60));
    accepted(&s.verifier, &RSA_A.token(&within)).await;
    let text = with(access_claims(), "nbf", json!("soon"));
    assert_refused(&s.verifier, &RSA_A.token(&text), JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused_beyond_the_leeway() {
    let s = setup();
    let beyond = with(access_claims(), "iat", json!(NOW + 61));
    assert_refused(&s.verifier, &RSA_A.token(&beyond), JwtError::IssuedInFuture).await;
    let within = with(access_claims(), "iat", json!(NOW + 60));
    accepted(&s.verifier, &RSA_A.token(&within)).await;
    let text = with(access_claims(), "iat", json!("now"));
    assert_refused(&s.verifier, &RSA_A.token(&text), JwtError::MalformedClaim).await;
}

#[tokio::test]
async fn the_leeway_is_configurable() {
    let mut config = config();
    config.leeway = Duration::ZERO;
    let s = setup_with(config);
    let just_expired = with(access_claims(), "exp", json!(NOW - 1));
    assert_refused(&s.verifier, &RSA_A.token(&just_expired), JwtError::Expired).await;
    let at_expiry = with(access_claims(), "exp", json!(NOW));
    accepted(&s.verifier, &RSA_A.token(&at_expiry)).await;
}

#[tokio::test]
async fn a_token_without_a_subject_is_refused() {
    let s = setup();
    let token = RSA_A.token(&without(access_claims(), "sub"));
    assert_refused(&s.verifier, &token, JwtError::MissingSubject).await;
    for sub in [json!(""), json!(42), Value::Null] {
        let token = RSA_A.token(&with(access_claims(), "sub", sub));
        assert_refused(&s.verifier, &token, JwtError::MissingSubject).await;
    }
}

#[tokio::test]
async fn keycloak_id_and_refresh_tokens_are_refused() {
    let s = setup();
    for typ in ["ID", "Refresh", "Offline", "Logout", "bearer", "Bearer "] {
        let token = RSA_A.token(&with(access_claims(), "typ", json!(typ)));
        assert_refused(&s.verifier, &token, JwtError::NotAnAccessToken).await;
    }
    // A realistic ID token: audience is the client, so only the type can tell.
    let id_token = with(
        with(access_claims(), "typ", json!("ID")),
        "aud",
        json!(AUDIENCE),
    );
    assert_refused(
        &s.verifier,
        &RSA_A.token(&id_token),
        JwtError::NotAnAccessToken,
    )
    .await;
    // An at+jwt header does not turn an ID token into an access token.
    let header = json!({"alg": "RS256", "typ": "at+jwt", "kid": "rsa-a"});
    let token = RSA_A.token_with(&header, &id_token);
    assert_refused(&s.verifier, &token, JwtError::NotAnAccessToken).await;
}

#[tokio::test]
async fn a_token_with_no_type_marker_is_refused() {
    let s = setup();
    let untyped = without(access_claims(), "typ");
    assert_refused(
        &s.verifier,
        &RSA_A.token(&untyped),
        JwtError::NotAnAccessToken,
    )
    .await;
    let not_a_string = with(access_claims(), "typ", json!(["Bearer"]));
    assert_refused(
        &s.verifier,
        &RSA_A.token(&not_a_string),
        JwtError::NotAnAccessToken,
    )
    .await;
}
