//! Stored categories: a tree (parent id, title, optional English title, position among
//! siblings) edited with a per-category version (`ETag`), each change and its audit rows in one
//! `BEGIN IMMEDIATE` transaction, then the catalogue overrides (paths, layer settings) rebuilt in
//! the rights model. Titles are unique among siblings and hold no `/`, so a path names one
//! category. Delete rule: a category holding sub-categories or layers assigned to it (by their
//! setting) is refused (409) unless `move_to` names where they go (another category, not
//! below it, or the root: sub-categories become roots, layers go back to their harvested
//! category), moved in the same transaction.

use axum::http::StatusCode;
use kartenn_common::ErrorCode;
use kartenn_common::admin_catalog::Category;
use serde_json::json;
use sqlx::{Row, SqliteConnection};

use super::audit::{self, Change};
pub use super::category_tree::{is_within, paths, tree};
use super::layers::{self as layer_store, write_settings};
use super::{Actor, Admin, AdminError, field_error, now_rfc3339};
use crate::catalog::settings::Overrides;
use crate::http::ApiError;
use crate::http::versioned::Stale;

/// The catalogue tables (run with the store's own schema when it opens).
pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS categories (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER,
        title TEXT NOT NULL,
        title_en TEXT,
        position INTEGER NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )",
    // A layer's settings (JSON of `LayerSettings`); reset to `{}` rather than deleted, so its
    // version keeps growing and an old `ETag` never matches again.
    "CREATE TABLE IF NOT EXISTS layer_settings (
        layer TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT
    )",
];

/// Longest category title.
pub const MAX_TITLE: usize = 120;

/// What went wrong administering the catalogue.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("no category {0}")]
    UnknownCategory(i64),
    #[error("no layer `{0}` in the catalogue")]
    UnknownLayer(String),
    #[error(transparent)]
    Stale(#[from] crate::http::versioned::Stale),
    #[error(
        "category {id} still holds {categories} sub-categories and {layers} layers: move them \
         first, or delete with ?move_to=<category id> or ?move_to=root"
    )]
    NotEmpty {
        id: i64,
        categories: usize,
        layers: usize,
    },
    #[error(transparent)]
    Admin(#[from] AdminError),
}

impl From<sqlx::Error> for CatalogError {
    fn from(e: sqlx::Error) -> Self {
        Self::Admin(AdminError::Store(e))
    }
}

impl From<serde_json::Error> for CatalogError {
    fn from(e: serde_json::Error) -> Self {
        Self::Admin(AdminError::Corrupt(e))
    }
}

impl From<CatalogError> for ApiError {
    fn from(err: CatalogError) -> Self {
        match err {
            CatalogError::UnknownCategory(_) | CatalogError::UnknownLayer(_) => {
                Self::not_found(err.to_string())
            }
            CatalogError::Stale(_) | CatalogError::NotEmpty { .. } => {
                Self::new(StatusCode::CONFLICT, ErrorCode::Conflict, err.to_string())
            }
            CatalogError::Admin(e) => e.into(),
        }
    }
}

/// A category as a request gives it, checked.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub title: String,
    pub title_en: Option<String>,
    pub parent: Option<i64>,
    pub position: Option<i64>,
}

/// Where `DELETE ?move_to=` sends what the category holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveTo {
    Root,
    Category(i64),
}

