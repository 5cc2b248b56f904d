//! Hit-testing vector features: which features of a decoded tile layer lie under a point,
//! within a pixel tolerance, with exact point, line and polygon tests behind a grid index of
//! feature bounding boxes built once per tile.

use crate::mvt::{Feature, GeomKind, Layer};

/// Cells per side of a tile's grid index.
const GRID: usize = 16;

/// A feature's bounding box in tile units: min x, min y, max x, max y.
type BBox = [i32; 4];

/// Grid index of one tile layer's features.
#[derive(Debug, Clone)]
pub struct HitIndex {
    extent: i32,
    boxes: Vec<BBox>,
    cells: Vec<Vec<u32>>,
}

fn bbox(feature: &Feature) -> Option<BBox> {
    let mut points = feature.geometry.iter().flatten();
    let first = points.next()?;
    Some(
        points.fold([first[0], first[1], first[0], first[1]], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        }),
    )
}

impl HitIndex {
    pub fn new(layer: &Layer) -> Self {
        let extent = i32::try_from(layer.extent).unwrap_or(4096).max(1);
        // In 64 bits: a world-sized layer (GeoJSON) has a 2^30 extent, and wasm's usize has 32
        // (the product overflowed there, filing features under the wrong cells).
        let cell = |v: i32| {
            let scaled = i64::from(v.clamp(0, extent - 1)) * GRID as i64 / i64::from(extent);
            (scaled as usize).min(GRID - 1)
        };
        let mut cells = vec![Vec::new(); GRID * GRID];
        let mut boxes = Vec::with_capacity(layer.features.len());
        for (i, feature) in layer.features.iter().enumerate() {
            let b = bbox(feature).unwrap_or([i32::MAX, i32::MAX, i32::MIN, i32::MIN]);
            boxes.push(b);
            if b[0] > b[2] {
                continue;
            }
            for cy in cell(b[1])..=cell(b[3]) {
                for cx in cell(b[0])..=cell(b[2]) {
                    cells[cy * GRID + cx].push(i as u32);
                }
            }
        }
        Self {
            extent,
            boxes,
            cells,
        }
    }

