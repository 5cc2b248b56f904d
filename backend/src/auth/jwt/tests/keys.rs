//! The JWKS: an unknown `kid` and the pacing of refreshes, concurrent callers, rotation, maximum
//! age, failed fetches, and the keys skipped or not usable (short, restricted, malformed).

use ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY;

use super::*;

#[tokio::test]
async fn an_unknown_kid_costs_one_fetch_then_no_more_within_the_interval() {
    let s = setup();
    let stranger = RSA_A.token_with(&header("RS256", "never-published-1"), &access_claims());
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    let another = RSA_A.token_with(&header("RS256", "never-published-2"), &access_claims());
    assert_refused(&s.verifier, &another, JwtError::UnknownKey).await;
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    // Known keys keep working without fetching.
    accepted(&s.verifier, &RSA_A.token(&access_claims())).await;
    assert_eq!(s.jwks.fetches(), 1);
}

#[tokio::test]
async fn an_unknown_kid_fetches_again_once_the_interval_has_passed() {
    let mut config = config();
    config.min_refresh_interval = Duration::from_millis(300);
    let s = setup_with(config);
    accepted(&s.verifier, &RSA_A.token(&access_claims())).await;
    let stranger = RSA_A.token_with(&header("RS256", "never-published"), &access_claims());
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 1);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_a_single_fetch() {
    let fetcher = MemoryJwks::slow(&jwks(&[RSA_A.jwk()]), Duration::from_millis(100));
    let verifier = Arc::new(verifier_with(config(), &fetcher));
    let token = RSA_A.token(&access_claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify_at(&token, now()).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().subject, SUBJECT);
    }
    assert_eq!(fetcher.fetches(), 1);
}

#[tokio::test]
async fn a_rotated_key_set_replaces_the_old_one_after_one_refresh() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    let fetcher = MemoryJwks::new(&jwks(&[RSA_A.jwk()]));
    let verifier = verifier_with(config, &fetcher);
    let old = RSA_A.token(&access_claims());
    let new = RSA_B.token(&access_claims());
    accepted(&verifier, &old).await;
    assert_eq!(fetcher.fetches(), 1);

    fetcher.set(&jwks(&[RSA_B.jwk()]));
    // Still cached until a token names a key the cache does not know.
    accepted(&verifier, &old).await;
    assert_eq!(fetcher.fetches(), 1);
    accepted(&verifier, &new).await;
    assert_eq!(fetcher.fetches(), 2);
    // The refresh replaced the whole set: the removed key no longer verifies anything.
    assert_refused(&verifier, &old, JwtError::UnknownKey).await;
    accepted(&verifier, &new).await;
}

#[tokio::test]
async fn a_key_set_past_its_age_is_fetched_again_and_a_withdrawn_key_stops_working() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    config.max_age = Duration::from_millis(200);
    let fetcher = MemoryJwks::new(&jwks(&[RSA_A.jwk(), RSA_B.jwk()]));
    let verifier = verifier_with(config, &fetcher);
    let a = RSA_A.token(&access_claims());
    accepted(&verifier, &a).await;
    // The issuer withdraws key A; no token names a new key.
    fetcher.set(&jwks(&[RSA_B.jwk()]));
    accepted(&verifier, &a).await;
    assert_eq!(fetcher.fetches(), 1, "young keys are not fetched again");
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_refused(&verifier, &a, JwtError::UnknownKey).await;
    assert_eq!(fetcher.fetches(), 2);
    // An old set keeps working while the issuer does not answer.
    tokio::time::sleep(Duration::from_millis(250)).await;
    fetcher.fail(true);
    accepted(&verifier, &RSA_B.token(&access_claims())).await;
    assert_eq!(fetcher.fetches(), 3);
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_previous_keys() {
    let mut config = config();
    config.min_refresh_interval = Duration::ZERO;
    let s = setup_with(config);
    let token = RSA_A.token(&access_claims());
    accepted(&s.verifier, &token).await;
    s.jwks.fail(true);
    let stranger = RSA_A.token_with(&header("RS256", "never-published"), &access_claims());
    let error = s.verifier.verify_at(&stranger, now()).await.unwrap_err();
    assert_eq!(error, JwtError::UnknownKey);
    assert!(!error.is_unavailable());
    assert_eq!(s.jwks.fetches(), 2);
    accepted(&s.verifier, &token).await;
    // A document that is not a key set is a failed fetch too.
    s.jwks.fail(false);
    s.jwks.set_raw(b"<html>maintenance</html>");
    assert_refused(&s.verifier, &stranger, JwtError::UnknownKey).await;
    accepted(&s.verifier, &token).await;
    assert_eq!(s.jwks.fetches(), 3);
}

