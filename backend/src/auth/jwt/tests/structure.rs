//! The compact serialisation and the JOSE header: segments, strict base64url, size, `crit`,
//! `kid`, `typ`, and JSON objects without duplicate members.

use super::*;

#[tokio::test]
async fn malformed_compact_serialisations_are_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let (header, payload) = input.split_once('.').unwrap();
    for malformed in [
        String::new(),
        ".".to_owned(),
        "..".to_owned(),
        "...".to_owned(),
        "abc".to_owned(),
        input.to_owned(),
        format!("{token}.{signature}"),
        format!("{header}.{payload}.{signature}.{signature}.{signature}"),
        format!("{header}..{signature}"),
        format!(".{payload}.{signature}"),
        format!("{input}."),
    ] {
        assert_refused(&s.verifier, &malformed, JwtError::Malformed).await;
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn anything_but_strict_unpadded_base64url_is_refused() {
    let s = setup();
    let token = RSA_A.token(&access_claims());
    let (input, signature) = token.rsplit_once('.').unwrap();
    let (head, body) = input.split_once('.').unwrap();
    let standard = base64::engine::general_purpose::STANDARD_NO_PAD;
    let padded_header =
        base64::engine::general_purpose::URL_SAFE.encode(header("RS256", "rsa-a").to_string());
    // Stray bits after the last byte: the same bytes, a different text.
    let mut stray = signature.to_owned();
    let last = stray.pop().unwrap();
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.iter().position(|&c| c == last as u8).unwrap();
    stray.push(char::from(alphabet[index | 1]));
    for garbage in [
        format!("{head}.{body}.{signature}="),
        format!("{head}.{body}.{signature}=="),
        format!("{padded_header}.{body}.{signature}"),
        format!("{head}.{body}.{}", standard.encode([0xfb_u8; 256])),
        format!("{head}.{body}!.{signature}"),
        format!("{head}.{body}.{signature} "),
        format!(" {head}.{body}.{signature}"),
        format!("{head}.{body}.sig\nnature"),
        format!("{head}.{body}.{}", &signature[..signature.len() - 1]),
        format!("{head}.{body}.{stray}"),
        format!("{head}.%7B%7D.{signature}"),
        format!("{head}.{body}.é{signature}"),
    ] {
        assert_refused(&s.verifier, &garbage, JwtError::InvalidBase64).await;
    }
    assert_eq!(s.jwks.fetches(), 0);
}

#[tokio::test]
async fn an_oversize_token_is_refused_before_anything_else() {
    let s = setup();
    let padding = "x".repeat(MAX_TOKEN_BYTES);
    let big = RSA_A.token(&with(access_claims(), "padding", json!(padding)));
    assert!(big.len() > MAX_TOKEN_BYTES);
    assert_refused(&s.verifier, &big, JwtError::TooLarge).await;
    let junk = "!".repeat(MAX_TOKEN_BYTES + 1);
    assert_refused(&s.verifier, &junk, JwtError::TooLarge).await;
    assert_eq!(s.jwks.fetches(), 0);
    // Just under the cap is fine.
    // The claim grows by 4/3 once encoded.
    let fill = (MAX_TOKEN_BYTES - RSA_A.token(&access_claims()).len() - 100) * 3 / 4;
    let fits = RSA_A.token(&with(access_claims(), "padding", json!("x".repeat(fill))));
    assert!(fits.len() <= MAX_TOKEN_BYTES);
    accepted(&s.verifier, &fits).await;
}

#[tokio::test]
async fn a_crit_header_is_refused() {
    let s = setup();
    for crit in [json!(["exp"]), json!([]), json!(["b64"]), Value::Null] {
        let header =
            json!({"alg": "RS256", "typ": "JWT", "kid": "rsa-a", "crit": crit, "b64": false});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::CriticalHeader).await;
    }
}

#[tokio::test]
async fn a_header_without_a_key_id_is_refused() {
    let s = setup();
    for kid in [json!(""), json!(1), Value::Null] {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::MissingKeyId).await;
    }
    let token = RSA_A.token_with(&json!({"alg": "RS256", "typ": "JWT"}), &access_claims());
    assert_refused(&s.verifier, &token, JwtError::MissingKeyId).await;
}

#[tokio::test]
async fn a_header_typ_other_than_jwt_or_at_jwt_is_refused() {
    let s = setup();
    for typ in [
        json!("JWS"),
        json!("JOSE"),
        json!("application/jwt"),
        json!("dpop+jwt"),
        json!("logout+jwt"),
        json!(""),
        json!(1),
    ] {
        let header = json!({"alg": "RS256", "typ": typ, "kid": "rsa-a"});
        let token = RSA_A.token_with(&header, &access_claims());
        assert_refused(&s.verifier, &token, JwtError::UnsupportedType).await;
    }
}

#[tokio::test]
async fn a_header_or_payload_that_is_not_a_json_object_is_refused() {
    let s = setup();
    let signature = b64(b"whatever");
    let payload = b64(access_claims().to_string());
    for header in [
        b64("[]"),
        b64("\"RS256\""),
        b64("not json"),
        b64(r#"{"alg":"RS256","kid":"rsa-a"} trailing"#),
        // Duplicate member names are refused, not resolved.
        b64(r#"{"alg":"RS256","kid":"rsa-a","alg":"none"}"#),
    ] {
        let token = format!("{header}.{payload}.{signature}");
        assert_refused(&s.verifier, &token, JwtError::InvalidHeader).await;
    }
    // Signed payloads that are not objects: refused after the signature.
    let header = b64(header("RS256", "rsa-a").to_string());
    let duplicated = access_claims().to_string().replacen(
        &format!("\"sub\":\"{SUBJECT}\""),
        &format!("\"sub\":\"{SUBJECT}\",\"sub\":\"admin\""),
        1,
    );
    assert!(duplicated.contains("admin"));
    for payload in ["[]", "null", "\u{feff}{}", &duplicated] {
        let token = RSA_A.sign_with(&RSA_PKCS1_SHA256, &format!("{header}.{}", b64(payload)));
        assert_refused(&s.verifier, &token, JwtError::InvalidPayload).await;
    }
}
