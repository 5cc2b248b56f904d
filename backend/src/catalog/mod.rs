//! The catalogue: which layers exist and how the viewer should show them, and the start-up
//! configuration the viewer reads. Built once from configuration and the opened sources.

pub mod routes;

use kartenn_common::{Catalog, CatalogLayer, ClientConfig, InitialView, LayerSource};

use crate::config::MapConfig;
use crate::state::TileSet;

/// The catalogue of the given tile sets, in configuration (drawing) order.
pub fn build(tilesets: &[TileSet]) -> Catalog {
    let layers = tilesets
        .iter()
        .map(|set| {
            let config = &set.config;
            let info = set.source.info();
            CatalogLayer {
                id: config.id.clone(),
                title: config.title.clone(),
                description: config.description.clone(),
                attribution: config.attribution.clone(),
                geometry: info.geometry,
                bounds: Some(info.bounds),
                visible: config.visible,
                source: LayerSource::VectorTiles {
                    tiles: format!("/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", config.id),
                    tilejson: format!("/tiles/{}.json", config.id),
                    source_layer: info.layer_name.clone(),
                    minzoom: config.minzoom,
                    maxzoom: config.maxzoom,
                },
                style: config.style.clone(),
            }
        })
        .collect();
    Catalog { layers }
}

pub fn client_config(map: &MapConfig) -> ClientConfig {
    ClientConfig {
        title: map.title.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        view: InitialView {
            center: map.center,
            zoom: map.zoom,
        },
        min_zoom: map.min_zoom,
        max_zoom: map.max_zoom,
        background: map.background,
    }
}
