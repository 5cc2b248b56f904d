//! Douglas–Peucker simplification in tile space, for open paths and closed rings. Tolerance is
//! in tile units: with 4096 units drawn over 512 CSS pixels, one unit is an eighth of a pixel.

/// Keeps the points of `path` (open) that Douglas–Peucker retains at `tolerance`; the first and
/// last points always stay. `out` receives the result; `stack` is scratch space.
pub fn simplify_path(
    path: &[[f64; 2]],
    tolerance: f64,
    out: &mut Vec<[f64; 2]>,
    keep: &mut Vec<bool>,
) {
    out.clear();
    if path.len() <= 2 || tolerance <= 0.0 {
        out.extend_from_slice(path);
        return;
    }
    mark(path, tolerance * tolerance, keep);
    out.extend(
        path.iter()
            .zip(keep.iter())
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p),
    );
}

/// Simplifies a closed ring (first point not repeated): split at the point farthest from the
/// first, simplify both halves. Rings that would fall under three points are kept whole
/// (the caller drops rings whose area vanishes).
pub fn simplify_ring(
    ring: &[[f64; 2]],
    tolerance: f64,
    out: &mut Vec<[f64; 2]>,
    keep: &mut Vec<bool>,
) {
    out.clear();
    if ring.len() <= 4 || tolerance <= 0.0 {
        out.extend_from_slice(ring);
        return;
    }
    let first = ring[0];
    let far = (1..ring.len())
        .max_by(|&a, &b| dist2(ring[a], first).total_cmp(&dist2(ring[b], first)))
        .unwrap_or(1);
    // Walk the ring as an open path first → far → back to first.
    let mut closed: Vec<[f64; 2]> = Vec::with_capacity(ring.len() + 1);
    closed.extend_from_slice(ring);
    closed.push(first);
    let tol2 = tolerance * tolerance;
    let mut keep_a = Vec::new();
    mark(&closed[..=far], tol2, &mut keep_a);
    mark(&closed[far..], tol2, keep);
    out.extend(
        closed[..far]
            .iter()
            .zip(&keep_a)
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p),
    );
    // The second half starts at `far` (kept) and ends at `first` (already in `out`).
    let tail = &closed[far..closed.len() - 1];
    out.extend(
        tail.iter()
            .zip(keep.iter())
            .filter(|(_, k)| **k)
            .map(|(p, _)| *p),
    );
    if out.len() < 3 {
        out.clear();
        out.extend_from_slice(ring);
    }
}

/// Marks the points Douglas–Peucker keeps (iteratively, no recursion).
fn mark(path: &[[f64; 2]], tol2: f64, keep: &mut Vec<bool>) {
    keep.clear();
    keep.resize(path.len(), false);
    let last = path.len() - 1;
    keep[0] = true;
    keep[last] = true;
    let mut stack = vec![(0usize, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut worst, mut worst_d) = (0, tol2);
        for i in a + 1..b {
            let d = segment_dist2(path[i], path[a], path[b]);
            if d > worst_d {
                worst = i;
                worst_d = d;
            }
        }
        if worst != 0 {
            keep[worst] = true;
            stack.push((a, worst));
            stack.push((worst, b));
        }
    }
}

#[inline]
fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

/// Squared distance from `p` to the segment `a`–`b`.
#[inline]
fn segment_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return dist2(p, a);
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * dx, a[1] + t * dy])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(points: &[[f64; 2]], tolerance: f64) -> Vec<[f64; 2]> {
        let (mut out, mut keep) = (Vec::new(), Vec::new());
        simplify_path(points, tolerance, &mut out, &mut keep);
        out
    }

    #[test]
    fn nearly_straight_points_are_removed_and_corners_kept() {
        let line = [[0.0, 0.0], [5.0, 0.3], [10.0, 0.0], [10.0, 10.0]];
        assert_eq!(
            path(&line, 1.0),
            vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]
        );
        assert_eq!(path(&line, 0.1), line.to_vec());
    }

    #[test]
    fn zero_tolerance_keeps_everything() {
        let line = [[0.0, 0.0], [1.0, 0.01], [2.0, 0.0]];
        assert_eq!(path(&line, 0.0), line.to_vec());
    }

    #[test]
    fn a_ring_keeps_its_corners_and_drops_its_wobbles() {
        let mut ring = Vec::new();
        for i in 0..100 {
            ring.push([f64::from(i), if i % 2 == 0 { 0.0 } else { 0.2 }]);
        }
        ring.extend([[100.0, 0.0], [100.0, 100.0], [0.0, 100.0]]);
        let (mut out, mut keep) = (Vec::new(), Vec::new());
        simplify_ring(&ring, 1.0, &mut out, &mut keep);
        assert_eq!(
            out,
            vec![[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]]
        );
    }

    #[test]
    fn a_tiny_ring_is_left_to_the_area_filter() {
        let ring = [[0.0, 0.0], [0.1, 0.0], [0.1, 0.1], [0.0, 0.1], [0.05, 0.05]];
        let (mut out, mut keep) = (Vec::new(), Vec::new());
        simplify_ring(&ring, 1.0, &mut out, &mut keep);
        assert!(out.len() >= 3);
    }
}
