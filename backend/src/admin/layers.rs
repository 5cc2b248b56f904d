//! Layer settings: every catalogue layer (configured, chronicle, harvested OGC) with its
//! harvested values, the administrator's override and the values in force; the override is
//! stored per layer id with a version (`ETag`, `0` before any) and checked against what the
//! layer offers (a style it advertises, a time it advertises, a stored category). Reset keeps
//! the row (settings `{}`) and bumps the version.

use std::collections::HashMap;

use kartenn_common::admin_catalog::{AdminLayer, LayerSettings, LayerSettingsEntry, LayerValues};
use kartenn_common::{FieldError, LayerSource, TimeDimension};
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
use super::categories::{CatalogError, all as all_categories};
use super::{Actor, Admin, AdminError, field_error, now_rfc3339};
use crate::acl::{CHRONICLE_PREFIX, glob};
use crate::http::versioned::Stale;
use crate::ogc::capabilities::time_allowed;
use crate::state::AppState;

/// A catalogue layer as configured or harvested, before any setting.
#[derive(Debug, Clone)]
pub struct Harvested {
    pub id: String,
    pub kind: &'static str,
    pub source: Option<String>,
    /// Harvested layers: the names the upstream server advertises (WMS, WFS), which rules may
    /// name.
    pub names: Vec<String>,
    pub styles: Vec<String>,
    pub time: Option<TimeDimension>,
    /// For chronicle layers: the dataset (rules name datasets, not layers).
    pub dataset: Option<String>,
    pub values: LayerValues,
}

fn values(title: &str, description: Option<&String>, category: &[String]) -> LayerValues {
    LayerValues {
        title: title.to_owned(),
        abstract_text: description.cloned(),
        category: category.to_vec(),
        published: true,
        in_map: true,
        queryable: true,
        downloadable: true,
        ..LayerValues::default()
    }
}

/// Every layer of the catalogue, whoever may see it: configured, chronicle datasets, harvested.
pub async fn harvested(state: &AppState) -> Vec<Harvested> {
    let mut out: Vec<Harvested> = state
        .catalog
        .layers
        .iter()
        .map(|l| {
            let (kind, style) = match &l.source {
                LayerSource::VectorTiles { .. } => ("tiles", None),
                LayerSource::GeoJson { .. } => ("geojson", None),
                LayerSource::Wms { styles, .. } => {
                    ("raster", Some(styles.clone()).filter(|s| !s.is_empty()))
                }
                _ => ("raster", None),
            };
            let mut v = values(&l.title, l.description.as_ref(), &l.category);
            v.in_map = l.in_map;
            v.style = style;
            Harvested {
                id: l.id.clone(),
                kind,
                source: None,
                names: Vec::new(),
                styles: Vec::new(),
                time: None,
                dataset: None,
                values: v,
            }
        })
        .collect();
    if let Some(service) = &state.chronicles {
        match service.datasets().await {
            Ok(datasets) => out.extend(datasets.into_iter().map(|d| Harvested {
                id: format!("{CHRONICLE_PREFIX}{}", d.wire.id),
                kind: "chronicle",
                source: None,
                names: Vec::new(),
                styles: Vec::new(),
                time: None,
                values: values(
                    &d.wire.title,
                    d.wire.description.as_ref(),
                    &["Chroniques".to_owned()],
                ),
                dataset: Some(d.wire.id),
            })),
            Err(e) => tracing::error!(error = %e, "chronicle datasets unavailable for the admin"),
        }
    }
    let catalog = state.ogc.catalog();
    out.extend(catalog.layers().map(|l| {
        let names = l.names();
        let mut v = values(&l.title, l.abstract_text.as_ref(), &l.category);
        v.in_map = false;
        v.queryable = l.queryable;
        v.downloadable = l.wfs_name.is_some();
        v.time_default = l.time.as_ref().and_then(|t| t.default.clone());
        v.popup = state
            .popups
            .iter()
            .find(|p| glob(&p.layer, &l.id) || names.iter().any(|n| glob(&p.layer, n)))
            .map(|p| p.template.clone());
        Harvested {
            id: l.id.clone(),
            kind: "ogc",
            source: Some(l.source.clone()),
            names: names
                .iter()
                .enumerate()
                .filter(|(i, n)| !names[..*i].contains(n))
                .map(|(_, n)| (*n).to_owned())
                .collect(),
            styles: if l.wms_name.is_some() {
                l.styles.clone()
            } else {
                Vec::new()
            },
            time: l.time.clone(),
            dataset: None,
            values: v,
        }
    }));
    out
}

