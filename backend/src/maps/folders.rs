//! Folders of saved maps: each belongs to one user; renamed and deleted by their owner (or an
//! administrator, audited) with a per-folder version. A folder holding maps is only deleted
//! when the request says where its maps go (`?move_to=<folder id>` or `none`).

use kartenn_common::maps::MapFolder;

use super::store::{StoredFolder, check_folder, folder, folders_where, may_change};
use super::{MapError, Maps, Owner};
use crate::acl::Principal;
use crate::admin::audit::{self, Change};
use crate::admin::{Actor, now_rfc3339};

impl Maps {
    /// The caller's folders.
    pub async fn folders(&self, owner: &Owner) -> Result<Vec<MapFolder>, MapError> {
        let mut conn = self.pool().acquire().await?;
        folders_where(&mut conn, Some(&owner.subject)).await
    }

    pub async fn create_folder(&self, owner: &Owner, name: &str) -> Result<MapFolder, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let now = now_rfc3339();
        let id = sqlx::query(
            "INSERT INTO map_folders (owner_subject, owner_name, name, version, created_at,
             updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?, ?)",
        )
        .bind(&owner.subject)
        .bind(&owner.name)
        .bind(name)
        .bind(&now)
        .bind(&now)
        .bind(&owner.name)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        let created = folder(&mut tx, id).await?;
        tx.commit().await?;
        Ok(created.folder)
    }

    /// Renames folder `id` (owner or administrator).
    pub async fn rename_folder(
        &self,
        principal: &Principal,
        actor: &Actor,
        id: i64,
        expected: i64,
        name: &str,
    ) -> Result<MapFolder, MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (before, foreign) = changeable_folder(&mut tx, principal, id).await?;
        if before.folder.version != expected {
            return Err(before.stale());
        }
        sqlx::query(
            "UPDATE map_folders SET name = ?, version = version + 1, updated_at = ?,
             updated_by = ? WHERE id = ?",
        )
        .bind(name)
        .bind(now_rfc3339())
        .bind(actor.label())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = folder(&mut tx, id).await?;
        if foreign {
            let change = Change {
                action: "folder.update",
                target: format!("folder:{id}"),
                before: Some(serde_json::to_value(&before.folder)?),
                after: Some(serde_json::to_value(&after.folder)?),
            };
            audit::record(&mut tx, actor, &change).await?;
        }
        tx.commit().await?;
        Ok(after.folder)
    }

    /// Deletes folder `id`; its maps go to `move_to` (`Some(None)`: no folder), and without
    /// `move_to` a folder holding maps is refused (409 with their count).
    pub async fn delete_folder(
        &self,
        principal: &Principal,
        actor: &Actor,
        id: i64,
        expected: i64,
        move_to: Option<Option<i64>>,
    ) -> Result<(), MapError> {
        let _order = self.writes.lock().await;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let (before, foreign) = changeable_folder(&mut tx, principal, id).await?;
        if before.folder.version != expected {
            return Err(before.stale());
        }
        let count = before.folder.maps;
        match move_to {
            None if count > 0 => return Err(MapError::FolderNotEmpty { id, count }),
            Some(Some(target)) if target == id => {
                return Err(MapError::field("move_to", "must be another folder"));
            }
            Some(target) => {
                check_folder(&mut tx, "move_to", target, &before.owner_subject).await?;
                sqlx::query(
                    "UPDATE saved_maps SET folder_id = ?, version = version + 1,
                     updated_at = ?, updated_by = ? WHERE folder_id = ?",
                )
                .bind(target)
                .bind(now_rfc3339())
                .bind(actor.label())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            None => {}
        }
        sqlx::query("DELETE FROM map_folders WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if foreign {
            let change = Change {
                action: "folder.delete",
                target: format!("folder:{id}"),
                before: Some(serde_json::to_value(&before.folder)?),
                after: move_to.map(|t| serde_json::json!({ "maps_moved_to": t })),
            };
            audit::record(&mut tx, actor, &change).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Folder `id` if the caller may change it (404 otherwise), and whether it is someone else's.
async fn changeable_folder(
    conn: &mut sqlx::SqliteConnection,
    principal: &Principal,
    id: i64,
) -> Result<(StoredFolder, bool), MapError> {
    let f = folder(conn, id).await?;
    match may_change(principal, &f.owner_subject) {
        Some(foreign) => Ok((f, foreign)),
        None => Err(MapError::UnknownFolder(id)),
    }
}
