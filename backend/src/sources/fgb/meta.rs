//! What a FlatGeobuf file says about itself, read once: header (geometry type, columns, CRS,
//! envelope), the packed Hilbert R-tree, and where features start. Shared by the in-memory and
//! the HTTP range sources.

use std::collections::BTreeMap;
use std::path::Path;

use flatgeobuf::packed_r_tree::PackedRTree;
use flatgeobuf::{ColumnType, GeometryType};
use kartenn_common::GeometryKind;

use super::super::{FieldSelection, SourceError, SourceResult};
use crate::tiles::mvt::GeomType;

const MAGIC: &[u8; 3] = b"fgb";
/// FlatGeobuf caps headers at 10 MiB; so do we.
pub const MAX_HEADER: usize = 10 * 1024 * 1024;

/// A column of the file, and whether tiles carry it.
pub struct Column {
    pub name: String,
    pub kind: ColumnType,
    pub selected: bool,
}

pub struct FgbMeta {
    pub geometry_type: GeometryType,
    pub kind: GeomType,
    pub geometry: GeometryKind,
    pub columns: Vec<Column>,
    /// West, south, east, north in degrees.
    pub bounds: [f64; 4],
    /// Whether `bounds` came from the header (else from the index, once read).
    has_envelope: bool,
    pub feature_count: u64,
    /// EPSG code from the header (0 when absent).
    pub crs: i32,
    /// Branching factor of the spatial index.
    pub node_size: u16,
    /// Offset of the spatial index in the file.
    pub index_begin: usize,
    /// Size of the spatial index in bytes (0 without features).
    pub index_len: usize,
    /// `None` for a file without features.
    pub index: Option<PackedRTree>,
    /// Offset of the first feature in the file.
    pub features_begin: usize,
}

/// Length of the header (magic + size + header table) announced by a file's first 12 bytes.
pub fn header_len(path: &Path, start: &[u8]) -> SourceResult<usize> {
    if start.len() < 12 || &start[..3] != MAGIC {
        return Err(format_error(path, "missing FlatGeobuf magic bytes"));
    }
    let size = u32::from_le_bytes([start[8], start[9], start[10], start[11]]) as usize;
    if !(8..=MAX_HEADER).contains(&size) {
        return Err(format_error(path, "header size out of range"));
    }
    Ok(12 + size)
}

pub fn format_error(path: &Path, reason: &str) -> SourceError {
    SourceError::Format {
        path: path.to_owned(),
        reason: reason.to_owned(),
    }
}

impl FgbMeta {
    /// Parses the header from the file's first `header_len` bytes; the index is read later
    /// with [`Self::read_index`]. Unknown fields of `fields` are errors.
    pub fn from_header(path: &Path, head: &[u8], fields: &FieldSelection) -> SourceResult<Self> {
        let index_begin = header_len(path, head)?;
        let header_bytes = head
            .get(8..index_begin)
            .ok_or_else(|| format_error(path, "truncated header"))?;
        let header = flatgeobuf::size_prefixed_root_as_header(header_bytes)
            .map_err(|e| format_error(path, &format!("invalid header: {e}")))?;
        let geometry_type = header.geometry_type();
        let (kind, geometry) = match geometry_type {
            // Mixed files (`Unknown`): each feature says its own type; the layer is described
            // as polygons until the first feature tells otherwise (see `FgbSource`).
            GeometryType::Unknown => (GeomType::Polygon, GeometryKind::Polygon),
            other => {
                let kind = geom_type(other).ok_or_else(|| {
                    format_error(
                        path,
                        &format!(
                            "geometry type {other:?} is not supported; one of (Multi)Point, (Multi)LineString, (Multi)Polygon is needed"
                        ),
                    )
                })?;
                (kind, geometry_kind(kind))
            }
        };
        let columns: Vec<Column> = header
            .columns()
            .map(|cols| {
                cols.iter()
                    .map(|c| Column {
                        name: c.name().to_owned(),
                        kind: c.type_(),
                        selected: fields.selects(c.name()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let FieldSelection::Only(names) = fields
            && let Some(unknown) = names
                .iter()
                .find(|n| !columns.iter().any(|c| &c.name == *n))
        {
            let known: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            return Err(format_error(
                path,
                &format!("has no field `{unknown}` (fields: {})", known.join(", ")),
            ));
        }
        let feature_count = header.features_count();
        let count = usize::try_from(feature_count)
            .map_err(|_| format_error(path, "feature count does not fit in memory"))?;
        let node_size = header.index_node_size();
        let index_len = match (count, node_size) {
            (0, _) => 0,
            (_, 0) => {
                return Err(SourceError::NoIndex {
                    path: path.to_owned(),
                });
            }
            (_, 1) => return Err(format_error(path, "index node size is invalid")),
            _ => PackedRTree::index_size(count, node_size),
        };
        let envelope = header
            .envelope()
            .filter(|e| e.len() >= 4)
            .map(|e| [e.get(0), e.get(1), e.get(2), e.get(3)]);
        Ok(Self {
            geometry_type,
            kind,
            geometry,
            columns,
            has_envelope: envelope.is_some(),
            bounds: envelope.unwrap_or([-180.0, -85.0, 180.0, 85.0]),
            feature_count,
            crs: header.crs().map_or(0, |c| c.code()),
            node_size,
            index_begin,
            index_len,
            index: None,
            features_begin: index_begin + index_len,
        })
    }

    /// Parses the spatial index from its bytes (`index_len` of them).
    pub fn read_index(&mut self, path: &Path, bytes: &[u8]) -> SourceResult<()> {
        if self.index_len == 0 {
            return Ok(());
        }
        if bytes.len() < self.index_len {
            return Err(format_error(path, "truncated spatial index"));
        }
        let count = self.feature_count as usize;
        let tree = PackedRTree::from_buf(&bytes[..self.index_len], count, self.node_size)
            .map_err(|e| format_error(path, &format!("invalid spatial index: {e}")))?;
        if !self.has_envelope {
            let e = tree.extent();
            self.bounds = [e.min_x, e.min_y, e.max_x, e.max_y];
        }
        self.index = Some(tree);
        Ok(())
    }

    /// Attribute name → TileJSON type, for the selected columns.
    pub fn fields(&self) -> BTreeMap<String, String> {
        self.columns
            .iter()
            .filter(|c| c.selected)
            .filter_map(|c| tilejson_type(c.kind).map(|t| (c.name.clone(), t.to_owned())))
            .collect()
    }
}

/// The MVT geometry type of a FlatGeobuf geometry type, if tiles can carry it.
pub fn geom_type(kind: GeometryType) -> Option<GeomType> {
    match kind {
        GeometryType::Point | GeometryType::MultiPoint => Some(GeomType::Point),
        GeometryType::LineString | GeometryType::MultiLineString => Some(GeomType::LineString),
        GeometryType::Polygon | GeometryType::MultiPolygon => Some(GeomType::Polygon),
        _ => None,
    }
}

pub fn geometry_kind(kind: GeomType) -> GeometryKind {
    match kind {
        GeomType::Point => GeometryKind::Point,
        GeomType::LineString => GeometryKind::Line,
        GeomType::Polygon => GeometryKind::Polygon,
    }
}

fn tilejson_type(kind: ColumnType) -> Option<&'static str> {
    match kind {
        ColumnType::Bool => Some("Boolean"),
        ColumnType::String | ColumnType::Json | ColumnType::DateTime => Some("String"),
        ColumnType::Binary => None,
        _ => Some("Number"),
    }
}