    /// Indices of the features of `layer` under `point` (tile units), within `tolerance` tile
    /// units, closest first. Polygons hit by their inside (holes excluded) or their outline.
    pub fn hits(&self, layer: &Layer, point: [f64; 2], tolerance: f64) -> Vec<(usize, f64)> {
        let e = f64::from(self.extent);
        if point[0] < -tolerance
            || point[1] < -tolerance
            || point[0] > e + tolerance
            || point[1] > e + tolerance
        {
            return Vec::new();
        }
        let mut candidates: Vec<u32> = Vec::new();
        let lo = |v: f64| ((v.max(0.0) / e * GRID as f64) as usize).min(GRID - 1);
        for cy in lo(point[1] - tolerance)..=lo(point[1] + tolerance) {
            for cx in lo(point[0] - tolerance)..=lo(point[0] + tolerance) {
                candidates.extend(&self.cells[cy * GRID + cx]);
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits: Vec<(usize, f64)> = candidates
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| {
                let b = self.boxes[i];
                point[0] >= f64::from(b[0]) - tolerance
                    && point[0] <= f64::from(b[2]) + tolerance
                    && point[1] >= f64::from(b[1]) - tolerance
                    && point[1] <= f64::from(b[3]) + tolerance
            })
            .filter_map(|i| {
                let d = feature_distance(&layer.features[i], point);
                (d <= tolerance).then_some((i, d))
            })
            .collect();
        hits.sort_by(|a, b| a.1.total_cmp(&b.1));
        hits
    }
}

/// Distance from `p` to the feature (0 inside a polygon).
pub fn feature_distance(feature: &Feature, p: [f64; 2]) -> f64 {
    let as_f = |q: [i32; 2]| [f64::from(q[0]), f64::from(q[1])];
    match feature.kind {
        GeomKind::Point => feature
            .geometry
            .iter()
            .flatten()
            .map(|&q| distance(as_f(q), p))
            .fold(f64::INFINITY, f64::min),
        GeomKind::LineString => feature
            .geometry
            .iter()
            .flat_map(|line| line.windows(2))
            .map(|s| segment_distance(p, as_f(s[0]), as_f(s[1])))
            .fold(f64::INFINITY, f64::min),
        GeomKind::Polygon => {
            if inside_rings(&feature.geometry, p) {
                return 0.0;
            }
            feature
                .geometry
                .iter()
                .flat_map(|ring| {
                    ring.iter()
                        .zip(ring.iter().cycle().skip(1))
                        .map(move |(a, b)| segment_distance(p, as_f(*a), as_f(*b)))
                })
                .fold(f64::INFINITY, f64::min)
        }
        GeomKind::Unknown => f64::INFINITY,
    }
}

/// Even-odd point-in-polygon over all rings: inside an exterior and not inside one of its
/// holes (MVT rings are implicitly closed).
pub fn inside_rings(rings: &[Vec<[i32; 2]>], p: [f64; 2]) -> bool {
    let mut inside = false;
    for ring in rings {
        let n = ring.len();
        if n < 3 {
            continue;
        }
        let mut j = n - 1;
        for i in 0..n {
            let (xi, yi) = (f64::from(ring[i][0]), f64::from(ring[i][1]));
            let (xj, yj) = (f64::from(ring[j][0]), f64::from(ring[j][1]));
            if (yi > p[1]) != (yj > p[1]) && p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
    }
    inside
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn segment_distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return distance(p, a);
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    distance(p, [a[0] + t * dx, a[1] + t * dy])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(kind: GeomKind, geometry: Vec<Vec<[i32; 2]>>) -> Feature {
        Feature {
            id: None,
            kind,
            tags: Vec::new(),
            geometry,
        }
    }

    fn layer(features: Vec<Feature>) -> Layer {
        Layer {
            name: "l".into(),
            extent: 4096,
            keys: Vec::new(),
            values: Vec::new(),
            features,
        }
    }

    #[test]
    fn a_point_inside_a_polygon_hits_it_but_not_inside_its_hole() {
        let square = vec![
            vec![[100, 100], [1000, 100], [1000, 1000], [100, 1000]],
            vec![[400, 400], [400, 600], [600, 600], [600, 400]],
        ];
        let l = layer(vec![feature(GeomKind::Polygon, square)]);
        let index = HitIndex::new(&l);
        assert_eq!(index.hits(&l, [200.0, 200.0], 4.0), vec![(0, 0.0)]);
        assert!(
            index.hits(&l, [500.0, 500.0], 4.0).is_empty(),
            "inside the hole"
        );
        assert_eq!(
            index.hits(&l, [500.0, 402.0], 4.0).len(),
            1,
            "on the hole's edge, within tolerance"
        );
        assert!(index.hits(&l, [1100.0, 500.0], 4.0).is_empty());
    }

    #[test]
    fn lines_and_points_are_hit_within_the_tolerance_closest_first() {
        let l = layer(vec![
            feature(GeomKind::LineString, vec![vec![[0, 2000], [4000, 2000]]]),
            feature(GeomKind::Point, vec![vec![[2000, 2010]]]),
        ]);
        let index = HitIndex::new(&l);
        let hits = index.hits(&l, [2000.0, 2006.0], 8.0);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1, 0]);
        assert!(index.hits(&l, [2000.0, 2030.0], 8.0).is_empty());
    }

    #[test]
    fn a_world_sized_point_is_hit_with_a_world_sized_tolerance() {
        let mut l = layer(vec![feature(
            GeomKind::Point,
            vec![vec![[521_957_831, 375_466_159]]],
        )]);
        l.extent = 1 << 30;
        let index = HitIndex::new(&l);
        assert_eq!(
            index
                .hits(&l, [521_957_831.111, 375_466_158.607], 92_681.9)
                .len(),
            1
        );
    }

    #[test]
    fn a_world_sized_layer_indexes_without_overflow() {
        let mut l = layer(vec![feature(
            GeomKind::Point,
            vec![vec![[1 << 29, 1 << 29]]],
        )]);
        l.extent = 1 << 30;
        let index = HitIndex::new(&l);
        assert_eq!(
            index
                .hits(&l, [f64::from(1 << 29), f64::from(1 << 29)], 10.0)
                .len(),
            1
        );
    }

    #[test]
    fn features_across_grid_cells_are_found_from_any_of_them() {
        let l = layer(vec![feature(
            GeomKind::LineString,
            vec![vec![[10, 10], [4000, 4000]]],
        )]);
        let index = HitIndex::new(&l);
        for t in [100.0, 1500.0, 3900.0] {
            assert_eq!(index.hits(&l, [t, t], 2.0).len(), 1, "{t}");
        }
    }
}
