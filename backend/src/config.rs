//! Typed configuration: an optional `kartenn.toml`, then `KARTENN_*` environment overrides, then
//! command-line flags; validated once at start-up. Unknown keys are errors, not silent typos.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kartenn_common::{Color, LayerStyle};
use serde::Deserialize;

use crate::sources::{FieldSelection, SourceOptions};

mod chronicles;
mod layers;
mod ogc;
mod oidc;
#[cfg(test)]
mod tests;

pub use chronicles::{ChronicleConfig, LayoutKind, demo_chronicles};
pub use layers::{
    BasemapConfig, GeoJsonConfig, RasterConfig, WmsConfig, demo_basemaps, demo_layers, file_layers,
};
pub use ogc::{AccessConfig, OgcLimits, PopupConfig, Secret, SourceConfig, StoreConfig};
pub use oidc::OidcConfig;

/// Where the bundled demo data lives when nothing else is said.
const DEMO_DIR_IN_REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo");

/// The validated configuration of one `kartenn serve`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: ServerConfig,
    pub map: MapConfig,
    pub tiles: TilesConfig,
    /// Vector tile sets (FlatGeobuf), in drawing order.
    pub layers: Vec<LayerConfig>,
    /// Raster layers, drawn below the vector layers.
    pub rasters: Vec<RasterConfig>,
    /// GeoJSON layers, drawn above the vector layers.
    pub geojson: Vec<GeoJsonConfig>,
    /// Basemaps to choose from (the first at start).
    pub basemaps: Vec<BasemapConfig>,
    /// Upstream OGC servers, harvested and proxied.
    pub sources: Vec<SourceConfig>,
    pub ogc: OgcLimits,
    pub access: AccessConfig,
    /// Rights per layer, first match wins.
    pub rules: Vec<crate::acl::Rule>,
    /// Identify popup templates, first match wins.
    pub popups: Vec<PopupConfig>,
    pub store: StoreConfig,
    /// Sign-in (`None`: everybody is anonymous).
    pub oidc: Option<OidcConfig>,
    /// Chronicle files imported into the store at start-up (`[[chronicles]]`; without a
    /// configuration file, the bundled demo ones).
    pub chronicles: Vec<ChronicleConfig>,
}

/// How tiles are cached and announced.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TilesConfig {
    /// Bytes of encoded tiles kept in memory, in MiB.
    #[serde(default = "default_cache_size_mb")]
    pub cache_size_mb: u64,
    /// `Cache-Control` sent with every tile.
    #[serde(default = "default_tile_cache_control")]
    pub cache_control: String,
}

impl Default for TilesConfig {
    fn default() -> Self {
        Self {
            cache_size_mb: default_cache_size_mb(),
            cache_control: default_tile_cache_control(),
        }
    }
}

fn default_cache_size_mb() -> u64 {
    256
}
fn default_tile_cache_control() -> String {
    "public, max-age=3600".to_owned()
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    /// Directory holding the built viewer (`trunk build` output).
    pub viewer_dir: PathBuf,
    /// Absolute URL the server is reached at (used in TileJSON); from the request otherwise.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    #[serde(default = "default_title")]
    pub title: String,
    /// Longitude, latitude of the initial view.
    #[serde(default = "default_center")]
    pub center: [f64; 2],
    #[serde(default = "default_zoom")]
    pub zoom: f64,
    #[serde(default)]
    pub min_zoom: f64,
    #[serde(default = "default_max_zoom")]
    pub max_zoom: f64,
    #[serde(default = "default_background")]
    pub background: Color,
}

/// One vector layer served from a FlatGeobuf file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
    /// FlatGeobuf file, or an `http(s)://` URL read with range requests; relative paths are
    /// resolved against the configuration file's directory.
    pub path: PathBuf,
    /// Attributes carried by the tiles: `"all"` (default), `"none"` or a list of names.
    #[serde(default)]
    pub fields: FieldSelection,
    /// Simplification below `maxzoom`, in tile units (1/8 px of a 512-px tile); 0 disables.
    #[serde(default = "default_simplify")]
    pub simplify: f64,
    /// Tile extent in units (256-16384, default 4096).
    #[serde(default = "default_extent")]
    pub extent: u32,
    /// Margin around each tile, in tile units (default 64).
    #[serde(default = "default_buffer")]
    pub buffer: u32,
    #[serde(default)]
    pub minzoom: u8,
    #[serde(default = "default_layer_maxzoom")]
    pub maxzoom: u8,
    #[serde(default = "default_true")]
    pub visible: bool,
    /// 0 (transparent) to 1 (opaque): the viewer's starting opacity.
    #[serde(default = "layers::default_opacity")]
    pub opacity: f64,
    #[serde(default)]
    pub style: LayerStyle,
}

