//! Saved-map request bodies read from JSON values field by field: every wrong field is named
//! (`state.layers[2].opacity`), numbers must be finite and in range, strings short, lists
//! bounded, unknown fields refused. What passes is a typed [`MapBody`] / [`MapState`].

use kartenn_common::FieldError;
use kartenn_common::maps::{MapBody, MapCompare, MapLayer, MapState, MapTime, MapView, Visibility};
use serde_json::{Map, Value};

use crate::admin::field_error;

/// Largest request body.
pub const MAX_BODY: usize = 64 * 1024;
/// Most layers in a saved map.
pub const MAX_LAYERS: usize = 500;
/// Longest title or folder name, description, layer id or style, time text (characters).
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_ID: usize = 256;
const MAX_TIME: usize = 64;
/// Highest basemap index.
const MAX_BASEMAP: u64 = 1000;

/// Collects field errors under a path prefix.
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(field_error(field, message));
    }

    fn unknown(&mut self, prefix: &str, object: &Map<String, Value>, allowed: &[&str]) {
        for key in object.keys().filter(|k| !allowed.contains(&k.as_str())) {
            self.push(
                &join(prefix, key),
                format!("unknown field (expected {})", allowed.join(", ")),
            );
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A required or optional string of at most `max` characters (non-empty unless `null`).
fn text(errors: &mut Errors, field: &str, value: Option<&Value>, max: usize) -> Option<String> {
    match value {
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.push(field, "must not be empty");
            None
        }
        Some(Value::String(s)) if s.chars().count() > max => {
            errors.push(field, format!("is too long ({max} characters at most)"));
            None
        }
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        _ => None,
    }
}

fn required_text(errors: &mut Errors, field: &str, value: Option<&Value>, max: usize) -> String {
    match value {
        None | Some(Value::Null) => {
            errors.push(field, "required");
            String::new()
        }
        Some(Value::String(_)) => text(errors, field, value, max).unwrap_or_default(),
        Some(_) => {
            errors.push(field, "must be a string");
            String::new()
        }
    }
}

fn optional_text(
    errors: &mut Errors,
    field: &str,
    value: Option<&Value>,
    max: usize,
) -> Option<String> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(_)) => text(errors, field, value, max),
        Some(_) => {
            errors.push(field, "must be a string or null");
            None
        }
    }
}

