//! One series' points as the server sends them (`[time ms, value | null]`, time ascending):
//! the part in view, its value range, the paths that draw it — broken at every `null`, so a
//! gap in the data is a gap on the chart — and the point nearest an instant for hover.

use std::ops::Range;

/// `(Unix ms, value)`; `None` marks a gap.
pub type Point = (f64, Option<f64>);

/// Indices of the points within `[from, to]`.
pub fn in_range(points: &[Point], [from, to]: [f64; 2]) -> Range<usize> {
    let start = points.partition_point(|p| p.0 < from);
    let end = points.partition_point(|p| p.0 <= to);
    start..end.max(start)
}

/// Values (not gaps) within `[from, to]`: the points a chart of that range draws.
pub fn drawn_count(points: &[Point], range: [f64; 2]) -> usize {
    points[in_range(points, range)]
        .iter()
        .filter(|p| p.1.is_some_and(f64::is_finite))
        .count()
}

/// The value of the line between `a` and `b` at instant `t` (none across a gap).
fn interpolate(a: Point, b: Point, t: f64) -> Option<f64> {
    let (va, vb) = (
        a.1.filter(|v| v.is_finite())?,
        b.1.filter(|v| v.is_finite())?,
    );
    if b.0 <= a.0 {
        return Some(va);
    }
    Some(va + (vb - va) * ((t - a.0) / (b.0 - a.0)).clamp(0.0, 1.0))
}

/// The smallest and largest value the line reaches within `[from, to]`: the values there, and
/// where the line crosses the range's ends (so a view between two samples still has a range).
pub fn value_extent(points: &[Point], range: [f64; 2]) -> Option<(f64, f64)> {
    let inside = in_range(points, range);
    let edge = |i: usize, t: f64| {
        (i > 0 && i < points.len())
            .then(|| interpolate(points[i - 1], points[i], t))
            .flatten()
    };
    let crossings = [edge(inside.start, range[0]), edge(inside.end, range[1])];
    points[inside]
        .iter()
        .filter_map(|p| p.1.filter(|v| v.is_finite()))
        .chain(crossings.into_iter().flatten())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// The polylines drawing `[from, to]`, in the coordinates `at` gives each `(t, v)`: one per run
/// of values between gaps. The points just outside the range are included so lines reach the
/// plot's edges (the caller clips). A run of one point is a polyline of one point: the caller
/// draws it as a dot.
pub fn paths(
    points: &[Point],
    range: [f64; 2],
    at: impl Fn(f64, f64) -> [f64; 2],
) -> Vec<Vec<[f64; 2]>> {
    let inside = in_range(points, range);
    let start = inside.start.saturating_sub(1);
    let end = (inside.end + 1).min(points.len());
    let mut out: Vec<Vec<[f64; 2]>> = Vec::new();
    let mut current: Vec<[f64; 2]> = Vec::new();
    for &(t, value) in &points[start..end] {
        match value.filter(|v| v.is_finite()) {
            Some(v) => current.push(at(t, v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The index of the value (not a gap) nearest instant `t`, no farther than `max_dt` ms.
pub fn nearest(points: &[Point], t: f64, max_dt: f64) -> Option<usize> {
    let split = points.partition_point(|p| p.0 < t);
    let has_value = |i: &usize| points[*i].1.is_some_and(f64::is_finite);
    let before = (0..split)
        .rev()
        .take_while(|&i| t - points[i].0 <= max_dt)
        .find(has_value);
    let after = (split..points.len())
        .take_while(|&i| points[i].0 - t <= max_dt)
        .find(has_value);
    match (before, after) {
        (Some(b), Some(a)) => Some(if t - points[b].0 <= points[a].0 - t {
            b
        } else {
            a
        }),
        (b, a) => b.or(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hourly(values: &[Option<f64>]) -> Vec<Point> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 * 3_600_000.0, *v))
            .collect()
    }

    const H: f64 = 3_600_000.0;

    #[test]
    fn the_points_in_view_are_found_by_time_with_both_ends_included() {
        let points = hourly(&[Some(1.0); 10]);
        assert_eq!(in_range(&points, [2.0 * H, 5.0 * H]), 2..6);
        assert_eq!(in_range(&points, [2.5 * H, 2.7 * H]), 3..3);
        assert_eq!(in_range(&points, [20.0 * H, 30.0 * H]), 10..10);
        assert_eq!(in_range(&[], [0.0, 1.0]), 0..0);
    }

    #[test]
    fn gaps_are_not_counted_as_drawn_points_nor_in_the_value_range() {
        let points = hourly(&[Some(3.0), None, Some(-2.0), Some(7.5), None]);
        assert_eq!(drawn_count(&points, [0.0, 10.0 * H]), 3);
        assert_eq!(value_extent(&points, [0.0, 10.0 * H]), Some((-2.0, 7.5)));
        assert_eq!(value_extent(&points, [4.0 * H, 10.0 * H]), None);
    }

    #[test]
    fn a_view_between_two_samples_takes_its_value_range_from_the_line_crossing_it() {
        let points = hourly(&[Some(10.0), Some(20.0), None, Some(5.0)]);
        // A quarter to three quarters past the first hour: the line from 10 to 20.
        assert_eq!(
            value_extent(&points, [0.25 * H, 0.75 * H]),
            Some((12.5, 17.5))
        );
        // Ends beside a gap do not cross a line.
        assert_eq!(value_extent(&points, [2.2 * H, 2.8 * H]), None);
        // The values inside and the crossings at both ends.
        assert_eq!(
            value_extent(&points, [0.5 * H, 1.0 * H]),
            Some((15.0, 20.0))
        );
    }

    #[test]
    fn a_path_breaks_at_each_gap_and_a_lone_value_is_a_path_of_one_point() {
        let points = hourly(&[
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            None,
            None,
            Some(4.0),
            Some(5.0),
        ]);
        let paths = paths(&points, [0.0, 7.0 * H], |t, v| [t / H, v]);
        assert_eq!(
            paths,
            vec![
                vec![[0.0, 1.0], [1.0, 2.0]],
                vec![[3.0, 3.0]],
                vec![[6.0, 4.0], [7.0, 5.0]]
            ]
        );
    }

    #[test]
    fn paths_reach_one_point_beyond_each_end_of_the_view() {
        let points = hourly(&[Some(0.0), Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
        let paths = paths(&points, [1.5 * H, 2.5 * H], |t, v| [t / H, v]);
        assert_eq!(paths, vec![vec![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]]);
    }

    #[test]
    fn hover_finds_the_nearest_value_skipping_gaps_within_the_tolerance() {
        let points = hourly(&[Some(1.0), None, None, Some(4.0), Some(5.0)]);
        assert_eq!(nearest(&points, 3.4 * H, H), Some(3));
        assert_eq!(nearest(&points, 3.6 * H, H), Some(4));
        // In the gap: the nearest value is 1.2 h away, beyond a tolerance of 1 h.
        assert_eq!(nearest(&points, 1.8 * H, H), None);
        assert_eq!(nearest(&points, 1.8 * H, 2.0 * H), Some(3));
        assert_eq!(nearest(&points, -0.5 * H, H), Some(0));
        assert_eq!(nearest(&[], 0.0, H), None);
    }
}
