//! Clipping in tile space: polygon rings (Sutherland–Hodgman) and polylines (Liang–Barsky)
//! against the buffered tile square, so no tile carries geometry far outside itself.

/// An axis-aligned clip rectangle, inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipBox {
    pub min: f64,
    pub max: f64,
}

impl ClipBox {
    /// The square `[-buffer, extent + buffer]` on both axes.
    pub fn buffered(extent: u32, buffer: u32) -> Self {
        Self {
            min: -f64::from(buffer),
            max: f64::from(extent + buffer),
        }
    }

    #[inline]
    pub fn contains(&self, [x, y]: [f64; 2]) -> bool {
        x >= self.min && x <= self.max && y >= self.min && y <= self.max
    }

    /// Where a set of points sits relative to the box.
    pub fn classify(&self, points: &[[f64; 2]]) -> Overlap {
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for &[x, y] in points {
            bbox = [
                bbox[0].min(x),
                bbox[1].min(y),
                bbox[2].max(x),
                bbox[3].max(y),
            ];
        }
        if bbox[2] < self.min || bbox[0] > self.max || bbox[3] < self.min || bbox[1] > self.max {
            Overlap::Outside
        } else if bbox[0] >= self.min
            && bbox[2] <= self.max
            && bbox[1] >= self.min
            && bbox[3] <= self.max
        {
            Overlap::Inside
        } else {
            Overlap::Crosses
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    Inside,
    Outside,
    Crosses,
}

#[derive(Clone, Copy)]
enum Edge {
    Left,
    Right,
    Top,
    Bottom,
}

impl Edge {
    #[inline]
    fn inside(self, b: &ClipBox, [x, y]: [f64; 2]) -> bool {
        match self {
            Edge::Left => x >= b.min,
            Edge::Right => x <= b.max,
            Edge::Top => y >= b.min,
            Edge::Bottom => y <= b.max,
        }
    }

    #[inline]
    fn intersect(self, b: &ClipBox, [ax, ay]: [f64; 2], [bx, by]: [f64; 2]) -> [f64; 2] {
        match self {
            Edge::Left | Edge::Right => {
                let x = if matches!(self, Edge::Left) {
                    b.min
                } else {
                    b.max
                };
                [x, ay + (by - ay) * (x - ax) / (bx - ax)]
            }
            Edge::Top | Edge::Bottom => {
                let y = if matches!(self, Edge::Top) {
                    b.min
                } else {
                    b.max
                };
                [ax + (bx - ax) * (y - ay) / (by - ay), y]
            }
        }
    }
}

/// Clips a closed ring (first point not repeated at the end) to the box. The result may be
/// empty; edges along the box border are kept, as in every tile clipper of this family.
/// `scratch` is reused between calls to avoid allocation.
pub fn clip_ring(
    ring: &[[f64; 2]],
    clip: &ClipBox,
    out: &mut Vec<[f64; 2]>,
    scratch: &mut Vec<[f64; 2]>,
) {
    out.clear();
    out.extend_from_slice(ring);
    for edge in [Edge::Left, Edge::Right, Edge::Top, Edge::Bottom] {
        if out.is_empty() {
            return;
        }
        std::mem::swap(out, scratch);
        out.clear();
        let input = &*scratch;
        let mut prev = input[input.len() - 1];
        let mut prev_inside = edge.inside(clip, prev);
        for &cur in input {
            let cur_inside = edge.inside(clip, cur);
            if cur_inside {
                if !prev_inside {
                    out.push(edge.intersect(clip, prev, cur));
                }
                out.push(cur);
            } else if prev_inside {
                out.push(edge.intersect(clip, prev, cur));
            }
            prev = cur;
            prev_inside = cur_inside;
        }
    }
}

/// Clips a polyline to the box; every visible stretch is handed to `emit` as its own line.
pub fn clip_line(line: &[[f64; 2]], clip: &ClipBox, mut emit: impl FnMut(&[[f64; 2]])) {
    let mut current: Vec<[f64; 2]> = Vec::new();
    for pair in line.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let Some((t0, t1)) = clip_segment(a, b, clip) else {
            if current.len() >= 2 {
                emit(&current);
            }
            current.clear();
            continue;
        };
        let start = lerp(a, b, t0);
        let end = lerp(a, b, t1);
        if t0 > 0.0 || current.is_empty() {
            if current.len() >= 2 {
                emit(&current);
            }
            current.clear();
            current.push(start);
        }
        current.push(end);
        if t1 < 1.0 {
            if current.len() >= 2 {
                emit(&current);
            }
            current.clear();
        }
    }
    if current.len() >= 2 {
        emit(&current);
    }
}

#[inline]
#[allow(clippy::float_cmp)] // exact ends keep shared vertices bit-identical
fn lerp([ax, ay]: [f64; 2], [bx, by]: [f64; 2], t: f64) -> [f64; 2] {
    if t == 0.0 {
        [ax, ay]
    } else if t == 1.0 {
        [bx, by]
    } else {
        [ax + (bx - ax) * t, ay + (by - ay) * t]
    }
}

/// Liang–Barsky: the parameter range `[t0, t1]` of segment `a→b` inside the box, if any.
fn clip_segment([ax, ay]: [f64; 2], [bx, by]: [f64; 2], clip: &ClipBox) -> Option<(f64, f64)> {
    let (dx, dy) = (bx - ax, by - ay);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, ax - clip.min),
        (dx, clip.max - ax),
        (-dy, ay - clip.min),
        (dy, clip.max - ay),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOX: ClipBox = ClipBox {
        min: 0.0,
        max: 10.0,
    };

