//! The map's time applied to a chronicle's stations (GeoJSON points whose `start` and `end`
//! properties are the first and last sample times, in Unix ms): a station is **active** when
//! its data span meets the chosen window — the chosen range, or the chosen instant up to the
//! next instant of the timeline. Stations without samples (no `start`/`end`) are inactive.
//! The viewer draws active stations as styled and the others dimmed.

use crate::mvt::{Feature, Layer, Value};
use crate::style::number;

use super::parse_instant;

/// A time property as Unix ms: a number, or an ISO 8601 string.
fn millis(value: &Value) -> Option<f64> {
    match value {
        Value::String(text) => parse_instant(text).map(|i| i.millis as f64),
        other => number(other).filter(|v| v.is_finite()),
    }
}

/// A station's `start` and `end` (Unix ms), when it has both.
pub fn span(layer: &Layer, feature: &Feature) -> Option<(f64, f64)> {
    let (mut start, mut end) = (None, None);
    for (key, value) in layer.properties(feature) {
        match key {
            "start" => start = millis(value),
            "end" => end = millis(value),
            _ => {}
        }
    }
    let (start, end) = (start?, end?);
    Some((start.min(end), start.max(end)))
}

/// Whether the station has data in `window` (Unix ms, both ends included).
pub fn active(layer: &Layer, feature: &Feature, window: (f64, f64)) -> bool {
    span(layer, feature).is_some_and(|(start, end)| start <= window.1 && end >= window.0)
}

/// The earliest `start` and the latest `end` of the stations (the chronicle's time span).
pub fn extent(layer: &Layer) -> Option<(f64, f64)> {
    layer
        .features
        .iter()
        .filter_map(|f| span(layer, f))
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
}

/// The stations split in two layers: active in `window`, and the others.
pub fn split(layer: &Layer, window: (f64, f64)) -> (Layer, Layer) {
    let empty = || Layer {
        name: layer.name.clone(),
        extent: layer.extent,
        keys: layer.keys.clone(),
        values: layer.values.clone(),
        features: Vec::new(),
    };
    let (mut on, mut off) = (empty(), empty());
    for feature in &layer.features {
        if active(layer, feature, window) {
            on.features.push(feature.clone());
        } else {
            off.features.push(feature.clone());
        }
    }
    (on, off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geojson::to_layer;

    fn stations() -> Layer {
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "a", "start": 1000, "end": 5000},
             "geometry": {"type": "Point", "coordinates": [-4.5, 48.4]}},
            {"type": "Feature", "properties": {"id": "b", "start": 6000.5, "end": 9000},
             "geometry": {"type": "Point", "coordinates": [-4.4, 48.4]}},
            {"type": "Feature", "properties": {"id": "empty"},
             "geometry": {"type": "Point", "coordinates": [-4.3, 48.4]}},
            {"type": "Feature", "properties": {"id": "iso", "start": "1970-01-01T00:00:02Z", "end": "1970-01-01T00:00:03Z"},
             "geometry": {"type": "Point", "coordinates": [-4.2, 48.4]}}
        ]});
        to_layer(&doc, "stations").unwrap()
    }

    fn ids(layer: &Layer) -> Vec<String> {
        layer
            .features
            .iter()
            .filter_map(|f| {
                layer
                    .properties(f)
                    .find(|(k, _)| *k == "id")
                    .map(|(_, v)| v.to_string())
            })
            .collect()
    }

    #[test]
    fn a_station_is_active_when_its_data_meets_the_window() {
        let layer = stations();
        let (on, off) = split(&layer, (4000.0, 4999.0));
        assert_eq!(ids(&on), ["a"]);
        assert_eq!(ids(&off), ["b", "empty", "iso"]);
        let (on, _) = split(&layer, (5000.0, 6000.5));
        assert_eq!(ids(&on), ["a", "b"], "both ends count");
        let (on, _) = split(&layer, (2500.0, 2500.0));
        assert_eq!(ids(&on), ["a", "iso"], "ISO 8601 strings are read too");
        let (on, off) = split(&layer, (10_000.0, 20_000.0));
        assert!(on.features.is_empty());
        assert_eq!(off.features.len(), 4);
    }

    #[test]
    fn the_extent_runs_from_the_first_start_to_the_last_end() {
        assert_eq!(extent(&stations()), Some((1000.0, 9000.0)));
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "x"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]});
        assert_eq!(extent(&to_layer(&doc, "s").unwrap()), None);
    }
}
