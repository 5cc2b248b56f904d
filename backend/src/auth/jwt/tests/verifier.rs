//! Tokens the verifier accepts, its use of the clock and of tasks, its default configuration and
//! the fixed texts of its errors.

use super::*;

#[tokio::test]
async fn a_valid_rs256_access_token_is_accepted_and_its_claims_returned() {
    let s = setup();
    let claims = access_claims();
    let verified = accepted(&s.verifier, &RSA_A.token(&claims)).await;
    assert_eq!(verified.subject, SUBJECT);
    assert_eq!(
        verified.expires_at,
        UNIX_EPOCH + Duration::from_secs(NOW + 300)
    );
    assert_eq!(Value::Object(verified.claims), claims);
    assert_eq!(s.jwks.fetches(), 1);
    // The keys are cached: a second token fetches nothing.
    accepted(&s.verifier, &RSA_B.token(&claims)).await;
    assert_eq!(s.jwks.fetches(), 1);
}

#[tokio::test]
async fn a_valid_es256_access_token_is_accepted() {
    let s = setup();
    let verified = accepted(&s.verifier, &s.ec.token(&access_claims())).await;
    assert_eq!(verified.subject, SUBJECT);
}

#[tokio::test]
async fn the_audience_may_come_from_azp_alone_or_from_aud_as_a_string() {
    let s = setup();
    let azp_only = with(
        with(access_claims(), "aud", json!("account")),
        "azp",
        json!(AUDIENCE),
    );
    accepted(&s.verifier, &RSA_A.token(&azp_only)).await;
    let no_aud = with(without(access_claims(), "aud"), "azp", json!(AUDIENCE));
    accepted(&s.verifier, &RSA_A.token(&no_aud)).await;
    let aud_string = with(access_claims(), "aud", json!(AUDIENCE));
    accepted(&s.verifier, &RSA_A.token(&aud_string)).await;
}

#[tokio::test]
async fn a_header_typ_at_jwt_marks_an_access_token_without_a_payload_typ() {
    let s = setup();
    let claims = without(access_claims(), "typ");
    for typ in ["at+jwt", "AT+JWT"] {
        let header = json!({"alg": "RS256", "typ": typ, "kid": "rsa-a"});
        accepted(&s.verifier, &RSA_A.token_with(&header, &claims)).await;
    }
}

#[tokio::test]
async fn the_header_typ_may_be_absent_or_jwt_in_any_case() {
    let s = setup();
    let claims = access_claims();
    for header in [
        json!({"alg": "RS256", "kid": "rsa-a"}),
        json!({"alg": "RS256", "kid": "rsa-a", "typ": "jwt"}),
    ] {
        accepted(&s.verifier, &RSA_A.token_with(&header, &claims)).await;
    }
}

#[tokio::test]
async fn a_verifier_is_send_and_sync_and_its_verification_runs_in_spawned_tasks() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<JwtVerifier>();
    let s = setup();
    let verifier = Arc::new(s.verifier);
    let token = RSA_A.token(&access_claims());
    let task = tokio::spawn(async move { verifier.verify_at(&token, now()).await });
    assert_eq!(task.await.unwrap().unwrap().subject, SUBJECT);
}

#[tokio::test]
async fn verify_uses_the_current_time() {
    let s = setup();
    let now_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let current = with(
        with(access_claims(), "exp", json!(now_s + 300)),
        "iat",
        json!(now_s),
    );
    assert!(s.verifier.verify(&RSA_A.token(&current)).await.is_ok());
    let error = s
        .verifier
        .verify(&RSA_A.token(&access_claims()))
        .await
        .unwrap_err();
    assert_eq!(error, JwtError::Expired);
}

#[test]
fn every_error_text_is_fixed_and_unavailability_is_only_about_keys() {
    let all = [
        JwtError::TooLarge,
        JwtError::Malformed,
        JwtError::InvalidBase64,
        JwtError::InvalidHeader,
        JwtError::InvalidPayload,
        JwtError::UnsupportedAlgorithm,
        JwtError::CriticalHeader,
        JwtError::MissingKeyId,
        JwtError::UnsupportedType,
        JwtError::UnknownKey,
        JwtError::KeyNotUsable,
        JwtError::BadSignature,
        JwtError::WrongIssuer,
        JwtError::MissingExpiry,
        JwtError::Expired,
        JwtError::NotYetValid,
        JwtError::IssuedInFuture,
        JwtError::MalformedClaim,
        JwtError::WrongAudience,
        JwtError::MissingSubject,
        JwtError::NotAnAccessToken,
        JwtError::JwksUnavailable,
        JwtError::Jwks("connection refused".to_owned()),
        JwtError::JwksStatus(503),
        JwtError::JwksTooLarge,
        JwtError::JwksInvalid,
    ];
    let texts: std::collections::HashSet<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), all.len(), "each error has its own text");
    let unavailable: Vec<_> = all.iter().filter(|e| e.is_unavailable()).collect();
    assert_eq!(unavailable.len(), 5);
    assert!(!JwtError::UnknownKey.is_unavailable());
    assert!(!JwtError::BadSignature.is_unavailable());
}

#[test]
fn the_default_configuration_has_a_minute_of_leeway_and_thirty_seconds_between_refreshes() {
    let config = config();
    assert_eq!(config.leeway, Duration::from_secs(60));
    assert_eq!(config.min_refresh_interval, Duration::from_secs(30));
    let verifier = JwtVerifier::new(config, MemoryJwks::new(&jwks(&[])));
    assert_eq!(verifier.config().issuer, ISSUER);
    assert!(format!("{verifier:?}").contains("JwtVerifier"));
}
