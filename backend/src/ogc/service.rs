//! The OGC side of the server's state: the sources (the configuration's, then those stored
//! through the admin API), limits, the HTTP client for upstream servers, the store, and the
//! current harvested catalogue. Sources and catalogue are each an `Arc` swapped whole after a
//! change: a request takes the current one (a pointer copy under an uncontended read lock) and
//! works with it, so an admin change shows on the very next request. Also runs the scheduled
//! syncs, which follow the source set as it changes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::catalog::{OgcCatalog, OgcLayer};
use super::sync::{SyncReport, harvest, record_harvest};
use crate::config::{Config, OgcLimits, SourceConfig};
use crate::store::{Store, StoreError};

/// How the server reads `KARTENN_SOURCE_<ID>_PASSWORD` for stored sources (tests inject theirs).
pub type Env = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// How often the schedule looks for sources due for a sync.
const SCHEDULE_TICK: Duration = Duration::from_secs(10);

pub struct OgcService {
    /// The configuration's `[[sources]]` (read-only for the admin API).
    config_sources: Arc<Vec<SourceConfig>>,
    /// Every source in force: the configuration's, then the stored ones.
    sources: RwLock<Arc<Vec<SourceConfig>>>,
    pub limits: OgcLimits,
    pub client: reqwest::Client,
    pub store: Option<Store>,
    catalog: RwLock<Arc<OgcCatalog>>,
    env: Env,
    /// Orders writes of harvested layers and changes of the source set, so a sync never
    /// stores the layers of a source deleted or moved meanwhile.
    writes: tokio::sync::Mutex<()>,
    /// Harvests shown to an administrator, waiting to be applied.
    pub previews: crate::admin::sources_sync::Previews,
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn write<T>(lock: &RwLock<T>, value: T) {
    match lock.write() {
        Ok(mut guard) => *guard = value,
        Err(poisoned) => *poisoned.into_inner() = value,
    }
}

impl OgcService {
    /// A service over already harvested `layers` (tests, and servers without sources).
    pub fn new(config: &Config, store: Option<Store>, layers: Vec<OgcLayer>) -> Self {
        Self {
            config_sources: Arc::new(config.sources.clone()),
            sources: RwLock::new(Arc::new(config.sources.clone())),
            limits: config.ogc.clone(),
            client: client(),
            store,
            catalog: RwLock::new(Arc::new(OgcCatalog::from_layers(layers))),
            env: Arc::new(|key: &str| std::env::var(key).ok()),
            writes: tokio::sync::Mutex::new(()),
            previews: crate::admin::sources_sync::Previews::default(),
        }
    }

    /// Opens the store (when sources are configured or the file exists) and loads the stored
    /// sources and the last harvested catalogue.
    pub async fn open(config: &Config) -> Result<Self, StoreError> {
        if config.sources.is_empty() && !config.store.path.exists() {
            return Ok(Self::new(config, None, Vec::new()));
        }
        Self::open_in(config, Store::open(&config.store.path).await?).await
    }

    /// Loads the stored sources and the last harvested catalogue from an open store.
    pub async fn open_in(config: &Config, store: Store) -> Result<Self, StoreError> {
        let service = Self::new(config, Some(store), Vec::new());
        service.load_stored().await?;
        Ok(service)
    }

    /// Reads `KARTENN_SOURCE_<ID>_PASSWORD` through `env` from now on, and reloads the stored
    /// sources with it.
    pub async fn with_env(mut self, env: Env) -> Result<Self, StoreError> {
        self.env = env;
        self.load_stored().await?;
        Ok(self)
    }

    async fn load_stored(&self) -> Result<(), StoreError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let stored = crate::admin::sources::load(store, &self.limits, &self.env).await?;
        self.set_stored(stored);
        self.refresh().await
    }

    /// The environment stored sources read their password from.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// Every source in force (the configuration's first).
    pub fn sources(&self) -> Arc<Vec<SourceConfig>> {
        read(&self.sources)
    }

    /// The source in force with this id.
    pub fn source(&self, id: &str) -> Option<SourceConfig> {
        self.sources().iter().find(|s| s.id == id).cloned()
    }

    /// The configuration's `[[sources]]`.
    pub fn config_sources(&self) -> &[SourceConfig] {
        &self.config_sources
    }

