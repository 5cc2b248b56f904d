//! `AppState`: what every handler shares, built once at start-up from the configuration.
//! Cheap to clone (reference-counted); seams are trait objects so tests can swap them.

use std::collections::HashMap;
use std::sync::Arc;

use kartenn_common::{Catalog, ClientConfig};

use crate::config::{Config, LayerConfig};
use crate::http::viewer::Viewer;
use crate::sources::fgb::FgbSource;
use crate::sources::{SourceError, TileSource};

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
    pub public_url: Option<Arc<str>>,
    pub viewer: Option<Arc<Viewer>>,
}

impl AppState {
    /// Opens every configured source; the first that fails stops start-up with its reason.
    pub fn from_config(config: &Config) -> Result<Self, SourceError> {
        let mut sets = Vec::with_capacity(config.layers.len());
        for layer in &config.layers {
            let source = FgbSource::open(&layer.path, &layer.id)?;
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
            public_url: config.server.public_url.as_deref().map(Arc::from),
            viewer: viewer.map(Arc::new),
        }
    }
}
