//! The audit log: one row per admin change (who, when, what, before, after, from where),
//! written inside the change's own transaction, so a change without its row cannot be
//! committed. Rows are only ever inserted: SQLite triggers abort `UPDATE` and `DELETE`, and no
//! endpoint offers either. Read newest first, filtered, or exported as CSV.

use serde_json::Value;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use super::{Actor, Admin, AdminError, now_rfc3339};

/// Rows a query returns unless `limit` says otherwise, and at most.
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 10_000;

/// What changed, for [`record`].
#[derive(Debug)]
pub struct Change {
    /// `rule.create`, `rule.update`, `rule.delete`.
    pub action: &'static str,
    /// `rule:<id>`.
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub use kartenn_common::admin::AuditEntry;

/// Appends a row; `conn` is the change's transaction.
pub async fn record(
    conn: &mut SqliteConnection,
    actor: &Actor,
    change: &Change,
) -> Result<(), AdminError> {
    let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    sqlx::query(
        "INSERT INTO audit_log (at, subject, username, action, target, before, after, origin,
         user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(&actor.subject)
    .bind(&actor.username)
    .bind(change.action)
    .bind(&change.target)
    .bind(json(&change.before))
    .bind(json(&change.after))
    .bind(&actor.origin)
    .bind(&actor.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

/// Which rows to read (all optional); times are RFC 3339, `since` inclusive, `until` exclusive.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// User name of the administrator.
    pub user: Option<String>,
    /// `rule.create`, `rule.update`, `rule.delete`.
    pub action: Option<String>,
    /// From this time (RFC 3339).
    pub since: Option<String>,
    /// Before this time (RFC 3339).
    pub until: Option<String>,
    /// At most this many rows (default 100, at most 10 000).
    pub limit: Option<i64>,
}

/// A time bound as stored (UTC, microseconds), or the field's error.
fn bound(field: &str, text: Option<&str>) -> Result<Option<String>, AdminError> {
    text.map(|t| {
        chrono::DateTime::parse_from_rfc3339(t)
            .map(|d| {
                d.with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            })
            .map_err(|_| {
                AdminError::field(field, "must be an RFC 3339 time, like 2026-05-01T00:00:00Z")
            })
    })
    .transpose()
}

impl AuditFilter {
    /// Checks the filter; `export` lifts the default limit to the maximum.
    fn checked(&self, export: bool) -> Result<(Option<String>, Option<String>, i64), AdminError> {
        let since = bound("since", self.since.as_deref())?;
        let until = bound("until", self.until.as_deref())?;
        let limit = match self.limit {
            None if export => MAX_LIMIT,
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => return Err(AdminError::field("limit", "must be between 1 and 10000")),
        };
        Ok((since, until, limit))
    }
}

/// The rows matching `filter`, newest first.
pub async fn list(
    conn: &mut SqliteConnection,
    filter: &AuditFilter,
    export: bool,
) -> Result<Vec<AuditEntry>, AdminError> {
    let (since, until, limit) = filter.checked(export)?;
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT id, at, subject, username, action, target, before, after, origin, user_agent \
         FROM audit_log WHERE 1 = 1",
    );
    if let Some(user) = &filter.user {
        q.push(" AND username = ").push_bind(user.clone());
    }
    if let Some(action) = &filter.action {
        q.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(since) = since {
        q.push(" AND at >= ").push_bind(since);
    }
    if let Some(until) = until {
        q.push(" AND at < ").push_bind(until);
    }
    q.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
    let rows = q.build().fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let json = |name: &str| -> Result<Option<Value>, AdminError> {
                let text: Option<String> = row.try_get(name)?;
                Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
            };
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                subject: row.try_get("subject")?,
                username: row.try_get("username")?,
                action: row.try_get("action")?,
                target: row.try_get("target")?,
                before: json("before")?,
                after: json("after")?,
                origin: row.try_get("origin")?,
                user_agent: row.try_get("user_agent")?,
            })
        })
        .collect()
}

impl Admin {
    /// Audit rows matching `filter`, newest first.
    pub async fn audit(
        &self,
        filter: &AuditFilter,
        export: bool,
    ) -> Result<Vec<AuditEntry>, AdminError> {
        let mut conn = self.pool().acquire().await?;
        list(&mut conn, filter, export).await
    }

    /// Every action the log holds, sorted (for the audit page's filter).
    pub async fn audit_actions(&self) -> Result<Vec<String>, AdminError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT action FROM audit_log ORDER BY action")
                .fetch_all(self.pool())
                .await?,
        )
    }
}

/// The rows as CSV (header first; `before` and `after` as JSON text).
pub fn to_csv(entries: &[AuditEntry]) -> Result<Vec<u8>, AdminError> {
    let csv_err = |e: csv::Error| AdminError::Csv(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "id",
        "at",
        "subject",
        "username",
        "action",
        "target",
        "before",
        "after",
        "origin",
        "user_agent",
    ])
    .map_err(csv_err)?;
    for e in entries {
        let json = |v: &Option<Value>| v.as_ref().map(Value::to_string).unwrap_or_default();
        out.write_record([
            e.id.to_string(),
            e.at.clone(),
            e.subject.clone().unwrap_or_default(),
            e.username.clone().unwrap_or_default(),
            e.action.clone(),
            e.target.clone(),
            json(&e.before),
            json(&e.after),
            e.origin.clone().unwrap_or_default(),
            e.user_agent.clone().unwrap_or_default(),
        ])
        .map_err(csv_err)?;
    }
    out.into_inner()
        .map_err(|e| AdminError::Csv(e.error().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_are_normalised_to_utc_and_bad_ones_name_their_field() {
        assert_eq!(
            bound("since", Some("2026-05-01T02:00:00+02:00")).unwrap(),
            Some("2026-05-01T00:00:00.000000Z".to_owned())
        );
        match bound("until", Some("yesterday")) {
            Err(AdminError::Invalid { fields, .. }) => assert_eq!(fields[0].field, "until"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn csv_export_quotes_json_and_keeps_one_row_per_entry() {
        let entry = AuditEntry {
            id: 1,
            at: "2026-05-01T00:00:00.000000Z".into(),
            subject: Some("s".into()),
            username: Some("ann".into()),
            action: "rule.create".into(),
            target: "rule:1".into(),
            before: None,
            after: Some(serde_json::json!({"rule": {"layer": "a"}})),
            origin: Some("127.0.0.1".into()),
            user_agent: None,
        };
        let text = String::from_utf8(to_csv(&[entry]).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(
            lines[1].contains(r#""{""rule"":{""layer"":""a""}}""#),
            "{text}"
        );
    }
}
