//! Outbound HTTP: the one place that prepares TLS (rustls with the ring provider, system trust
//! roots) and builds clients for remote sources and upstream servers.

use std::time::Duration;

/// A client builder with TLS ready and conservative timeouts (callers may tighten them).
pub fn client_builder() -> reqwest::ClientBuilder {
    // Installing twice is harmless: the second call only reports the first provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("kartenn/", env!("CARGO_PKG_VERSION")))
}