#[tokio::test]
async fn without_any_key_set_a_failed_fetch_makes_the_verifier_unavailable() {
    let mut config = config();
    config.min_refresh_interval = Duration::from_millis(300);
    let s = setup_with(config);
    s.jwks.fail(true);
    let token = RSA_A.token(&access_claims());
    let error = s.verifier.verify_at(&token, now()).await.unwrap_err();
    assert_eq!(error, JwtError::JwksUnavailable);
    assert!(error.is_unavailable());
    assert_says_nothing_of(&error, &token);
    // Paced like any refresh: no second fetch within the interval.
    assert_refused(&s.verifier, &token, JwtError::JwksUnavailable).await;
    assert_eq!(s.jwks.fetches(), 1);
    s.jwks.fail(false);
    tokio::time::sleep(Duration::from_millis(400)).await;
    accepted(&s.verifier, &token).await;
    assert_eq!(s.jwks.fetches(), 2);
}

#[tokio::test]
async fn a_1024_bit_rsa_key_is_skipped() {
    let pkcs8 = include_bytes!("../testdata/rsa1024.pk8.der");
    let (n, e) = rsa_components_from_pkcs8(pkcs8);
    let token = include_str!("../testdata/rsa1024_rs256.jwt").trim();
    // The token is genuinely signed by that key (checked with ring's legacy parameters)...
    let (input, signature) = token.rsplit_once('.').unwrap();
    RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            input.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).unwrap(),
        )
        .unwrap();
    // ...but the key is too short to be kept.
    let small = json!({"kty": "RSA", "kid": "rsa-1024", "use": "sig", "alg": "RS256",
                       "n": b64(&n), "e": b64(&e)});
    let document = jwks(&[small, RSA_A.jwk()]);
    let set = KeySet::parse(document.to_string().as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 1));
    let verifier = verifier_with(config(), &MemoryJwks::new(&document));
    let signed_at = UNIX_EPOCH + Duration::from_secs(1_700_000_100);
    let error = verifier.verify_at(token, signed_at).await.unwrap_err();
    assert_eq!(error, JwtError::UnknownKey);
    assert_says_nothing_of(&error, token);
}

/// `n` and `e` of a PKCS#8 RSA private key (enough DER for the test key).
fn rsa_components_from_pkcs8(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
    fn element(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let tag = input[0];
        let (len, header) = match input[1] {
            short if short < 0x80 => (usize::from(short), 2),
            0x81 => (usize::from(input[2]), 3),
            0x82 => (usize::from(input[2]) << 8 | usize::from(input[3]), 4),
            other => panic!("unexpected DER length form {other:#x}"),
        };
        (tag, &input[header..header + len], &input[header + len..])
    }
    let (_, private_key_info, _) = element(der);
    let (_, _version, rest) = element(private_key_info);
    let (_, _algorithm, rest) = element(rest);
    let (tag, octets, _) = element(rest);
    assert_eq!(tag, 0x04);
    let (_, rsa_private_key, _) = element(octets);
    let (_, _version, rest) = element(rsa_private_key);
    let (_, n, rest) = element(rest);
    let (_, e, _) = element(rest);
    let strip = |b: &[u8]| {
        b.iter()
            .copied()
            .skip_while(|&x| x == 0)
            .collect::<Vec<u8>>()
    };
    (strip(n), strip(e))
}

