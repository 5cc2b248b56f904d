//! Who the viewer is talking as: `GET /api/me`, read at start and after every sign-in/out.

use serde::{Deserialize, Serialize};

/// `GET /api/me`: the caller's identity and the ways to change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// Whether sign-in is configured at all (`[oidc]`); without it, no sign-in button.
    pub auth_enabled: bool,
    /// `None` when anonymous.
    pub user: Option<SignedInUser>,
    /// Where the browser goes to sign in (append `?return_to=<path>` to come back there).
    pub login_url: String,
    /// `POST` here with the `X-CSRF-Token` header to sign out; the answer names where to go.
    pub logout_url: String,
    /// Token for state-changing requests of this session (`X-CSRF-Token` header); `None` when
    /// anonymous.
    pub csrf_token: Option<String>,
    /// The request carried a session cookie that is no longer valid (expired, signed out
    /// elsewhere, server-side session removed): the viewer says so instead of failing quietly.
    pub session_expired: bool,
}

/// A signed-in caller as the viewer shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInUser {
    /// Keycloak `preferred_username` (or `sub` when missing).
    pub username: String,
    /// Display name (`name` claim) when the issuer gives one.
    pub name: Option<String>,
    /// Kartenn roles after role mapping, sorted.
    pub roles: Vec<String>,
}

/// Answer of `POST /auth/logout`: where the browser goes next (the issuer's end-session page,
/// which comes back to the viewer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutRedirect {
    pub redirect: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_anonymous_me_serialises_with_a_null_user() {
        let me = Me {
            auth_enabled: true,
            user: None,
            login_url: "/auth/login".into(),
            logout_url: "/auth/logout".into(),
            csrf_token: None,
            session_expired: false,
        };
        let json = serde_json::to_value(&me).unwrap();
        assert_eq!(json["user"], serde_json::Value::Null);
        let back: Me = serde_json::from_value(json).unwrap();
        assert_eq!(back, me);
    }
}