impl LayerConfig {
    /// The URL of a remote source, if `path` is one.
    pub fn url(&self) -> Option<&str> {
        let text = self.path.to_str()?;
        (text.starts_with("http://") || text.starts_with("https://")).then_some(text)
    }

    /// How the source makes this layer's tiles.
    pub fn source_options(&self) -> SourceOptions {
        SourceOptions {
            layer_name: self.id.clone(),
            fields: self.fields.clone(),
            simplify: self.simplify,
            minzoom: self.minzoom,
            maxzoom: self.maxzoom,
            extent: self.extent,
            buffer: self.buffer,
        }
    }
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid configuration: {field}: {message}")]
    Invalid { field: String, message: String },
}

pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    server: ServerSection,
    map: Option<MapConfig>,
    #[serde(default)]
    tiles: TilesConfig,
    /// Absent: the bundled demo layers. Present (even empty): exactly these.
    layers: Option<Vec<LayerConfig>>,
    #[serde(default)]
    rasters: Vec<RasterConfig>,
    #[serde(default)]
    geojson: Vec<GeoJsonConfig>,
    /// Absent with the demo layers: the demo's basemap.
    basemaps: Option<Vec<BasemapConfig>>,
    #[serde(default)]
    sources: Vec<SourceConfig>,
    #[serde(default)]
    ogc: OgcLimits,
    #[serde(default)]
    access: AccessConfig,
    #[serde(default)]
    rules: Vec<crate::acl::Rule>,
    #[serde(default)]
    popups: Vec<PopupConfig>,
    #[serde(default)]
    store: StoreConfig,
    oidc: Option<oidc::OidcSection>,
    /// Absent: none (the bundled demo ones when there is no configuration file).
    chronicles: Option<Vec<ChronicleConfig>>,
    /// Set when there is no configuration file at all (never read from one).
    #[serde(skip)]
    no_file: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    bind: Option<SocketAddr>,
    viewer_dir: Option<PathBuf>,
    public_url: Option<String>,
}

/// Values given on the command line; they win over the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<SocketAddr>,
    /// FlatGeobuf files (or URLs) to serve as layers named after their file stems, in place of
    /// the configured or demo layers.
    pub files: Vec<PathBuf>,
}

