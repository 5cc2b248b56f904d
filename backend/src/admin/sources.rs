//! Data sources (upstream OGC servers) edited through the admin API. A stored source is a row
//! of `ogc_sources` (the `[[sources]]` fields as JSON, a version, who changed it last); it
//! comes after the configuration's sources, which stay read-only. No secret is ever stored or
//! returned: a stored source names a `password_file` (inside `[ogc] password_dir`) or relies on
//! `KARTENN_SOURCE_<ID>_PASSWORD`; answers only say `has_password`.
//!
//! URLs: `https://`, or plain `http://` to a loopback host (`localhost`, 127.0.0.0/8, `::1`)
//! unless `[ogc] allow_plain_http` admits any host; never credentials, a query or a fragment.
//!
//! Each change and its audit row commit in one `BEGIN IMMEDIATE` transaction, under the OGC
//! service's write lock (so no sync stores layers meanwhile); then the source set in force is
//! swapped and the catalogue rebuilt. Deleting a source deletes its harvested layers and its
//! sync status in the same transaction.

use std::path::{Path, PathBuf};

use kartenn_common::FieldError;
use kartenn_common::admin_sources::{SourceEntry, SourceSpec, SyncState};
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
use super::rules::unknown_fields;
use super::{Actor, AdminError, field_error, now_rfc3339};
use crate::config::{OgcLimits, Secret, SourceConfig};
use crate::ogc::service::{Env, OgcService};
use crate::store::{Store, StoreError};

pub use super::sources_error::SourceAdminError;

/// The stored sources' table (run with the store's own schema when it opens).
pub const SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS ogc_sources (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )"];

/// The fields of a source body.
const FIELDS: &[&str] = &[
    "id",
    "title",
    "url",
    "wms",
    "wms_version",
    "wfs",
    "username",
    "password_file",
    "timeout_s",
    "sync_minutes",
    "max_response_mb",
    "category",
];

/// Longest title, category, user name or URL.
const MAX_TEXT: usize = 2048;

/// `KARTENN_SOURCE_<ID>_PASSWORD`, as for `[[sources]]`.
pub fn password_var(id: &str) -> String {
    format!(
        "KARTENN_SOURCE_{}_PASSWORD",
        id.to_ascii_uppercase().replace('-', "_")
    )
}

/// Reads a source from a request body's JSON, naming each wrong field. `id_required`: a test
/// may leave the id out.
pub fn parse_spec(
    value: &Map<String, Value>,
    limits: &OgcLimits,
    id_required: bool,
) -> Result<SourceSpec, Vec<FieldError>> {
    let mut errors = unknown_fields(value, FIELDS);
    for e in &mut errors {
        if e.field == "password" {
            "passwords are never stored: name a password_file or set the \
             KARTENN_SOURCE_<ID>_PASSWORD variable on the server"
                .clone_into(&mut e.message);
        }
    }
    let mut err = |field: &str, message: &str| errors.push(field_error(field, message));
    let text = |field: &str, err: &mut dyn FnMut(&str, &str)| -> Option<String> {
        match value.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => {
                err(field, "must not be empty (leave it out instead)");
                None
            }
            Some(Value::String(s)) if s.chars().count() > MAX_TEXT => {
                err(field, "is too long");
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                err(field, "must be a string");
                None
            }
        }
    };
    let mut spec = SourceSpec::new("", "");
    match text("id", &mut err) {
        Some(id) if !crate::config::is_valid_id(&id) => {
            err("id", "use 1-64 of a-z 0-9 _ -");
        }
        Some(id) if id == "test" => err("id", "`test` is reserved (…/sources/test)"),
        Some(id) => spec.id = id,
        None if id_required => err("id", "required"),
        None => "test".clone_into(&mut spec.id),
    }
    match text("url", &mut err) {
        Some(url) => match check_url(&url, limits.allow_plain_http) {
            Ok(()) => spec.url = url,
            Err(message) => err("url", message),
        },
        None => err("url", "required"),
    }
    spec.title = text("title", &mut err);
    spec.category = text("category", &mut err);
    spec.username = text("username", &mut err);
    if spec.username.as_deref().is_some_and(|u| u.contains(':')) {
        err("username", "must not contain `:` (HTTP basic)");
    }
    spec.password_file = text("password_file", &mut err);
    for (field, slot) in [("wms", &mut spec.wms), ("wfs", &mut spec.wfs)] {
        match value.get(field) {
            None => {}
            Some(Value::Bool(b)) => *slot = *b,
            Some(_) => err(field, "must be true or false"),
        }
    }
    if !spec.wms && !spec.wfs {
        err("wms", "enable WMS, WFS or both");
    }
    match text("wms_version", &mut err) {
        None => {}
        Some(v) if matches!(v.as_str(), "1.3.0" | "1.1.1") => spec.wms_version = v,
        Some(_) => err("wms_version", "must be 1.3.0 or 1.1.1"),
    }
    numbers(value, &mut spec, &mut err);
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