fn row_entry(row: &sqlx::sqlite::SqliteRow) -> Result<LayerSettingsEntry, AdminError> {
    Ok(LayerSettingsEntry {
        layer: row.try_get("layer")?,
        settings: serde_json::from_str(row.try_get::<&str, _>("settings")?)?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

/// Every stored settings row (including reset ones).
pub async fn all_settings(
    conn: &mut SqliteConnection,
) -> Result<Vec<LayerSettingsEntry>, AdminError> {
    sqlx::query("SELECT layer, settings, version, updated_at, updated_by FROM layer_settings")
        .fetch_all(conn)
        .await?
        .iter()
        .map(row_entry)
        .collect()
}

async fn one(conn: &mut SqliteConnection, layer: &str) -> Result<LayerSettingsEntry, AdminError> {
    let row = sqlx::query(
        "SELECT layer, settings, version, updated_at, updated_by FROM layer_settings
         WHERE layer = ?",
    )
    .bind(layer)
    .fetch_optional(conn)
    .await?;
    match row {
        Some(row) => row_entry(&row),
        None => Ok(LayerSettingsEntry {
            layer: layer.to_owned(),
            ..LayerSettingsEntry::default()
        }),
    }
}

/// Writes `settings` as the next version of `before` (version 0: a first row), with its audit
/// row; the caller holds the transaction.
pub async fn write_settings(
    conn: &mut SqliteConnection,
    actor: &Actor,
    before: &LayerSettingsEntry,
    settings: LayerSettings,
) -> Result<LayerSettingsEntry, CatalogError> {
    let at = now_rfc3339();
    let by = actor.label();
    let text = serde_json::to_string(&settings)?;
    let done = if before.version == 0 {
        sqlx::query(
            "INSERT INTO layer_settings (layer, settings, version, updated_at, updated_by)
             VALUES (?, ?, 1, ?, ?) ON CONFLICT (layer) DO NOTHING",
        )
        .bind(&before.layer)
        .bind(&text)
        .bind(&at)
        .bind(&by)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "UPDATE layer_settings SET settings = ?, version = version + 1, updated_at = ?,
             updated_by = ? WHERE layer = ? AND version = ?",
        )
        .bind(&text)
        .bind(&at)
        .bind(&by)
        .bind(&before.layer)
        .bind(before.version)
        .execute(&mut *conn)
        .await?
    };
    let after = one(conn, &before.layer).await?;
    if done.rows_affected() != 1 {
        return Err(stale(&after));
    }
    audit::record(
        conn,
        actor,
        &Change {
            action: if settings.is_empty() {
                "layer.settings.reset"
            } else {
                "layer.settings.update"
            },
            target: format!("layer:{}", before.layer),
            before: Some(serde_json::to_value(before)?),
            after: Some(serde_json::to_value(&after)?),
        },
    )
    .await?;
    Ok(after)
}

fn stale(current: &LayerSettingsEntry) -> CatalogError {
    Stale::new(
        format!("the settings of layer `{}`", current.layer),
        current.updated_by.as_deref(),
        current.updated_at.as_deref().unwrap_or_default(),
        current.version,
    )
    .into()
}

/// Reads a settings body, checking each field against what `layer` offers and the stored
/// categories (`categories`), naming each wrong field.
pub fn parse_settings(
    map: &Map<String, Value>,
    layer: &Harvested,
    categories: &[i64],
) -> Result<LayerSettings, AdminError> {
    const FIELDS: &[&str] = &[
        "title",
        "abstract",
        "category",
        "published",
        "in_map",
        "style",
        "popup",
        "queryable",
        "downloadable",
        "time_default",
        "time_hidden",
    ];
    let mut errors: Vec<FieldError> = super::rules::unknown_fields(map, FIELDS);
    let mut s = LayerSettings::default();
    let text = |key: &str, max: usize, errors: &mut Vec<FieldError>| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.trim().is_empty() && t.chars().count() <= max => {
            Some(t.trim().to_owned())
        }
        _ => {
            errors.push(field_error(
                key,
                format!("must be a text of 1 to {max} characters, or null"),
            ));
            None
        }
    };
    s.title = text("title", 200, &mut errors);
    s.abstract_text = text("abstract", 4000, &mut errors);
    s.popup = text("popup", 2000, &mut errors);
    s.style = text("style", 256, &mut errors);
    s.time_default = text("time_default", 64, &mut errors);
    let flag = |key: &str, errors: &mut Vec<FieldError>| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(field_error(key, "must be true, false or null"));
            None
        }
    };
    s.published = flag("published", &mut errors);
    s.in_map = flag("in_map", &mut errors);
    s.queryable = flag("queryable", &mut errors);
    s.downloadable = flag("downloadable", &mut errors);
    s.time_hidden = flag("time_hidden", &mut errors);
    match map.get("category") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_i64() {
            Some(id) if categories.contains(&id) => s.category = Some(id),
            _ => errors.push(field_error(
                "category",
                "must be a stored category id or null",
            )),
        },
    }
    if let Some(style) = &s.style
        && !layer.styles.contains(style)
    {
        let message = if layer.styles.is_empty() {
            "this layer advertises no styles".to_owned()
        } else {
            format!(
                "must be one of the advertised styles: {}",
                layer.styles.join(", ")
            )
        };
        errors.push(field_error("style", message));
    }
    if let Some(time) = &s.time_default {
        match &layer.time {
            Some(dimension) if time_allowed(dimension, time) => {}
            Some(_) => errors.push(field_error(
                "time_default",
                "must be a time the layer advertises",
            )),
            None => errors.push(field_error(
                "time_default",
                "this layer has no time dimension",
            )),
        }
    }
    if s.time_hidden.is_some() && layer.time.is_none() {
        errors.push(field_error(
            "time_hidden",
            "this layer has no time dimension",
        ));
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(AdminError::invalid(errors))
    }
}

