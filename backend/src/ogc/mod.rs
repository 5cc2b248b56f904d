//! OGC services (WMS, WFS) of the configured upstream servers: capabilities parsing and
//! filtering, request validation, and the proxy.

pub mod capabilities;
pub mod catalog;
pub mod kvp;
pub mod proxy;
pub mod request;
pub mod routes;
pub mod service;
pub mod sync;
pub mod upstream;
mod values;

/// Why an OGC request was refused or failed. Rendered as an OGC exception report.
#[derive(Debug, thiserror::Error)]
pub enum OgcError {
    /// The request itself is wrong (status 400); `code` is the OGC exception code.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// No such source (404).
    #[error("no OGC source `{0}`")]
    UnknownSource(String),
    /// A layer that does not exist or that the caller may not use: the same answer for both,
    /// so private layers cannot be discovered (404).
    #[error("layer {0} is not available")]
    LayerNotAvailable(String),
    /// The TIME value is outside the layer's time dimension (400).
    #[error("TIME {value} is not available for layer {layer}")]
    Time { layer: String, value: String },
    /// The upstream server failed or answered something unusable (502); details are logged.
    #[error("upstream server: {0}")]
    Upstream(String),
    /// The upstream server did not answer in time (504).
    #[error("upstream server did not answer within {0} s")]
    Timeout(f64),
    /// The answer was over the source's size limit (502).
    #[error("upstream answer larger than {0} MiB")]
    TooLarge(u64),
}

impl OgcError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn bad(message: impl Into<String>) -> Self {
        Self::invalid("InvalidParameterValue", message)
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid { .. } | Self::Time { .. } => 400,
            Self::UnknownSource(_) | Self::LayerNotAvailable(_) => 404,
            Self::Upstream(_) | Self::TooLarge(_) => 502,
            Self::Timeout(_) => 504,
        }
    }

    /// The OGC exception code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. } => code,
            Self::UnknownSource(_) => "InvalidParameterValue",
            Self::LayerNotAvailable(_) => "LayerNotDefined",
            Self::Time { .. } => "InvalidDimensionValue",
            Self::Upstream(_) | Self::Timeout(_) | Self::TooLarge(_) => "NoApplicableCode",
        }
    }

    /// What the caller is told: upstream details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Self::Upstream(_) => "the upstream server did not answer correctly".to_owned(),
            other => other.to_string(),
        }
    }

    /// An OGC exception report (WMS 1.3.0 `ServiceExceptionReport`, understood by WFS clients too).
    pub fn to_xml(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <ServiceExceptionReport version=\"1.3.0\" xmlns=\"http://www.opengis.net/ogc\">\
             <ServiceException code=\"{}\">{}</ServiceException></ServiceExceptionReport>\n",
            self.code(),
            xml_escape(&self.public_message())
        )
    }
}

/// Escapes text for XML content and attributes.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}