#[tokio::test]
async fn a_jwk_not_meant_for_verification_is_not_usable() {
    let token = RSA_A.token(&access_claims());
    let restricted = |member: &str, value: Value| {
        let mut jwk = RSA_A.jwk();
        jwk[member] = value;
        jwk
    };
    for jwk in [
        restricted("use", json!("enc")),
        restricted("use", json!(["sig"])),
        restricted("alg", json!("RS512")),
        restricted("alg", json!("RSA-OAEP")),
        restricted("alg", json!(256)),
        restricted("key_ops", json!(["encrypt", "wrapKey"])),
        restricted("key_ops", json!("verify")),
    ] {
        let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
        assert_refused(&verifier, &token, JwtError::KeyNotUsable).await;
    }
    // Without the optional members, or with key_ops allowing verification, the key works.
    let mut bare = RSA_A.jwk();
    for member in ["use", "alg"] {
        bare.as_object_mut().unwrap().remove(member);
    }
    for jwk in [bare, restricted("key_ops", json!(["verify"]))] {
        let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
        accepted(&verifier, &token).await;
    }
}

#[tokio::test]
async fn a_key_of_the_wrong_type_for_the_algorithm_is_not_usable() {
    let s = setup();
    // The EC key's kid, presented with RS256 (and signed by an RSA key).
    let rs_on_ec = RSA_A.token_with(&header("RS256", "ec-1"), &access_claims());
    assert_refused(&s.verifier, &rs_on_ec, JwtError::KeyNotUsable).await;
    // An RSA key's kid, presented with ES256 (and signed by the EC key).
    let es_on_rsa = s.ec.token_with(&header("ES256", "rsa-a"), &access_claims());
    assert_refused(&s.verifier, &es_on_rsa, JwtError::KeyNotUsable).await;
    // An EC key without an alg member, presented with RS256.
    let mut ec_jwk = s.ec.jwk();
    ec_jwk.as_object_mut().unwrap().remove("alg");
    let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[ec_jwk])));
    assert_refused(&verifier, &rs_on_ec, JwtError::KeyNotUsable).await;
}

#[tokio::test]
async fn malformed_and_foreign_keys_are_skipped_and_the_rest_still_works() {
    let ec = EcSigner::generate("ec-1");
    let RsaPublicKeyComponents { n, e } = RSA_A.components();
    let mut with_zero = vec![0];
    with_zero.extend_from_slice(&n);
    let mut ec_short_x = ec.jwk();
    ec_short_x["x"] = json!(b64([1u8; 31]));
    let mut ec_p384 = ec.jwk();
    ec_p384["crv"] = json!("P-384");
    let mut private = RSA_B.jwk();
    private["d"] = json!(b64(b"private exponent"));
    let mut no_kid = RSA_B.jwk();
    no_kid.as_object_mut().unwrap().remove("kid");
    let keys = [
        json!({"kty": "oct", "kid": "rsa-b", "k": b64(b"shared secret"), "alg": "HS256"}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": "!!!", "e": "AQAB"}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": b64(&n), "e": b64([1])}),
        json!({"kty": "RSA", "kid": "rsa-b", "n": b64(&n), "e": b64([1, 0, 0, 0, 0, 1])}),
        json!({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64([0u8; 32])}),
        json!("not an object"),
        ec_short_x,
        ec_p384,
        private,
        no_kid,
        // Kept: a leading zero byte on n is tolerated, and x5c is ignored.
        json!({"kty": "RSA", "kid": "rsa-a", "n": b64(&with_zero), "e": b64(&e), "x5c": ["junk"]}),
    ];
    let document = jwks(&keys);
    let set = KeySet::parse(document.to_string().as_bytes()).unwrap();
    assert_eq!((set.len(), set.skipped()), (1, 10));
    let verifier = verifier_with(config(), &MemoryJwks::new(&document));
    accepted(&verifier, &RSA_A.token(&access_claims())).await;
    let b = RSA_B.token(&access_claims());
    assert_refused(&verifier, &b, JwtError::UnknownKey).await;
    assert_refused(&verifier, &ec.token(&access_claims()), JwtError::UnknownKey).await;
}

#[tokio::test]
async fn an_invalid_ec_point_never_verifies() {
    let ec = EcSigner::generate("ec-1");
    let mut jwk = ec.jwk();
    jwk["y"] = json!(b64([0x42u8; 32]));
    let verifier = verifier_with(config(), &MemoryJwks::new(&jwks(&[jwk])));
    assert_refused(
        &verifier,
        &ec.token(&access_claims()),
        JwtError::BadSignature,
    )
    .await;
}