/// A finite number within `range`.
fn number(
    errors: &mut Errors,
    field: &str,
    value: Option<&Value>,
    range: std::ops::RangeInclusive<f64>,
) -> f64 {
    match value.and_then(Value::as_f64) {
        Some(n) if n.is_finite() && range.contains(&n) => n,
        Some(_) => {
            errors.push(
                field,
                format!("must be between {} and {}", range.start(), range.end()),
            );
            0.0
        }
        None => {
            errors.push(field, "must be a number");
            0.0
        }
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a date and time (`T` or space) with seconds optional,
/// fractions optional, and `Z`, an offset or nothing.
pub fn is_iso_instant(text: &str) -> bool {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = text.trim();
    if text.len() > MAX_TIME || text.is_empty() {
        return false;
    }
    if text.contains(['T', ' ']) {
        let normal = text.replacen(' ', "T", 1);
        if DateTime::parse_from_rfc3339(&normal).is_ok() {
            return true;
        }
        let naive = normal.strip_suffix('Z').unwrap_or(&normal);
        return ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
            .iter()
            .any(|f| NaiveDateTime::parse_from_str(naive, f).is_ok());
    }
    match text.len() {
        4 => text.bytes().all(|b| b.is_ascii_digit()),
        7 => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").is_ok(),
        10 => NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

/// An instant, or `start/end`.
fn is_iso_time(text: &str) -> bool {
    match text.split_once('/') {
        Some((a, b)) => is_iso_instant(a) && is_iso_instant(b),
        None => is_iso_instant(text),
    }
}

fn object<'a>(
    errors: &mut Errors,
    field: &str,
    value: &'a Value,
) -> Option<&'a Map<String, Value>> {
    let o = value.as_object();
    if o.is_none() {
        errors.push(field, "must be an object");
    }
    o
}

fn view(errors: &mut Errors, value: Option<&Value>) -> MapView {
    let Some(o) = value.and_then(|v| object(errors, "state.view", v)) else {
        if value.is_none() {
            errors.push("state.view", "required");
        }
        return MapView {
            zoom: 0.0,
            lat: 0.0,
            lon: 0.0,
        };
    };
    errors.unknown("state.view", o, &["zoom", "lat", "lon"]);
    MapView {
        zoom: number(errors, "state.view.zoom", o.get("zoom"), 0.0..=30.0),
        lat: number(errors, "state.view.lat", o.get("lat"), -90.0..=90.0),
        lon: number(errors, "state.view.lon", o.get("lon"), -180.0..=180.0),
    }
}

fn layer(errors: &mut Errors, i: usize, value: &Value) -> Option<MapLayer> {
    let prefix = format!("state.layers[{i}]");
    let o = object(errors, &prefix, value)?;
    errors.unknown(&prefix, o, &["id", "visible", "opacity", "style", "time"]);
    let id = required_text(errors, &format!("{prefix}.id"), o.get("id"), MAX_ID);
    let visible = match o.get("visible") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push(&format!("{prefix}.visible"), "must be true or false");
            true
        }
    };
    let opacity = match o.get("opacity") {
        None => 1.0,
        v => number(errors, &format!("{prefix}.opacity"), v, 0.0..=1.0),
    };
    let style = optional_text(errors, &format!("{prefix}.style"), o.get("style"), MAX_ID);
    let time = optional_text(
        errors,
        &format!("{prefix}.time"),
        o.get("time"),
        2 * MAX_TIME,
    );
    if time.as_deref().is_some_and(|t| !is_iso_time(t)) {
        errors.push(
            &format!("{prefix}.time"),
            "must be an ISO 8601 instant or start/end",
        );
    }
    Some(MapLayer {
        id,
        visible,
        opacity,
        style,
        time,
    })
}

fn layers(errors: &mut Errors, value: Option<&Value>) -> Vec<MapLayer> {
    let Some(list) = value.and_then(Value::as_array) else {
        errors.push("state.layers", "must be a list of layers (bottom first)");
        return Vec::new();
    };
    if list.len() > MAX_LAYERS {
        errors.push("state.layers", format!("at most {MAX_LAYERS} layers"));
        return Vec::new();
    }
    let mut out: Vec<MapLayer> = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        if let Some(l) = layer(errors, i, v) {
            if !l.id.is_empty() && out.iter().any(|o| o.id == l.id) {
                errors.push(&format!("state.layers[{i}].id"), "appears twice");
            }
            out.push(l);
        }
    }
    out
}

fn instant(errors: &mut Errors, field: &str, value: Option<&Value>) -> String {
    let t = required_text(errors, field, value, MAX_TIME);
    if !t.is_empty() && !is_iso_instant(&t) {
        errors.push(
            field,
            "must be an ISO 8601 instant, like 2024-06-01T06:00:00Z",
        );
    }
    t
}

fn time(errors: &mut Errors, value: Option<&Value>) -> Option<MapTime> {
    let o = match value {
        None | Some(Value::Null) => return None,
        Some(v) => object(errors, "state.time", v)?,
    };
    if o.contains_key("at") {
        errors.unknown("state.time", o, &["at"]);
        Some(MapTime::Instant {
            at: instant(errors, "state.time.at", o.get("at")),
        })
    } else {
        errors.unknown("state.time", o, &["start", "end"]);
        Some(MapTime::Period {
            start: instant(errors, "state.time.start", o.get("start")),
            end: instant(errors, "state.time.end", o.get("end")),
        })
    }
}

