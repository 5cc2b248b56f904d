//! Readers, one per input format, all producing a [`Dataset`]. Errors name the file and, where
//! there is one, the feature (0-based) or line.

use std::path::Path;

use geo_types::Geometry;

use super::model::{Dataset, Value};
use super::{Format, ImportError, ImportOptions, ImportResult, Progress, crs};

pub fn read(options: &ImportOptions, progress: &mut dyn FnMut(Progress)) -> ImportResult<Dataset> {
    let path = options.input.as_path();
    let format = Format::of(path).ok_or_else(|| ImportError::UnknownFormat {
        path: path.to_owned(),
    })?;
    if !path.is_file() {
        return Err(ImportError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        });
    }
    let mut dataset = Dataset {
        name: path
            .file_stem()
            .map_or_else(|| "layer".to_owned(), |s| s.to_string_lossy().into_owned()),
        ..Dataset::default()
    };
    match format {
        Format::GeoJson => geojson(path, &mut dataset, progress)?,
        Format::Shapefile => shapefile(path, &mut dataset, progress)?,
        Format::Csv => csv(path, options, &mut dataset, progress)?,
        Format::GeoPackage => {
            super::gpkg::read(path, options.layer.as_deref(), &mut dataset, progress)?;
        }
        Format::FlatGeobuf => flatgeobuf(path, &mut dataset, progress)?,
    }
    if let Some(crs) = &options.source_crs {
        dataset.crs = Some(crs.clone());
    }
    Ok(dataset)
}

fn read_error(path: &Path, reason: impl std::fmt::Display) -> ImportError {
    ImportError::Read {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

fn feature_error(path: &Path, feature: usize, reason: impl std::fmt::Display) -> ImportError {
    ImportError::Feature {
        path: path.to_owned(),
        feature,
        reason: reason.to_string(),
    }
}

fn json_value(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| n.as_f64().map_or(Value::Null, Value::Float), Value::Int),
        serde_json::Value::String(s) => Value::Text(s),
        other => Value::Text(other.to_string()),
    }
}

fn geojson(
    path: &Path,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let doc: geojson::GeoJson = text
        .parse()
        .map_err(|e| read_error(path, format!("not valid GeoJSON: {e}")))?;
    let (features, members) = match doc {
        geojson::GeoJson::FeatureCollection(fc) => (fc.features, fc.foreign_members),
        geojson::GeoJson::Feature(f) => (vec![f], None),
        geojson::GeoJson::Geometry(g) => (
            vec![geojson::Feature {
                geometry: Some(g),
                ..geojson::Feature::default()
            }],
            None,
        ),
    };
    dataset.crs = members
        .as_ref()
        .and_then(|m| m.get("crs"))
        .and_then(|c| c.pointer("/properties/name"))
        .and_then(|n| n.as_str())
        .and_then(crs::from_urn);
    for (i, feature) in features.into_iter().enumerate() {
        let geometry = feature
            .geometry
            .map(|g| Geometry::<f64>::try_from(g).map_err(|e| feature_error(path, i, e)))
            .transpose()?;
        let properties = feature
            .properties
            .into_iter()
            .flatten()
            .map(|(k, v)| (k, json_value(v)));
        dataset.push(geometry, properties);
        if i % 1024 == 0 {
            progress(Progress::Read(i));
        }
    }
    Ok(())
}

fn shapefile(
    path: &Path,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    use shapefile::dbase::FieldValue;
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| read_error(path, e))?;
    let prj = path.with_extension("prj");
    if let Ok(wkt) = std::fs::read_to_string(&prj) {
        dataset.crs = Some(wkt.trim().to_owned());
    }
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| feature_error(path, i, e))?;
        let geometry = match shape {
            shapefile::Shape::NullShape => None,
            shape => Some(Geometry::<f64>::try_from(shape).map_err(|e| feature_error(path, i, e))?),
        };
        let properties = record.into_iter().map(|(name, value)| {
            let value = match value {
                FieldValue::Character(Some(s)) | FieldValue::Memo(s) => {
                    Value::Text(s.trim_end().to_owned())
                }
                FieldValue::Numeric(Some(n)) | FieldValue::Double(n) | FieldValue::Currency(n) => {
                    number(n)
                }
                FieldValue::Float(Some(f)) => number(f64::from(f)),
                FieldValue::Integer(n) => Value::Int(i64::from(n)),
                FieldValue::Logical(Some(b)) => Value::Bool(b),
                FieldValue::Date(Some(d)) => {
                    Value::Text(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
                }
                FieldValue::DateTime(dt) => {
                    let d = dt.date();
                    let t = dt.time();
                    Value::Text(format!(
                        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                        d.year(),
                        d.month(),
                        d.day(),
                        t.hours(),
                        t.minutes(),
                        t.seconds()
                    ))
                }
                _ => Value::Null,
            };
            (name, value)
        });
        dataset.push(geometry, properties);
        if i % 1024 == 0 {
            progress(Progress::Read(i));
        }
    }
    Ok(())
}

