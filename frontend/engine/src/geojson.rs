//! GeoJSON layers (WFS answers, small files): features in WGS 84 projected to Web Mercator and
//! stored as one MVT-like layer covering the whole world with a 2³⁰ extent (3.7 cm per unit),
//! so the same painter, style rules, labels and hit-test serve them as tiles do.

use serde_json::Value as Json;

use crate::geo::{HALF_WORLD, LonLat};
use crate::mvt::{Feature, GeomKind, Layer, Value};

/// Units across the world of a GeoJSON layer.
pub const WORLD_EXTENT: u32 = 1 << 30;

/// World units of a WGS 84 position (x east, y south, as tiles).
pub fn world_units(lon: f64, lat: f64) -> [i32; 2] {
    let c = LonLat::new(lon, lat).to_mercator();
    let e = f64::from(WORLD_EXTENT);
    let x = (c.x + HALF_WORLD) / (2.0 * HALF_WORLD) * e;
    let y = (HALF_WORLD - c.y) / (2.0 * HALF_WORLD) * e;
    [
        x.round().clamp(0.0, e - 1.0) as i32,
        y.round().clamp(0.0, e - 1.0) as i32,
    ]
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoJsonError(pub String);

impl std::fmt::Display for GeoJsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid GeoJSON: {}", self.0)
    }
}

/// Reads a FeatureCollection, a Feature or a bare geometry into a layer. Unsupported or broken
/// geometries are skipped; a document that is not GeoJSON at all is an error.
pub fn to_layer(doc: &Json, name: &str) -> Result<Layer, GeoJsonError> {
    let features: Vec<&Json> = match doc.get("type").and_then(Json::as_str) {
        Some("FeatureCollection") => doc
            .get("features")
            .and_then(Json::as_array)
            .ok_or_else(|| GeoJsonError("a FeatureCollection without `features`".into()))?
            .iter()
            .collect(),
        // A Feature or a bare geometry.
        Some(_) => vec![doc],
        None => return Err(GeoJsonError("no `type` member".into())),
    };
    let mut layer = Layer {
        name: name.to_owned(),
        extent: WORLD_EXTENT,
        keys: Vec::new(),
        values: Vec::new(),
        features: Vec::new(),
    };
    for (i, f) in features.into_iter().enumerate() {
        let (geometry, properties) = if f.get("type").and_then(Json::as_str) == Some("Feature") {
            (
                f.get("geometry"),
                f.get("properties").and_then(Json::as_object),
            )
        } else {
            (Some(f), None)
        };
        let Some((kind, paths)) = geometry.and_then(paths) else {
            continue;
        };
        let mut tags = Vec::new();
        for (k, v) in properties.into_iter().flatten() {
            let value = match v {
                Json::Null => continue,
                Json::Bool(b) => Value::Bool(*b),
                Json::Number(n) => n
                    .as_i64()
                    .map_or_else(|| Value::Double(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
                Json::String(s) => Value::String(s.clone()),
                other => Value::String(other.to_string()),
            };
            let key = intern(&mut layer.keys, k);
            layer.values.push(value);
            tags.extend([key, (layer.values.len() - 1) as u32]);
        }
        let id = f.get("id").and_then(Json::as_u64).or(Some(i as u64));
        layer.features.push(Feature {
            id,
            kind,
            tags,
            geometry: paths,
        });
    }
    Ok(layer)
}

fn intern(keys: &mut Vec<String>, key: &str) -> u32 {
    if let Some(i) = keys.iter().position(|k| k == key) {
        return i as u32;
    }
    keys.push(key.to_owned());
    (keys.len() - 1) as u32
}

fn position(p: &Json) -> Option<[i32; 2]> {
    let a = p.as_array()?;
    let (lon, lat) = (a.first()?.as_f64()?, a.get(1)?.as_f64()?);
    (lon.is_finite() && lat.is_finite()).then(|| world_units(lon, lat))
}

fn line(coords: &Json) -> Option<Vec<[i32; 2]>> {
    coords.as_array()?.iter().map(position).collect()
}

fn twice_area(ring: &[[i32; 2]]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i128::from(a[0]) * i128::from(b[1]) - i128::from(b[0]) * i128::from(a[1])
        })
        .sum()
}

/// Rings of a polygon, exterior first: positive area (clockwise on screen), holes negative.
fn polygon(coords: &Json, out: &mut Vec<Vec<[i32; 2]>>) -> Option<()> {
    for (i, ring) in coords.as_array()?.iter().enumerate() {
        let mut ring = line(ring)?;
        if ring.len() > 1 && ring.first() == ring.last() {
            ring.pop();
        }
        if ring.len() < 3 {
            continue;
        }
        let area = twice_area(&ring);
        if (area > 0) != (i == 0) {
            ring.reverse();
        }
        out.push(ring);
    }
    Some(())
}