fn compare(errors: &mut Errors, value: Option<&Value>) -> Option<MapCompare> {
    let o = match value {
        None | Some(Value::Null) => return None,
        Some(v) => object(errors, "state.compare", v)?,
    };
    errors.unknown("state.compare", o, &["layer", "time", "divider"]);
    Some(MapCompare {
        layer: required_text(errors, "state.compare.layer", o.get("layer"), MAX_ID),
        time: instant(errors, "state.compare.time", o.get("time")),
        divider: match o.get("divider") {
            None => 0.5,
            v => number(errors, "state.compare.divider", v, 0.0..=1.0),
        },
    })
}

fn state(errors: &mut Errors, value: Option<&Value>) -> Option<MapState> {
    let Some(value) = value else {
        errors.push("state", "required");
        return None;
    };
    let o = object(errors, "state", value)?;
    errors.unknown(
        "state",
        o,
        &["view", "layers", "basemap", "time", "compare"],
    );
    let basemap = match o.get("basemap") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let index = v
                .as_u64()
                .filter(|n| *n <= MAX_BASEMAP)
                .and_then(|n| u32::try_from(n).ok());
            if index.is_none() {
                errors.push(
                    "state.basemap",
                    "must be a basemap index (0 to 1000) or null",
                );
            }
            index
        }
    };
    Some(MapState {
        view: view(errors, o.get("view")),
        layers: layers(errors, o.get("layers")),
        basemap,
        time: time(errors, o.get("time")),
        compare: compare(errors, o.get("compare")),
    })
}

/// A folder id, `null`, or absent.
pub fn folder_id(errors: &mut Vec<FieldError>, field: &str, value: Option<&Value>) -> Option<i64> {
    match value {
        None | Some(Value::Null) => None,
        Some(v) => {
            let id = v.as_i64();
            if id.is_none() {
                errors.push(field_error(field, "must be a folder id or null"));
            }
            id
        }
    }
}

/// The JSON object of a request body; the field errors when it is not one or too large.
pub fn body_object(bytes: &[u8]) -> Result<Map<String, Value>, Vec<FieldError>> {
    if bytes.len() > MAX_BODY {
        return Err(vec![field_error("body", "is larger than 64 KiB")]);
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(vec![field_error("body", "must be a JSON object")]),
        Err(e) => Err(vec![field_error("body", format!("is not JSON: {e}"))]),
    }
}

/// `{title, description?, visibility, folder?, state}`.
pub fn map_body(object: &Map<String, Value>) -> Result<MapBody, Vec<FieldError>> {
    let mut errors = Errors(Vec::new());
    errors.unknown(
        "",
        object,
        &["title", "description", "visibility", "folder", "state"],
    );
    let title = required_text(&mut errors, "title", object.get("title"), MAX_TITLE);
    let description = optional_text(
        &mut errors,
        "description",
        object.get("description"),
        MAX_DESCRIPTION,
    );
    let visibility = match object.get("visibility").and_then(Value::as_str) {
        Some(v) => Visibility::parse(v),
        None => None,
    };
    if visibility.is_none() {
        errors.push("visibility", "must be \"public\" or \"private\"");
    }
    let folder = folder_id(&mut errors.0, "folder", object.get("folder"));
    let state = state(&mut errors, object.get("state"));
    match (state, visibility) {
        (Some(state), Some(visibility)) if errors.0.is_empty() => Ok(MapBody {
            title,
            description,
            visibility,
            folder,
            state,
        }),
        _ => Err(errors.0),
    }
}

