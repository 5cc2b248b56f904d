//! The stations of a chronicle dataset, as its GeoJSON document lists them (`id`, `name`),
//! and a station's identity read back from the attributes a click on the map found.

use serde_json::Value;

/// A station one can chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Station {
    pub id: String,
    pub name: String,
}

/// A property as text (numbers as JSON writes them).
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The stations of a FeatureCollection, sorted by name; features without an `id` are left out
/// (a station without a name is named by its id).
pub fn parse_stations(doc: &Value) -> Vec<Station> {
    let mut stations: Vec<Station> = doc
        .get("features")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| {
            let props = f.get("properties")?;
            let id = props
                .get("id")
                .and_then(text)
                .or_else(|| f.get("id").and_then(text))?;
            let name = props
                .get("name")
                .and_then(text)
                .unwrap_or_else(|| id.clone());
            Some(Station { id, name })
        })
        .collect();
    stations.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    stations
}

/// The station whose attributes (as identify lists them) these are.
pub fn station_of(attributes: &[(String, String)]) -> Option<Station> {
    let get = |key: &str| {
        attributes
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let id = get("id")?;
    let name = get("name").unwrap_or_else(|| id.clone());
    Some(Station { id, name })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stations_are_read_from_the_geojson_and_sorted_by_name() {
        let doc = json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "LGA", "name": "LaGuardia"}, "geometry": null},
            {"type": "Feature", "properties": {"id": "EWR", "name": "Newark"}, "geometry": null},
            {"type": "Feature", "properties": {"id": 7}, "geometry": null},
            {"type": "Feature", "properties": {"name": "no id"}, "geometry": null}
        ]});
        let names: Vec<(String, String)> = parse_stations(&doc)
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        assert_eq!(
            names,
            [
                ("7".to_owned(), "7".to_owned()),
                ("LGA".to_owned(), "LaGuardia".to_owned()),
                ("EWR".to_owned(), "Newark".to_owned())
            ]
        );
        assert!(parse_stations(&json!({"type": "Feature"})).is_empty());
    }

    #[test]
    fn a_clicked_station_is_known_by_its_id_and_name_attributes() {
        let attributes = vec![
            ("id".to_owned(), "JFK".to_owned()),
            ("name".to_owned(), "John F. Kennedy".to_owned()),
            ("start".to_owned(), "1356998400000".to_owned()),
        ];
        assert_eq!(
            station_of(&attributes),
            Some(Station {
                id: "JFK".to_owned(),
                name: "John F. Kennedy".to_owned()
            })
        );
        assert_eq!(station_of(&[("name".to_owned(), "x".to_owned())]), None);
    }
}
