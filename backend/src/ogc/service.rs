//! The OGC side of the server's state: configured sources, limits, the HTTP client for
//! upstream servers, the store, and the current harvested catalogue (swapped whole after each
//! sync, read lock-free by requests). Also runs the scheduled syncs.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::catalog::{OgcCatalog, OgcLayer};
use super::sync::{SyncReport, sync_source};
use crate::config::{Config, OgcLimits, SourceConfig};
use crate::store::{Store, StoreError};

pub struct OgcService {
    pub sources: Vec<SourceConfig>,
    pub limits: OgcLimits,
    pub client: reqwest::Client,
    pub store: Option<Store>,
    catalog: RwLock<Arc<OgcCatalog>>,
}

impl OgcService {
    /// A service over already harvested `layers` (tests, and servers without sources).
    pub fn new(config: &Config, store: Option<Store>, layers: Vec<OgcLayer>) -> Self {
        Self {
            sources: config.sources.clone(),
            limits: config.ogc,
            client: client(),
            store,
            catalog: RwLock::new(Arc::new(OgcCatalog::from_layers(layers))),
        }
    }

    /// Opens the store (when sources are configured) and loads the last harvested catalogue.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        if config.sources.is_empty() {
            return Ok(Self::new(config, None, Vec::new()));
        }
        Self::open_in(config, Store::open(&config.store.path).await?).await
    }

    /// Loads the last harvested catalogue from an open store (sources configured or not).
    pub async fn open_in(config: &Config, store: Store) -> Result<Self, StoreError> {
        if config.sources.is_empty() {
            return Ok(Self::new(config, None, Vec::new()));
        }
        let layers = store.ogc_layers().await?;
        // Layers of sources no longer configured are not served.
        let layers = layers
            .into_iter()
            .filter(|l| config.sources.iter().any(|s| s.id == l.source))
            .collect();
        Ok(Self::new(config, Some(store), layers))
    }

    /// The current catalogue.
    pub fn catalog(&self) -> Arc<OgcCatalog> {
        match self.catalog.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn reload(&self, layers: Vec<OgcLayer>) {
        let next = Arc::new(OgcCatalog::from_layers(layers));
        match self.catalog.write() {
            Ok(mut guard) => *guard = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }

    /// Harvests one source now; the catalogue served changes only if it succeeded.
    pub async fn sync(&self, source: &SourceConfig) -> Option<SyncReport> {
        let store = self.store.as_ref()?;
        let report = sync_source(store, &self.client, source).await;
        if report.outcome.is_ok() {
            match store.ogc_layers().await {
                Ok(layers) => self.reload(
                    layers
                        .into_iter()
                        .filter(|l| self.sources.iter().any(|s| s.id == l.source))
                        .collect(),
                ),
                Err(e) => tracing::error!(error = %e, "reloading the OGC catalogue"),
            }
        }
        Some(report)
    }

    /// Syncs every source with `sync_minutes > 0` at start-up (in the background, the last
    /// stored catalogue is served meanwhile) and then every `sync_minutes`.
    pub fn spawn_schedule(self: &Arc<Self>) {
        for (index, source) in self.sources.iter().enumerate() {
            let every = source.sync_minutes;
            if every == 0 {
                continue;
            }
            let service = Arc::clone(self);
            tokio::spawn(async move {
                loop {
                    let Some(source) = service.sources.get(index) else {
                        return;
                    };
                    if let Some(report) = service.sync(source).await {
                        log_report(&report);
                    }
                    tokio::time::sleep(Duration::from_secs(every.saturating_mul(60))).await;
                }
            });
        }
    }
}

/// Logs a sync report (the CLI prints its own).
pub fn log_report(report: &SyncReport) {
    match &report.outcome {
        Ok(diff) => tracing::info!(
            source = %report.source,
            layers = report.layers,
            added = diff.added.len(),
            changed = diff.changed.len(),
            removed = diff.removed.len(),
            "OGC catalogue synchronised"
        ),
        Err(e) => tracing::warn!(
            source = %report.source,
            error = %e,
            kept = report.layers,
            "OGC catalogue not synchronised; the previous one stays"
        ),
    }
}

/// The client for upstream servers: no redirects followed (an answer never sends Kartenn to
/// another address), no cookies, timeouts per source.
fn client() -> reqwest::Client {
    crate::upstream::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(32)
        .build()
        .unwrap_or_default()
}