impl Admin {
    /// Every layer with its harvested values, its settings and the values in force.
    pub async fn layers(&self, state: &AppState) -> Result<Vec<AdminLayer>, CatalogError> {
        let mut conn = self.pool().acquire().await?;
        let stored: HashMap<String, LayerSettingsEntry> = all_settings(&mut conn)
            .await?
            .into_iter()
            .map(|e| (e.layer.clone(), e))
            .collect();
        drop(conn);
        let acl = self.acl.current();
        Ok(harvested(state)
            .await
            .into_iter()
            .map(|h| {
                let settings = stored
                    .get(&h.id)
                    .cloned()
                    .unwrap_or_else(|| LayerSettingsEntry {
                        layer: h.id.clone(),
                        ..LayerSettingsEntry::default()
                    });
                let effective = acl.overrides().effective(&h.values, &settings.settings);
                AdminLayer {
                    id: h.id,
                    kind: h.kind.to_owned(),
                    source: h.source,
                    names: h.names,
                    dataset: h.dataset,
                    styles: h.styles,
                    time: h.time,
                    harvested: h.values,
                    settings,
                    effective,
                }
            })
            .collect())
    }

    /// The settings of `layer` (404 when the catalogue has no such layer).
    pub async fn layer_settings(
        &self,
        state: &AppState,
        layer: &str,
    ) -> Result<LayerSettingsEntry, CatalogError> {
        find_layer(state, layer).await?;
        let mut conn = self.pool().acquire().await?;
        Ok(one(&mut conn, layer).await?)
    }

