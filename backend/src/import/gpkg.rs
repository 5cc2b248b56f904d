//! GeoPackage reader (SQLite through sqlx): the feature table (the only one, or `--layer`), its
//! CRS from `gpkg_spatial_ref_sys`, geometries from the GeoPackage binary header + WKB.

use std::path::Path;

use futures_util::TryStreamExt;
use geozero::ToGeo;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Column, ConnectOptions, Row, TypeInfo, ValueRef};

use super::model::{Dataset, Value};
use super::{ImportError, ImportResult, Progress};

pub fn read(
    path: &Path,
    layer: Option<&str>,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|source| ImportError::Io {
            path: path.to_owned(),
            source,
        })?;
    runtime.block_on(read_tables(path, layer, dataset, progress))
}

fn error(path: &Path, reason: impl std::fmt::Display) -> ImportError {
    ImportError::Read {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

async fn read_tables(
    path: &Path,
    layer: Option<&str>,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| error(path, format!("not a readable GeoPackage: {e}")))?;
    let (table, geometry_column, crs) = describe_table(path, layer, &mut conn).await?;
    dataset.crs = crs;
    dataset.name.clone_from(&table);
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let keys: Vec<(i64, String, String, i64, Option<String>, i64)> =
        sqlx::query_as(&format!("PRAGMA table_info({quoted})"))
            .fetch_all(&mut conn)
            .await
            .map_err(|e| error(path, e))?;
    let primary_key: Vec<String> = keys.into_iter().filter(|k| k.5 > 0).map(|k| k.1).collect();

    let query = format!("SELECT * FROM {quoted}");
    let mut rows = sqlx::query(&query).fetch(&mut conn);
    let mut i = 0;
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(|e| error(path, format!("feature {i}: {e}")))?
    {
        let mut geometry = None;
        let mut properties = Vec::new();
        for (c, column) in row.columns().iter().enumerate() {
            let name = column.name();
            if primary_key.iter().any(|k| k == name) {
                continue;
            }
            let raw = row.try_get_raw(c).map_err(|e| error(path, e))?;
            if name == geometry_column {
                if !raw.is_null() {
                    let blob: Vec<u8> = row.try_get(c).map_err(|e| error(path, e))?;
                    geometry =
                        Some(gpkg_geometry(&blob).map_err(|reason| ImportError::Feature {
                            path: path.to_owned(),
                            feature: i,
                            reason,
                        })?);
                }
                continue;
            }
            let value = if raw.is_null() {
                Value::Null
            } else {
                match raw.type_info().name() {
                    "INTEGER" | "BOOLEAN" => row.try_get::<i64, _>(c).map(Value::Int),
                    "REAL" => row.try_get::<f64, _>(c).map(Value::Float),
                    "TEXT" | "DATE" | "DATETIME" => row.try_get::<String, _>(c).map(Value::Text),
                    _ => Ok(Value::Null),
                }
                .map_err(|e| error(path, format!("feature {i}, column `{name}`: {e}")))?
            };
            properties.push((name.to_owned(), value));
        }
        dataset.push(geometry, properties);
        if i % 1024 == 0 {
            progress(Progress::Read(i));
        }
        i += 1;
    }
    Ok(())
}

/// The feature table to read, its geometry column and its CRS.
async fn describe_table(
    path: &Path,
    layer: Option<&str>,
    conn: &mut sqlx::SqliteConnection,
) -> ImportResult<(String, String, Option<String>)> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| error(path, format!("not a GeoPackage (gpkg_contents): {e}")))?;
    let names: Vec<&str> = tables.iter().map(|(t,)| t.as_str()).collect();
    let table = match (layer, names.as_slice()) {
        (Some(l), _) if names.contains(&l) => l.to_owned(),
        (Some(l), _) => {
            return Err(error(
                path,
                format!("no feature table `{l}` (tables: {})", names.join(", ")),
            ));
        }
        (None, [only]) => (*only).to_owned(),
        (None, []) => return Err(error(path, "holds no feature table")),
        (None, many) => {
            return Err(error(
                path,
                format!(
                    "holds several feature tables; choose one with --layer ({})",
                    many.join(", ")
                ),
            ));
        }
    };
    let (geometry_column, srs_id): (String, i64) = sqlx::query_as(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
    )
    .bind(&table)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| error(path, format!("table `{table}` has no geometry column: {e}")))?;
    let srs: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
    )
    .bind(srs_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| error(path, e))?;
    let crs = match srs {
        Some((org, code, _)) if org.eq_ignore_ascii_case("EPSG") && code > 0 => {
            Some(format!("EPSG:{code}"))
        }
        Some((_, _, definition)) if definition.trim() != "undefined" => Some(definition),
        _ => None,
    };
    Ok((table, geometry_column, crs))
}

/// Decodes a GeoPackage geometry blob: `GP`, version, flags (envelope size, byte order), SRS id,
/// envelope, then standard WKB.
fn gpkg_geometry(blob: &[u8]) -> Result<geo_types::Geometry<f64>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("geometry is not a GeoPackage binary (missing `GP` header)".to_owned());
    }
    let flags = blob[3];
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("invalid envelope indicator {other}")),
    };
    let wkb = blob.get(8 + envelope..).ok_or("truncated geometry")?;
    geozero::wkb::Wkb(wkb.to_vec())
        .to_geo()
        .map_err(|e| format!("bad WKB: {e}"))
}
