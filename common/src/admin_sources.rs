//! The admin API's bodies for data sources (`/api/admin/sources…`): an upstream OGC server as
//! an administrator edits it (the `[[sources]]` fields, without any secret), a source as listed
//! (with its version, last synchronisation and layer count), the answer of a connection test,
//! and a synchronisation preview (what a sync would add, change and remove) and its outcome.

use serde::{Deserialize, Serialize};

/// An upstream OGC server (GeoServer, MapServer). Never holds a password: the service account's
/// password is read from `password_file` or `KARTENN_SOURCE_<ID>_PASSWORD` on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceSpec {
    /// 1-64 of a-z 0-9 _ -; used in `/ows/{id}`; unique among all sources.
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The OWS endpoint, `https://…` (plain `http://` only to loopback hosts unless the
    /// server's `[ogc] allow_plain_http` says otherwise); no query, no credentials.
    pub url: String,
    #[serde(default = "yes")]
    pub wms: bool,
    /// `1.3.0` or `1.1.1`.
    #[serde(default = "default_wms_version")]
    pub wms_version: String,
    #[serde(default = "yes")]
    pub wfs: bool,
    /// Service account (HTTP basic).
    #[serde(default)]
    pub username: Option<String>,
    /// Absolute path of a file holding the account's password, on the server.
    #[serde(default)]
    pub password_file: Option<String>,
    /// Per upstream request, seconds (0-600].
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
    /// Harvest every this many minutes (0: only on demand).
    #[serde(default = "default_sync_minutes")]
    pub sync_minutes: u64,
    /// Answers larger than this are refused (MiB, 1-4096).
    #[serde(default = "default_max_response_mb")]
    pub max_response_mb: u64,
    /// Category of the layers the capabilities do not nest (default: the title).
    #[serde(default)]
    pub category: Option<String>,
}

impl SourceSpec {
    /// A new source with the defaults of `[[sources]]`.
    pub fn new(id: &str, url: &str) -> Self {
        Self {
            id: id.to_owned(),
            title: None,
            url: url.to_owned(),
            wms: true,
            wms_version: default_wms_version(),
            wfs: true,
            username: None,
            password_file: None,
            timeout_s: default_timeout(),
            sync_minutes: default_sync_minutes(),
            max_response_mb: default_max_response_mb(),
            category: None,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_wms_version() -> String {
    "1.3.0".to_owned()
}
fn default_timeout() -> f64 {
    30.0
}
fn default_sync_minutes() -> u64 {
    60
}
fn default_max_response_mb() -> u64 {
    64
}

/// A source's last synchronisation attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SyncState {
    /// RFC 3339 UTC.
    pub attempted_at: String,
    /// The last success, if any.
    pub succeeded_at: Option<String>,
    /// Why the last attempt failed (`None`: it succeeded).
    pub error: Option<String>,
}

/// One source as the admin API lists it: a stored one (`version`, editable) or one of the
/// configuration file's (`from_config`, read-only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceEntry {
    pub source: SourceSpec,
    /// Whether a password was found (file or environment); the password itself is never sent.
    pub has_password: bool,
    /// A `[[sources]]` entry of the configuration file: not editable here.
    pub from_config: bool,
    /// Bumped by each change; `ETag: "<version>"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Harvested layers in the catalogue.
    pub layers: usize,
    #[serde(default)]
    pub last_sync: Option<SyncState>,
}

impl SourceEntry {
    /// `"<version>"`: the `ETag`, and what `If-Match` sends back.
    pub fn etag(&self) -> String {
        crate::admin::etag(self.version.unwrap_or_default())
    }
}

/// `GET /api/admin/sources`: the configuration's sources, then the stored ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceList {
    pub sources: Vec<SourceEntry>,
}

/// `DELETE /api/admin/sources/{id}`: what went with the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceDeleted {
    pub source: String,
    /// Its harvested layers, removed from the catalogue.
    pub layers_removed: usize,
}

/// One service's answer in a connection test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ServiceCheck {
    /// `WMS` or `WFS`.
    pub service: String,
    pub ok: bool,
    /// The service title the capabilities give.
    pub title: Option<String>,
    /// Named layers (WMS) or feature types (WFS).
    pub layers: usize,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

/// `POST /api/admin/sources/test`: whether the server answers GetCapabilities (nothing stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SourceTest {
    /// Every enabled service answered usable capabilities.
    pub ok: bool,
    pub services: Vec<ServiceCheck>,
    pub elapsed_ms: u64,
}

/// A layer named in a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DiffLayer {
    pub id: String,
    pub title: String,
    /// For a changed layer: which of its fields changed (`title`, `bbox`, `styles`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// What a synchronisation changes in a source's layers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct LayerDiff {
    pub added: Vec<DiffLayer>,
    pub changed: Vec<DiffLayer>,
    pub removed: Vec<DiffLayer>,
    /// Layers that stay as they are.
    pub unchanged: usize,
}

impl LayerDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// `POST /api/admin/sources/{id}/sync/preview`: a harvest kept ten minutes under `token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SyncPreview {
    /// Send it back to `…/sync/apply` to apply exactly this harvest.
    pub token: String,
    pub source: String,
    /// RFC 3339 UTC; after it the token is refused.
    pub expires_at: String,
    /// Layers the harvest found.
    pub layers: usize,
    pub diff: LayerDiff,
}

/// Body of `POST /api/admin/sources/{id}/sync/apply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ApplyBody {
    /// The preview's token.
    pub preview: String,
}

/// `POST /api/admin/sources/{id}/sync/apply`: what was applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SyncApplied {
    pub source: String,
    /// Layers now in the catalogue for this source.
    pub layers: usize,
    pub diff: LayerDiff,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_body_with_only_id_and_url_takes_the_configuration_defaults() {
        let spec: SourceSpec =
            serde_json::from_str(r#"{"id": "geo", "url": "https://h/ows"}"#).unwrap();
        assert_eq!(spec, SourceSpec::new("geo", "https://h/ows"));
        assert!(spec.wms && spec.wfs);
    }
}