    /// Replaces the settings of `layer` (checked by the caller with [`parse_settings`] against
    /// `expected_categories`, checked again here inside the transaction).
    pub async fn put_layer_settings(
        &self,
        actor: &Actor,
        layer: &Harvested,
        expected: i64,
        body: &Map<String, Value>,
    ) -> Result<LayerSettingsEntry, CatalogError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let ids: Vec<i64> = all_categories(&mut tx)
            .await?
            .iter()
            .map(|c| c.id)
            .collect();
        let settings = parse_settings(body, layer, &ids)?;
        let before = one(&mut tx, &layer.id).await?;
        if before.version != expected {
            return Err(stale(&before));
        }
        let after = write_settings(&mut tx, actor, &before, settings).await?;
        tx.commit().await?;
        self.reload_catalog().await?;
        Ok(after)
    }

    /// Back to the harvested values (the row stays, empty, with a new version).
    pub async fn reset_layer_settings(
        &self,
        actor: &Actor,
        layer: &str,
        expected: i64,
    ) -> Result<LayerSettingsEntry, CatalogError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = one(&mut tx, layer).await?;
        if before.version != expected {
            return Err(stale(&before));
        }
        let after = write_settings(&mut tx, actor, &before, LayerSettings::default()).await?;
        tx.commit().await?;
        self.reload_catalog().await?;
        Ok(after)
    }
}

/// The catalogue layer `id`, as harvested (404 when there is none).
pub async fn find_layer(state: &AppState, id: &str) -> Result<Harvested, CatalogError> {
    harvested(state)
        .await
        .into_iter()
        .find(|h| h.id == id)
        .ok_or_else(|| CatalogError::UnknownLayer(id.chars().take(200).collect()))
}

/// The bulk targets of every layer whose category (in force) is `category` or lies under it:
/// `category` is a stored category id or a path (`Littoral/Traits de côte`). Chronicle layers
/// give their dataset. Errors name the `category` field.
pub async fn targets_under(
    state: &AppState,
    category: &Value,
) -> Result<Vec<super::rules::BulkTarget>, FieldError> {
    use super::rules::{BulkTarget, MAX_BULK};
    use crate::catalog::settings::{joined, under};
    let acl = state.acl();
    let overrides = acl.overrides();
    let path = match category {
        Value::Number(n) => n
            .as_i64()
            .and_then(|id| overrides.path(id))
            .map(joined)
            .ok_or_else(|| field_error("category", format!("no category {n}")))?,
        Value::String(text) if !text.trim().trim_matches('/').is_empty() => {
            text.trim().trim_matches('/').to_owned()
        }
        _ => {
            return Err(field_error(
                "category",
                "must be a stored category id or a category path like `Littoral/Traits`",
            ));
        }
    };
    let none = LayerSettings::default();
    let targets: Vec<BulkTarget> = harvested(state)
        .await
        .into_iter()
        .filter(|h| {
            let settings = overrides.layer(&h.id).unwrap_or(&none);
            under(&overrides.effective(&h.values, settings).category, &path)
        })
        .map(|h| match h.dataset {
            Some(d) => BulkTarget::Dataset(d),
            None => BulkTarget::Layer(h.id),
        })
        .collect();
    if targets.is_empty() {
        return Err(field_error(
            "category",
            format!("no layer is in category `{path}`"),
        ));
    }
    if targets.len() > MAX_BULK {
        return Err(field_error(
            "category",
            format!(
                "{} layers: one bulk change touches {MAX_BULK} at most",
                targets.len()
            ),
        ));
    }
    Ok(targets)
}
