//! Label placement with collision avoidance: candidates (text, anchor on screen, size,
//! priority) are accepted highest priority first when their box, grown by a margin, overlaps
//! no box already accepted. A coarse grid keeps it linear in practice.

use std::collections::HashMap;

use kartenn_common::LabelStyle;

use crate::hit::inside_rings;
use crate::mvt::{GeomKind, Layer};
use crate::style::number;

/// A feature's label, in its tile's units.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelSource {
    pub id: Option<u64>,
    pub text: String,
    /// Where the label goes, tile units.
    pub anchor: [f64; 2],
    pub priority: f64,
    /// How much of the feature this tile holds (area or length): the copy of a feature split
    /// across tiles with the largest weight carries its label.
    pub weight: f64,
}

/// The labels the features of a tile layer carry.
pub fn label_sources(layer: &Layer, label: &LabelStyle) -> Vec<LabelSource> {
    layer
        .features
        .iter()
        .filter_map(|feature| {
            let mut text = None;
            let mut priority = 0.0;
            for (key, value) in layer.properties(feature) {
                if key == label.field {
                    text = Some(value.to_string());
                }
                if label.priority.as_deref() == Some(key) {
                    priority = number(value).unwrap_or(0.0);
                }
            }
            let text = text.filter(|t| !t.trim().is_empty())?;
            let (anchor, weight) = anchor(feature)?;
            Some(LabelSource {
                id: feature.id,
                text,
                anchor,
                priority,
                weight,
            })
        })
        .collect()
}

fn ring_area(ring: &[[i32; 2]]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            f64::from(a[0]) * f64::from(b[1]) - f64::from(b[0]) * f64::from(a[1])
        })
        .sum::<f64>()
        / 2.0
}

/// A point inside (polygons), on (lines) or at (points) the feature, and its weight.
fn anchor(feature: &crate::mvt::Feature) -> Option<([f64; 2], f64)> {
    let as_f = |p: [i32; 2]| [f64::from(p[0]), f64::from(p[1])];
    match feature.kind {
        GeomKind::Point => feature.geometry.first()?.first().map(|p| (as_f(*p), 1.0)),
        GeomKind::LineString => {
            let line = feature.geometry.iter().max_by_key(|l| l.len())?;
            Some((as_f(*line.get(line.len() / 2)?), line.len() as f64))
        }
        GeomKind::Polygon => {
            let ring = feature
                .geometry
                .iter()
                .filter(|r| ring_area(r) > 0.0)
                .max_by(|a, b| ring_area(a).total_cmp(&ring_area(b)))?;
            let (mut min, mut max) = ([i32::MAX; 2], [i32::MIN; 2]);
            for p in ring {
                min = [min[0].min(p[0]), min[1].min(p[1])];
                max = [max[0].max(p[0]), max[1].max(p[1])];
            }
            let centre = [
                f64::midpoint(f64::from(min[0]), f64::from(max[0])),
                f64::midpoint(f64::from(min[1]), f64::from(max[1])),
            ];
            let inside = if inside_rings(&feature.geometry, centre) {
                centre
            } else {
                // Concave shapes: the middle of the widest horizontal run through the centre.
                widest_run(&feature.geometry, centre[1]).unwrap_or_else(|| as_f(ring[0]))
            };
            Some((inside, ring_area(ring)))
        }
        GeomKind::Unknown => None,
    }
}

/// Middle of the longest inside stretch of the horizontal line at `y`.
fn widest_run(rings: &[Vec<[i32; 2]>], y: f64) -> Option<[f64; 2]> {
    let mut xs: Vec<f64> = Vec::new();
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            let (ya, yb) = (f64::from(a[1]), f64::from(b[1]));
            if (ya > y) != (yb > y) {
                xs.push(f64::from(a[0]) + (y - ya) / (yb - ya) * f64::from(b[0] - a[0]));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2)
        .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
        .map(|pair| [f64::midpoint(pair[0], pair[1]), y])
}

/// A label that could be drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub text: String,
    /// Centre of the label, CSS px.
    pub at: [f64; 2],
    /// Width and height of the text box, CSS px.
    pub size: [f64; 2],
    /// Larger first (population, area...).
    pub priority: f64,
    /// The caller's grouping (which layer, hence which font and colour).
    pub group: usize,
}

