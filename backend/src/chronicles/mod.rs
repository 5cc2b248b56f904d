//! Chronicles (*chroniques*, the NEO project): datasets → stations → series → samples, kept in
//! the store. [`store`] is the data model and its SQL; `import` reads CSV files into it; `query`
//! answers ranges downsampled for charts; `routes` is the HTTP edge.

pub mod blocks;
pub mod downsample;
pub mod import;
pub mod query;
pub mod routes;
pub mod service;
pub mod store;

/// Why a chronicle operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ChronicleError {
    #[error("unknown dataset `{0}`")]
    UnknownDataset(String),
    #[error("unknown station `{station}` in dataset `{dataset}`")]
    UnknownStation { dataset: String, station: String },
    #[error("unknown variable `{variable}` at station `{station}`")]
    UnknownSeries { station: String, variable: String },
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A CSV import failed (nothing of it was kept).
    #[error(transparent)]
    Import(#[from] import::ImportError),
}

impl From<sqlx::Error> for ChronicleError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}
