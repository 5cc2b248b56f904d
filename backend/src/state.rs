//! `AppState`: what every handler shares, built once at start-up from the configuration.
//! Cheap to clone (reference-counted); seams are trait objects so tests can swap them.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::HeaderValue;
use kartenn_common::{Catalog, ClientConfig};

use crate::config::{Config, LayerConfig};
use crate::http::viewer::Viewer;
use crate::sources::fgb::FgbSource;
use crate::sources::{SourceError, TileSource};
use crate::tiles::service::TileService;

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
    pub tiles: Arc<TileService>,
    pub tile_cache_control: HeaderValue,
    pub public_url: Option<Arc<str>>,
    pub viewer: Option<Arc<Viewer>>,
}

impl AppState {
    /// Opens every configured source; the first that fails stops start-up with its reason.
    pub async fn from_config(config: &Config) -> Result<Self, SourceError> {
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
        Ok(Self::new(
            config,
            sets,
            Viewer::load(&config.server.viewer_dir),
        ))
    }

    /// Assembles the state from already opened tile sets (tests inject their own).
    pub fn new(config: &Config, tilesets: Vec<TileSet>, viewer: Option<Viewer>) -> Self {
        let catalog = crate::catalog::build(&tilesets);
        let client_config = crate::catalog::client_config(&config.map);
        Self {
            client_config: Arc::new(client_config),
            catalog: Arc::new(catalog),
            tilesets: Arc::new(
                tilesets
                    .into_iter()
                    .map(|t| (t.config.id.clone(), t))
                    .collect(),
            ),
            tiles: Arc::new(TileService::new(config.tiles.cache_size_mb * 1024 * 1024)),
            tile_cache_control: HeaderValue::from_str(&config.tiles.cache_control)
                .unwrap_or(HeaderValue::from_static("public, max-age=3600")),
            public_url: config.server.public_url.as_deref().map(Arc::from),
            viewer: viewer.map(Arc::new),
        }
    }
}
