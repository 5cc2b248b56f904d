//! `[oidc]`: sign-in with an OpenID Connect issuer (Keycloak), and how its claims become Kartenn
//! roles. Every key can come from the environment (`KARTENN_OIDC_ISSUER`, `…_CLIENT_ID`,
//! `…_CLIENT_SECRET`, `…_AUDIENCE`); the client secret also from `client_secret_file`. The secret
//! is a [`Secret`]: it never prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ogc::Secret;
use super::{ConfigError, invalid};

/// The `[oidc]` table as written (every key optional: the environment may complete it).
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    issuer: Option<String>,
    client_id: Option<String>,
    /// Accepted for compatibility; prefer `client_secret_file` or `KARTENN_OIDC_CLIENT_SECRET`.
    client_secret: Option<String>,
    client_secret_file: Option<PathBuf>,
    audience: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    session_hours: Option<f64>,
    leeway_s: Option<u64>,
    jwks_min_refresh_s: Option<u64>,
    /// Claim value → Kartenn role(s): `"realm:indigeo-admin" = "admin"`,
    /// `"client:kartenn:lecteur" = ["lecteur", "chercheur"]`, `"group:/letg" = "letg"`.
    #[serde(default)]
    roles: BTreeMap<String, OneOrMany>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// Sign-in, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct OidcConfig {
    /// Exactly as the issuer writes it in tokens (`https://sso.example.org/realms/indigeo`).
    pub issuer: String,
    pub client_id: String,
    /// `None`: a public client (PKCE only).
    pub client_secret: Option<Secret>,
    /// Bearer tokens must name this in `aud` or `azp` (default: the client id).
    pub audience: String,
    pub scopes: Vec<String>,
    /// A browser session ends this long after sign-in, whatever the refreshes.
    pub session_hours: f64,
    /// Clock skew allowed on `exp`, `nbf`, `iat`, in seconds.
    pub leeway_s: u64,
    /// Shortest time between two JWKS fetches caused by unknown key ids, in seconds.
    pub jwks_min_refresh_s: u64,
    /// Claim-derived names (`realm:…`, `client:<id>:…`, `group:…`) → Kartenn roles.
    pub role_mapping: BTreeMap<String, Vec<String>>,
}

/// Builds `[oidc]` from the file's table and the environment. `None`: sign-in not configured.
pub(super) fn resolve(
    section: Option<OidcSection>,
    base_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<OidcConfig>, ConfigError> {
    let section = section.unwrap_or_default();
    let issuer = env("KARTENN_OIDC_ISSUER").or(section.issuer);
    let client_id = env("KARTENN_OIDC_CLIENT_ID").or(section.client_id);
    let (issuer, client_id) = match (issuer, client_id) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(invalid(
                "oidc.client_id",
                "an issuer is set but no client_id (or KARTENN_OIDC_CLIENT_ID)",
            ));
        }
        (None, Some(_)) => {
            return Err(invalid(
                "oidc.issuer",
                "a client_id is set but no issuer (or KARTENN_OIDC_ISSUER)",
            ));
        }
        (Some(issuer), Some(client_id)) => (issuer, client_id),
    };
    if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
        return Err(invalid("oidc.issuer", "must be an http(s) URL"));
    }
    if issuer.starts_with("http://") && !is_loopback_url(&issuer) {
        return Err(invalid(
            "oidc.issuer",
            "must use https (plain http only on 127.0.0.1 or localhost, for tests)",
        ));
    }
    if client_id.trim().is_empty() {
        return Err(invalid("oidc.client_id", "must not be empty"));
    }
    let from_file = match &section.client_secret_file {
        Some(file) => {
            let path = base_dir.join(file);
            Some(std::fs::read_to_string(&path).map_err(|e| {
                invalid(
                    "oidc.client_secret_file",
                    format!("cannot read {}: {e}", path.display()),
                )
            })?)
        }
        None => None,
    };
    if section.client_secret.is_some() {
        tracing::warn!(
            "[oidc] client_secret is written in the configuration file; prefer \
             KARTENN_OIDC_CLIENT_SECRET or client_secret_file"
        );
    }
    let client_secret = env("KARTENN_OIDC_CLIENT_SECRET")
        .or(from_file)
        .or(section.client_secret)
        .map(|s| s.trim_end_matches(['\r', '\n']).to_owned())
        .filter(|s| !s.is_empty())
        .map(Secret);
    let audience = env("KARTENN_OIDC_AUDIENCE")
        .or(section.audience)
        .unwrap_or_else(|| client_id.clone());
    let scopes = section
        .scopes
        .unwrap_or_else(|| vec!["openid".into(), "profile".into(), "email".into()]);
    if !scopes.iter().any(|s| s == "openid") {
        return Err(invalid("oidc.scopes", "must include \"openid\""));
    }
    let session_hours = section.session_hours.unwrap_or(12.0);
    if !(session_hours > 0.0 && session_hours <= 24.0 * 90.0) {
        return Err(invalid(
            "oidc.session_hours",
            "must be more than 0 and at most 2160 (90 days)",
        ));
    }
    let leeway_s = section.leeway_s.unwrap_or(60);
    if leeway_s > 600 {
        return Err(invalid("oidc.leeway_s", "must be at most 600 seconds"));
    }
    let jwks_min_refresh_s = section.jwks_min_refresh_s.unwrap_or(30);
    if !(1..=3600).contains(&jwks_min_refresh_s) {
        return Err(invalid(
            "oidc.jwks_min_refresh_s",
            "must be between 1 and 3600 seconds",
        ));
    }
    let role_mapping = role_mapping(section.roles)?;
    Ok(Some(OidcConfig {
        issuer,
        client_id,
        client_secret,
        audience,
        scopes,
        session_hours,
        leeway_s,
        jwks_min_refresh_s,
        role_mapping,
    }))
}

