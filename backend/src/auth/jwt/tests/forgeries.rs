//! Forged signatures: `alg: none`, HMAC keyed with the RSA public key, algorithms other than
//! RS256 and ES256, tampered payloads and headers, broken signatures.

use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, RSA_PKCS1_SHA512, RSA_PSS_SHA256};

use super::*;

#[tokio::test]
async fn alg_none_is_refused_with_an_empty_or_a_non_empty_signature() {
    let s = setup();
    let claims = access_claims();
    for alg in ["none", "None", "NONE"] {
        let input = signing_input(&header(alg, "rsa-a"), &claims);
        // The empty signature already breaks the three non-empty segments rule.
        assert_refused(&s.verifier, &format!("{input}."), JwtError::Malformed).await;
        let token = format!("{input}.{}", b64(b"signature"));
        assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
        let with_rsa_signature = RSA_A.token_with(&header(alg, "rsa-a"), &claims);
        assert_refused(
            &s.verifier,
            &with_rsa_signature,
            JwtError::UnsupportedAlgorithm,
        )
        .await;
    }
    // Refused before any key was looked up.
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_is_refused() {
    let s = setup();
    let RsaPublicKeyComponents { n, .. } = RSA_A.components();
    let hmac_keys: [Vec<u8>; 5] = [
        RSA_A.pair.public().as_ref().to_vec(), // PKCS#1 RSAPublicKey DER
        include_bytes!("../testdata/rsa2048_a.spki.der").to_vec(),
        include_bytes!("../testdata/rsa2048_a.pub.pem").to_vec(),
        n,
        RSA_A.jwk().to_string().into_bytes(),
    ];
    for alg in ["HS256", "HS384", "HS512"] {
        let digest = match alg {
            "HS256" => ring::hmac::HMAC_SHA256,
            "HS384" => ring::hmac::HMAC_SHA384,
            _ => ring::hmac::HMAC_SHA512,
        };
        for key in &hmac_keys {
            let input = signing_input(&header(alg, "rsa-a"), &access_claims());
            let tag = ring::hmac::sign(&ring::hmac::Key::new(digest, key), input.as_bytes());
            let token = format!("{input}.{}", b64(tag));
            assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
        }
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn rs512_ps256_and_every_other_algorithm_are_refused() {
    let s = setup();
    let claims = access_claims();
    let rs512 = RSA_A.sign_with(
        &RSA_PKCS1_SHA512,
        &signing_input(&header("RS512", "rsa-a"), &claims),
    );
    assert_refused(&s.verifier, &rs512, JwtError::UnsupportedAlgorithm).await;
    let ps256 = RSA_A.sign_with(
        &RSA_PSS_SHA256,
        &signing_input(&header("PS256", "rsa-a"), &claims),
    );
    assert_refused(&s.verifier, &ps256, JwtError::UnsupportedAlgorithm).await;
    // An RS256 signature presented as PS256 or RS512 is no better.
    for alg in ["PS256", "RS512"] {
        let relabelled = RSA_A.token_with(&header(alg, "rsa-a"), &claims);
        assert_refused(&s.verifier, &relabelled, JwtError::UnsupportedAlgorithm).await;
    }
    for alg in [
        json!("RS384"),
        json!("PS384"),
        json!("PS512"),
        json!("ES384"),
        json!("ES512"),
        json!("ES256K"),
        json!("EdDSA"),
        json!("rs256"),
        json!("RS256 "),
        json!(""),
        json!(256),
        json!(["RS256"]),
        Value::Null,
    ] {
        let header = json!({"alg": alg, "typ": "JWT", "kid": "rsa-a"});
        let token = RSA_A.token_with(&header, &claims);
        assert_refused(&s.verifier, &token, JwtError::UnsupportedAlgorithm).await;
    }
    let no_alg = RSA_A.token_with(&json!({"typ": "JWT", "kid": "rsa-a"}), &claims);
    assert_refused(&s.verifier, &no_alg, JwtError::UnsupportedAlgorithm).await;
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let forged = signing_input(
        &header("RS256", "rsa-a"),
        &with(access_claims(), "sub", json!("admin")),
    );
    let signature = token.rsplit('.').next().unwrap();
    assert_refused(
        &s.verifier,
        &format!("{forged}.{signature}"),
        JwtError::BadSignature,
    )
    .await;
    let es = s.ec.token(&access_claims());
    let es_signature = es.rsplit('.').next().unwrap();
    let forged = signing_input(
        &header("ES256", "ec-1"),
        &with(access_claims(), "exp", json!(NOW + 86_400)),
    );
    assert_refused(
        &s.verifier,
        &format!("{forged}.{es_signature}"),
        JwtError::BadSignature,
    )
    .await;
}

#[tokio::test]
async fn a_tampered_header_pointing_to_another_valid_key_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let mut segments = token.split('.');
    let (_, payload, signature) = (
        segments.next().unwrap(),
        segments.next().unwrap(),
        segments.next().unwrap(),
    );
    let forged = format!(
        "{}.{payload}.{signature}",
        b64(header("RS256", "rsa-b").to_string())
    );
    assert_refused(&s.verifier, &forged, JwtError::BadSignature).await;
    // Signed by A but labelled B from the start.
    let mislabelled = RSA_A.token_with(&header("RS256", "rsa-b"), &access_claims());
    assert_refused(&s.verifier, &mislabelled, JwtError::BadSignature).await;
}

#[tokio::test]
async fn broken_signatures_are_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[100] ^= 1;
    let flipped = format!("{input}.{}", b64(&bytes));
    assert_refused(&s.verifier, &flipped, JwtError::BadSignature).await;
    let truncated = format!("{input}.{}", b64(&bytes[..255]));
    assert_refused(&s.verifier, &truncated, JwtError::BadSignature).await;
    let zeros = format!("{input}.{}", b64([0u8; 256]));
    assert_refused(&s.verifier, &zeros, JwtError::BadSignature).await;
    // ES256 signatures are the fixed 64-byte form; the ASN.1 form is refused.
    let asn1 = EcSigner::generate_for("ec-1", &ECDSA_P256_SHA256_ASN1_SIGNING);
    let asn1_keys = jwks(&[asn1.jwk()]);
    let jwks_asn1 = MemoryJwks::new(&asn1_keys);
    let verifier = verifier_with(config(), &jwks_asn1);
    assert_refused(
        &verifier,
        &asn1.token(&access_claims()),
        JwtError::BadSignature,
    )
    .await;
}
