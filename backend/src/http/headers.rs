//! Response headers applied to every answer: security headers (with a Content-Security-Policy
//! that admits the viewer's own inline bootstrap script by hash and nothing else) and
//! `Vary`/caching helpers shared by handlers.

use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy for a viewer whose `index.html` holds these inline scripts,
/// allowing images and fetches from the given external tile origins as well as its own.
pub fn content_security_policy(index_html: &str, external_origins: &[String]) -> String {
    let mut hashes = String::new();
    for script in inline_scripts(index_html) {
        let digest = Sha256::digest(script.as_bytes());
        hashes.push_str(" 'sha256-");
        hashes.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        hashes.push('\'');
    }
    let mut extra = String::new();
    for origin in external_origins {
        extra.push(' ');
        extra.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{extra}; connect-src 'self'{extra}; \
         font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'self'"
    )
}

/// Bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let after = &rest[start..];
            let tag_end = after.find('>')?;
            let tag = &after[..tag_end];
            let body_start = tag_end + 1;
            let close = after[body_start..].find("</script>")?;
            let body = &after[body_start..body_start + close];
            rest = &after[body_start + close..];
            if !tag.contains(" src=") {
                return Some(body);
            }
        }
    })
}

/// Headers of an answer no cache may keep (admin and session answers).
pub fn no_store() -> [(header::HeaderName, &'static str); 1] {
    [(header::CACHE_CONTROL, "no-store")]
}

/// Layers setting the security headers every response carries.
pub fn security_layers(csp: &str) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ];
    let mut layers: Vec<_> = fixed
        .into_iter()
        .map(|(name, value)| {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(csp) {
        layers.push(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            value,
        ));
    }
    layers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_are_not() {
        let html =
            r#"<html><script src="/a.js"></script><script type="module">boot()</script></html>"#;
        let csp = content_security_policy(html, &[]);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"boot()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
    }

    #[test]
    fn without_inline_scripts_only_self_and_wasm_may_run() {
        let csp =
            content_security_policy("<html></html>", &["https://tile.example.org".to_owned()]);
        assert!(
            csp.contains("connect-src 'self' https://tile.example.org;"),
            "{csp}"
        );
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-eval'") || csp.contains("wasm-unsafe-eval"));
        assert!(csp.contains("object-src 'none'"));
    }
}