/// dBase numbers are decimal text: integral ones become integers.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::Int(n as i64)
    } else {
        Value::Float(n)
    }
}

/// A CSV cell: integer, float, boolean, empty (null) or text.
fn cell(text: &str) -> Value {
    let t = text.trim();
    if t.is_empty() {
        Value::Null
    } else if let Ok(i) = t.parse::<i64>() {
        // Codes with leading zeros (INSEE, postcodes) stay text.
        if t.len() > 1 && (t.starts_with('0') || t.starts_with("-0")) {
            Value::Text(t.to_owned())
        } else {
            Value::Int(i)
        }
    } else if let Some(f) = t.parse::<f64>().ok().filter(|f| f.is_finite()) {
        Value::Float(f)
    } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
        Value::Bool(t.eq_ignore_ascii_case("true"))
    } else {
        Value::Text(t.to_owned())
    }
}

enum CsvGeometry {
    Wkt(usize),
    LonLat(usize, usize),
}

fn find_column(headers: &csv::StringRecord, wanted: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| wanted.iter().any(|w| h.trim().eq_ignore_ascii_case(w)))
}

fn csv(
    path: &Path,
    options: &ImportOptions,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    let delimiter = options
        .delimiter
        .unwrap_or(if path.extension().is_some_and(|e| e == "tsv") {
            b'\t'
        } else {
            b','
        });
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .map_err(|e| read_error(path, e))?;
    let headers = reader.headers().map_err(|e| read_error(path, e))?.clone();
    let geometry = csv_geometry(path, options, &headers)?;
    let skip: Vec<usize> = match geometry {
        CsvGeometry::Wkt(i) => vec![i],
        CsvGeometry::LonLat(a, b) => vec![a, b],
    };
    for (i, record) in reader.records().enumerate() {
        // Line numbers count the header as line 1.
        let record = record.map_err(|e| read_error(path, format!("line {}: {e}", i + 2)))?;
        let geometry = match geometry {
            CsvGeometry::Wkt(col) => {
                let text = record.get(col).unwrap_or_default().trim();
                if text.is_empty() {
                    None
                } else {
                    use wkt::TryFromWkt;
                    Some(Geometry::<f64>::try_from_wkt_str(text).map_err(|e| {
                        feature_error(path, i, format!("line {}: bad WKT: {e}", i + 2))
                    })?)
                }
            }
            CsvGeometry::LonLat(lon, lat) => {
                let coordinate = |col: usize, name: &str| {
                    let text = record.get(col).unwrap_or_default().trim();
                    text.parse::<f64>().map_err(|_| {
                        feature_error(
                            path,
                            i,
                            format!("line {}: {name} `{text}` is not a number", i + 2),
                        )
                    })
                };
                Some(Geometry::Point(geo_types::Point::new(
                    coordinate(lon, "longitude")?,
                    coordinate(lat, "latitude")?,
                )))
            }
        };
        let properties = headers
            .iter()
            .zip(record.iter())
            .enumerate()
            .filter(|(col, _)| !skip.contains(col))
            .map(|(_, (name, value))| (name.to_owned(), cell(value)));
        dataset.push(geometry, properties);
        if i % 1024 == 0 {
            progress(Progress::Read(i));
        }
    }
    Ok(())
}

