//! Why a data-source request of the admin API failed, and the HTTP answer for each reason.

use axum::http::StatusCode;
use kartenn_common::ErrorCode;

use super::AdminError;
use crate::http::ApiError;
use crate::ogc::OgcError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SourceAdminError {
    /// Validation (422), no store (404), store failures.
    #[error(transparent)]
    Admin(#[from] AdminError),
    #[error("no source `{0}`")]
    Unknown(String),
    #[error("source `{0}` comes from the configuration file: change it there")]
    FromConfig(String),
    #[error(transparent)]
    Stale(#[from] crate::http::versioned::Stale),
    #[error("this preview is unknown or has expired (previews last 10 minutes): preview again")]
    PreviewGone,
    #[error("the catalogue changed since the preview, preview again")]
    CatalogueChanged,
    #[error("source `{0}` was changed since the preview: preview again")]
    SourceChanged(String),
    #[error("the upstream server could not be harvested: {0}")]
    Upstream(#[from] OgcError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no randomness for a preview token")]
    Random,
}

impl From<sqlx::Error> for SourceAdminError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(StoreError::from(err))
    }
}

impl From<serde_json::Error> for SourceAdminError {
    fn from(err: serde_json::Error) -> Self {
        Self::Store(StoreError::from(err))
    }
}

impl From<SourceAdminError> for ApiError {
    fn from(err: SourceAdminError) -> Self {
        let conflict = |e: &SourceAdminError| {
            Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, e.to_string())
        };
        match err {
            SourceAdminError::Admin(e) => e.into(),
            SourceAdminError::Unknown(_) => Self::not_found(err.to_string()),
            SourceAdminError::FromConfig(_)
            | SourceAdminError::Stale(_)
            | SourceAdminError::PreviewGone
            | SourceAdminError::CatalogueChanged
            | SourceAdminError::SourceChanged(_) => conflict(&err),
            SourceAdminError::Upstream(ref e) => Self::new(
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_GATEWAY),
                ErrorCode::Upstream,
                err.to_string(),
            ),
            SourceAdminError::Store(_) | SourceAdminError::Random => Self::internal(&err),
        }
    }
}