fn row_category(row: &sqlx::sqlite::SqliteRow) -> Result<Category, AdminError> {
    Ok(Category {
        id: row.try_get("id")?,
        parent: row.try_get("parent_id")?,
        title: row.try_get("title")?,
        title_en: row.try_get("title_en")?,
        position: row.try_get("position")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

/// Every stored category, by position then title.
pub async fn all(conn: &mut SqliteConnection) -> Result<Vec<Category>, AdminError> {
    sqlx::query(
        "SELECT id, parent_id, title, title_en, position, version, updated_at, updated_by
         FROM categories ORDER BY position, title, id",
    )
    .fetch_all(conn)
    .await?
    .iter()
    .map(row_category)
    .collect()
}

fn find(cats: &[Category], id: i64) -> Result<&Category, CatalogError> {
    cats.iter()
        .find(|c| c.id == id)
        .ok_or(CatalogError::UnknownCategory(id))
}

/// A position after every child of `parent`.
fn last_position(cats: &[Category], parent: Option<i64>) -> i64 {
    cats.iter()
        .filter(|c| c.parent == parent)
        .map(|c| c.position + 1)
        .max()
        .unwrap_or(0)
}

fn stale(c: &Category) -> CatalogError {
    Stale::new(
        format!("category {}", c.id),
        c.updated_by.as_deref(),
        &c.updated_at,
        c.version,
    )
    .into()
}

/// 422 unless `parent` exists and no sibling there already has `title`.
fn check_place(
    cats: &[Category],
    moving: Option<i64>,
    input: &CategoryInput,
) -> Result<(), CatalogError> {
    if let Some(parent) = input.parent
        && !cats.iter().any(|c| c.id == parent)
    {
        return Err(AdminError::field("parent", format!("no category {parent}")).into());
    }
    if let (Some(id), Some(parent)) = (moving, input.parent)
        && is_within(cats, parent, id)
    {
        return Err(AdminError::field(
            "parent",
            "a category cannot be moved under itself or one of its sub-categories",
        )
        .into());
    }
    if cats
        .iter()
        .any(|c| c.parent == input.parent && c.title == input.title && Some(c.id) != moving)
    {
        return Err(
            AdminError::field("title", "another category there already has this title").into(),
        );
    }
    Ok(())
}

fn audit_json(c: &Category) -> Result<serde_json::Value, CatalogError> {
    Ok(serde_json::to_value(c)?)
}

async fn one(conn: &mut SqliteConnection, id: i64) -> Result<Category, CatalogError> {
    let row = sqlx::query(
        "SELECT id, parent_id, title, title_en, position, version, updated_at, updated_by
         FROM categories WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(CatalogError::UnknownCategory(id))?;
    Ok(row_category(&row)?)
}

impl Admin {
    /// One stored category.
    pub async fn category(&self, id: i64) -> Result<Category, CatalogError> {
        let mut conn = self.pool().acquire().await?;
        one(&mut conn, id).await
    }

    /// Every stored category.
    pub async fn categories(&self) -> Result<Vec<Category>, CatalogError> {
        let mut conn = self.pool().acquire().await?;
        Ok(all(&mut conn).await?)
    }

    /// Adds a category (last among its siblings unless `position` says otherwise).
    pub async fn create_category(
        &self,
        actor: &Actor,
        input: CategoryInput,
    ) -> Result<Category, CatalogError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let cats = all(&mut tx).await?;
        check_place(&cats, None, &input)?;
        let position = input
            .position
            .unwrap_or_else(|| last_position(&cats, input.parent));
        let at = now_rfc3339();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO categories (parent_id, title, title_en, position, version, updated_at,
             updated_by) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
        )
        .bind(input.parent)
        .bind(&input.title)
        .bind(&input.title_en)
        .bind(position)
        .bind(&at)
        .bind(actor.label())
        .fetch_one(&mut *tx)
        .await?;
        let created = one(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "category.create",
                target: format!("category:{id}"),
                before: None,
                after: Some(audit_json(&created)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload_catalog().await?;
        Ok(created)
    }

    /// Renames or moves category `id` if it is still at `expected` version (422 on a cycle).
    pub async fn update_category(
        &self,
        actor: &Actor,
        id: i64,
        expected: i64,
        input: CategoryInput,
    ) -> Result<Category, CatalogError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let cats = all(&mut tx).await?;
        let before = find(&cats, id)?.clone();
        if before.version != expected {
            return Err(stale(&before));
        }
        check_place(&cats, Some(id), &input)?;
        // Moved without a position: last among its new siblings.
        let position = input.position.unwrap_or_else(|| {
            if input.parent == before.parent {
                before.position
            } else {
                last_position(&cats, input.parent)
            }
        });
        sqlx::query(
            "UPDATE categories SET parent_id = ?, title = ?, title_en = ?, position = ?,
             version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
        )
        .bind(input.parent)
        .bind(&input.title)
        .bind(&input.title_en)
        .bind(position)
        .bind(now_rfc3339())
        .bind(actor.label())
        .bind(id)
        .bind(expected)
        .execute(&mut *tx)
        .await?;
        let after = one(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "category.update",
                target: format!("category:{id}"),
                before: Some(audit_json(&before)?),
                after: Some(audit_json(&after)?),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload_catalog().await?;
        Ok(after)
    }

    /// Deletes category `id` at `expected` version; what it holds goes to `move_to` (409
    /// without one when it holds anything).
    pub async fn delete_category(
        &self,
        actor: &Actor,
        id: i64,
        expected: i64,
        move_to: Option<MoveTo>,
    ) -> Result<(), CatalogError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let cats = all(&mut tx).await?;
        let before = find(&cats, id)?.clone();
        if before.version != expected {
            return Err(stale(&before));
        }
        let children: Vec<Category> = cats
            .iter()
            .filter(|c| c.parent == Some(id))
            .cloned()
            .collect();
        let assigned: Vec<_> = layer_store::all_settings(&mut tx)
            .await?
            .into_iter()
            .filter(|e| e.settings.category == Some(id))
            .collect();
        let target = match move_to {
            None if children.is_empty() && assigned.is_empty() => None,
            None => {
                return Err(CatalogError::NotEmpty {
                    id,
                    categories: children.len(),
                    layers: assigned.len(),
                });
            }
            Some(MoveTo::Root) => None,
            Some(MoveTo::Category(t)) => {
                if !cats.iter().any(|c| c.id == t) || is_within(&cats, t, id) {
                    return Err(AdminError::field(
                        "move_to",
                        format!("must be `root` or a category outside {id}"),
                    )
                    .into());
                }
                Some(t)
            }
        };
        move_children(&mut tx, actor, &cats, &children, target).await?;
        for entry in &assigned {
            let mut settings = entry.settings.clone();
            settings.category = target;
            write_settings(&mut tx, actor, entry, settings).await?;
        }
        sqlx::query("DELETE FROM categories WHERE id = ? AND version = ?")
            .bind(id)
            .bind(expected)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor,
            &Change {
                action: "category.delete",
                target: format!("category:{id}"),
                before: Some(audit_json(&before)?),
                after: Some(json!({
                    "moved_to": target,
                    "categories": children.iter().map(|c| c.id).collect::<Vec<_>>(),
                    "layers": assigned.iter().map(|e| e.layer.clone()).collect::<Vec<_>>(),
                })),
            },
        )
        .await?;
        tx.commit().await?;
        self.reload_catalog().await?;
        Ok(())
    }

    /// Rebuilds the layer settings and category paths of the rights model from the store.
    pub async fn reload_catalog(&self) -> Result<(), AdminError> {
        let mut conn = self.pool().acquire().await?;
        let cats = all(&mut conn).await?;
        let layers = layer_store::all_settings(&mut conn)
            .await?
            .into_iter()
            .filter(|e| !e.settings.is_empty())
            .map(|e| (e.layer, e.settings))
            .collect();
        self.acl.set_overrides(Overrides::new(layers, paths(&cats)));
        Ok(())
    }
}

/// Puts `children` under `target` (`None`: the root), each with a new version and audit row.
async fn move_children(
    conn: &mut SqliteConnection,
    actor: &Actor,
    cats: &[Category],
    children: &[Category],
    target: Option<i64>,
) -> Result<(), CatalogError> {
    for child in children {
        let input = CategoryInput {
            title: child.title.clone(),
            title_en: child.title_en.clone(),
            parent: target,
            position: None,
        };
        check_place(cats, Some(child.id), &input).map_err(|_| {
            AdminError::field(
                "move_to",
                format!("a category titled `{}` is already there", child.title),
            )
        })?;
        sqlx::query(
            "UPDATE categories SET parent_id = ?, version = version + 1, updated_at = ?,
             updated_by = ? WHERE id = ?",
        )
        .bind(target)
        .bind(now_rfc3339())
        .bind(actor.label())
        .bind(child.id)
        .execute(&mut *conn)
        .await?;
        let after = one(conn, child.id).await?;
        audit::record(
            &mut *conn,
            actor,
            &Change {
                action: "category.update",
                target: format!("category:{}", child.id),
                before: Some(audit_json(child)?),
                after: Some(audit_json(&after)?),
            },
        )
        .await?;
    }
    Ok(())
}

/// Checks `title` (required), `title_en`, `parent` and `position` of a category body, naming
/// each wrong field.
pub fn category_input(
    map: &serde_json::Map<String, serde_json::Value>,
) -> Result<CategoryInput, AdminError> {
    use serde_json::Value;
    let mut errors =
        super::rules::unknown_fields(map, &["title", "title_en", "parent", "position"]);
    let text = |key: &str, required: bool, errors: &mut Vec<_>| match map.get(key) {
        Some(Value::String(s))
            if !s.trim().is_empty() && s.chars().count() <= MAX_TITLE && !s.contains('/') =>
        {
            Some(s.trim().to_owned())
        }
        None | Some(Value::Null) if !required => None,
        _ => {
            errors.push(field_error(
                key,
                "must be a text of 1 to 120 characters without `/`",
            ));
            None
        }
    };
    let title = text("title", true, &mut errors);
    let title_en = text("title_en", false, &mut errors);
    let mut int = |key: &str| match map.get(key) {
        None | Some(Value::Null) => None,
        Some(v) => {
            let n = v.as_i64();
            if n.is_none() {
                errors.push(field_error(key, "must be an integer or null"));
            }
            n
        }
    };
    let parent = int("parent");
    let position = int("position");
    match title {
        Some(title) if errors.is_empty() => Ok(CategoryInput {
            title,
            title_en,
            parent,
            position,
        }),
        _ => Err(AdminError::invalid(errors)),
    }
}