impl Config {
    /// Loads the configuration.
    ///
    /// `file`: an explicit file (must exist); without one, `./kartenn.toml` is used if present,
    /// else built-in defaults serving the bundled demo. `env` reads one environment variable
    /// (injected so tests never touch the process environment).
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let implicit = Path::new("kartenn.toml");
        let (parsed, base_dir) = match file {
            Some(path) => (read_file(path)?, parent_dir(path)),
            None if implicit.is_file() => (read_file(implicit)?, PathBuf::from(".")),
            None => (without_file(), PathBuf::from(".")),
        };
        Self::from_parts(parsed, &base_dir, env, overrides)
    }

    /// Parses configuration text, as `load` does for a file in `base_dir`.
    pub fn from_toml(
        text: &str,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let parsed = parse(text, Path::new("<inline>"))?;
        Self::from_parts(parsed, base_dir, env, &Overrides::default())
    }

    fn from_parts(
        parsed: FileConfig,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        overrides: &Overrides,
    ) -> Result<Self, ConfigError> {
        let mut bind = parsed.server.bind.unwrap_or_else(default_bind);
        if let Some(value) = env("KARTENN_BIND") {
            bind = value.parse().map_err(|_| {
                invalid(
                    "KARTENN_BIND",
                    format!("`{value}` is not an address like 127.0.0.1:8080"),
                )
            })?;
        }
        if let Some(cli) = overrides.bind {
            bind = cli;
        }
        let viewer_dir = env("KARTENN_VIEWER_DIR")
            .map(PathBuf::from)
            .or(parsed.server.viewer_dir.map(|d| base_dir.join(d)))
            .unwrap_or_else(|| PathBuf::from("dist"));
        let public_url = env("KARTENN_PUBLIC_URL").or(parsed.server.public_url);

        let demo = parsed.layers.is_none() && overrides.files.is_empty();
        let basemaps = match parsed.basemaps {
            Some(basemaps) => basemaps,
            None if demo => demo_basemaps(),
            None => Vec::new(),
        };
        let geojson = parsed
            .geojson
            .into_iter()
            .map(|mut g| {
                g.path = base_dir.join(&g.path);
                g
            })
            .collect();
        let layers = match parsed.layers {
            _ if !overrides.files.is_empty() => file_layers(&overrides.files),
            Some(layers) => layers
                .into_iter()
                .map(|mut l| {
                    if l.url().is_none() {
                        l.path = base_dir.join(&l.path);
                    }
                    l
                })
                .collect(),
            None => demo_layers(&demo_dir(env)),
        };
        let mut sources = parsed.sources;
        for s in &mut sources {
            if let Some(file) = &s.password_file {
                s.password_file = Some(base_dir.join(file));
            }
        }
        ogc::resolve_secrets(&mut sources, env)?;
        let oidc = oidc::resolve(parsed.oidc, base_dir, env)?;
        let chronicles = match parsed.chronicles {
            Some(chronicles) => chronicles::resolve(chronicles, base_dir),
            None if parsed.no_file && demo => demo_chronicles(&demo_dir(env)),
            None => Vec::new(),
        };
        let config = Self {
            server: ServerConfig {
                bind,
                viewer_dir,
                public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            },
            map: parsed.map.unwrap_or_else(default_map),
            tiles: parsed.tiles,
            layers,
            rasters: parsed.rasters,
            geojson,
            basemaps,
            sources,
            ogc: parsed.ogc,
            access: parsed.access,
            rules: parsed.rules,
            popups: parsed.popups,
            store: StoreConfig {
                path: env("KARTENN_STORE")
                    .map_or_else(|| base_dir.join(&parsed.store.path), PathBuf::from),
            },
            oidc,
            chronicles,
        };
        config.validate()?;
        Ok(config)
    }

    /// Origins of external tiles (rasters, basemaps) the viewer may fetch from.
    pub fn external_origins(&self) -> Vec<String> {
        layers::external_origins(&self.rasters, &self.basemaps)
    }

    /// Whether the chronicles are the bundled demo (no configuration file): they can live in
    /// an in-memory store, imported afresh at each start.
    pub fn chronicles_are_demo(&self) -> bool {
        !self.chronicles.is_empty() && self.chronicles.iter().all(|c| c.demo)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let map = &self.map;
        let [lon, lat] = map.center;
        if !(-180.0..=180.0).contains(&lon) || !(-85.06..=85.06).contains(&lat) {
            return Err(invalid(
                "map.center",
                "must be [longitude, latitude] in degrees",
            ));
        }
        if !(0.0..=24.0).contains(&map.min_zoom)
            || !(map.min_zoom..=24.0).contains(&map.max_zoom)
            || !(map.min_zoom..=map.max_zoom).contains(&map.zoom)
        {
            return Err(invalid(
                "map.zoom",
                "need 0 <= min_zoom <= zoom <= max_zoom <= 24",
            ));
        }
        if let Some(url) = &self.server.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(
                "server.public_url",
                "must start with http:// or https://",
            ));
        }
        if self.oidc.is_some() && self.server.public_url.is_none() {
            return Err(invalid(
                "server.public_url",
                "sign-in ([oidc]) needs the address browsers use to reach Kartenn \
                 (e.g. https://carto.example.org): the issuer sends them back to it",
            ));
        }
        if self.tiles.cache_size_mb > 1 << 20 {
            return Err(invalid(
                "tiles.cache_size_mb",
                "must be at most 1048576 (1 TiB)",
            ));
        }
        if axum::http::HeaderValue::from_str(&self.tiles.cache_control).is_err() {
            return Err(invalid(
                "tiles.cache_control",
                "is not a valid header value",
            ));
        }
        let mut seen = HashSet::new();
        for (i, layer) in self.layers.iter().enumerate() {
            let field = |name: &str| format!("layers[{i}].{name}");
            check_id(&mut seen, field("id"), &layer.id)?;
            if layer.minzoom > layer.maxzoom || layer.maxzoom > crate::tiles::MAX_ZOOM {
                return Err(invalid(
                    field("maxzoom"),
                    format!("need minzoom <= maxzoom <= {}", crate::tiles::MAX_ZOOM),
                ));
            }
            if !(256..=16384).contains(&layer.extent) || !layer.extent.is_power_of_two() {
                return Err(invalid(
                    field("extent"),
                    "must be a power of two from 256 to 16384",
                ));
            }
            if layer.buffer > layer.extent / 2 {
                return Err(invalid(field("buffer"), "must be at most half the extent"));
            }
            if !(0.0..=64.0).contains(&layer.simplify) {
                return Err(invalid(field("simplify"), "must be 0-64 tile units"));
            }
            if !(0.0..=1.0).contains(&layer.opacity) {
                return Err(invalid(field("opacity"), "must be 0-1"));
            }
            let style = &layer.style;
            if !(0.0..=64.0).contains(&style.stroke_width)
                || !(0.0..=64.0).contains(&style.point_radius)
            {
                return Err(invalid(
                    field("style"),
                    "stroke_width and point_radius must be 0-64 px",
                ));
            }
        }
        layers::validate(&self.layers, &self.rasters, &self.geojson, &self.basemaps)?;
        ogc::validate(&self.sources, &self.ogc, &self.rules, &self.popups)?;
        chronicles::validate(&self.chronicles)?;
        Ok(())
    }
}

