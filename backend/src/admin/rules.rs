//! Stored rules: read, validated, created, updated and deleted with a per-rule version (the
//! `ETag`), each change and its audit row in one transaction, then the rule set in force
//! rebuilt. Writes start with `BEGIN IMMEDIATE`, so two changes never interleave between the
//! version check and the write; the version check itself (`WHERE version = ?`) is what makes a
//! stale `If-Match` lose instead of overwriting.

use kartenn_common::FieldError;
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
use super::{Actor, Admin, AdminError, field_error, now_rfc3339};
use crate::acl::{Action, Audience, Rule};
use crate::http::versioned::Stale;

/// Longest layer, dataset, source or role name a rule may hold.
const MAX_NAME: usize = 256;
/// Most layers one bulk change may touch.
pub const MAX_BULK: usize = 500;

pub use kartenn_common::admin::RuleEntry;

/// What one bulk change gives rights on: a layer, or a chronicle dataset (whose rules name
/// datasets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkTarget {
    Layer(String),
    Dataset(String),
}

/// What the audit log keeps of a stored rule.
fn audit_json(entry: &RuleEntry) -> Result<Value, AdminError> {
    Ok(serde_json::to_value(entry)?)
}

/// Reads a rule from a request body's JSON, naming each field that is wrong (`{prefix}.view`).
pub fn parse_rule(value: &Value, prefix: &str) -> Result<Rule, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| {
        errors.push(field_error(&format!("{prefix}.{field}"), message));
    };
    let Some(object) = value.as_object() else {
        return Err(vec![field_error(prefix, "must be an object")]);
    };
    let mut rule = Rule {
        layer: None,
        dataset: None,
        source: None,
        view: None,
        query: None,
        download: None,
    };
    for (key, v) in object {
        match key.as_str() {
            "layer" | "dataset" | "source" => {
                let text = match v {
                    Value::Null => None,
                    Value::String(s) if s.trim().is_empty() => {
                        err(key, "must not be empty");
                        None
                    }
                    Value::String(s) if s.chars().count() > MAX_NAME => {
                        err(key, "is too long (256 characters at most)");
                        None
                    }
                    Value::String(s) => Some(s.clone()),
                    _ => {
                        err(key, "must be a string");
                        None
                    }
                };
                match key.as_str() {
                    "layer" => rule.layer = text,
                    "dataset" => rule.dataset = text,
                    _ => rule.source = text,
                }
            }
            "view" | "query" | "download" => {
                let audience = match audience(v) {
                    Ok(a) => a,
                    Err(message) => {
                        err(key, message);
                        None
                    }
                };
                match key.as_str() {
                    "view" => rule.view = audience,
                    "query" => rule.query = audience,
                    _ => rule.download = audience,
                }
            }
            other => err(
                other,
                "unknown field (expected layer, dataset, source, view, query, download)",
            ),
        }
    }
    let named = |k: &str| object.get(k).is_some_and(|v| !v.is_null());
    match (named("layer"), named("dataset")) {
        (true, true) => err(
            "dataset",
            "a rule names either layers or a dataset, not both",
        ),
        (false, false) => err("layer", "name a layer (or glob) or a dataset"),
        _ => {}
    }
    if named("source") && named("dataset") {
        err("source", "only layer rules may name a source");
    }
    if errors.is_empty() {
        Ok(rule)
    } else {
        Err(errors)
    }
}

/// `null`, `"public"`, `"authenticated"` or a non-empty list of role names.
fn audience(value: &Value) -> Result<Option<Audience>, &'static str> {
    const EXPECTED: &str = "must be \"public\", \"authenticated\" or a non-empty list of roles";
    match value {
        Value::Null => Ok(None),
        Value::Array(roles) => {
            let ok = !roles.is_empty()
                && roles.iter().all(|r| {
                    r.as_str()
                        .is_some_and(|s| !s.trim().is_empty() && s.chars().count() <= MAX_NAME)
                });
            if !ok {
                return Err(EXPECTED);
            }
            serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|_| EXPECTED)
        }
        _ => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|_| EXPECTED),
    }
}

/// An action's name on the wire: `view`, `query`, `download`.
pub fn parse_action(text: &str) -> Option<Action> {
    match text {
        "view" => Some(Action::View),
        "query" => Some(Action::Query),
        "download" => Some(Action::Download),
        _ => None,
    }
}

fn set_audience(rule: &mut Rule, action: Action, audience: Option<Audience>) {
    match action {
        Action::View => rule.view = audience,
        Action::Query => rule.query = audience,
        Action::Download => rule.download = audience,
    }
}