/// `{name}`: a folder's name.
pub fn folder_name(object: &Map<String, Value>) -> Result<String, Vec<FieldError>> {
    let mut errors = Errors(Vec::new());
    errors.unknown("", object, &["name"]);
    let name = required_text(&mut errors, "name", object.get("name"), MAX_TITLE);
    if errors.0.is_empty() {
        Ok(name)
    } else {
        Err(errors.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(result: Result<MapBody, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|f| f.field).collect()
    }

    fn good() -> Value {
        json!({
            "title": " Tides ",
            "visibility": "public",
            "state": {
                "view": {"zoom": 9, "lat": 48.3, "lon": -4.3},
                "layers": [
                    {"id": "a", "visible": true, "opacity": 0.4, "style": "s", "time": "2024-06-01/2024-06-02"},
                    {"id": "b", "visible": false, "opacity": 1}
                ],
                "basemap": 0,
                "time": {"at": "2024-06-01T06:00:00Z"},
                "compare": {"layer": "a", "time": "2024-06-02", "divider": 0.3}
            }
        })
    }

    #[test]
    fn a_complete_map_body_reads_into_its_typed_form() {
        let body = map_body(good().as_object().unwrap()).unwrap();
        assert_eq!(body.title, "Tides");
        assert_eq!(body.visibility, Visibility::Public);
        assert_eq!(body.state.layers.len(), 2);
        assert_eq!(body.state.layers[0].opacity, 0.4);
        assert!(!body.state.layers[1].visible);
        assert_eq!(body.state.basemap, Some(0));
        assert_eq!(
            body.state.time,
            Some(MapTime::Instant {
                at: "2024-06-01T06:00:00Z".into()
            })
        );
    }

    #[test]
    fn each_wrong_field_of_the_state_is_named_with_its_path() {
        let mut v = good();
        v["title"] = json!("");
        v["visibility"] = json!("secret");
        v["colour"] = json!(1);
        v["state"]["view"] = json!({"zoom": 40, "lat": 91, "lon": "x"});
        v["state"]["layers"][0]["opacity"] = json!(1.5);
        v["state"]["layers"][1]["id"] = json!("a");
        v["state"]["layers"][1]["time"] = json!("yesterday");
        v["state"]["basemap"] = json!(-1);
        v["state"]["time"] = json!({"start": "2024-13-01"});
        v["state"]["compare"]["divider"] = json!(2);
        let named = names(map_body(v.as_object().unwrap()));
        for f in [
            "colour",
            "title",
            "visibility",
            "state.view.zoom",
            "state.view.lat",
            "state.view.lon",
            "state.layers[0].opacity",
            "state.layers[1].id",
            "state.layers[1].time",
            "state.basemap",
            "state.time.start",
            "state.time.end",
            "state.compare.divider",
        ] {
            assert!(named.iter().any(|n| n == f), "{f} not in {named:?}");
        }
    }

    #[test]
    fn too_many_layers_and_too_long_strings_are_refused() {
        let mut v = good();
        let many: Vec<Value> = (0..=MAX_LAYERS)
            .map(|i| json!({"id": format!("l{i}"), "visible": true, "opacity": 1}))
            .collect();
        v["state"]["layers"] = Value::Array(many);
        v["description"] = json!("x".repeat(MAX_DESCRIPTION + 1));
        assert_eq!(
            names(map_body(v.as_object().unwrap())),
            ["description", "state.layers"]
        );
        let big = vec![b' '; MAX_BODY + 1];
        assert_eq!(body_object(&big).unwrap_err()[0].field, "body");
    }

    #[test]
    fn iso_instants_of_every_precision_pass_and_others_do_not() {
        for ok in [
            "2024",
            "2024-06",
            "2024-06-01",
            "2024-06-01T06:00",
            "2024-06-01T06:00:00Z",
            "2024-06-01T06:00:00.250+02:00",
            "2024-06-01 06:00:00",
        ] {
            assert!(is_iso_instant(ok), "{ok}");
        }
        for bad in [
            "",
            "24",
            "2024-02-30",
            "2024-06-01T25:00",
            "now",
            "2024-06-01Tx",
        ] {
            assert!(!is_iso_instant(bad), "{bad}");
        }
        assert!(is_iso_time("2024-01-01/2024-02-01"));
        assert!(!is_iso_time("2024-01-01/"));
    }

    #[test]
    fn a_folder_name_is_required_and_bounded() {
        assert_eq!(
            folder_name(json!({"name": " Work "}).as_object().unwrap()).unwrap(),
            "Work"
        );
        let err = folder_name(json!({"name": 3, "x": 1}).as_object().unwrap()).unwrap_err();
        let named: Vec<&str> = err.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["x", "name"]);
    }
}