fn paths(geometry: &Json) -> Option<(GeomKind, Vec<Vec<[i32; 2]>>)> {
    let coords = geometry.get("coordinates")?;
    let mut out = Vec::new();
    let kind = match geometry.get("type")?.as_str()? {
        "Point" => {
            out.push(vec![position(coords)?]);
            GeomKind::Point
        }
        "MultiPoint" => {
            out.extend(
                coords
                    .as_array()?
                    .iter()
                    .filter_map(position)
                    .map(|p| vec![p]),
            );
            GeomKind::Point
        }
        "LineString" => {
            out.push(line(coords)?);
            GeomKind::LineString
        }
        "MultiLineString" => {
            out.extend(coords.as_array()?.iter().filter_map(line));
            GeomKind::LineString
        }
        "Polygon" => {
            polygon(coords, &mut out)?;
            GeomKind::Polygon
        }
        "MultiPolygon" => {
            for p in coords.as_array()? {
                polygon(p, &mut out)?;
            }
            GeomKind::Polygon
        }
        _ => return None,
    };
    (!out.is_empty()).then_some((kind, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hit::HitIndex;

    fn doc() -> Json {
        serde_json::json!({
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": 7, "properties": {"name": "Brest", "depth": 12.5, "ok": true},
                 "geometry": {"type": "Point", "coordinates": [-4.49, 48.39]}},
                {"type": "Feature", "properties": {"name": "Rade"},
                 "geometry": {"type": "Polygon", "coordinates": [[[-4.6, 48.3], [-4.6, 48.4], [-4.4, 48.4], [-4.4, 48.3], [-4.6, 48.3]]]}},
                {"type": "Feature", "properties": {"name": "broken"}, "geometry": {"type": "Point", "coordinates": ["x"]}}
            ]
        })
    }

    #[test]
    fn features_keep_ids_attributes_and_kinds_and_broken_ones_are_skipped() {
        let layer = to_layer(&doc(), "stations").unwrap();
        assert_eq!(layer.features.len(), 2);
        let brest = &layer.features[0];
        assert_eq!((brest.id, brest.kind), (Some(7), GeomKind::Point));
        let props: Vec<_> = layer
            .properties(brest)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        assert_eq!(props, ["name=Brest", "depth=12.5", "ok=true"]);
    }

    #[test]
    fn polygons_are_oriented_like_tiles_whatever_the_input_winding() {
        let layer = to_layer(&doc(), "l").unwrap();
        let ring = &layer.features[1].geometry[0];
        assert!(
            twice_area(ring) > 0,
            "clockwise on screen although given clockwise in lon/lat"
        );
    }

    #[test]
    fn the_world_layer_is_hit_tested_like_a_tile() {
        let layer = to_layer(&doc(), "l").unwrap();
        let index = HitIndex::new(&layer);
        let p = world_units(-4.5, 48.35);
        let hits = index.hits(&layer, [f64::from(p[0]), f64::from(p[1])], 10.0);
        assert_eq!(hits.len(), 1);
        assert_eq!(layer.features[hits[0].0].kind, GeomKind::Polygon);
    }

    #[test]
    fn a_point_is_found_where_the_view_draws_it() {
        use crate::geo::HALF_WORLD;
        use crate::view::{Constraints, View};
        let doc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": "Station"}, "geometry": {"type": "Point", "coordinates": [-5.0, 47.5]}}]});
        let layer = to_layer(&doc, "s").unwrap();
        let mut view = View::new(
            LonLat::new(-3.0, 48.2).to_mercator(),
            7.5,
            Constraints::default(),
        );
        view.set_size(1200.0, 657.0);
        let at = view.coord_to_pixel(LonLat::new(-5.0, 47.5).to_mercator());
        let coord = view.pixel_to_coord(at);
        let e = f64::from(WORLD_EXTENT);
        let point = [
            (coord.x + HALF_WORLD) / (2.0 * HALF_WORLD) * e,
            (HALF_WORLD - coord.y) / (2.0 * HALF_WORLD) * e,
        ];
        let tolerance = 4.0 * e * view.resolution() / (2.0 * HALF_WORLD);
        let index = HitIndex::new(&layer);
        assert_eq!(
            index.hits(&layer, point, tolerance).len(),
            1,
            "{point:?} {:?}",
            layer.features[0].geometry
        );
    }

    #[test]
    fn something_that_is_not_geojson_is_an_error() {
        assert!(to_layer(&serde_json::json!({"foo": 1}), "l").is_err());
        assert!(to_layer(&serde_json::json!({"type": "FeatureCollection"}), "l").is_err());
    }
}