/// `[oidc.roles]`, checked: keys name their claim kind, role names are not empty.
fn role_mapping(
    roles: BTreeMap<String, OneOrMany>,
) -> Result<BTreeMap<String, Vec<String>>, ConfigError> {
    let mut mapping = BTreeMap::new();
    for (claim, roles) in roles {
        if !["realm:", "client:", "group:"]
            .iter()
            .any(|p| claim.starts_with(p))
        {
            return Err(invalid(
                format!("oidc.roles.\"{claim}\""),
                "keys are realm:<role>, client:<client-id>:<role> or group:<group>",
            ));
        }
        let roles = match roles {
            OneOrMany::One(role) => vec![role],
            OneOrMany::Many(roles) => roles,
        };
        if roles.iter().any(|r| r.trim().is_empty()) {
            return Err(invalid(
                format!("oidc.roles.\"{claim}\""),
                "role names must not be empty",
            ));
        }
        if roles.iter().any(|r| crate::auth::claims::is_claim_name(r)) {
            return Err(invalid(
                format!("oidc.roles.\"{claim}\""),
                "Kartenn role names may not begin with realm:, client: or group:",
            ));
        }
        mapping.insert(claim, roles);
    }
    Ok(mapping)
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url.trim_start_matches("http://");
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|host| {
        rest.starts_with(host)
            && matches!(rest[host.len()..].chars().next(), None | Some(':' | '/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> OidcSection {
        toml::from_str(text).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn no_issuer_and_no_client_means_sign_in_is_off() {
        assert_eq!(resolve(None, Path::new("."), &no_env).unwrap(), None);
    }

    #[test]
    fn the_environment_completes_and_overrides_the_file() {
        let section = parse(
            r#"issuer = "https://sso.example.org/realms/indigeo"
               client_id = "from-file"
               [roles]
               "realm:indigeo-admin" = "admin"
               "group:/letg" = ["letg", "chercheur"]"#,
        );
        let env = |key: &str| match key {
            "KARTENN_OIDC_CLIENT_ID" => Some("kartenn".to_owned()),
            "KARTENN_OIDC_CLIENT_SECRET" => Some("s3cret\n".to_owned()),
            _ => None,
        };
        let oidc = resolve(Some(section), Path::new("."), &env)
            .unwrap()
            .unwrap();
        assert_eq!(oidc.client_id, "kartenn");
        assert_eq!(oidc.audience, "kartenn");
        assert_eq!(oidc.client_secret, Some(Secret("s3cret".into())));
        assert_eq!(oidc.role_mapping["group:/letg"], ["letg", "chercheur"]);
        assert_eq!(oidc.scopes, ["openid", "profile", "email"]);
        assert!(!format!("{oidc:?}").contains("s3cret"));
    }

    #[test]
    fn a_plain_http_issuer_is_refused_unless_on_loopback() {
        let env = |key: &str| match key {
            "KARTENN_OIDC_ISSUER" => Some("http://sso.example.org/realms/x".to_owned()),
            "KARTENN_OIDC_CLIENT_ID" => Some("kartenn".to_owned()),
            _ => None,
        };
        let err = resolve(None, Path::new("."), &env).unwrap_err();
        assert!(err.to_string().contains("oidc.issuer"), "{err}");
        let env = |key: &str| match key {
            "KARTENN_OIDC_ISSUER" => Some("http://127.0.0.1:9000/realms/x".to_owned()),
            "KARTENN_OIDC_CLIENT_ID" => Some("kartenn".to_owned()),
            _ => None,
        };
        assert!(resolve(None, Path::new("."), &env).unwrap().is_some());
        assert!(!is_loopback_url("http://127.0.0.1.evil.example/realms/x"));
    }

    #[test]
    fn half_a_configuration_names_the_missing_key() {
        let section = parse(r#"issuer = "https://sso.example.org/realms/indigeo""#);
        let err = resolve(Some(section), Path::new("."), &no_env).unwrap_err();
        assert!(err.to_string().contains("oidc.client_id"), "{err}");
    }

    #[test]
    fn role_mapping_keys_must_name_their_claim_kind() {
        let section = parse(
            r#"issuer = "https://sso.example.org/realms/indigeo"
               client_id = "kartenn"
               [roles]
               "indigeo-admin" = "admin""#,
        );
        let err = resolve(Some(section), Path::new("."), &no_env).unwrap_err();
        assert!(err.to_string().contains("realm:<role>"), "{err}");
    }

    #[test]
    fn the_secret_file_is_read_relative_to_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret"), "from-file\n").unwrap();
        let section = parse(
            r#"issuer = "https://sso.example.org/realms/indigeo"
               client_id = "kartenn"
               client_secret_file = "secret""#,
        );
        let oidc = resolve(Some(section), dir.path(), &no_env)
            .unwrap()
            .unwrap();
        assert_eq!(oidc.client_secret, Some(Secret("from-file".into())));
    }
}