/// `timeout_s`, `sync_minutes`, `max_response_mb`.
fn numbers(value: &Map<String, Value>, spec: &mut SourceSpec, err: &mut dyn FnMut(&str, &str)) {
    match value.get("timeout_s").map(Value::as_f64) {
        None => {}
        Some(Some(t)) if t > 0.0 && t <= 600.0 => spec.timeout_s = t,
        Some(_) => err(
            "timeout_s",
            "must be a number of seconds, over 0 and at most 600",
        ),
    }
    let integer =
        |field: &str, range: std::ops::RangeInclusive<u64>, err: &mut dyn FnMut(&str, &str)| {
            match value.get(field).map(Value::as_u64) {
                None => None,
                Some(Some(n)) if range.contains(&n) => Some(n),
                Some(_) => {
                    err(
                        field,
                        &format!(
                            "must be an integer from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    );
                    None
                }
            }
        };
    if let Some(n) = integer("sync_minutes", 0..=10_080, err) {
        spec.sync_minutes = n;
    }
    if let Some(n) = integer("max_response_mb", 1..=4096, err) {
        spec.max_response_mb = n;
    }
}

/// Whether `text` may be a stored source's endpoint; the reason when not.
pub fn check_url(text: &str, allow_plain_http: bool) -> Result<(), &'static str> {
    if text.chars().any(char::is_whitespace) || text.contains(['?', '#']) {
        return Err("must be the OWS endpoint, without spaces, query string or fragment");
    }
    let url = reqwest::Url::parse(text).map_err(|_| "must be an absolute http(s) URL")?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold credentials: use username and password_file");
    }
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err("must name a host");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_plain_http || is_loopback(host) => Ok(()),
        "http" => Err(
            "plain http is only allowed to loopback hosts: use https (or set [ogc] \
             allow_plain_http on the server)",
        ),
        _ => Err("must be an http(s) URL"),
    }
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The source in force for `spec`: its password read from the environment or its file (which
/// must lie in `[ogc] password_dir`).
pub fn to_config(
    spec: &SourceSpec,
    limits: &OgcLimits,
    env: &Env,
) -> Result<SourceConfig, Vec<FieldError>> {
    let from_file = match &spec.password_file {
        Some(path) => Some(read_password(
            Path::new(path),
            limits.password_dir.as_deref(),
        )?),
        None => None,
    };
    let password = env(&password_var(&spec.id))
        .or(from_file)
        .map(|p| Secret(p.trim_end_matches(['\r', '\n']).to_owned()));
    if password.is_some() && spec.username.is_none() {
        return Err(vec![field_error(
            "username",
            "a password is given (file or environment) but no username",
        )]);
    }
    Ok(SourceConfig {
        password,
        ..to_config_unchecked(spec)
    })
}

/// A password file's content, if the file lies in `dir` (symbolic links resolved first).
fn read_password(path: &Path, dir: Option<&Path>) -> Result<String, Vec<FieldError>> {
    let wrong = |message: &str| vec![field_error("password_file", message)];
    let Some(dir) = dir else {
        return Err(wrong(
            "this server takes no password files for sources added here ([ogc] password_dir \
             is not set): use the KARTENN_SOURCE_<ID>_PASSWORD variable",
        ));
    };
    if !path.is_absolute() {
        return Err(wrong("must be an absolute path"));
    }
    let inside = match (path.canonicalize(), dir.canonicalize()) {
        (Ok(file), Ok(dir)) => file.starts_with(&dir) && file.is_file(),
        _ => false,
    };
    if !inside {
        return Err(wrong(
            "must be a readable file inside the server's [ogc] password_dir",
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|_| wrong("cannot be read by the server"))?;
    if text.len() > 4096 || text.trim_end_matches(['\r', '\n']).contains('\n') {
        return Err(wrong("must hold one line: the password"));
    }
    Ok(text)
}

/// What the admin API shows of a source in force.
pub fn spec_of(source: &SourceConfig) -> SourceSpec {
    SourceSpec {
        id: source.id.clone(),
        title: source.title.clone(),
        url: source.url.clone(),
        wms: source.wms,
        wms_version: source.wms_version.clone(),
        wfs: source.wfs,
        username: source.username.clone(),
        password_file: source
            .password_file
            .as_ref()
            .map(|p| p.display().to_string()),
        timeout_s: source.timeout_s,
        sync_minutes: source.sync_minutes,
        max_response_mb: source.max_response_mb,
        category: source.category.clone(),
    }
}

/// One stored row.
struct Stored {
    spec: SourceSpec,
    version: i64,
    updated_at: String,
    updated_by: Option<String>,
}

fn stored_row(row: &sqlx::sqlite::SqliteRow) -> Result<Stored, StoreError> {
    Ok(Stored {
        spec: serde_json::from_str(row.try_get::<&str, _>("source")?)?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

async fn stored_all(conn: &mut SqliteConnection) -> Result<Vec<Stored>, StoreError> {
    sqlx::query("SELECT source, version, updated_at, updated_by FROM ogc_sources ORDER BY id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(stored_row)
        .collect()
}

async fn stored_one(conn: &mut SqliteConnection, id: &str) -> Result<Option<Stored>, StoreError> {
    sqlx::query("SELECT source, version, updated_at, updated_by FROM ogc_sources WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(stored_row)
        .transpose()
}

/// The stored sources as the server runs them. One that cannot be loaded (its password file
/// went away) is logged and left out.
pub async fn load(
    store: &Store,
    limits: &OgcLimits,
    env: &Env,
) -> Result<Vec<SourceConfig>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let mut sources = Vec::new();
    for row in stored_all(&mut conn).await? {
        match to_config(&row.spec, limits, env) {
            Ok(source) => sources.push(source),
            Err(errors) => tracing::error!(
                source = %row.spec.id,
                problem = %errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
                "stored OGC source not loaded"
            ),
        }
    }
    Ok(sources)
}

/// The admin side of the sources: reads and changes through the OGC service's store.
pub struct Sources<'a> {
    pub ogc: &'a OgcService,
    pub store: &'a Store,
}

impl<'a> Sources<'a> {
    /// The OGC service's sources (404 when the server has no store).
    pub fn of(ogc: &'a OgcService) -> Result<Self, SourceAdminError> {
        let store = ogc.store.as_ref().ok_or(AdminError::NotConfigured)?;
        Ok(Self { ogc, store })
    }

    fn entry(
        &self,
        source: &SourceConfig,
        stored: Option<&Stored>,
        syncs: &[crate::store::SyncStatus],
    ) -> SourceEntry {
        SourceEntry {
            source: stored.map_or_else(|| spec_of(source), |s| s.spec.clone()),
            has_password: source.password.is_some(),
            from_config: stored.is_none(),
            version: stored.map(|s| s.version),
            updated_at: stored.map(|s| s.updated_at.clone()),
            updated_by: stored.and_then(|s| s.updated_by.clone()),
            layers: self
                .ogc
                .catalog()
                .source(&source.id)
                .map_or(0, |l| l.layers.len()),
            last_sync: syncs
                .iter()
                .find(|s| s.source == source.id)
                .map(|s| SyncState {
                    attempted_at: s.attempted_at.clone(),
                    succeeded_at: s.succeeded_at.clone(),
                    error: s.error.clone(),
                }),
        }
    }

    /// Every source in force: the configuration's, then the stored ones.
    pub async fn list(&self) -> Result<Vec<SourceEntry>, SourceAdminError> {
        let mut conn = self.store.pool().acquire().await?;
        let stored = stored_all(&mut conn).await?;
        drop(conn);
        let syncs = self.store.sync_status().await?;
        let sources = self.ogc.sources();
        let mut list: Vec<SourceEntry> = self
            .ogc
            .config_sources()
            .iter()
            .map(|s| self.entry(s, None, &syncs))
            .collect();
        for row in &stored {
            // A stored source that could not be loaded is listed without a password.
            let source = sources
                .iter()
                .find(|s| s.id == row.spec.id && !self.is_config(&s.id))
                .cloned()
                .unwrap_or_else(|| to_config_unchecked(&row.spec));
            list.push(self.entry(&source, Some(row), &syncs));
        }
        Ok(list)
    }

    fn is_config(&self, id: &str) -> bool {
        self.ogc.config_sources().iter().any(|s| s.id == id)
    }

    /// One source in force.
    pub async fn get(&self, id: &str) -> Result<SourceEntry, SourceAdminError> {
        self.list()
            .await?
            .into_iter()
            .find(|e| e.source.id == id)
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))
    }

    /// Adds a stored source; it serves from the next request on.
    pub async fn create(
        &self,
        actor: &Actor,
        spec: SourceSpec,
    ) -> Result<SourceEntry, SourceAdminError> {
        let config =
            to_config(&spec, &self.ogc.limits, self.ogc.env()).map_err(AdminError::invalid)?;
        let _order = self.ogc.lock_writes().await;
        if self.is_config(&spec.id) {
            return Err(
                AdminError::field("id", "a source of the configuration file has this id").into(),
            );
        }
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        if stored_one(&mut tx, &spec.id).await?.is_some() {
            return Err(AdminError::field("id", "a source with this id exists").into());
        }
        let at = now_rfc3339();
        sqlx::query("INSERT INTO ogc_sources (id, source, version, updated_at, updated_by) VALUES (?, ?, 1, ?, ?)")
            .bind(&spec.id)
            .bind(serde_json::to_string(&spec)?)
            .bind(&at)
            .bind(actor.label())
            .execute(&mut *tx)
            .await
            ?;
        let row = Stored {
            spec,
            version: 1,
            updated_at: at,
            updated_by: Some(actor.label()),
        };
        let created = self.entry(&config, Some(&row), &[]);
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.create",
                target: format!("source:{}", row.spec.id),
                before: None,
                after: Some(serde_json::to_value(&created)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(created)
    }

    /// Replaces stored source `id` if it is still at `expected` version.
    pub async fn update(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
        spec: SourceSpec,
    ) -> Result<SourceEntry, SourceAdminError> {
        if spec.id != id {
            return Err(AdminError::field(
                "id",
                "an id cannot change: delete the source and create another",
            )
            .into());
        }
        if self.is_config(id) {
            return Err(SourceAdminError::FromConfig(id.to_owned()));
        }
        let config =
            to_config(&spec, &self.ogc.limits, self.ogc.env()).map_err(AdminError::invalid)?;
        let _order = self.ogc.lock_writes().await;
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = stored_one(&mut tx, id)
            .await?
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))?;
        if before.version != expected {
            return Err(stale(id, &before));
        }
        let at = now_rfc3339();
        sqlx::query("UPDATE ogc_sources SET source = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?")
            .bind(serde_json::to_string(&spec)?)
            .bind(&at)
            .bind(actor.label())
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await
            ?;
        let syncs = self.store.sync_status().await?;
        let old = self
            .ogc
            .source(id)
            .unwrap_or_else(|| to_config_unchecked(&before.spec));
        let before_entry = self.entry(&old, Some(&before), &syncs);
        let row = Stored {
            spec,
            version: expected + 1,
            updated_at: at,
            updated_by: Some(actor.label()),
        };
        let after = self.entry(&config, Some(&row), &syncs);
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.update",
                target: format!("source:{id}"),
                before: Some(serde_json::to_value(&before_entry)?),
                after: Some(serde_json::to_value(&after)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(after)
    }

    /// Deletes stored source `id` (at `expected` version) and its harvested layers; answers how
    /// many layers went.
    pub async fn delete(
        &self,
        actor: &Actor,
        id: &str,
        expected: i64,
    ) -> Result<usize, SourceAdminError> {
        if self.is_config(id) {
            return Err(SourceAdminError::FromConfig(id.to_owned()));
        }
        let _order = self.ogc.lock_writes().await;
        let mut tx = self.store.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = stored_one(&mut tx, id)
            .await?
            .ok_or_else(|| SourceAdminError::Unknown(id.to_owned()))?;
        if before.version != expected {
            return Err(stale(id, &before));
        }
        let layers = sqlx::query("DELETE FROM ogc_layers WHERE source = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let removed = usize::try_from(layers.rows_affected()).unwrap_or(usize::MAX);
        for statement in [
            "DELETE FROM ogc_syncs WHERE source = ?",
            "DELETE FROM ogc_sources WHERE id = ?",
        ] {
            sqlx::query(statement).bind(id).execute(&mut *tx).await?;
        }
        let old = self
            .ogc
            .source(id)
            .unwrap_or_else(|| to_config_unchecked(&before.spec));
        let mut before_json = serde_json::to_value(self.entry(&old, Some(&before), &[]))?;
        if let Some(object) = before_json.as_object_mut() {
            object.insert("layers_removed".to_owned(), Value::from(removed));
        }
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "source.delete",
                target: format!("source:{id}"),
                before: Some(before_json),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(removed)
    }

    /// Puts the stored sources in force and rebuilds the catalogue (callers hold the write
    /// lock).
    async fn reload(&self) -> Result<(), SourceAdminError> {
        let stored = load(self.store, &self.ogc.limits, self.ogc.env()).await?;
        self.ogc.set_stored(stored);
        self.ogc.refresh().await?;
        Ok(())
    }
}

/// A stored spec as a source, without reading its password.
fn to_config_unchecked(spec: &SourceSpec) -> SourceConfig {
    SourceConfig {
        id: spec.id.clone(),
        title: spec.title.clone(),
        url: spec.url.clone(),
        wms_version: spec.wms_version.clone(),
        wms: spec.wms,
        wfs: spec.wfs,
        username: spec.username.clone(),
        password_file: spec.password_file.as_ref().map(PathBuf::from),
        password: None,
        timeout_s: spec.timeout_s,
        sync_minutes: spec.sync_minutes,
        max_response_mb: spec.max_response_mb,
        category: spec.category.clone(),
    }
}

fn stale(id: &str, current: &Stored) -> SourceAdminError {
    SourceAdminError::Stale {
        id: id.to_owned(),
        by: current
            .updated_by
            .clone()
            .unwrap_or_else(|| "someone".into()),
        at: current.updated_at.clone(),
        version: current.version,
    }
}

#[cfg(test)]
#[path = "sources_tests.rs"]
mod tests;
