//! A data source as the admin API reads it: a JSON body checked field by field (each wrong
//! field named), the URL policy (`https://`, or `http://` to loopback hosts unless
//! `[ogc] allow_plain_http`; no credentials, query or fragment), and the password looked up in
//! the environment or in a file inside `[ogc] password_dir` — never taken from the body.

use std::path::{Path, PathBuf};

use kartenn_common::FieldError;
use kartenn_common::admin_sources::SourceSpec;
use serde_json::{Map, Value};

use super::field_error;
use super::rules::unknown_fields;
use crate::config::{OgcLimits, Secret, SourceConfig};
use crate::ogc::service::Env;

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

/// A stored spec as a source, without reading its password.
pub fn to_config_unchecked(spec: &SourceSpec) -> SourceConfig {
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

#[cfg(test)]
#[path = "sources_tests.rs"]
mod tests;
