//! The catalogue: which layers exist and how the viewer should show them (overlays in drawing
//! order: rasters, vector tile sets, GeoJSON), the basemaps, and the start-up configuration the
//! viewer reads. Built once from configuration and the opened sources.

pub mod ogc;
pub mod routes;
pub mod settings;

use std::collections::HashMap;

use kartenn_common::{
    Catalog, CatalogLayer, ClientConfig, GeometryKind, InitialView, LayerSource, LayerStyle,
};

use crate::config::{Config, RasterConfig};
use crate::state::TileSet;

/// The catalogue of overlays. Vector tile sets serving as basemaps are not listed.
pub fn build(
    config: &Config,
    tilesets: &HashMap<String, TileSet>,
    geojson_kinds: &HashMap<String, Option<GeometryKind>>,
) -> Catalog {
    let basemap_layers: Vec<&str> = config
        .basemaps
        .iter()
        .filter_map(|b| b.layer.as_deref())
        .collect();
    let rasters = config.rasters.iter().map(raster_layer);
    let vectors = config
        .layers
        .iter()
        .filter(|l| !basemap_layers.contains(&l.id.as_str()))
        .filter_map(|l| tilesets.get(&l.id))
        .map(vector_layer);
    let geojson = config.geojson.iter().map(|g| CatalogLayer {
        id: g.id.clone(),
        title: g.title.clone(),
        description: g.description.clone(),
        attribution: g.attribution.clone(),
        geometry: geojson_kinds.get(&g.id).copied().flatten(),
        bounds: None,
        visible: g.visible,
        opacity: g.opacity,
        keywords: Vec::new(),
        category: Vec::new(),
        in_map: true,
        ogc: None,
        source: LayerSource::GeoJson {
            url: format!("/api/geojson/{}", g.id),
        },
        style: g.style.clone(),
    });
    Catalog {
        layers: rasters.chain(vectors).chain(geojson).collect(),
    }
}

fn vector_layer(set: &TileSet) -> CatalogLayer {
    let config = &set.config;
    let info = set.source.info();
    CatalogLayer {
        id: config.id.clone(),
        title: config.title.clone(),
        description: config.description.clone(),
        attribution: config.attribution.clone(),
        geometry: Some(info.geometry),
        bounds: Some(info.bounds),
        visible: config.visible,
        opacity: config.opacity,
        keywords: Vec::new(),
        category: Vec::new(),
        in_map: true,
        ogc: None,
        source: LayerSource::VectorTiles {
            tiles: format!("/tiles/{}/{{z}}/{{x}}/{{y}}.mvt", config.id),
            tilejson: format!("/tiles/{}.json", config.id),
            source_layer: info.layer_name.clone(),
            minzoom: config.minzoom,
            maxzoom: config.maxzoom,
        },
        style: config.style.clone(),
    }
}

fn raster_layer(r: &RasterConfig) -> CatalogLayer {
    let source = match (&r.xyz, &r.wms) {
        (_, Some(w)) => LayerSource::Wms {
            url: w.url.clone(),
            layers: w.layers.clone(),
            styles: w.styles.clone(),
            format: w.format.clone(),
            transparent: w.transparent,
            time: w.time.clone(),
        },
        (xyz, None) => LayerSource::Xyz {
            tiles: xyz.clone().unwrap_or_default(),
            subdomains: r.subdomains.clone(),
            minzoom: r.minzoom,
            maxzoom: r.maxzoom,
        },
    };
    CatalogLayer {
        id: r.id.clone(),
        title: r.title.clone(),
        description: r.description.clone(),
        attribution: r.attribution.clone(),
        geometry: None,
        bounds: None,
        visible: r.visible,
        opacity: r.opacity,
        keywords: Vec::new(),
        category: Vec::new(),
        in_map: true,
        ogc: None,
        source,
        style: LayerStyle::default(),
    }
}

pub fn client_config(config: &Config, tilesets: &HashMap<String, TileSet>) -> ClientConfig {
    let map = &config.map;
    let basemaps = config
        .basemaps
        .iter()
        .filter_map(|b| {
            let mut layer = match (&b.layer, &b.xyz) {
                (Some(id), _) => vector_layer(tilesets.get(id)?),
                (None, xyz) => CatalogLayer {
                    source: LayerSource::Xyz {
                        tiles: xyz.clone().unwrap_or_default(),
                        subdomains: b.subdomains.clone(),
                        minzoom: 0,
                        maxzoom: b.maxzoom,
                    },
                    ..raster_layer(&RasterConfig {
                        id: b.id.clone(),
                        title: b.title.clone(),
                        description: None,
                        attribution: None,
                        xyz: None,
                        subdomains: Vec::new(),
                        wms: None,
                        minzoom: 0,
                        maxzoom: b.maxzoom,
                        visible: true,
                        opacity: 1.0,
                    })
                },
            };
            layer.id.clone_from(&b.id);
            layer.title.clone_from(&b.title);
            if b.attribution.is_some() {
                layer.attribution.clone_from(&b.attribution);
            }
            layer.visible = true;
            Some(layer)
        })
        .collect();
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
        basemaps,
    }
}
