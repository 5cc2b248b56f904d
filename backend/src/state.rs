//! `AppState`: what every handler shares, built once at start-up from the configuration.
//! Cheap to clone (reference-counted); seams are trait objects so tests can swap them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::HeaderValue;
use bytes::Bytes;
use kartenn_common::{Catalog, ClientConfig, GeometryKind};

use crate::acl::{Acl, SharedAcl};
use crate::admin::{Admin, AdminError};
use crate::auth::{Auth, AuthError};
use crate::chronicles::ChronicleError;
use crate::chronicles::service::{ChronicleService, DEFAULT_CACHE_BYTES};
use crate::chronicles::store::ChronicleStore;
use crate::config::{Config, LayerConfig};
use crate::http::viewer::Viewer;
use crate::ogc::service::OgcService;
use crate::sources::fgb::FgbSource;
use crate::sources::{SourceError, TileSource};
use crate::store::StoreError;
use crate::tiles::service::TileService;

/// A GeoJSON layer's document, checked at start-up.
#[derive(Debug, Clone)]
pub struct GeoJsonDoc {
    pub bytes: Bytes,
    /// Geometry of its first feature (for the viewer's style defaults).
    pub kind: Option<GeometryKind>,
}

/// One served tile set: its configuration and its source.
pub struct TileSet {
    pub config: LayerConfig,
    pub source: Arc<dyn TileSource>,
}

#[derive(Clone)]
pub struct AppState {
    pub client_config: Arc<ClientConfig>,
    pub catalog: Arc<Catalog>,
    pub tilesets: Arc<HashMap<String, TileSet>>,
    pub geojson: Arc<HashMap<String, GeoJsonDoc>>,
    /// Origins of external tiles the viewer may load (for the Content-Security-Policy).
    pub external_origins: Arc<Vec<String>>,
    pub tiles: Arc<TileService>,
    pub tile_cache_control: HeaderValue,
    pub public_url: Option<Arc<str>>,
    pub viewer: Option<Arc<Viewer>>,
    /// Who may do what with which layer: the stored rules, then the configuration's; swapped
    /// after each admin change (read it through [`AppState::acl`]).
    pub rules: Arc<SharedAcl>,
    /// The admin API's rules and audit log; `None` without a store.
    pub admin: Option<Arc<Admin>>,
    /// Saved maps and folders; `None` without a store.
    pub maps: Option<Arc<crate::maps::Maps>>,
    /// Upstream OGC servers and their harvested catalogue.
    pub ogc: Arc<OgcService>,
    /// Identify popup templates.
    pub popups: Arc<Vec<crate::config::PopupConfig>>,
    /// Sign-in, sessions and bearer tokens.
    pub auth: Arc<Auth>,
    /// Chronicles (time series at stations); `None` when there is no chronicle store.
    pub chronicles: Option<Arc<ChronicleService>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("chronicles: {0}")]
    Chronicle(#[from] ChronicleError),
    #[error("admin: {0}")]
    Admin(#[from] AdminError),
}

impl AppState {
    /// Opens every configured source; the first that fails stops start-up with its reason.
    pub async fn from_config(config: &Config) -> Result<Self, StartError> {
        let mut sets = Vec::with_capacity(config.layers.len());
        for layer in &config.layers {
            let options = layer.source_options();
            let source = if let Some(url) = layer.url() {
                FgbSource::open_url(url, options).await?
            } else {
                let path = layer.path.clone();
                tokio::task::spawn_blocking(move || FgbSource::open_reprojecting(&path, options))
                    .await
                    .map_err(|e| SourceError::Task(e.to_string()))??
            };
            sets.push(TileSet {
                config: layer.clone(),
                source: Arc::new(source),
            });
        }
        let mut geojson = HashMap::new();
        for g in &config.geojson {
            geojson.insert(g.id.clone(), load_geojson(&g.path)?);
        }
        // One store for the harvested catalogue, sessions and stored rules (without sign-in
        // nobody can be an admin, but rules stored earlier still apply when the store exists).
        let store =
            if !config.sources.is_empty() || config.oidc.is_some() || config.store.path.exists() {
                Some(crate::store::Store::open(&config.store.path).await?)
            } else {
                None
            };
        let ogc = match &store {
            Some(store) => OgcService::open_in(config, store.clone()).await?,
            None => OgcService::new(config, None, Vec::new()),
        };
        let auth = match (&config.oidc, &store) {
            (Some(_), Some(store)) => Auth::new(config, store.clone())?,
            _ => Auth::disabled(),
        };
        let mut state = Self::new(
            config,
            sets,
            geojson,
            Viewer::load(&config.server.viewer_dir),
        )
        .with_ogc(ogc)
        .with_auth(auth);
        let chronicles = open_chronicles(config, store.as_ref()).await?;
        if let Some(store) = store {
            state = state.with_admin(store).await?;
        }
        if let Some(chronicles) = chronicles {
            state = state.with_chronicles(chronicles);
        }
        Ok(state)
    }

    /// Assembles the state from already opened tile sets (tests inject their own).
    pub fn new(
        config: &Config,
        tilesets: Vec<TileSet>,
        geojson: HashMap<String, GeoJsonDoc>,
        viewer: Option<Viewer>,
    ) -> Self {
        let tilesets: HashMap<String, TileSet> = tilesets
            .into_iter()
            .map(|t| (t.config.id.clone(), t))
            .collect();
        let kinds = geojson
            .iter()
            .map(|(id, doc)| (id.clone(), doc.kind))
            .collect();
        let catalog = crate::catalog::build(config, &tilesets, &kinds);
        let client_config = crate::catalog::client_config(config, &tilesets);
        Self {
            client_config: Arc::new(client_config),
            catalog: Arc::new(catalog),
            tilesets: Arc::new(tilesets),
            geojson: Arc::new(geojson),
            external_origins: Arc::new(config.external_origins()),
            tiles: Arc::new(TileService::new(config.tiles.cache_size_mb * 1024 * 1024)),
            tile_cache_control: HeaderValue::from_str(&config.tiles.cache_control)
                .unwrap_or(HeaderValue::from_static("public, max-age=3600")),
            public_url: config.server.public_url.as_deref().map(Arc::from),
            viewer: viewer.map(Arc::new),
            rules: Arc::new(SharedAcl::new(config.rules.clone(), config.access.default)),
            admin: None,
            maps: None,
            ogc: Arc::new(OgcService::new(config, None, Vec::new())),
            popups: Arc::new(config.popups.clone()),
            auth: Arc::new(Auth::disabled()),
            chronicles: None,
        }
    }

    /// The rules in force for this request (an admin change shows on the next one).
    pub fn acl(&self) -> Arc<Acl> {
        self.rules.current()
    }

    /// Opens the admin API on `store` and puts its stored rules before the configuration's;
    /// saved maps live in the same store.
    pub async fn with_admin(mut self, store: crate::store::Store) -> Result<Self, AdminError> {
        self.maps = Some(Arc::new(crate::maps::Maps::new(store.clone())));
        let admin =
            Admin::open(store, Arc::clone(&self.rules), Arc::clone(&self.auth.roles)).await?;
        self.admin = Some(Arc::new(admin));
        Ok(self)
    }

    /// Serves the chronicles of `service` (tests bring their own store).
    #[must_use]
    pub fn with_chronicles(mut self, service: ChronicleService) -> Self {
        let service = Arc::new(service);
        // The catalogue lists the datasets: rebuild stale blocks now rather than on a request.
        let background = Arc::clone(&service);
        tokio::spawn(async move {
            match background.refresh(None).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(series = n, "chronicle blocks rebuilt"),
                Err(e) => tracing::warn!(error = %e, "chronicle blocks not rebuilt"),
            }
        });
        self.chronicles = Some(service);
        self
    }

    /// Replaces the authentication (tests bring their own store).
    #[must_use]
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    /// Replaces the OGC service (its store and harvested catalogue).
    #[must_use]
    pub fn with_ogc(mut self, ogc: OgcService) -> Self {
        self.ogc = Arc::new(ogc);
        self
    }
}

