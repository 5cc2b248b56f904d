//! Reducing a range of samples to at most N chart points, with gaps kept visible. Pure: no I/O,
//! columns in, points out.
//!
//! Input: times `t` (µs, strictly ascending) and values `v` of the same length, `NaN` for a
//! missing measurement (SQLite stores no NaN: a `NULL` value is read as `NaN`). A **gap** is a
//! missing value, or — when the series has a regular step — a hole longer than
//! [`GAP_STEPS`] steps between two consecutive samples. Output: `(t, Some(v))` for kept samples
//! and `(t, None)` **break points** wherever the raw data has a gap between two output points
//! (the chart breaks its line there), time strictly ascending.
//!
//! - **Raw** when every sample (and a break per hole) fits in N: nothing is dropped.
//! - **MinMax** (default): the valid samples' time span cut in B equal buckets; each bucket
//!   keeps its minimum and its maximum (in time order), plus the first and last valid samples.
//!   Guarantees: ≤ N points, first and last valid samples kept, the global minimum and maximum
//!   kept, every kept value a real sample.
//! - **LTTB** (Largest-Triangle-Three-Buckets, Steinarsson 2013) over the valid samples: the
//!   visual shape kept with one sample per equal-count bucket. Guarantees: ≤ N points, first and
//!   last valid samples kept, every kept value a real sample. It usually keeps the extremes
//!   (they make the largest triangles) but does not promise it.
//!
//! Break points count against N: when the kept samples and their breaks exceed N, the bucket
//! count is lowered and the pass repeated; at B = (N − 3) / 4 (LTTB: (N + 1) / 2 samples) the
//! worst case (a break between every two kept samples) fits, so that is the last pass. N is
//! raised to [`MIN_POINTS`], the least that can hold both ends, both extremes and their breaks.

use kartenn_common::Downsampling;

/// A hole longer than this many steps is a gap.
pub const GAP_STEPS: f64 = 2.5;

/// The smallest budget honoured: first, last, minimum, maximum and the breaks between them.
pub const MIN_POINTS: usize = 8;

/// A range reduced for a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Downsampled {
    /// `(t µs, value)`, time strictly ascending; `None` marks a gap.
    pub points: Vec<(i64, Option<f64>)>,
    /// `Raw` when nothing was dropped.
    pub method: Downsampling,
}

/// Reduces `t`/`v` (see the module documentation) to at most `max_points` points with
/// `method` (`Raw` asks for the default, MinMax). `step_us` is the series' regular step.
pub fn downsample(
    t: &[i64],
    v: &[f64],
    step_us: Option<i64>,
    max_points: usize,
    method: Downsampling,
) -> Downsampled {
    let n = t.len().min(v.len());
    let (t, v) = (&t[..n], &v[..n]);
    let max_points = max_points.max(MIN_POINTS);
    let hole = step_us
        .filter(|s| *s > 0)
        .map(|s| ((s as f64) * GAP_STEPS, s));
    let gaps = Gaps::find(t, v, hole);
    if n + gaps.holes <= max_points {
        return Downsampled {
            points: raw(t, v, &gaps),
            method: Downsampling::Raw,
        };
    }
    let method = match method {
        Downsampling::Lttb => Downsampling::Lttb,
        Downsampling::Raw | Downsampling::MinMax => Downsampling::MinMax,
    };
    // LTTB walks the valid samples by rank; MinMax only needs the first and the last.
    let valid: Vec<usize> = if method == Downsampling::Lttb {
        (0..n).filter(|&i| !v[i].is_nan()).collect()
    } else {
        v.iter()
            .position(|x| !x.is_nan())
            .into_iter()
            .chain(v.iter().rposition(|x| !x.is_nan()))
            .collect()
    };
    if valid.is_empty() {
        return Downsampled {
            points: Vec::new(),
            method,
        };
    }
    // Start with the budget for samples alone, then shrink until the breaks fit too.
    let (mut size, floor) = match method {
        Downsampling::Lttb => (max_points, max_points.div_ceil(2)),
        _ => ((max_points - 2) / 2, (max_points - 3) / 4),
    };
    loop {
        let kept = match method {
            Downsampling::Lttb => lttb(t, v, &valid, size),
            _ => min_max(t, v, &valid, size),
        };
        let points = with_breaks(t, v, &kept, &gaps);
        if points.len() <= max_points || size <= floor {
            return Downsampled { points, method };
        }
        // Proportionally fewer buckets, at least one fewer, never below the floor.
        let scaled = size * max_points / points.len();
        size = scaled.min(size - 1).max(floor);
    }
}

