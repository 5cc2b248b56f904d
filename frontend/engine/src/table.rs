//! The attribute table of a WFS layer: GeoJSON pages appended as rows (columns are the
//! property names in the order first met), each row with its feature's extent for zooming;
//! filtering by a substring of any value (case and accents ignored) and sorting by a column
//! (numbers numerically, before text).

use std::cmp::Ordering;

use serde_json::Value;

use crate::catalog::fold;
use crate::geo::{Extent, LonLat};
use crate::identify::json_text;

/// One feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Values by column; a row may be shorter than the columns (missing values are empty).
    pub cells: Vec<String>,
    /// Where the feature is, in Web Mercator (none without geometry).
    pub extent: Option<Extent>,
    /// Folded values, for filtering.
    search: String,
}

impl Row {
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AttributeTable {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl AttributeTable {
    /// Appends the features of a GeoJSON FeatureCollection (coordinates longitude, latitude);
    /// returns how many there were.
    pub fn append_geojson(&mut self, doc: &Value) -> Result<usize, String> {
        let features = doc
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| "not a GeoJSON FeatureCollection".to_owned())?;
        for feature in features {
            let mut cells = Vec::new();
            if let Some(props) = feature.get("properties").and_then(Value::as_object) {
                for (name, value) in props {
                    let column = if let Some(at) = self.columns.iter().position(|c| c == name) {
                        at
                    } else {
                        self.columns.push(name.clone());
                        self.columns.len() - 1
                    };
                    if cells.len() <= column {
                        cells.resize(column + 1, String::new());
                    }
                    cells[column] = json_text(value);
                }
            }
            let search = cells
                .iter()
                .map(|c| fold(c))
                .collect::<Vec<_>>()
                .join("\u{1f}");
            self.rows.push(Row {
                cells,
                extent: feature.get("geometry").and_then(geometry_extent),
                search,
            });
        }
        Ok(features.len())
    }

    /// The rows to show, in order: those with a value containing `filter` (case and accents
    /// ignored), sorted by `sort` = (column, descending) when given (stable: ties keep the
    /// server's order).
    pub fn view(&self, filter: &str, sort: Option<(usize, bool)>) -> Vec<usize> {
        let needle = fold(filter.trim());
        let mut rows: Vec<usize> = (0..self.rows.len())
            .filter(|&i| needle.is_empty() || self.rows[i].search.contains(&needle))
            .collect();
        if let Some((column, descending)) = sort {
            rows.sort_by(|&a, &b| {
                let order = compare_cells(self.rows[a].cell(column), self.rows[b].cell(column));
                if descending { order.reverse() } else { order }
            });
        }
        rows
    }
}

/// Orders two values: numbers numerically and before text, text case- and accent-insensitively
/// (then exactly, so the order is total).
pub fn compare_cells(a: &str, b: &str) -> Ordering {
    let number = |s: &str| s.trim().parse::<f64>().ok().filter(|n| n.is_finite());
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => fold(a).cmp(&fold(b)).then_with(|| a.cmp(b)),
    }
}

/// The Web-Mercator extent of a GeoJSON geometry in WGS 84 (a point's is empty).
pub fn geometry_extent(geometry: &Value) -> Option<Extent> {
    let mut extent: Option<Extent> = None;
    let mut add = |lon: f64, lat: f64| {
        let c = LonLat::new(lon, lat).to_mercator();
        extent = Some(match extent {
            None => Extent {
                min_x: c.x,
                min_y: c.y,
                max_x: c.x,
                max_y: c.y,
            },
            Some(e) => Extent {
                min_x: e.min_x.min(c.x),
                min_y: e.min_y.min(c.y),
                max_x: e.max_x.max(c.x),
                max_y: e.max_y.max(c.y),
            },
        });
    };
    visit_geometry(geometry, &mut add);
    extent
}

/// Calls `f` with every position of a geometry, collections included.
fn visit_geometry(geometry: &Value, f: &mut impl FnMut(f64, f64)) {
    if let Some(parts) = geometry.get("geometries").and_then(Value::as_array) {
        for part in parts {
            visit_geometry(part, f);
        }
    } else if let Some(coords) = geometry.get("coordinates") {
        visit_positions(coords, f);
    }
}