fn entry(row: &sqlx::sqlite::SqliteRow) -> Result<RuleEntry, AdminError> {
    Ok(RuleEntry {
        id: Some(row.try_get("id")?),
        position: Some(row.try_get("position")?),
        version: Some(row.try_get("version")?),
        updated_at: Some(row.try_get("updated_at")?),
        updated_by: row.try_get("updated_by")?,
        from_config: false,
        rule: serde_json::from_str(row.try_get::<&str, _>("rule")?)?,
    })
}

const COLUMNS: &str = "id, position, rule, version, updated_at, updated_by";

async fn stored(conn: &mut SqliteConnection) -> Result<Vec<RuleEntry>, AdminError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM acl_rules ORDER BY position, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(entry)
    .collect()
}

async fn one(conn: &mut SqliteConnection, id: i64) -> Result<RuleEntry, AdminError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM acl_rules WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AdminError::UnknownRule(id))?;
    entry(&row)
}

/// The stale-`If-Match` answer, naming who changed the rule last and when.
fn stale(current: &RuleEntry) -> AdminError {
    Stale::new(
        format!("rule {}", current.id.unwrap_or_default()),
        current.updated_by.as_deref(),
        current.updated_at.as_deref().unwrap_or_default(),
        current.version.unwrap_or_default(),
    )
    .into()
}

impl Admin {
    /// The stored rules in order, then the configuration's (read-only).
    pub async fn rules(&self) -> Result<Vec<RuleEntry>, AdminError> {
        let mut conn = self.pool().acquire().await?;
        let mut list = stored(&mut conn).await?;
        list.extend(
            self.acl
                .config_rules()
                .iter()
                .cloned()
                .map(RuleEntry::config),
        );
        Ok(list)
    }

    /// One stored rule.
    pub async fn rule(&self, id: i64) -> Result<RuleEntry, AdminError> {
        let mut conn = self.pool().acquire().await?;
        one(&mut conn, id).await
    }

    /// Adds a rule (last of the stored rules unless `position` says otherwise).
    pub async fn create(
        &self,
        actor: &Actor,
        rule: Rule,
        position: Option<i64>,
    ) -> Result<RuleEntry, AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let created = insert(&mut tx, actor, rule, position).await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "rule.create",
                target: format!("rule:{}", created.id.unwrap_or_default()),
                before: None,
                after: Some(audit_json(&created)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(created)
    }

    /// Replaces rule `id` if it is still at `expected` version.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        expected: i64,
        rule: Rule,
        position: Option<i64>,
    ) -> Result<RuleEntry, AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = one(&mut tx, id).await?;
        if before.version != Some(expected) {
            return Err(stale(&before));
        }
        let after = write(&mut tx, actor, &before, rule, position).await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "rule.update",
                target: format!("rule:{id}"),
                before: Some(audit_json(&before)?),
                after: Some(audit_json(&after)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(after)
    }

    /// Removes rule `id` if it is still at `expected` version.
    pub async fn delete(&self, actor: &Actor, id: i64, expected: i64) -> Result<(), AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = one(&mut tx, id).await?;
        if before.version != Some(expected) {
            return Err(stale(&before));
        }
        sqlx::query("DELETE FROM acl_rules WHERE id = ? AND version = ?")
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "rule.delete",
                target: format!("rule:{id}"),
                before: Some(audit_json(&before)?),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        self.reload().await?;
        Ok(())
    }

    /// Gives `audience` for `action` to each of `targets`: the first stored rule naming exactly
    /// that layer or dataset (no source) is changed, else a new rule is put before every stored one. One
    /// transaction, one audit row per rule touched.
    pub async fn bulk(
        &self,
        actor: &Actor,
        targets: &[BulkTarget],
        action: Action,
        audience: Option<Audience>,
    ) -> Result<Vec<RuleEntry>, AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let existing = stored(&mut tx).await?;
        let mut top = existing
            .iter()
            .filter_map(|e| e.position)
            .min()
            .unwrap_or(0);
        let mut touched = Vec::with_capacity(targets.len());
        for target in targets {
            let (layer, dataset) = match target {
                BulkTarget::Layer(l) => (Some(l), None),
                BulkTarget::Dataset(d) => (None, Some(d)),
            };
            let found = existing.iter().find(|e| {
                e.rule.layer.as_ref() == layer
                    && e.rule.dataset.as_ref() == dataset
                    && e.rule.source.is_none()
            });
            let (before, after) = if let Some(before) = found {
                let mut rule = before.rule.clone();
                set_audience(&mut rule, action, audience.clone());
                (
                    Some(before),
                    write(&mut tx, actor, before, rule, None).await?,
                )
            } else {
                let mut rule = Rule {
                    layer: layer.cloned(),
                    dataset: dataset.cloned(),
                    source: None,
                    view: None,
                    query: None,
                    download: None,
                };
                set_audience(&mut rule, action, audience.clone());
                top -= 1;
                (None, insert(&mut tx, actor, rule, Some(top)).await?)
            };
            audit::record(
                &mut tx,
                actor,
                &Change {
                    action: if before.is_some() {
                        "rule.update"
                    } else {
                        "rule.create"
                    },
                    target: format!("rule:{}", after.id.unwrap_or_default()),
                    before: before.map(audit_json).transpose()?,
                    after: Some(audit_json(&after)?),
                },
            )
            .await?;
            touched.push(after);
        }
        tx.commit().await?;
        self.reload().await?;
        Ok(touched)
    }

    /// Rebuilds the rule set in force from the store (and the configuration).
    pub(super) async fn reload(&self) -> Result<(), AdminError> {
        let mut conn = self.pool().acquire().await?;
        let rules = stored(&mut conn).await?;
        self.acl
            .set_stored(rules.into_iter().map(|e| e.rule).collect());
        Ok(())
    }
}

