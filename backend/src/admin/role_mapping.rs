//! Role mappings kept in the store: a claim-derived name (`realm:…`, `client:<id>:…`,
//! `group:…`) → Kartenn roles, added to the configuration's `[oidc.roles]`. Same discipline as
//! the rules: a version per entry (the `ETag`), each change and its audit row in one
//! `BEGIN IMMEDIATE` transaction, then the mapping in force ([`RoleMapping`]) rebuilt — it is
//! applied to every request's principal, so the change shows on the next request of every user.

use kartenn_common::FieldError;
use kartenn_common::admin::RoleMappingEntry;
use serde_json::{Map, Value};
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
use super::rules::unknown_fields;
use super::{Actor, Admin, AdminError, field_error, now_rfc3339};
use crate::auth::claims::is_claim_name;
use crate::http::versioned::Stale;

/// Longest claim or role name.
const MAX_NAME: usize = 256;
/// Most roles one claim may give.
const MAX_ROLES: usize = 50;

pub const SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS role_mappings (
        id INTEGER PRIMARY KEY,
        claim TEXT NOT NULL UNIQUE,
        roles TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )"];

/// A mapping as a request body gives it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub claim: String,
    pub roles: Vec<String>,
}

/// Reads `{ "claim": …, "roles": [ … ] }`, naming each wrong field.
pub fn parse(object: &Map<String, Value>) -> Result<Mapping, AdminError> {
    let mut errors = unknown_fields(object, &["claim", "roles"]);
    let claim = if let Some(c) = object.get("claim").and_then(Value::as_str) {
        if let Some(message) = claim_error(c) {
            errors.push(field_error("claim", message));
            None
        } else {
            Some(c.to_owned())
        }
    } else {
        errors.push(field_error("claim", "required: a string"));
        None
    };
    let roles = roles(object.get("roles")).map_err(|e| errors.push(e)).ok();
    match (claim, roles) {
        (Some(claim), Some(roles)) if errors.is_empty() => Ok(Mapping { claim, roles }),
        _ => Err(AdminError::invalid(errors)),
    }
}

/// Why `claim` is not a claim-derived name, if it is not.
fn claim_error(claim: &str) -> Option<&'static str> {
    const FORMS: &str = "must be realm:<role>, client:<client-id>:<role> or group:<group>";
    if claim != claim.trim() || claim.chars().any(char::is_control) {
        return Some("must not begin or end with spaces nor hold control characters");
    }
    if claim.chars().count() > MAX_NAME {
        return Some("is too long (256 characters at most)");
    }
    let well_formed = if let Some(rest) = claim.strip_prefix("client:") {
        rest.split_once(':')
            .is_some_and(|(client, role)| !client.is_empty() && !role.is_empty())
    } else {
        ["realm:", "group:"]
            .iter()
            .any(|p| claim.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
    };
    (!well_formed).then_some(FORMS)
}

/// A non-empty list of Kartenn role names, duplicates dropped (first kept).
fn roles(value: Option<&Value>) -> Result<Vec<String>, FieldError> {
    let list = value
        .and_then(Value::as_array)
        .ok_or_else(|| field_error("roles", "required: a list of role names, like [\"letg\"]"))?;
    if list.is_empty() || list.len() > MAX_ROLES {
        return Err(field_error("roles", "must hold 1 to 50 role names"));
    }
    let mut roles: Vec<String> = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        let field = format!("roles[{i}]");
        let Some(role) = v.as_str() else {
            return Err(field_error(&field, "must be a string"));
        };
        if role.trim().is_empty() || role != role.trim() || role.chars().count() > MAX_NAME {
            return Err(field_error(
                &field,
                "must be a non-empty name without surrounding spaces (256 characters at most)",
            ));
        }
        if is_claim_name(role) {
            return Err(field_error(
                &field,
                "Kartenn role names may not begin with realm:, client: or group:",
            ));
        }
        if !roles.iter().any(|r| r == role) {
            roles.push(role.to_owned());
        }
    }
    Ok(roles)
}

