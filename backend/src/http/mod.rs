//! The HTTP edge: the one error type every handler returns, extractors whose rejections are
//! that error, response headers (security, caching) and the built viewer's static files.

pub mod error;
pub mod extract;
pub mod headers;
pub mod versioned;
pub mod viewer;

pub use error::ApiError;
