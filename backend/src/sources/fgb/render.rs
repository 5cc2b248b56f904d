//! Making one tile from a FlatGeobuf file: R-tree search around the tile (with the world's
//! copies across the antimeridian), then each hit feature's geometry through the tile pipeline
//! (transform, clip, simplify, snap, encode) and its selected attributes into the layer.

use std::path::Path;

use flatgeobuf::{ColumnType, Feature, Geometry, GeometryType};

use super::meta::{Column, FgbMeta, geom_type};
use crate::sources::{SourceError, SourceOptions, SourceResult};
use crate::tiles::TileCoord;
use crate::tiles::clip::ClipBox;
use crate::tiles::coord::TileTransform;
use crate::tiles::geometry::{EncodeOptions, GeometryEncoder};
use crate::tiles::mvt::{LayerBuilder, Value, encode_tile};

/// Where a file's features are: `feature(offset)` is the size-prefixed feature that starts
/// `offset` bytes after the first one, if those bytes are at hand.
pub trait FeatureBytes {
    fn feature(&self, offset: usize) -> Option<&[u8]>;
}

/// Features held in one buffer that starts at the first feature.
pub struct Contiguous<'a>(pub &'a [u8]);

impl FeatureBytes for Contiguous<'_> {
    fn feature(&self, offset: usize) -> Option<&[u8]> {
        let len = read_u32(self.0, offset)?;
        self.0.get(offset..offset.checked_add(4 + len)?)
    }
}

/// A feature the tile needs, and the longitude shift that puts it in the tile's world copy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub index: usize,
    pub offset: usize,
    pub lon_shift: f64,
}

/// Features touching the buffered tile. Tiles at the world's west (east) edge also look east
/// (west) of the antimeridian, shifted by one world width, so features crossing it or lying
/// within the buffer across it are drawn on both sides.
pub fn search(
    meta: &FgbMeta,
    options: &SourceOptions,
    path: &Path,
    tile: TileCoord,
) -> SourceResult<Vec<Hit>> {
    let Some(index) = &meta.index else {
        return Ok(Vec::new());
    };
    let margin = f64::from(options.buffer) / f64::from(options.extent);
    let [w, s, e, n] = tile.lonlat_bounds(margin);
    let last = (1u32 << tile.z) - 1;
    let mut windows = vec![0.0];
    if tile.x == 0 {
        windows.push(-360.0);
    }
    if tile.x == last {
        windows.push(360.0);
    }
    let mut hits = Vec::new();
    for shift in windows {
        // Data at `lon` is drawn at `lon + shift`: look at the window moved back by `shift`.
        let found = index.search(w - shift, s, e - shift, n).map_err(|err| {
            SourceError::CorruptFeature {
                path: path.to_owned(),
                feature: 0,
                reason: format!("spatial index: {err}"),
            }
        })?;
        hits.extend(found.into_iter().map(|item| Hit {
            index: item.index,
            offset: item.offset,
            lon_shift: shift,
        }));
    }
    Ok(hits)
}

/// Encodes the tile from the `hits` of [`search`]; `None` when nothing is left to draw.
pub fn render(
    meta: &FgbMeta,
    options: &SourceOptions,
    path: &Path,
    tile: TileCoord,
    hits: &[Hit],
    bytes: &impl FeatureBytes,
) -> SourceResult<Option<Vec<u8>>> {
    if hits.is_empty() {
        return Ok(None);
    }
    let corrupt = |feature: usize, reason: &str| SourceError::CorruptFeature {
        path: path.to_owned(),
        feature,
        reason: reason.to_owned(),
    };
    let extent = options.extent;
    let reduce = EncodeOptions::for_zoom(tile.z, options.maxzoom, extent, options.simplify);
    let mut layer = LayerBuilder::new(&options.layer_name, extent);
    let mut encoder =
        GeometryEncoder::with_options(meta.kind, ClipBox::buffered(extent, options.buffer), reduce);
    let mut points = Vec::new();
    let any_selected = meta.columns.iter().any(|c| c.selected);
    for hit in hits {
        let buf = bytes
            .feature(hit.offset)
            .ok_or_else(|| corrupt(hit.index, "feature lies outside the file"))?;
        let feature: Feature<'_> = flatgeobuf::size_prefixed_root_as_feature(buf)
            .map_err(|e| corrupt(hit.index, &e.to_string()))?;
        let Some(geometry) = feature.geometry() else {
            continue;
        };
        let own = match geometry.type_() {
            GeometryType::Unknown => meta.geometry_type,
            own => own,
        };
        let Some(kind) = geom_type(own) else {
            continue;
        };
        let transform = TileTransform::new(tile, extent).shifted(hit.lon_shift);
        encoder.reset();
        encoder.set_kind(kind);
        encode_geometry(
            &geometry,
            meta.geometry_type,
            &transform,
            &mut encoder,
            &mut points,
        );
        if encoder.is_empty() {
            continue;
        }
        if any_selected && let Some(props) = feature.properties() {
            tag_properties(&meta.columns, props.bytes(), &mut layer)
                .map_err(|reason| corrupt(hit.index, &reason))?;
        }
        layer.push_feature(Some(hit.index as u64), encoder.kind(), encoder.commands());
    }
    Ok(encode_tile([layer]))
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

/// Decodes FlatGeobuf's property encoding (column index, then the value) with every read
/// bounds-checked, and tags the feature being built with the selected columns.
fn tag_properties(
    columns: &[Column],
    bytes: &[u8],
    layer: &mut LayerBuilder,
) -> Result<(), String> {
    let mut pos = 0;
    while pos + 2 <= bytes.len() {
        let column = usize::from(u16::from_le_bytes([bytes[pos], bytes[pos + 1]]));
        pos += 2;
        let col = columns
            .get(column)
            .ok_or_else(|| format!("property refers to column {column}, which does not exist"))?;
        let mut take = |n: usize| -> Result<&[u8], String> {
            let slice = bytes
                .get(pos..pos + n)
                .ok_or_else(|| format!("value of `{}` is truncated", col.name))?;
            pos += n;
            Ok(slice)
        };
        let value = match col.kind {
            ColumnType::Byte => Value::int(i64::from(take(1)?[0].cast_signed())),
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
                // Binary: not representable in MVT, skipped.
                let len = u32::from_le_bytes(array(take(4)?)) as usize;
                take(len)?;
                continue;
            }
        };
        if col.selected {
            layer.tag(&col.name, value);
        }
    }
    Ok(())
}

pub fn read_u32(bytes: &[u8], pos: usize) -> Option<usize> {
    let b = bytes.get(pos..pos.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// Copies a slice whose length the caller has checked into an array.
fn array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&slice[..N]);
    out
}