/// The chronicle store and its query service: the configured `[[chronicles]]` imported first
/// (the bundled demo into an in-memory store); without any, the store file when it exists
/// (filled by `kartenn chronicles import`), else none. `opened` is the store file when
/// start-up already opened it (for sign-in or rules): it is shared, not opened again.
async fn open_chronicles(
    config: &Config,
    opened: Option<&crate::store::Store>,
) -> Result<Option<ChronicleService>, StartError> {
    let store = if config.chronicles_are_demo() {
        crate::store::Store::memory().await?
    } else if let Some(store) = opened {
        store.clone()
    } else if !config.chronicles.is_empty() || config.store.path.exists() {
        crate::store::Store::open(&config.store.path).await?
    } else {
        return Ok(None);
    };
    let store = ChronicleStore::new(store);
    crate::chronicles::import::import_configured(config, &store).await?;
    Ok(Some(ChronicleService::new(store, DEFAULT_CACHE_BYTES)))
}

/// Reads and checks a GeoJSON file (it must parse) and notes its first geometry's kind.
fn load_geojson(path: &std::path::Path) -> Result<GeoJsonDoc, SourceError> {
    let text = std::fs::read_to_string(path).map_err(|source| SourceError::Io {
        path: path.to_owned(),
        source,
    })?;
    let doc: geojson::GeoJson = text.parse().map_err(|e| SourceError::Format {
        path: path.to_owned(),
        reason: format!("not valid GeoJSON: {e}"),
    })?;
    let first = match &doc {
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.iter().find_map(|f| f.geometry.clone())
        }
        geojson::GeoJson::Feature(f) => f.geometry.clone(),
        geojson::GeoJson::Geometry(g) => Some(g.clone()),
    };
    let kind = first.map(|g| match g.value {
        geojson::GeometryValue::Point { .. } | geojson::GeometryValue::MultiPoint { .. } => {
            GeometryKind::Point
        }
        geojson::GeometryValue::LineString { .. }
        | geojson::GeometryValue::MultiLineString { .. } => GeometryKind::Line,
        _ => GeometryKind::Polygon,
    });
    Ok(GeoJsonDoc {
        bytes: Bytes::from(text),
        kind,
    })
}