fn flatgeobuf(
    path: &Path,
    dataset: &mut Dataset,
    progress: &mut dyn FnMut(Progress),
) -> ImportResult<()> {
    use flatgeobuf::{FallibleStreamingIterator, FgbReader};
    use geozero::{ColumnValue, FeatureProperties, PropertyProcessor, ToGeo};

    struct Props(Vec<(String, Value)>);
    impl PropertyProcessor for Props {
        fn property(
            &mut self,
            _i: usize,
            name: &str,
            value: &ColumnValue,
        ) -> geozero::error::Result<bool> {
            let v = match value {
                ColumnValue::Byte(v) => Value::Int(i64::from(*v)),
                ColumnValue::UByte(v) => Value::Int(i64::from(*v)),
                ColumnValue::Bool(v) => Value::Bool(*v),
                ColumnValue::Short(v) => Value::Int(i64::from(*v)),
                ColumnValue::UShort(v) => Value::Int(i64::from(*v)),
                ColumnValue::Int(v) => Value::Int(i64::from(*v)),
                ColumnValue::UInt(v) => Value::Int(i64::from(*v)),
                ColumnValue::Long(v) => Value::Int(*v),
                ColumnValue::ULong(v) => {
                    i64::try_from(*v).map_or(Value::Float(*v as f64), Value::Int)
                }
                ColumnValue::Float(v) => Value::Float(f64::from(*v)),
                ColumnValue::Double(v) => Value::Float(*v),
                ColumnValue::String(v) | ColumnValue::Json(v) | ColumnValue::DateTime(v) => {
                    Value::Text((*v).to_owned())
                }
                ColumnValue::Binary(_) => Value::Null,
            };
            self.0.push((name.to_owned(), v));
            Ok(false)
        }
    }

    let file = std::fs::File::open(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let reader = FgbReader::open(std::io::BufReader::new(file)).map_err(|e| read_error(path, e))?;
    let header = reader.header();
    if let Some(code) = header.crs().map(|c| c.code()).filter(|c| *c != 0) {
        dataset.crs = Some(format!("EPSG:{code}"));
    } else if let Some(wkt) = header.crs().and_then(|c| c.wkt()) {
        dataset.crs = Some(wkt.to_owned());
    }
    let mut features = reader.select_all_seq().map_err(|e| read_error(path, e))?;
    let mut i = 0;
    while let Some(feature) = features.next().map_err(|e| feature_error(path, i, e))? {
        let geometry = feature.to_geo().map_err(|e| feature_error(path, i, e))?;
        let mut props = Props(Vec::new());
        feature
            .process_properties(&mut props)
            .map_err(|e| feature_error(path, i, e))?;
        dataset.push(Some(geometry), props.0);
        if i % 1024 == 0 {
            progress(Progress::Read(i));
        }
        i += 1;
    }
    Ok(())
}

/// Which CSV columns hold the geometry: named by the options, else found by usual names.
fn csv_geometry(
    path: &Path,
    options: &ImportOptions,
    headers: &csv::StringRecord,
) -> ImportResult<CsvGeometry> {
    let named = |name: &Option<String>| {
        name.as_ref().map(|n| {
            find_column(headers, &[n.as_str()]).ok_or_else(|| {
                read_error(
                    path,
                    format!(
                        "no column `{n}` (columns: {})",
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            })
        })
    };
    Ok(
        match (
            named(&options.wkt_column),
            named(&options.lon_column),
            named(&options.lat_column),
        ) {
            (Some(wkt), _, _) => CsvGeometry::Wkt(wkt?),
            (None, Some(lon), Some(lat)) => CsvGeometry::LonLat(lon?, lat?),
            (None, None, None) => {
                if let Some(wkt) = find_column(headers, &["wkt", "geometry", "geom", "the_geom"]) {
                    CsvGeometry::Wkt(wkt)
                } else if let (Some(lon), Some(lat)) = (
                    find_column(headers, &["lon", "lng", "long", "longitude", "x"]),
                    find_column(headers, &["lat", "latitude", "y"]),
                ) {
                    CsvGeometry::LonLat(lon, lat)
                } else {
                    return Err(read_error(
                        path,
                        "no geometry column: name one with --wkt-column, or --lon-column and --lat-column",
                    ));
                }
            }
            _ => {
                return Err(read_error(
                    path,
                    "--lon-column and --lat-column go together",
                ));
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_typed_and_codes_keep_their_leading_zeros() {
        assert_eq!(cell("42"), Value::Int(42));
        assert_eq!(cell("-3.5"), Value::Float(-3.5));
        assert_eq!(cell("01004"), Value::Text("01004".into()));
        assert_eq!(cell("TRUE"), Value::Bool(true));
        assert_eq!(cell(" "), Value::Null);
        assert_eq!(cell("Brest"), Value::Text("Brest".into()));
        assert_eq!(cell("NaN"), Value::Text("NaN".into()));
    }
}
