//! The stations file: one station a row, `id`, `name`, `lon`, `lat` (a few usual spellings
//! accepted, any case), every other column kept as an attribute (numbers as numbers, empty
//! cells left out). It is small and read whole; a bad row here fails the import, naming the
//! line: a station without a place cannot be shown.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Number, Value};

use super::ImportError;
use super::reader::{header_names, sniff_delimiter};
use crate::chronicles::store::StationRow;

const ID: &[&str] = &["id", "station", "station_id", "code", "identifier"];
const NAME: &[&str] = &["name", "nom", "label", "title"];
const LON: &[&str] = &["lon", "longitude", "lng", "long", "x"];
const LAT: &[&str] = &["lat", "latitude", "y"];

/// The stations of `path`, in file order.
pub(super) fn read(path: &Path, delimiter: Option<u8>) -> Result<Vec<StationRow>, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        file: path.to_owned(),
        source,
    })?;
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(&bytes));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let file_error = |message: String| ImportError::File {
        file: path.to_owned(),
        message,
    };
    let headers = header_names(&mut csv).map_err(file_error)?;
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_lowercase().as_str()))
    };
    let missing = |what: &str| ImportError::MissingColumn {
        file: path.to_owned(),
        column: what.to_owned(),
        available: headers.join(", "),
    };
    let id = find(ID).ok_or_else(|| missing("id"))?;
    let lon = find(LON).ok_or_else(|| missing("lon"))?;
    let lat = find(LAT).ok_or_else(|| missing("lat"))?;
    let columns = Columns {
        id,
        name: find(NAME),
        lon,
        lat,
    };
    let mut stations = Vec::new();
    let mut seen = HashSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ImportError::Line {
                    file: path.to_owned(),
                    line: e.position().map_or(0, csv::Position::line),
                    message: e.to_string(),
                });
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        let station =
            station(&headers, &columns, &record).map_err(|message| ImportError::Line {
                file: path.to_owned(),
                line,
                message,
            })?;
        if !seen.insert(station.id.clone()) {
            return Err(ImportError::Line {
                file: path.to_owned(),
                line,
                message: format!("station `{}` is listed twice", station.id),
            });
        }
        stations.push(station);
    }
    Ok(stations)
}

/// Where the station's fields are.
struct Columns {
    id: usize,
    name: Option<usize>,
    lon: usize,
    lat: usize,
}

/// One row of the stations file, or why it is unusable.
fn station(
    headers: &[String],
    columns: &Columns,
    record: &csv::StringRecord,
) -> Result<StationRow, String> {
    if record.len() != headers.len() {
        return Err(format!(
            "{} fields where the header has {}",
            record.len(),
            headers.len()
        ));
    }
    let cell = |i: usize| record.get(i).unwrap_or("").trim();
    let id = cell(columns.id);
    if id.is_empty() {
        return Err("the station id is empty".to_owned());
    }
    let coordinate = |i: usize, range: f64| {
        parse_number(cell(i))
            .filter(|v| v.abs() <= range)
            .ok_or_else(|| {
                format!(
                    "{} `{}` is not a number of degrees within ±{range}",
                    headers[i],
                    cell(i)
                )
            })
    };
    let (lon, lat) = (
        coordinate(columns.lon, 180.0)?,
        coordinate(columns.lat, 90.0)?,
    );
    let mut attributes = Map::new();
    for (i, header) in headers.iter().enumerate() {
        let role = [
            Some(columns.id),
            Some(columns.lon),
            Some(columns.lat),
            columns.name,
        ];
        if !role.contains(&Some(i)) && !cell(i).is_empty() {
            attributes.insert(header.clone(), attribute(cell(i)));
        }
    }
    Ok(StationRow {
        id: id.to_owned(),
        name: columns
            .name
            .map(cell)
            .filter(|n| !n.is_empty())
            .unwrap_or(id)
            .to_owned(),
        lon,
        lat,
        attributes,
    })
}

/// A number written with a decimal point or comma.
fn parse_number(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .or_else(|| text.replacen(',', ".", 1).parse().ok())
        .filter(|v| v.is_finite())
}

/// An attribute's JSON value: integers and decimals as numbers, the rest as text.
fn attribute(text: &str) -> Value {
    if let Ok(n) = text.parse::<i64>() {
        return Value::Number(n.into());
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map_or_else(|| Value::String(text.to_owned()), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stations(text: &str) -> Result<Vec<StationRow>, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stations.csv");
        std::fs::write(&path, text).unwrap();
        read(&path, None)
    }

    #[test]
    fn stations_have_a_place_a_name_and_typed_attributes() {
        let rows = stations(
            "faa_code,Name,Latitude,Longitude,alt,tzone,note\n\
             EWR,Newark Liberty Intl,40.6925,-74.168667,18,America/New_York,\n",
        );
        let err = rows.unwrap_err().to_string();
        assert!(err.contains("no column `id`"), "{err}");
        let rows = stations(
            "station;nom;latitude;longitude;alt;tzone;note\n\
             EWR;Newark Liberty Intl;40,6925;-74,168667;18;America/New_York;\n\
             JFK;;40.639751;-73.778925;13.5;America/New_York;x\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id, "EWR");
        assert_eq!(rows[0].name, "Newark Liberty Intl");
        assert!((rows[0].lat - 40.6925).abs() < 1e-12);
        assert!((rows[0].lon + 74.168_667).abs() < 1e-12);
        assert_eq!(rows[0].attributes["alt"], serde_json::json!(18));
        assert_eq!(
            rows[0].attributes["tzone"],
            serde_json::json!("America/New_York")
        );
        assert!(
            !rows[0].attributes.contains_key("note"),
            "empty cells left out"
        );
        assert_eq!(rows[1].name, "JFK", "the id stands in for a missing name");
        assert_eq!(rows[1].attributes["alt"], serde_json::json!(13.5));
    }

    #[test]
    fn a_station_without_a_place_or_listed_twice_fails_naming_the_line() {
        let err = stations("id,lon,lat\nA,1,2\nB,east,2\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("`east`"), "{err}");
        let err = stations("id,lon,lat\nA,1,2\nA,1,3\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("twice"), "{err}");
        let err = stations("id,lon,lat\nA,1,95\n").unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("±90"), "{err}");
    }
}
