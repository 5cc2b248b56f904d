//! Configuration of the upstream OGC servers (`[[sources]]`), the proxy's limits (`[ogc]`),
//! the rights (`[access]`, `[[rules]]`) and the store (`[store]`).

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;

use super::{ConfigError, invalid};
use crate::acl::{DefaultAccess, Rule};

/// One OGC server (GeoServer, MapServer) whose layers Kartenn harvests and proxies.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// a-z 0-9 _ -, used in `/ows/{id}`.
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The server's OWS endpoint, e.g. `https://indigeo.example.org/geoserver/ows`.
    pub url: String,
    /// WMS version asked for capabilities: "1.3.0" (default) or "1.1.1"; `wms = false` skips WMS.
    #[serde(default = "default_wms_version")]
    pub wms_version: String,
    #[serde(default = "yes")]
    pub wms: bool,
    #[serde(default = "yes")]
    pub wfs: bool,
    /// Service account for this server (HTTP basic). Never a user's token.
    #[serde(default)]
    pub username: Option<String>,
    /// The account's password, read from this file (or `KARTENN_SOURCE_<ID>_PASSWORD`).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(skip)]
    pub password: Option<Secret>,
    /// Per upstream request, seconds.
    #[serde(default = "default_timeout_s")]
    pub timeout_s: f64,
    /// Harvest every this many minutes while serving (0: only `kartenn sync`).
    #[serde(default = "default_sync_minutes")]
    pub sync_minutes: u64,
    /// Answers larger than this are cut off (MiB).
    #[serde(default = "default_max_response_mb")]
    pub max_response_mb: u64,
    /// Category for the layers the capabilities do not nest under a titled group (default: the
    /// source's title).
    #[serde(default)]
    pub category: Option<String>,
}

impl SourceConfig {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.id)
    }
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Limits the proxy enforces on every request, and what sources added through the admin API
/// may be.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OgcLimits {
    /// Largest WIDTH / HEIGHT of a GetMap, GetFeatureInfo or legend.
    #[serde(default = "default_max_size")]
    pub max_width: u32,
    #[serde(default = "default_max_size")]
    pub max_height: u32,
    /// Largest FEATURE_COUNT of a GetFeatureInfo.
    #[serde(default = "default_max_feature_count")]
    pub max_feature_count: u32,
    /// Largest COUNT / MAXFEATURES of a GetFeature (also added when missing).
    #[serde(default = "default_max_count")]
    pub max_count: u32,
    /// Sources added through the admin API may use plain `http://` to any host (default: only
    /// to loopback hosts; `https://` always).
    #[serde(default)]
    pub allow_plain_http: bool,
    /// The directory (absolute) whose files sources added through the admin API may name as
    /// `password_file`; without it they use `KARTENN_SOURCE_<ID>_PASSWORD` only.
    #[serde(default)]
    pub password_dir: Option<PathBuf>,
}

impl Default for OgcLimits {
    fn default() -> Self {
        Self {
            max_width: default_max_size(),
            max_height: default_max_size(),
            max_feature_count: default_max_feature_count(),
            max_count: default_max_count(),
            allow_plain_http: false,
            password_dir: None,
        }
    }
}

/// `[[popups]]`: how identify shows a layer's features.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopupConfig {
    /// Layer id or upstream name, or a glob over them.
    pub layer: String,
    /// Plain text with `{attribute}` placeholders, e.g. "{nom} ({population} hab.)".
    pub template: String,
}

/// `[access]`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// For layers no `[[rules]]` entry covers: "deny" (default) or "public".
    #[serde(default)]
    pub default: DefaultAccess,
}

