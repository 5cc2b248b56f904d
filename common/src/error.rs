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
    /// The resource changed since the caller read it (stale `If-Match`): reload and retry.
    Conflict,
    /// The request is well formed but its content is not acceptable: see `fields`.
    Invalid,
    /// A conditional request is required (`If-Match` with the resource's `ETag`).
    PreconditionRequired,
}

/// What is wrong with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field, as a path in the body (`rule.view`, `position`).
    pub field: String,
    pub message: String,
}

/// Body of every error response: `{"code":"not_found","message":"..."}`, plus `fields` (what is
/// wrong with which field) for validation errors only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serialises_with_snake_case_code() {
        let body = ApiErrorBody {
            code: ErrorCode::NotFound,
            message: "unknown layer `x`".into(),
            fields: Vec::new(),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"code":"not_found","message":"unknown layer `x`"}"#
        );
        let back: ApiErrorBody = serde_json::from_str(&json).unwrap();
        assert_eq!(back, body);
    }

    #[test]
    fn validation_errors_name_their_fields_and_new_codes_are_snake_case() {
        let body = ApiErrorBody {
            code: ErrorCode::PreconditionRequired,
            message: "m".into(),
            fields: vec![FieldError {
                field: "rule.view".into(),
                message: "unknown audience".into(),
            }],
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"code":"precondition_required","message":"m","fields":[{"field":"rule.view","message":"unknown audience"}]}"#
        );
        assert_eq!(serde_json::from_str::<ApiErrorBody>(&json).unwrap(), body);
    }
}