/// Calls `f` with every position of a coordinates array, however deeply nested.
fn visit_positions(coords: &Value, f: &mut impl FnMut(f64, f64)) {
    let Some(items) = coords.as_array() else {
        return;
    };
    match (
        items.first().and_then(Value::as_f64),
        items.get(1).and_then(Value::as_f64),
    ) {
        (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => f(lon, lat),
        _ => {
            for item in items {
                visit_positions(item, f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn page() -> Value {
        json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": "29019", "nom": "Brest", "population": 140_064},
             "geometry": {"type": "Polygon", "coordinates": [[[-4.57, 48.36], [-4.42, 48.36], [-4.42, 48.46], [-4.57, 48.36]]]}},
            {"type": "Feature", "properties": {"code": "29232", "nom": "Quimper", "population": 63_283},
             "geometry": {"type": "Point", "coordinates": [-4.1, 47.99]}},
            {"type": "Feature", "properties": {"code": "56260", "nom": "Vannes", "population": 9_999, "note": "<b>x</b>"},
             "geometry": null},
            {"type": "Feature", "properties": {"code": "22278", "nom": "Saint-Brieuc", "population": null},
             "geometry": {"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [-2.76, 48.51]}, {"type": "Point", "coordinates": [-2.70, 48.55]}]}}
        ]})
    }

    fn names(t: &AttributeTable, rows: &[usize]) -> Vec<String> {
        rows.iter().map(|&r| t.rows[r].cell(1).to_owned()).collect()
    }

    #[test]
    fn pages_append_rows_and_columns_in_the_order_met() {
        let mut t = AttributeTable::default();
        assert_eq!(t.append_geojson(&page()), Ok(4));
        assert_eq!(t.columns, ["code", "nom", "population", "note"]);
        assert_eq!(t.rows[0].cells, ["29019", "Brest", "140064"]);
        assert_eq!(t.rows[0].cell(3), "", "missing values are empty");
        assert_eq!(t.rows[2].cell(3), "<b>x</b>", "kept as text");
        assert_eq!(t.rows[3].cell(2), "", "null is empty");
        assert_eq!(t.append_geojson(&page()), Ok(4));
        assert_eq!(t.rows.len(), 8);
        assert!(t.append_geojson(&json!({"code": "x"})).is_err());
    }

    #[test]
    fn the_filter_looks_for_a_substring_of_any_value() {
        let mut t = AttributeTable::default();
        t.append_geojson(&page()).unwrap();
        assert_eq!(names(&t, &t.view("Brest", None)), ["Brest"]);
        assert_eq!(names(&t, &t.view("BRI", None)), ["Saint-Brieuc"]);
        assert_eq!(names(&t, &t.view("2923", None)), ["Quimper"]);
        assert_eq!(t.view("", None).len(), 4);
        assert_eq!(t.view("  ", None).len(), 4);
        assert!(t.view("zzz", None).is_empty());
    }

    #[test]
    fn sorting_puts_numbers_in_numeric_order_and_can_reverse() {
        let mut t = AttributeTable::default();
        t.append_geojson(&page()).unwrap();
        // population: 9999 < 63283 < 140064 numerically (not "140064" < "63283" < "9999"), empty last.
        assert_eq!(
            names(&t, &t.view("", Some((2, false)))),
            ["Vannes", "Quimper", "Brest", "Saint-Brieuc"]
        );
        assert_eq!(
            names(&t, &t.view("", Some((2, true)))),
            ["Saint-Brieuc", "Brest", "Quimper", "Vannes"]
        );
        assert_eq!(
            names(&t, &t.view("", Some((1, false)))),
            ["Brest", "Quimper", "Saint-Brieuc", "Vannes"]
        );
        assert_eq!(compare_cells("2", "10"), Ordering::Less);
        assert_eq!(compare_cells("-1.5", "abc"), Ordering::Less);
        assert_eq!(compare_cells("éa", "eb"), Ordering::Less);
        assert_eq!(compare_cells("NaN", "1"), Ordering::Greater, "NaN is text");
    }

    #[test]
    fn rows_know_their_features_extent() {
        let mut t = AttributeTable::default();
        t.append_geojson(&page()).unwrap();
        let brest = t.rows[0].extent.unwrap();
        let expected = Extent::from_lonlat_bounds([-4.57, 48.36, -4.42, 48.46]);
        assert!((brest.min_x - expected.min_x).abs() < 1e-6);
        assert!((brest.max_y - expected.max_y).abs() < 1e-6);
        let quimper = t.rows[1].extent.unwrap();
        assert_eq!(quimper.width(), 0.0);
        assert_eq!(t.rows[2].extent, None);
        let brieuc = t.rows[3].extent.unwrap();
        let expected = Extent::from_lonlat_bounds([-2.76, 48.51, -2.70, 48.55]);
        assert!((brieuc.min_x - expected.min_x).abs() < 1e-3);
        assert!((brieuc.max_y - expected.max_y).abs() < 1e-3);
    }
}