/// Checks that `id` is a valid identifier (see [`is_valid_id`]) not already in `seen`, and
/// adds it; errors name `field`.
pub(crate) fn check_id<'a>(
    seen: &mut HashSet<&'a str>,
    field: String,
    id: &'a str,
) -> Result<(), ConfigError> {
    if !is_valid_id(id) {
        return Err(invalid(
            field,
            format!("`{id}` must be 1-64 characters of a-z, 0-9, `_` or `-`"),
        ));
    }
    if !seen.insert(id) {
        return Err(invalid(field, format!("`{id}` is used twice")));
    }
    Ok(())
}

/// Layer identifiers appear in URLs: keep them boring.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// No configuration file: the demo or `kartenn serve a.fgb …`, a quick look at open data with
/// nobody to sign in — every layer is public. With a file, `[access] default` applies (deny
/// unless it says otherwise).
fn without_file() -> FileConfig {
    FileConfig {
        access: AccessConfig {
            default: crate::acl::DefaultAccess::Public,
        },
        no_file: true,
        ..FileConfig::default()
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

fn parse(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn demo_dir(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(dir) = env("KARTENN_DEMO_DIR") {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("data/demo");
    if local.is_dir() {
        local
    } else {
        PathBuf::from(DEMO_DIR_IN_REPO)
    }
}

fn default_bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8080))
}
fn default_title() -> String {
    "Kartenn".to_owned()
}
fn default_center() -> [f64; 2] {
    [-3.0, 48.2]
}
fn default_zoom() -> f64 {
    7.5
}
fn default_max_zoom() -> f64 {
    20.0
}
fn default_background() -> Color {
    Color::rgb(0xb7, 0xd3, 0xe6)
}
pub(crate) fn default_simplify() -> f64 {
    1.0
}
pub(crate) fn default_extent() -> u32 {
    crate::tiles::EXTENT
}
pub(crate) fn default_buffer() -> u32 {
    crate::tiles::BUFFER
}
pub(crate) fn default_layer_maxzoom() -> u8 {
    14
}
pub(crate) fn default_true() -> bool {
    true
}
fn default_map() -> MapConfig {
    MapConfig {
        title: default_title(),
        center: default_center(),
        zoom: default_zoom(),
        min_zoom: 0.0,
        max_zoom: default_max_zoom(),
        background: default_background(),
    }
}
