//! FlatGeobuf tile source: the file is held in memory, its packed Hilbert R-tree is parsed
//! once, and each tile is a bbox search of that tree followed by zero-copy reads of the hit
//! features, straight into the tile geometry pipeline and the MVT encoder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use flatgeobuf::packed_r_tree::PackedRTree;
use flatgeobuf::{ColumnType, Feature, Geometry, GeometryType};
use kartenn_common::GeometryKind;

use super::{SourceError, SourceInfo, SourceResult, TileSource};
use crate::tiles::clip::ClipBox;
use crate::tiles::coord::TileTransform;
use crate::tiles::geometry::GeometryEncoder;
use crate::tiles::mvt::{GeomType, LayerBuilder, Value, encode_tile};
use crate::tiles::{BUFFER, EXTENT, TileCoord};

const MAGIC: &[u8; 3] = b"fgb";

/// A FlatGeobuf file served as vector tiles.
pub struct FgbSource {
    data: Arc<FgbData>,
    info: SourceInfo,
}

struct Column {
    name: String,
    kind: ColumnType,
}

struct FgbData {
    path: PathBuf,
    bytes: Vec<u8>,
    geometry_type: GeometryType,
    kind: GeomType,
    columns: Vec<Column>,
    /// `None` for a file without features.
    index: Option<PackedRTree>,
    features_begin: usize,
    layer_name: String,
}

impl FgbSource {
    /// Opens a file; the layer inside the tiles is named `layer_name`.
    pub fn open(path: &Path, layer_name: &str) -> SourceResult<Self> {
        let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(path, bytes, layer_name)
    }

    /// Reads an in-memory file; `path` is only used in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>, layer_name: &str) -> SourceResult<Self> {
        let format = |reason: String| SourceError::Format {
            path: path.to_owned(),
            reason,
        };
        if bytes.len() < 12 || &bytes[..3] != MAGIC {
            return Err(format("missing FlatGeobuf magic bytes".into()));
        }
        let header_len = read_u32(&bytes, 8).ok_or_else(|| format("truncated header".into()))?;
        let index_begin = 12 + header_len;
        let header_bytes = bytes
            .get(8..index_begin)
            .ok_or_else(|| format("truncated header".into()))?;
        let header = flatgeobuf::size_prefixed_root_as_header(header_bytes)
            .map_err(|e| format(format!("invalid header: {e}")))?;

