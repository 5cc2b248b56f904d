//! Writing the dataset as FlatGeobuf (EPSG:4326, packed Hilbert R-tree), to a temporary file
//! in the output's directory, renamed over the output only once complete.

use std::io::{BufWriter, Write};
use std::path::Path;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geo_types::Geometry;
use geozero::{ColumnValue, PropertyProcessor};

use super::model::{Dataset, Kind, Value};
use super::{ImportError, ImportResult, Progress};

pub fn write_atomically(
    dataset: &Dataset,
    output: &Path,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<u64> {
    let io = |source| ImportError::Io {
        path: output.to_owned(),
        source,
    };
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut part = tempfile::Builder::new()
        .prefix(".kartenn-import-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut out = BufWriter::new(part.as_file_mut());
        write(dataset, &mut out, output, progress)?;
        out.flush().map_err(io)?;
    }
    part.as_file().sync_all().map_err(io)?;
    part.persist(output).map_err(|e| io(e.error))?;
    Ok(std::fs::metadata(output).map_err(io)?.len())
}

fn family(g: &Geometry<f64>) -> u8 {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => 1,
        Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => 2,
        _ => 3,
    }
}

pub fn write(
    dataset: &Dataset,
    out: &mut impl Write,
    output: &Path,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    let failed = |reason: String| ImportError::Write {
        path: output.to_owned(),
        reason,
    };
    let families: std::collections::BTreeSet<u8> = dataset
        .features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .map(family)
        .collect();
    // One family: its multi type, every geometry promoted to it. Mixed: `Unknown`, each
    // feature keeping its own type.
    let (geometry_type, promote) = match families.iter().copied().collect::<Vec<_>>().as_slice() {
        [1] => (GeometryType::MultiPoint, true),
        [2] => (GeometryType::MultiLineString, true),
        [3] => (GeometryType::MultiPolygon, true),
        _ => (GeometryType::Unknown, false),
    };
    let options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: false,
        crs: FgbCrs {
            org: Some("EPSG"),
            code: 4326,
            ..FgbCrs::default()
        },
        ..FgbWriterOptions::default()
    };
    let mut fgb = FgbWriter::create_with_options(&dataset.name, geometry_type, options)
        .map_err(|e| failed(e.to_string()))?;
    let kinds: Vec<Kind> = dataset
        .schema
        .kinds
        .iter()
        .map(|k| k.unwrap_or(Kind::Text))
        .collect();
    for (name, kind) in dataset.schema.names.iter().zip(&kinds) {
        let column_type = match kind {
            Kind::Bool => ColumnType::Bool,
            Kind::Int => ColumnType::Long,
            Kind::Float => ColumnType::Double,
            Kind::Text => ColumnType::String,
        };
        fgb.add_column(name, column_type, |_, col| col.nullable = true);
    }
    let total = dataset.features.len();
    for (i, feature) in dataset.features.iter().enumerate() {
        let Some(geometry) = &feature.geometry else {
            continue;
        };
        let geometry = if promote {
            to_multi(geometry.clone())
        } else {
            geometry.clone()
        };
        let mut property_error = None;
        fgb.add_feature_geom(geometry, |writer| {
            for (c, value) in feature.values.iter().enumerate() {
                let name = &dataset.schema.names[c];
                let text;
                let column_value = match (value, kinds[c]) {
                    (Value::Null, _) => continue,
                    (Value::Bool(b), Kind::Bool) => ColumnValue::Bool(*b),
                    (Value::Int(n), Kind::Int) => ColumnValue::Long(*n),
                    (Value::Int(n), Kind::Float) => ColumnValue::Double(*n as f64),
                    (Value::Float(f), Kind::Float) => ColumnValue::Double(*f),
                    (Value::Text(s), _) => ColumnValue::String(s),
                    (other, _) => {
                        text = match other {
                            Value::Bool(b) => b.to_string(),
                            Value::Int(n) => n.to_string(),
                            Value::Float(f) => f.to_string(),
                            _ => String::new(),
                        };
                        ColumnValue::String(&text)
                    }
                };
                if let Err(e) = writer.property(c, name, &column_value) {
                    property_error = Some(e.to_string());
                }
            }
        })
        .map_err(|e| ImportError::Feature {
            path: output.to_owned(),
            feature: i,
            reason: e.to_string(),
        })?;
        if let Some(reason) = property_error {
            return Err(ImportError::Feature {
                path: output.to_owned(),
                feature: i,
                reason,
            });
        }
        if i % 1024 == 0 {
            progress(Progress::Write { done: i, total });
        }
    }
    progress(Progress::Write { done: total, total });
    fgb.write(out).map_err(|e| failed(e.to_string()))
}

/// The multi-geometry holding `g` (multi-geometries are returned as they are).
fn to_multi(g: Geometry<f64>) -> Geometry<f64> {
    use geo_types::{LineString, MultiLineString, MultiPoint, MultiPolygon};
    match g {
        Geometry::Point(p) => Geometry::MultiPoint(MultiPoint(vec![p])),
        Geometry::LineString(l) => Geometry::MultiLineString(MultiLineString(vec![l])),
        Geometry::Line(l) => {
            Geometry::MultiLineString(MultiLineString(vec![LineString::from(vec![
                l.start, l.end,
            ])]))
        }
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
        other => other,
    }
}