/// `[store]`: where harvested catalogues (and later sessions, permissions) are kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite file, relative to the configuration file (default `kartenn.db`).
    #[serde(default = "default_store_path")]
    pub path: PathBuf,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            path: default_store_path(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_wms_version() -> String {
    "1.3.0".to_owned()
}
fn default_timeout_s() -> f64 {
    30.0
}
fn default_sync_minutes() -> u64 {
    60
}
fn default_max_response_mb() -> u64 {
    64
}
fn default_max_size() -> u32 {
    4096
}
fn default_max_feature_count() -> u32 {
    50
}
fn default_max_count() -> u32 {
    10_000
}
fn default_store_path() -> PathBuf {
    PathBuf::from("kartenn.db")
}

/// Reads each source's password from its file or the environment.
pub(super) fn resolve_secrets(
    sources: &mut [SourceConfig],
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    for (i, s) in sources.iter_mut().enumerate() {
        let var = format!(
            "KARTENN_SOURCE_{}_PASSWORD",
            s.id.to_ascii_uppercase().replace('-', "_")
        );
        let from_file = match &s.password_file {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                invalid(
                    format!("sources[{i}].password_file"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?),
            None => None,
        };
        s.password = env(&var)
            .or(from_file)
            .map(|p| Secret(p.trim_end_matches(['\r', '\n']).to_owned()));
        if s.password.is_some() && s.username.is_none() {
            return Err(invalid(
                format!("sources[{i}].username"),
                "a password is given but no username",
            ));
        }
    }
    Ok(())
}

pub(super) fn validate(
    sources: &[SourceConfig],
    limits: &OgcLimits,
    rules: &[Rule],
    popups: &[PopupConfig],
) -> Result<(), ConfigError> {
    let mut ids = HashSet::new();
    for (i, s) in sources.iter().enumerate() {
        let field = |name: &str| format!("sources[{i}].{name}");
        if !super::is_valid_id(&s.id) {
            return Err(invalid(field("id"), "use 1-64 of a-z 0-9 _ -"));
        }
        if !ids.insert(s.id.as_str()) {
            return Err(invalid(field("id"), format!("`{}` is used twice", s.id)));
        }
        let url_ok = (s.url.starts_with("http://") || s.url.starts_with("https://"))
            && !s.url.contains(['?', '#'])
            && !s.url.chars().any(char::is_whitespace);
        if !url_ok {
            return Err(invalid(
                field("url"),
                "must be the http(s) OWS endpoint, without a query string",
            ));
        }
        if !matches!(s.wms_version.as_str(), "1.3.0" | "1.1.1") {
            return Err(invalid(field("wms_version"), "must be 1.3.0 or 1.1.1"));
        }
        if !s.wms && !s.wfs {
            return Err(invalid(field("wms"), "enable WMS, WFS or both"));
        }
        if !(s.timeout_s > 0.0 && s.timeout_s <= 600.0) {
            return Err(invalid(field("timeout_s"), "must be 0-600 seconds"));
        }
        if s.max_response_mb == 0 || s.max_response_mb > 4096 {
            return Err(invalid(field("max_response_mb"), "must be 1-4096"));
        }
    }
    if limits.max_width == 0 || limits.max_height == 0 || limits.max_width > 16384 {
        return Err(invalid("ogc.max_width", "sizes must be 1-16384"));
    }
    if limits.max_height > 16384 {
        return Err(invalid("ogc.max_height", "sizes must be 1-16384"));
    }
    if limits
        .password_dir
        .as_ref()
        .is_some_and(|d| !d.is_absolute())
    {
        return Err(invalid("ogc.password_dir", "must be an absolute path"));
    }
    for (i, p) in popups.iter().enumerate() {
        let mut depth = 0i32;
        for c in p.template.chars() {
            depth += match c {
                '{' => 1,
                '}' => -1,
                _ => 0,
            };
            if !(0..=1).contains(&depth) {
                break;
            }
        }
        if depth != 0 || p.template.len() > 2000 {
            return Err(invalid(
                format!("popups[{i}].template"),
                "placeholders are {attribute}, unnested and closed",
            ));
        }
    }
    for (i, r) in rules.iter().enumerate() {
        match (&r.layer, &r.dataset) {
            (Some(pattern), None) | (None, Some(pattern)) if !pattern.is_empty() => {}
            (Some(_), Some(_)) => {
                return Err(invalid(
                    format!("rules[{i}]"),
                    "names a layer and a dataset: one rule per kind",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    format!("rules[{i}].layer"),
                    "a rule needs `layer` (or `dataset` for chronicles)",
                ));
            }
            _ => {
                return Err(invalid(format!("rules[{i}].layer"), "must not be empty"));
            }
        }
        if r.source.is_some() && r.dataset.is_some() {
            return Err(invalid(
                format!("rules[{i}].source"),
                "only layer rules name an OGC source",
            ));
        }
        if let Some(source) = &r.source
            && !sources.iter().any(|s| &s.id == source)
        {
            return Err(invalid(
                format!("rules[{i}].source"),
                format!("no [[sources]] entry has id `{source}`"),
            ));
        }
    }
    Ok(())
}