    /// Replaces the stored sources in force (after the configuration's). Their layers come and
    /// go with [`Self::refresh`].
    pub fn set_stored(&self, stored: Vec<SourceConfig>) {
        let mut all = Vec::clone(&self.config_sources);
        for source in stored {
            // The file wins: a source stored earlier under an id the file now uses waits.
            if self.config_sources.iter().any(|c| c.id == source.id) {
                tracing::warn!(source = %source.id, "stored source shadowed by [[sources]]; not served");
                continue;
            }
            all.push(source);
        }
        write(&self.sources, Arc::new(all));
    }

    /// Holds back syncs and other source changes until dropped.
    pub async fn lock_writes(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    /// The current catalogue.
    pub fn catalog(&self) -> Arc<OgcCatalog> {
        read(&self.catalog)
    }

    /// Rebuilds the catalogue from the store: the layers of the sources in force.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let layers = store.ogc_layers().await?;
        let sources = self.sources();
        // Layers of sources no longer configured are not served.
        let layers = layers
            .into_iter()
            .filter(|l| sources.iter().any(|s| s.id == l.source))
            .collect();
        write(&self.catalog, Arc::new(OgcCatalog::from_layers(layers)));
        Ok(())
    }

    /// Harvests one source now; the catalogue served changes only if it succeeded and the
    /// source is still in force at the same address.
    pub async fn sync(&self, source: &SourceConfig) -> Option<SyncReport> {
        let store = self.store.as_ref()?;
        let harvested = harvest(&self.client, source).await;
        let _order = self.lock_writes().await;
        let current = self.source(&source.id);
        let harvested = match (harvested, &current) {
            (_, None) => {
                tracing::info!(source = %source.id, "source deleted during its sync; nothing stored");
                return None;
            }
            (Ok(_), Some(now)) if now.url != source.url => Err(super::OgcError::Upstream(format!(
                "{}: the source changed during the sync",
                source.id
            ))),
            (harvested, _) => harvested,
        };
        let report = record_harvest(store, source, harvested).await;
        if report.outcome.is_ok()
            && let Err(e) = self.refresh().await
        {
            tracing::error!(error = %e, "reloading the OGC catalogue");
        }
        Some(report)
    }

    /// Syncs every source with `sync_minutes > 0` at start-up (in the background, the last
    /// stored catalogue is served meanwhile) and then every `sync_minutes`. The schedule looks
    /// at the sources in force every few seconds: a source added is synced at once, a deleted
    /// one no more, a changed period applies from its next run. One sync per source at a time.
    pub fn spawn_schedule(self: &Arc<Self>) {
        self.spawn_schedule_every(SCHEDULE_TICK);
    }

    /// [`Self::spawn_schedule`], looking at the sources every `tick` (tests use a short one).
    pub fn spawn_schedule_every(self: &Arc<Self>, tick: Duration) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let mut due: HashMap<String, Instant> = HashMap::new();
            let running: Arc<Mutex<HashSet<String>>> = Arc::default();
            loop {
                let sources = service.sources();
                due.retain(|id, _| sources.iter().any(|s| &s.id == id));
                let now = Instant::now();
                for source in sources.iter().filter(|s| s.sync_minutes > 0) {
                    let next = *due.entry(source.id.clone()).or_insert(now);
                    if next > now || !start(&running, &source.id) {
                        continue;
                    }
                    let every = Duration::from_secs(source.sync_minutes.saturating_mul(60));
                    due.insert(source.id.clone(), now + every);
                    let (service, running, source) =
                        (Arc::clone(&service), Arc::clone(&running), source.clone());
                    tokio::spawn(async move {
                        if let Some(report) = service.sync(&source).await {
                            log_report(&report);
                        }
                        finish(&running, &source.id);
                    });
                }
                tokio::time::sleep(tick).await;
            }
        });
    }
}

/// Marks `id` as syncing; false when it already is.
fn start(running: &Mutex<HashSet<String>>, id: &str) -> bool {
    match running.lock() {
        Ok(mut set) => set.insert(id.to_owned()),
        Err(poisoned) => poisoned.into_inner().insert(id.to_owned()),
    }
}

fn finish(running: &Mutex<HashSet<String>>, id: &str) {
    match running.lock() {
        Ok(mut set) => set.remove(id),
        Err(poisoned) => poisoned.into_inner().remove(id),
    };
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
