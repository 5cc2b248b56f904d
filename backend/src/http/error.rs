//! `ApiError`: every failing request ends here and leaves as a JSON `ApiErrorBody`. Each domain
//! error decides its status once, in its `From` impl below; 5xx bodies stay generic and the
//! details go to the log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kartenn_common::{ApiErrorBody, ErrorCode, FieldError};

use crate::sources::SourceError;
use crate::tiles::TileError;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// 422 `invalid`: the body is well formed but `fields` say what is wrong with it.
    pub fn invalid(message: impl Into<String>, fields: Vec<FieldError>) -> Self {
        Self {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::Invalid,
                message,
            )
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }

    /// A server fault: `detail` is logged, the caller only learns that it failed.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; the server log has the details",
        )
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            code: self.code,
            message: self.message,
            fields: self.fields,
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"kartenn\""),
            );
        }
        response
    }
}

impl From<TileError> for ApiError {
    fn from(err: TileError) -> Self {
        Self::from(&err)
    }
}

/// Errors shared between waiters of one cached computation arrive behind an `Arc`.
impl From<std::sync::Arc<TileError>> for ApiError {
    fn from(err: std::sync::Arc<TileError>) -> Self {
        Self::from(&*err)
    }
}

impl From<&TileError> for ApiError {
    fn from(err: &TileError) -> Self {
        match err {
            TileError::UnknownLayer(_) => Self::not_found(err.to_string()),
            TileError::BadRequest(message) => Self::bad_request(message.clone()),
            TileError::Source(source) => source.into(),
            TileError::Shared(inner) => Self::from(&**inner),
        }
    }
}

impl From<&SourceError> for ApiError {
    fn from(err: &SourceError) -> Self {
        match err {
            SourceError::Remote { .. } => {
                tracing::error!(error = %err, "remote source failed");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    ErrorCode::Upstream,
                    "a remote data source did not answer correctly",
                )
            }
            _ => Self::internal(err),
        }
    }
}

impl From<&crate::ogc::OgcError> for ApiError {
    fn from(err: &crate::ogc::OgcError) -> Self {
        let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_GATEWAY);
        let code = match status.as_u16() {
            400 => ErrorCode::BadRequest,
            404 => ErrorCode::NotFound,
            _ => ErrorCode::Upstream,
        };
        Self::new(status, code, err.public_message())
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(err: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError as E;
        match &err {
            E::NotConfigured => Self::not_found(err.to_string()),
            E::BadToken(jwt) if jwt.is_unavailable() => {
                tracing::warn!(error = %jwt, "bearer token not checkable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Upstream,
                    "the identity provider's keys are unavailable; try again shortly",
                )
            }
            E::BadToken(_) | E::BadScheme | E::SignInRequired | E::BearerWithoutSignIn => {
                Self::new(
                    StatusCode::UNAUTHORIZED,
                    ErrorCode::Unauthorized,
                    err.to_string(),
                )
            }
            E::SessionExpired | E::RefreshRefused(_) => Self::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::SessionExpired,
                "your session has expired; sign in again",
            ),
            E::Csrf => Self::new(StatusCode::FORBIDDEN, ErrorCode::Csrf, err.to_string()),
            E::Forbidden(message) => {
                Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message.clone())
            }
            E::LoginUnknown | E::SignInFailed(_) => Self::bad_request(err.to_string()),
            E::Issuer(_) => {
                tracing::warn!(error = %err, "identity provider");
                Self::new(
                    StatusCode::BAD_GATEWAY,
                    ErrorCode::Upstream,
                    "the identity provider is unreachable or answered badly",
                )
            }
            E::TooManySignIns => {
                tracing::warn!(
                    "sign-in flood: {} pending",
                    crate::auth::session::MAX_PENDING_LOGINS
                );
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Upstream,
                    err.to_string(),
                )
            }
            E::Random | E::Store(_) => Self::internal(&err),
        }
    }
}

impl From<crate::chronicles::ChronicleError> for ApiError {
    fn from(err: crate::chronicles::ChronicleError) -> Self {
        use crate::chronicles::ChronicleError as E;
        match &err {
            E::UnknownDataset(_) | E::UnknownStation { .. } | E::UnknownSeries { .. } => {
                Self::not_found(err.to_string())
            }
            E::BadRequest(message) => Self::bad_request(message.clone()),
            // The store, an import: server faults, logged.
            _ => Self::internal(&err),
        }
    }
}

impl From<SourceError> for ApiError {
    fn from(err: SourceError) -> Self {
        Self::from(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body_of(err: ApiError) -> (StatusCode, ApiErrorBody) {
        let response = err.into_response();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn unknown_layer_is_a_json_404() {
        let (status, body) = body_of(TileError::UnknownLayer("nope".into()).into()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body.code, ErrorCode::NotFound);
        assert!(body.message.contains("nope"));
    }

    #[tokio::test]
    async fn server_faults_do_not_leak_their_details() {
        let err = SourceError::Task("secret path /srv/data".into());
        let (status, body) = body_of(err.into()).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body.message.contains("secret"));
    }
}