/// Free space kept around each label, CSS px.
const MARGIN: f64 = 3.0;
const CELL: f64 = 64.0;

/// The candidates that fit on a `width`×`height` screen without overlapping, in drawing order.
pub fn place(mut candidates: Vec<Candidate>, width: f64, height: f64) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then_with(|| a.text.cmp(&b.text))
    });
    let mut grid: HashMap<(i64, i64), Vec<[f64; 4]>> = HashMap::new();
    let mut placed = Vec::new();
    for c in candidates {
        let half = [c.size[0] / 2.0 + MARGIN, c.size[1] / 2.0 + MARGIN];
        let b = [
            c.at[0] - half[0],
            c.at[1] - half[1],
            c.at[0] + half[0],
            c.at[1] + half[1],
        ];
        // Labels cut by the screen edge are not worth their place.
        if b[0] < 0.0 || b[1] < 0.0 || b[2] > width || b[3] > height {
            continue;
        }
        let cells = |b: &[f64; 4]| {
            let (x0, y0) = ((b[0] / CELL).floor() as i64, (b[1] / CELL).floor() as i64);
            let (x1, y1) = ((b[2] / CELL).floor() as i64, (b[3] / CELL).floor() as i64);
            (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| (x, y)))
        };
        let collides = cells(&b).any(|cell| {
            grid.get(&cell).is_some_and(|boxes| {
                boxes
                    .iter()
                    .any(|o| b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3])
            })
        });
        if collides {
            continue;
        }
        for cell in cells(&b) {
            grid.entry(cell).or_default().push(b);
        }
        placed.push(c);
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str, x: f64, y: f64, priority: f64) -> Candidate {
        Candidate {
            text: text.into(),
            at: [x, y],
            size: [60.0, 14.0],
            priority,
            group: 0,
        }
    }

    #[test]
    fn polygon_labels_sit_inside_even_for_concave_shapes() {
        use crate::mvt::{Feature, Value};
        // A "C" shape whose bounding-box centre lies outside it.
        let c = vec![vec![
            [0, 0],
            [300, 0],
            [300, 100],
            [100, 100],
            [100, 200],
            [300, 200],
            [300, 300],
            [0, 300],
        ]];
        let layer = Layer {
            name: "l".into(),
            extent: 4096,
            keys: vec!["nom".into(), "population".into()],
            values: vec![Value::String("Concave".into()), Value::Uint(42)],
            features: vec![Feature {
                id: Some(7),
                kind: GeomKind::Polygon,
                tags: vec![0, 0, 1, 1],
                geometry: c.clone(),
            }],
        };
        let style = LabelStyle {
            field: "nom".into(),
            priority: Some("population".into()),
            size: 12.0,
            color: kartenn_common::Color::rgb(0, 0, 0),
            minzoom: 0.0,
        };
        let sources = label_sources(&layer, &style);
        assert_eq!(sources.len(), 1);
        let s = &sources[0];
        assert_eq!(
            (s.text.as_str(), s.priority, s.id),
            ("Concave", 42.0, Some(7))
        );
        assert!(inside_rings(&c, s.anchor), "{:?}", s.anchor);
    }

    #[test]
    fn overlapping_labels_keep_the_most_important() {
        let placed = place(
            vec![
                label("Plouzané", 100.0, 100.0, 12_000.0),
                label("Brest", 110.0, 104.0, 140_000.0),
                label("Quimper", 300.0, 300.0, 63_000.0),
            ],
            800.0,
            600.0,
        );
        let texts: Vec<_> = placed.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["Brest", "Quimper"]);
    }

    #[test]
    fn labels_cut_by_the_screen_edge_are_dropped() {
        assert!(place(vec![label("Edge", 10.0, 100.0, 1.0)], 800.0, 600.0).is_empty());
    }

    #[test]
    fn many_labels_on_a_grid_all_fit_when_apart() {
        let candidates: Vec<_> = (0..10)
            .flat_map(|i| {
                (0..10).map(move |j| {
                    label(
                        &format!("{i}-{j}"),
                        40.0 + 75.0 * f64::from(i),
                        20.0 + 25.0 * f64::from(j),
                        1.0,
                    )
                })
            })
            .collect();
        assert_eq!(place(candidates, 800.0, 600.0).len(), 100);
    }
}