async fn insert(
    conn: &mut SqliteConnection,
    actor: &Actor,
    rule: Rule,
    position: Option<i64>,
) -> Result<RuleEntry, AdminError> {
    let position = match position {
        Some(p) => p,
        None => {
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(position) + 1, 0) FROM acl_rules")
                .fetch_one(&mut *conn)
                .await?
        }
    };
    let at = now_rfc3339();
    let by = actor.label();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO acl_rules (position, rule, version, updated_at, updated_by)
         VALUES (?, ?, 1, ?, ?) RETURNING id",
    )
    .bind(position)
    .bind(serde_json::to_string(&rule)?)
    .bind(&at)
    .bind(&by)
    .fetch_one(&mut *conn)
    .await?;
    Ok(RuleEntry {
        id: Some(id),
        position: Some(position),
        version: Some(1),
        updated_at: Some(at),
        updated_by: Some(by),
        from_config: false,
        rule,
    })
}

/// Writes a new version of `before` (still at its version: checked in the `WHERE`).
async fn write(
    conn: &mut SqliteConnection,
    actor: &Actor,
    before: &RuleEntry,
    rule: Rule,
    position: Option<i64>,
) -> Result<RuleEntry, AdminError> {
    let id = before.id.unwrap_or_default();
    let version = before.version.unwrap_or_default();
    let position = position.or(before.position).unwrap_or_default();
    let at = now_rfc3339();
    let by = actor.label();
    let done = sqlx::query(
        "UPDATE acl_rules SET position = ?, rule = ?, version = version + 1, updated_at = ?,
         updated_by = ? WHERE id = ? AND version = ?",
    )
    .bind(position)
    .bind(serde_json::to_string(&rule)?)
    .bind(&at)
    .bind(&by)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(stale(&one(conn, id).await?));
    }
    Ok(RuleEntry {
        id: Some(id),
        position: Some(position),
        version: Some(version + 1),
        updated_at: Some(at),
        updated_by: Some(by),
        from_config: false,
        rule,
    })
}

/// Turns an object's keys other than `allowed` into field errors.
pub fn unknown_fields(object: &Map<String, Value>, allowed: &[&str]) -> Vec<FieldError> {
    object
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .map(|k| {
            field_error(
                k,
                format!("unknown field (expected {})", allowed.join(", ")),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::acl::Keyword;

    #[test]
    fn a_valid_rule_is_read_with_its_audiences() {
        let rule = parse_rule(
            &json!({"layer": "a*", "view": "public", "query": ["r1"], "download": null}),
            "rule",
        )
        .unwrap();
        assert_eq!(rule.layer.as_deref(), Some("a*"));
        assert_eq!(rule.view, Some(Audience::Keyword(Keyword::Public)));
        assert_eq!(rule.query, Some(Audience::Roles(vec!["r1".into()])));
        assert_eq!(rule.download, None);
    }

    #[test]
    fn each_wrong_field_of_a_rule_is_named() {
        let errors = parse_rule(
            &json!({"layer": "", "view": "everyone", "query": [], "colour": 1}),
            "rule",
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for f in ["rule.layer", "rule.view", "rule.query", "rule.colour"] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn a_rule_names_layers_or_a_dataset_but_not_both_nor_neither() {
        let both = parse_rule(&json!({"layer": "a", "dataset": "d"}), "rule").unwrap_err();
        assert_eq!(both[0].field, "rule.dataset");
        let neither = parse_rule(&json!({"view": "public"}), "rule").unwrap_err();
        assert_eq!(neither[0].field, "rule.layer");
        let sourced = parse_rule(&json!({"dataset": "d", "source": "s"}), "rule").unwrap_err();
        assert_eq!(sourced[0].field, "rule.source");
        assert!(parse_rule(&json!([]), "rule").is_err());
    }
}