const COLUMNS: &str = "id, claim, roles, version, updated_at, updated_by";

fn entry(row: &sqlx::sqlite::SqliteRow) -> Result<RoleMappingEntry, AdminError> {
    Ok(RoleMappingEntry {
        id: Some(row.try_get("id")?),
        version: Some(row.try_get("version")?),
        updated_at: Some(row.try_get("updated_at")?),
        updated_by: row.try_get("updated_by")?,
        from_config: false,
        claim: row.try_get("claim")?,
        roles: serde_json::from_str(row.try_get::<&str, _>("roles")?)?,
    })
}

async fn stored(conn: &mut SqliteConnection) -> Result<Vec<RoleMappingEntry>, AdminError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM role_mappings ORDER BY claim"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(entry)
    .collect()
}

async fn one(conn: &mut SqliteConnection, id: i64) -> Result<RoleMappingEntry, AdminError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM role_mappings WHERE id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(AdminError::UnknownMapping(id))?;
    entry(&row)
}

/// 422 when another stored mapping already holds `claim`.
async fn claim_free(
    conn: &mut SqliteConnection,
    claim: &str,
    except: Option<i64>,
) -> Result<(), AdminError> {
    let holder: Option<i64> =
        sqlx::query_scalar("SELECT id FROM role_mappings WHERE claim = ? AND id IS NOT ?")
            .bind(claim)
            .bind(except)
            .fetch_optional(conn)
            .await?;
    match holder {
        Some(id) => Err(AdminError::field(
            "claim",
            format!("is already mapped (mapping {id}): change that one"),
        )),
        None => Ok(()),
    }
}

fn stale(current: &RoleMappingEntry) -> AdminError {
    Stale::new(
        format!("role mapping {}", current.id.unwrap_or_default()),
        current.updated_by.as_deref(),
        current.updated_at.as_deref().unwrap_or_default(),
        current.version.unwrap_or_default(),
    )
    .into()
}

fn audit_json(entry: &RoleMappingEntry) -> Result<Value, AdminError> {
    Ok(serde_json::to_value(entry)?)
}

impl Admin {
    /// The stored mappings (by claim), then the configuration's (read-only).
    pub async fn role_mappings(&self) -> Result<Vec<RoleMappingEntry>, AdminError> {
        let mut conn = self.pool().acquire().await?;
        let mut list = stored(&mut conn).await?;
        list.extend(
            self.roles
                .config()
                .iter()
                .map(|(claim, roles)| RoleMappingEntry {
                    id: None,
                    version: None,
                    updated_at: None,
                    updated_by: None,
                    from_config: true,
                    claim: claim.clone(),
                    roles: roles.clone(),
                }),
        );
        Ok(list)
    }

    /// One stored mapping.
    pub async fn role_mapping(&self, id: i64) -> Result<RoleMappingEntry, AdminError> {
        let mut conn = self.pool().acquire().await?;
        one(&mut conn, id).await
    }