/// Where the raw data has gaps: indices `g` such that `v[g]` is missing or a hole lies between
/// samples `g − 1` and `g`, ascending, with the time of the break to draw for each.
struct Gaps {
    at: Vec<(usize, i64)>,
    /// How many of them are holes (they add a point in raw output).
    holes: usize,
}

impl Gaps {
    fn find(t: &[i64], v: &[f64], hole: Option<(f64, i64)>) -> Self {
        let mut at = Vec::new();
        let mut holes = 0;
        for i in 0..t.len() {
            let hole_before = i > 0
                && hole.is_some_and(|(limit, _)| (t[i].saturating_sub(t[i - 1])) as f64 > limit);
            if hole_before {
                holes += 1;
                let step = hole.map_or(1, |(_, s)| s);
                at.push((i, t[i - 1].saturating_add(step)));
            } else if v[i].is_nan() {
                at.push((i, t[i]));
            }
        }
        Self { at, holes }
    }
}

/// Every sample, missing ones as `None`, and a break inside each hole.
fn raw(t: &[i64], v: &[f64], gaps: &Gaps) -> Vec<(i64, Option<f64>)> {
    let mut out = Vec::with_capacity(t.len() + gaps.holes);
    let mut next_gap = gaps.at.iter().peekable();
    for i in 0..t.len() {
        while let Some(&&(g, at)) = next_gap.peek() {
            if g > i {
                break;
            }
            if at != t[i] {
                out.push((at, None));
            }
            next_gap.next();
        }
        out.push((t[i], value(v[i])));
    }
    out
}

fn value(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}

/// The kept samples `kept` (ascending indices of valid samples) with a break between two of
/// them wherever a gap lies between them.
fn with_breaks(t: &[i64], v: &[f64], kept: &[usize], gaps: &Gaps) -> Vec<(i64, Option<f64>)> {
    let mut out = Vec::with_capacity(kept.len() * 2);
    let mut g = 0;
    let mut previous: Option<usize> = None;
    for &k in kept {
        if let Some(p) = previous {
            // Skip gaps at or before the previous kept sample.
            while g < gaps.at.len() && gaps.at[g].0 <= p {
                g += 1;
            }
            if g < gaps.at.len() && gaps.at[g].0 <= k {
                out.push((gaps.at[g].1, None));
            }
        }
        out.push((t[k], Some(v[k])));
        previous = Some(k);
    }
    out
}

/// First and last valid samples (`ends`), and the minimum and maximum of each of `buckets`
/// equal time buckets over their span; ascending, without duplicates.
fn min_max(t: &[i64], v: &[f64], ends: &[usize], buckets: usize) -> Vec<usize> {
    let (Some(&first), Some(&last)) = (ends.first(), ends.last()) else {
        return Vec::new();
    };
    let buckets = buckets.max(1);
    let (t0, span) = (
        i128::from(t[first]),
        i128::from(t[last]) - i128::from(t[first]) + 1,
    );
    let mut kept = Vec::with_capacity(buckets * 2 + 2);
    kept.push(first);
    let mut lo = first;
    for b in 1..=buckets {
        let edge = t0 + span * b as i128 / buckets as i128;
        let hi = if b == buckets {
            last + 1
        } else {
            lo + t[lo..=last].partition_point(|&x| i128::from(x) < edge)
        };
        if let Some((small, large)) = extremes(&v[lo..hi]) {
            let (a, b) = (lo + small, lo + large);
            kept.push(a.min(b));
            kept.push(a.max(b));
        }
        lo = hi;
    }
    kept.push(last);
    kept.dedup();
    kept
}

/// Indices of the (first) minimum and maximum of the non-NaN values, if any.
fn extremes(values: &[f64]) -> Option<(usize, usize)> {
    let mut found: Option<(usize, usize)> = None;
    for (i, &x) in values.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        found = Some(match found {
            None => (i, i),
            Some((lo, hi)) => (
                if x < values[lo] { i } else { lo },
                if x > values[hi] { i } else { hi },
            ),
        });
    }
    found
}