        if let Some(code) = header.crs().map(|crs| crs.code())
            && code != 0
            && code != 4326
        {
            return Err(SourceError::UnsupportedCrs {
                path: path.to_owned(),
                code,
            });
        }
        let geometry_type = header.geometry_type();
        let (kind, geometry) = match geometry_type {
            GeometryType::Point | GeometryType::MultiPoint => {
                (GeomType::Point, GeometryKind::Point)
            }
            GeometryType::LineString | GeometryType::MultiLineString => {
                (GeomType::LineString, GeometryKind::Line)
            }
            GeometryType::Polygon | GeometryType::MultiPolygon => {
                (GeomType::Polygon, GeometryKind::Polygon)
            }
            other => {
                return Err(format(format!(
                    "geometry type {other:?} is not supported; one of (Multi)Point, (Multi)LineString, (Multi)Polygon is needed"
                )));
            }
        };
        let columns: Vec<Column> = header
            .columns()
            .map(|cols| {
                cols.iter()
                    .map(|c| Column {
                        name: c.name().to_owned(),
                        kind: c.type_(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let fields = columns
            .iter()
            .filter_map(|c| tilejson_type(c.kind).map(|t| (c.name.clone(), t.to_owned())))
            .collect::<BTreeMap<_, _>>();

        let (index, features_begin) = read_index(path, &bytes, &header, index_begin)?;
        let bounds = match (header.envelope(), &index) {
            (Some(env), _) if env.len() >= 4 => [env.get(0), env.get(1), env.get(2), env.get(3)],
            (_, Some(tree)) => {
                let e = tree.extent();
                [e.min_x, e.min_y, e.max_x, e.max_y]
            }
            _ => [-180.0, -85.0, 180.0, 85.0],
        };
        let info = SourceInfo {
            layer_name: layer_name.to_owned(),
            geometry,
            bounds,
            fields,
            feature_count: header.features_count(),
        };
        Ok(Self {
            data: Arc::new(FgbData {
                path: path.to_owned(),
                bytes,
                geometry_type,
                kind,
                columns,
                index,
                features_begin,
                layer_name: layer_name.to_owned(),
            }),
            info,
        })
    }

    /// Makes a tile on the calling thread (the async [`TileSource::tile`] runs this off the
    /// runtime's worker threads).
    pub fn render(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        self.data.render(tile)
    }
}

#[async_trait]
impl TileSource for FgbSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    async fn tile(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        let data = Arc::clone(&self.data);
        tokio::task::spawn_blocking(move || data.render(tile))
            .await
            .map_err(|e| SourceError::Task(e.to_string()))?
    }
}

impl FgbData {
    fn render(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        let Some(index) = &self.index else {
            return Ok(None);
        };
        let margin = f64::from(BUFFER) / f64::from(EXTENT);
        let [w, s, e, n] = tile.lonlat_bounds(margin);
        let hits = index
            .search(w, s, e, n)
            .map_err(|e| self.corrupt(0, &e.to_string()))?;
        if hits.is_empty() {
            return Ok(None);
        }
        let transform = TileTransform::new(tile, EXTENT);
        let mut layer = LayerBuilder::new(&self.layer_name, EXTENT);
        let mut encoder = GeometryEncoder::new(self.kind, ClipBox::buffered(EXTENT, BUFFER));
        let mut points = Vec::new();
        for hit in hits {
            let feature = self.feature_at(hit.offset, hit.index)?;
            let Some(geometry) = feature.geometry() else {
                continue;
            };
            encoder.reset();
            encode_geometry(
                &geometry,
                self.geometry_type,
                &transform,
                &mut encoder,
                &mut points,
            );
            if encoder.is_empty() {
                continue;
            }
            if let Some(props) = feature.properties() {
                self.tag_properties(props.bytes(), &mut layer)
                    .map_err(|reason| self.corrupt(hit.index, &reason))?;
            }
            layer.push_feature(Some(hit.index as u64), encoder.kind(), encoder.commands());
        }
        Ok(encode_tile([layer]))
    }

    fn feature_at(&self, offset: usize, feature: usize) -> SourceResult<Feature<'_>> {
        let pos = self.features_begin + offset;
        let len = read_u32(&self.bytes, pos).ok_or_else(|| self.corrupt(feature, "truncated"))?;
        let buf = self
            .bytes
            .get(pos..pos + 4 + len)
            .ok_or_else(|| self.corrupt(feature, "truncated"))?;
        flatgeobuf::size_prefixed_root_as_feature(buf)
            .map_err(|e| self.corrupt(feature, &e.to_string()))
    }

    fn corrupt(&self, feature: usize, reason: &str) -> SourceError {
        SourceError::CorruptFeature {
            path: self.path.clone(),
            feature,
            reason: reason.to_owned(),
        }
    }

    /// Decodes FlatGeobuf's property encoding (column index, then the value) with every read
    /// bounds-checked, and tags the feature being built.
    fn tag_properties(&self, bytes: &[u8], layer: &mut LayerBuilder) -> Result<(), String> {
        let mut pos = 0;
        while pos + 2 <= bytes.len() {
            let column = usize::from(u16::from_le_bytes([bytes[pos], bytes[pos + 1]]));
            pos += 2;
            let col = self.columns.get(column).ok_or_else(|| {
                format!("property refers to column {column}, which does not exist")
            })?;
            let mut take = |n: usize| -> Result<&[u8], String> {
                let slice = bytes
                    .get(pos..pos + n)
                    .ok_or_else(|| format!("value of `{}` is truncated", col.name))?;
                pos += n;
                Ok(slice)
            };
            let value = match col.kind {
                ColumnType::Byte => Value::int(i64::from(take(1)?[0] as i8)),
                ColumnType::UByte => Value::Uint(u64::from(take(1)?[0])),
                ColumnType::Bool => Value::Bool(take(1)?[0] != 0),
                ColumnType::Short => Value::int(i64::from(i16::from_le_bytes(array(take(2)?)))),
                ColumnType::UShort => Value::Uint(u64::from(u16::from_le_bytes(array(take(2)?)))),
                ColumnType::Int => Value::int(i64::from(i32::from_le_bytes(array(take(4)?)))),
                ColumnType::UInt => Value::Uint(u64::from(u32::from_le_bytes(array(take(4)?)))),
                ColumnType::Long => Value::int(i64::from_le_bytes(array(take(8)?))),
                ColumnType::ULong => Value::Uint(u64::from_le_bytes(array(take(8)?))),
                ColumnType::Float => Value::Float(f32::from_le_bytes(array(take(4)?))),
                ColumnType::Double => Value::Double(f64::from_le_bytes(array(take(8)?))),
                ColumnType::String | ColumnType::Json | ColumnType::DateTime => {
                    let len = u32::from_le_bytes(array(take(4)?)) as usize;
                    let text = std::str::from_utf8(take(len)?)
                        .map_err(|_| format!("value of `{}` is not UTF-8", col.name))?;
                    Value::String(text)
                }
                _ => {
                    // Binary (and any future type with a length prefix): not representable in MVT.
                    let len = u32::from_le_bytes(array(take(4)?)) as usize;
                    take(len)?;
                    continue;
                }
            };
            layer.tag(&col.name, value);
        }
        Ok(())
    }
}

fn encode_geometry(
    geometry: &Geometry<'_>,
    declared: GeometryType,
    transform: &TileTransform,
    encoder: &mut GeometryEncoder,
    points: &mut Vec<[f64; 2]>,
) {
    let kind = match geometry.type_() {
        GeometryType::Unknown => declared,
        own => own,
    };
    if kind == GeometryType::MultiPolygon {
        if let Some(parts) = geometry.parts() {
            for part in parts {
                encode_geometry(&part, GeometryType::Polygon, transform, encoder, points);
            }
        }
        return;
    }
    let Some(xy) = geometry.xy() else {
        return;
    };
    points.clear();
    points.extend(xy.bytes().chunks_exact(16).map(|c| {
        let lon = f64::from_le_bytes(array(&c[..8]));
        let lat = f64::from_le_bytes(array(&c[8..]));
        transform.apply(lon, lat)
    }));
    match kind {
        GeometryType::Point | GeometryType::MultiPoint => encoder.add_points(points),
        GeometryType::LineString | GeometryType::MultiLineString | GeometryType::Polygon => {
            let polygon = kind == GeometryType::Polygon;
            let mut start = 0;
            let ends = geometry.ends();
            let parts = ends.into_iter().flatten().map(|e| e as usize);
            for (i, end) in parts.chain(std::iter::once(points.len())).enumerate() {
                let end = end.min(points.len());
                if end <= start {
                    continue;
                }
                let part = &points[start..end];
                if polygon {
                    encoder.add_ring(part, i == 0);
                } else {
                    encoder.add_line(part);
                }
                start = end;
            }
        }
        _ => {}
    }
}

/// Parses the packed R-tree that follows the header; `None` for a file without features.
fn read_index(
    path: &Path,
    bytes: &[u8],
    header: &flatgeobuf::Header<'_>,
    index_begin: usize,
) -> SourceResult<(Option<PackedRTree>, usize)> {
    let format = |reason: &str| SourceError::Format {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let count = usize::try_from(header.features_count())
        .map_err(|_| format("feature count does not fit in memory"))?;
    let node_size = header.index_node_size();
    if count == 0 {
        return Ok((None, index_begin));
    }
    if node_size == 0 {
        return Err(SourceError::NoIndex {
            path: path.to_owned(),
        });
    }
    if node_size < 2 {
        return Err(format("index node size is invalid"));
    }
    let index_len = PackedRTree::index_size(count, node_size);
    let index_bytes = bytes
        .get(index_begin..index_begin + index_len)
        .ok_or_else(|| format("truncated spatial index"))?;
    let tree = PackedRTree::from_buf(index_bytes, count, node_size)
        .map_err(|e| format(&format!("invalid spatial index: {e}")))?;
    Ok((Some(tree), index_begin + index_len))
}

fn read_u32(bytes: &[u8], pos: usize) -> Option<usize> {
    let b = bytes.get(pos..pos + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Copies a slice whose length the caller has checked into an array.
fn array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&slice[..N]);
    out
}

fn tilejson_type(kind: ColumnType) -> Option<&'static str> {
    match kind {
        ColumnType::Bool => Some("Boolean"),
        ColumnType::String | ColumnType::Json | ColumnType::DateTime => Some("String"),
        ColumnType::Binary => None,
        _ => Some("Number"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

    fn fixture(name: &str) -> (PathBuf, Vec<u8>) {
        let path = Path::new(FIXTURES).join(name);
        let bytes = std::fs::read(&path).unwrap();
        (path, bytes)
    }

    fn open(name: &str) -> SourceResult<FgbSource> {
        let (path, bytes) = fixture(name);
        FgbSource::from_bytes(&path, bytes, "communes")
    }

    #[test]
    fn a_small_file_opens_with_its_fields_bounds_and_count() {
        let source = open("three_communes.fgb").unwrap();
        let info = source.info();
        assert_eq!(info.feature_count, 3);
        assert_eq!(info.geometry, GeometryKind::Polygon);
        assert_eq!(info.fields.get("nom").map(String::as_str), Some("String"));
        assert_eq!(
            info.fields.get("population").map(String::as_str),
            Some("Number")
        );
        let [w, s, e, n] = info.bounds;
        assert!(
            w < -4.4 && e > -3.4 && s > 47.6 && n < 48.5,
            "{:?}",
            info.bounds
        );
    }

    #[test]
    fn the_three_communes_appear_in_their_z5_tile_and_collapse_below_a_unit_at_z0() {
        let source = open("three_communes.fgb").unwrap();
        let count = |z, x, y| {
            source
                .render(TileCoord::new(z, x, y).unwrap())
                .unwrap()
                .map_or(0, |tile| {
                    mvt_reader::Reader::new(tile)
                        .unwrap()
                        .get_features(0)
                        .unwrap()
                        .len()
                })
        };
        assert_eq!(count(5, 15, 11), 3);
        // At z0 one tile unit is ~10 km: communes of a few km² vanish rather than become specks.
        assert!(count(0, 0, 0) < 3);
        assert_eq!(count(5, 16, 11), 0);
    }

    #[test]
    fn a_file_without_spatial_index_is_refused_with_advice() {
        let err = open("no_index.fgb").err().unwrap();
        assert!(matches!(err, SourceError::NoIndex { .. }));
        assert!(err.to_string().contains("SPATIAL_INDEX=YES"), "{err}");
    }

    #[test]
    fn a_file_in_another_crs_is_refused_naming_it() {
        let err = open("lambert93.fgb").err().unwrap();
        assert!(err.to_string().contains("EPSG:2154"), "{err}");
    }

    #[test]
    fn garbage_and_truncated_files_are_format_errors_naming_the_file() {
        let (path, bytes) = fixture("three_communes.fgb");
        let cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"not a flatgeobuf file at all".to_vec(),
            bytes[..10].to_vec(),
            bytes[..200].to_vec(),
        ];
        for case in cases {
            let err = FgbSource::from_bytes(&path, case, "x").err().unwrap();
            assert!(err.to_string().contains("three_communes.fgb"), "{err}");
        }
    }

    #[test]
    fn corrupt_feature_bytes_give_errors_or_tiles_never_a_panic() {
        let (path, bytes) = fixture("three_communes.fgb");
        let header_end = 12 + read_u32(&bytes, 8).unwrap();
        let index_end = header_end + PackedRTree::index_size(3, 16);
        let tiles = [(0, 0, 0), (5, 15, 11), (8, 124, 88), (8, 125, 89)];
        for pos in (index_end..bytes.len()).step_by(7) {
            let mut corrupt = bytes.clone();
            corrupt[pos] ^= 0x5a;
            let Ok(source) = FgbSource::from_bytes(&path, corrupt, "x") else {
                continue;
            };
            for (z, x, y) in tiles {
                let _ = source.render(TileCoord::new(z, x, y).unwrap());
            }
        }
    }
}
