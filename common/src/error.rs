//! The JSON error body every failing API call answers, and the stable error codes in it.

use serde::{Deserialize, Serialize};

/// Machine-readable reason for a failure; the viewer branches on it, people read `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed (bad number, coordinate out of range, bad parameter).
    BadRequest,
    /// The named resource (layer, tile set, file) does not exist.
    NotFound,
    /// The resource exists but not with this HTTP method.
    MethodNotAllowed,
    /// The caller is not signed in but must be.
    Unauthorized,
    /// The caller is signed in but may not do this.
    Forbidden,
    /// The caller's session (cookie) has expired or was ended: sign in again.
    SessionExpired,
    /// A state-changing request came without its CSRF token (or with a wrong one).
    Csrf,
    /// The server failed; details are in its logs, never in the body.
    Internal,
    /// An upstream service answered badly or not at all.
    Upstream,
}

/// Body of every error response: `{"code":"not_found","message":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serialises_with_snake_case_code() {
        let body = ApiErrorBody {
            code: ErrorCode::NotFound,
            message: "unknown layer `x`".into(),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"code":"not_found","message":"unknown layer `x`"}"#
        );
        let back: ApiErrorBody = serde_json::from_str(&json).unwrap();
        assert_eq!(back, body);
    }
}