/// Largest-Triangle-Three-Buckets over the valid samples: `target` samples (at least 3, or all
/// when fewer), first and last included; ascending indices.
fn lttb(times: &[i64], values: &[f64], valid: &[usize], target: usize) -> Vec<usize> {
    let n = valid.len();
    if target >= n || n <= 2 {
        return valid.to_vec();
    }
    let target = target.max(3);
    // Times relative to the first sample keep the areas' precision.
    let base = times[valid[0]];
    let x = |i: usize| (times[valid[i]] - base) as f64;
    let y = |i: usize| values[valid[i]];
    let every = (n - 2) as f64 / (target - 2) as f64;
    let mut kept = Vec::with_capacity(target);
    kept.push(valid[0]);
    let mut a = 0;
    for bucket in 0..target - 2 {
        let start = (bucket as f64 * every) as usize + 1;
        let end = (((bucket + 1) as f64 * every) as usize + 1).min(n - 1);
        // The next bucket's mean (the last sample for the last bucket).
        let next_start = end;
        let next_end = (((bucket + 2) as f64 * every) as usize + 1).min(n);
        let (mut mx, mut my) = (0.0, 0.0);
        let count = (next_end - next_start).max(1);
        for j in next_start..next_end.max(next_start + 1).min(n) {
            mx += x(j);
            my += y(j);
        }
        let (mx, my) = (mx / count as f64, my / count as f64);
        let (ax, ay) = (x(a), y(a));
        let mut best = start;
        let mut best_area = -1.0;
        for j in start..end.max(start + 1) {
            let area = ((ax - mx) * (y(j) - ay) - (ax - x(j)) * (my - ay)).abs();
            if area > best_area {
                best_area = area;
                best = j;
            }
        }
        kept.push(valid[best]);
        a = best;
    }
    kept.push(valid[n - 1]);
    kept.dedup();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn columns(samples: &[(i64, Option<f64>)]) -> (Vec<i64>, Vec<f64>) {
        samples
            .iter()
            .map(|&(t, v)| (t, v.unwrap_or(f64::NAN)))
            .unzip()
    }

    fn run(
        samples: &[(i64, Option<f64>)],
        step: Option<i64>,
        n: usize,
        m: Downsampling,
    ) -> Downsampled {
        let (t, v) = columns(samples);
        downsample(&t, &v, step, n, m)
    }

    #[test]
    fn an_empty_range_gives_no_points() {
        let out = run(&[], None, 100, Downsampling::MinMax);
        assert!(out.points.is_empty());
        assert_eq!(out.method, Downsampling::Raw);
    }

    #[test]
    fn a_range_that_fits_is_returned_raw_with_its_missing_values() {
        let samples = [(0, Some(1.0)), (10, None), (20, Some(3.0))];
        let out = run(&samples, None, 100, Downsampling::MinMax);
        assert_eq!(out.method, Downsampling::Raw);
        assert_eq!(out.points, samples.to_vec());
    }

    #[test]
    fn a_hole_longer_than_two_and_a_half_steps_becomes_a_break_point() {
        let samples = [
            (0, Some(1.0)),
            (10, Some(2.0)),
            (50, Some(3.0)),
            (60, Some(4.0)),
        ];
        let out = run(&samples, Some(10), 100, Downsampling::MinMax);
        assert_eq!(
            out.points,
            vec![
                (0, Some(1.0)),
                (10, Some(2.0)),
                (20, None),
                (50, Some(3.0)),
                (60, Some(4.0))
            ]
        );
        // A hole of two steps is not a gap.
        let samples = [(0, Some(1.0)), (20, Some(2.0))];
        assert_eq!(
            run(&samples, Some(10), 100, Downsampling::MinMax)
                .points
                .len(),
            2
        );
    }

    #[test]
    fn min_max_keeps_each_buckets_extremes_and_breaks_at_gaps() {
        let mut samples: Vec<(i64, Option<f64>)> =
            (0..1000).map(|i| (i * 10, Some((i % 7) as f64))).collect();
        samples[500].1 = None;
        samples[200].1 = Some(-50.0);
        samples[800].1 = Some(99.0);
        let out = run(&samples, Some(10), 40, Downsampling::MinMax);
        assert_eq!(out.method, Downsampling::MinMax);
        assert!(out.points.len() <= 40);
        assert!(out.points.contains(&(2000, Some(-50.0))));
        assert!(out.points.contains(&(8000, Some(99.0))));
        assert!(out.points.contains(&(5000, None)));
        assert_eq!(out.points.first(), Some(&(0, Some(0.0))));
        assert_eq!(out.points.last(), Some(&(9990, Some(f64::from(999 % 7)))));
    }

    #[test]
    fn lttb_keeps_a_spike_and_both_ends() {
        let mut samples: Vec<(i64, Option<f64>)> = (0..10_000).map(|i| (i, Some(0.0))).collect();
        samples[4321].1 = Some(1000.0);
        let out = run(&samples, None, 100, Downsampling::Lttb);
        assert_eq!(out.method, Downsampling::Lttb);
        assert!(out.points.len() <= 100);
        assert!(out.points.contains(&(4321, Some(1000.0))));
        assert_eq!(out.points.first().map(|p| p.0), Some(0));
        assert_eq!(out.points.last().map(|p| p.0), Some(9999));
    }

    #[test]
    fn a_range_of_only_missing_values_too_long_to_send_raw_gives_no_points() {
        let samples: Vec<(i64, Option<f64>)> = (0..100).map(|i| (i, None)).collect();
        assert!(
            run(&samples, None, 10, Downsampling::MinMax)
                .points
                .is_empty()
        );
    }

    /// Series with runs of missing values and holes, times strictly ascending.
    fn series() -> impl Strategy<Value = (Vec<(i64, Option<f64>)>, Option<i64>)> {
        (
            prop::collection::vec(
                (1i64..40, prop::option::weighted(0.9, -1e6f64..1e6)),
                0..3000,
            ),
            prop::option::of(1i64..15),
        )
            .prop_map(|(steps, step)| {
                let mut t = -5_000;
                let samples = steps
                    .into_iter()
                    .map(|(dt, v)| {
                        t += dt;
                        (t, v)
                    })
                    .collect();
                (samples, step)
            })
    }

    fn method() -> impl Strategy<Value = Downsampling> {
        prop_oneof![Just(Downsampling::MinMax), Just(Downsampling::Lttb)]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn the_output_respects_the_budget_keeps_the_ends_and_is_time_ascending(
            (samples, step) in series(), n in MIN_POINTS..400, m in method()
        ) {
            let out = run(&samples, step, n, m);
            prop_assert!(out.points.len() <= n);
            prop_assert!(out.points.windows(2).all(|w| w[0].0 < w[1].0));
            let valid: Vec<_> = samples.iter().filter(|s| s.1.is_some()).collect();
            if let (Some(first), Some(last)) = (valid.first(), valid.last()) {
                prop_assert!(out.points.contains(first));
                prop_assert!(out.points.contains(last));
            } else if out.method != Downsampling::Raw {
                prop_assert!(out.points.is_empty());
            }
            // Every value is a real sample; breaks never touch each other.
            for p in &out.points {
                if p.1.is_some() {
                    prop_assert!(samples.contains(p));
                }
            }
            prop_assert!(out.method == Downsampling::Raw
                || out.points.windows(2).all(|w| w[0].1.is_some() || w[1].1.is_some()));
        }

        #[test]
        fn min_max_keeps_the_global_minimum_and_maximum(
            (samples, step) in series(), n in MIN_POINTS..400
        ) {
            let out = run(&samples, step, n, Downsampling::MinMax);
            let values: Vec<f64> = samples.iter().filter_map(|s| s.1).collect();
            if let (Some(lo), Some(hi)) = (
                values.iter().copied().reduce(f64::min),
                values.iter().copied().reduce(f64::max),
            ) {
                prop_assert!(out.points.iter().any(|p| p.1 == Some(lo)));
                prop_assert!(out.points.iter().any(|p| p.1 == Some(hi)));
            }
        }

        #[test]
        fn a_gap_between_two_output_points_is_always_shown(
            (samples, step) in series(), n in MIN_POINTS..400, m in method()
        ) {
            let out = run(&samples, step, n, m);
            let hole = |a: i64, b: i64| step.is_some_and(|s| (b - a) as f64 > s as f64 * GAP_STEPS);
            for w in out.points.windows(2) {
                let (Some(_), Some(_)) = (w[0].1, w[1].1) else { continue };
                let between: Vec<_> = samples
                    .iter()
                    .filter(|s| s.0 >= w[0].0 && s.0 <= w[1].0)
                    .collect();
                let missing = between.iter().any(|s| s.1.is_none());
                let holed = between.windows(2).any(|p| hole(p[0].0, p[1].0));
                prop_assert!(!missing && !holed, "gap hidden between {:?} and {:?}", w[0], w[1]);
            }
        }
    }
}