    /// Stores a new mapping.
    pub async fn create_mapping(
        &self,
        actor: &Actor,
        mapping: Mapping,
    ) -> Result<RoleMappingEntry, AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        claim_free(&mut tx, &mapping.claim, None).await?;
        let at = now_rfc3339();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO role_mappings (claim, roles, version, updated_at, updated_by)
             VALUES (?, ?, 1, ?, ?) RETURNING id",
        )
        .bind(&mapping.claim)
        .bind(serde_json::to_string(&mapping.roles)?)
        .bind(&at)
        .bind(actor.label())
        .fetch_one(&mut *tx)
        .await?;
        let created = one(&mut tx, id).await?;
        let change = Change {
            action: "role_mapping.create",
            target: format!("role_mapping:{id}"),
            before: None,
            after: Some(audit_json(&created)?),
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        self.reload_mappings().await?;
        Ok(created)
    }

    /// Replaces mapping `id` if it is still at `expected` version.
    pub async fn update_mapping(
        &self,
        actor: &Actor,
        id: i64,
        expected: i64,
        mapping: Mapping,
    ) -> Result<RoleMappingEntry, AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = one(&mut tx, id).await?;
        if before.version != Some(expected) {
            return Err(stale(&before));
        }
        claim_free(&mut tx, &mapping.claim, Some(id)).await?;
        sqlx::query(
            "UPDATE role_mappings SET claim = ?, roles = ?, version = version + 1,
             updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
        )
        .bind(&mapping.claim)
        .bind(serde_json::to_string(&mapping.roles)?)
        .bind(now_rfc3339())
        .bind(actor.label())
        .bind(id)
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        let after = one(&mut tx, id).await?;
        let change = Change {
            action: "role_mapping.update",
            target: format!("role_mapping:{id}"),
            before: Some(audit_json(&before)?),
            after: Some(audit_json(&after)?),
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        self.reload_mappings().await?;
        Ok(after)
    }

    /// Removes mapping `id` if it is still at `expected` version.
    pub async fn delete_mapping(
        &self,
        actor: &Actor,
        id: i64,
        expected: i64,
    ) -> Result<(), AdminError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let before = one(&mut tx, id).await?;
        if before.version != Some(expected) {
            return Err(stale(&before));
        }
        sqlx::query("DELETE FROM role_mappings WHERE id = ? AND version = ?")
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "role_mapping.delete",
            target: format!("role_mapping:{id}"),
            before: Some(audit_json(&before)?),
            after: None,
        };
        audit::record(&mut tx, actor, &change).await?;
        tx.commit().await?;
        self.reload_mappings().await?;
        Ok(())
    }

    /// Rebuilds the mapping in force from the store (and the configuration).
    pub(super) async fn reload_mappings(&self) -> Result<(), AdminError> {
        let mut conn = self.pool().acquire().await?;
        let list = stored(&mut conn).await?;
        self.roles
            .set_stored(list.into_iter().map(|e| (e.claim, e.roles)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[allow(clippy::needless_pass_by_value)] // called with `json!(...)` temporaries
    fn read(value: Value) -> Result<Mapping, Vec<String>> {
        parse(value.as_object().unwrap()).map_err(|e| match e {
            AdminError::Invalid { fields, .. } => fields.into_iter().map(|f| f.field).collect(),
            other => panic!("{other}"),
        })
    }

    #[test]
    fn a_mapping_names_a_claim_of_each_kind_and_its_roles_once() {
        for claim in [
            "realm:chercheur",
            "client:kartenn:lecteur",
            "group:/letg/geo",
        ] {
            let m = read(json!({"claim": claim, "roles": ["letg", "letg", "neo"]})).unwrap();
            assert_eq!(m.claim, claim);
            assert_eq!(m.roles, ["letg", "neo"]);
        }
    }

    #[test]
    fn malformed_claims_and_roles_are_refused_naming_the_field() {
        for claim in [
            "chercheur",
            "realm:",
            "client:kartenn",
            "client::r",
            " realm:a",
            "role:x",
        ] {
            assert_eq!(
                read(json!({"claim": claim, "roles": ["a"]})).unwrap_err(),
                ["claim"],
                "{claim}"
            );
        }
        assert_eq!(
            read(json!({"claim": "realm:a", "roles": []})).unwrap_err(),
            ["roles"]
        );
        assert_eq!(
            read(json!({"claim": "realm:a", "roles": ["ok", "realm:b"]})).unwrap_err(),
            ["roles[1]"]
        );
        assert_eq!(
            read(json!({"claim": "realm:a", "roles": ["ok", " "]})).unwrap_err(),
            ["roles[1]"]
        );
        assert_eq!(
            read(json!({"roles": ["a"], "colour": 1})).unwrap_err(),
            ["colour", "claim"]
        );
    }
}