    fn ring(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(points, &BOX, &mut out, &mut scratch);
        out
    }

    fn area(points: &[[f64; 2]]) -> f64 {
        let n = points.len();
        (0..n)
            .map(|i| {
                let (a, b) = (points[i], points[(i + 1) % n]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn a_ring_inside_the_box_is_unchanged() {
        let square = [[1.0, 1.0], [5.0, 1.0], [5.0, 5.0], [1.0, 5.0]];
        assert_eq!(ring(&square), square);
    }

    #[test]
    fn a_ring_crossing_a_corner_is_cut_to_the_overlap() {
        let square = [[-5.0, -5.0], [5.0, -5.0], [5.0, 5.0], [-5.0, 5.0]];
        let clipped = ring(&square);
        assert!((area(&clipped).abs() - 25.0).abs() < 1e-9, "{clipped:?}");
        assert!(clipped.iter().all(|&p| BOX.contains(p)));
    }

    #[test]
    fn a_ring_around_the_box_becomes_the_box() {
        let huge = [
            [-100.0, -100.0],
            [100.0, -100.0],
            [100.0, 100.0],
            [-100.0, 100.0],
        ];
        assert!((area(&ring(&huge)).abs() - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_ring_outside_the_box_vanishes() {
        assert!(ring(&[[20.0, 20.0], [30.0, 20.0], [30.0, 30.0]]).is_empty());
    }

    #[test]
    fn clipping_keeps_the_ring_orientation() {
        let cw = [[-5.0, -5.0], [-5.0, 5.0], [5.0, 5.0], [5.0, -5.0]];
        assert!(area(&cw) < 0.0 && area(&ring(&cw)) < 0.0);
    }

    fn lines(points: &[[f64; 2]]) -> Vec<Vec<[f64; 2]>> {
        let mut out = Vec::new();
        clip_line(points, &BOX, |l| out.push(l.to_vec()));
        out
    }

    #[test]
    fn a_line_leaving_and_reentering_is_split_in_two() {
        let out = lines(&[[1.0, 5.0], [15.0, 5.0], [15.0, 8.0], [1.0, 8.0]]);
        assert_eq!(
            out,
            vec![vec![[1.0, 5.0], [10.0, 5.0]], vec![[10.0, 8.0], [1.0, 8.0]]]
        );
    }

    #[test]
    fn a_line_crossing_the_whole_box_keeps_only_its_middle() {
        assert_eq!(
            lines(&[[-5.0, 5.0], [15.0, 5.0]]),
            vec![vec![[0.0, 5.0], [10.0, 5.0]]]
        );
    }

    #[test]
    fn a_line_entirely_inside_is_kept_whole_and_one_outside_is_dropped() {
        let inside = [[1.0, 1.0], [2.0, 3.0], [4.0, 4.0]];
        assert_eq!(lines(&inside), vec![inside.to_vec()]);
        assert!(lines(&[[11.0, 1.0], [20.0, 3.0]]).is_empty());
    }

    #[test]
    fn classify_tells_inside_outside_and_crossing() {
        assert_eq!(BOX.classify(&[[1.0, 1.0], [9.0, 9.0]]), Overlap::Inside);
        assert_eq!(BOX.classify(&[[11.0, 1.0], [19.0, 9.0]]), Overlap::Outside);
        assert_eq!(BOX.classify(&[[-1.0, 1.0], [9.0, 9.0]]), Overlap::Crosses);
    }
}
