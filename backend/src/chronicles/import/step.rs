//! Regular time steps: a series is regular when at least 90 % of the intervals between its
//! consecutive samples are equal (that interval is then also the median); its step is that
//! interval. Counted while reading when the file gives a series' times in increasing order
//! (the usual case) with few distinct intervals; otherwise the store works it out afterwards
//! from every stored sample (see `write`).

use std::collections::HashMap;

/// A series is regular when at least this share of its intervals are equal.
pub(super) const REGULAR_SHARE: f64 = 0.9;
/// Beyond this many distinct intervals the counting stops (the store is asked instead).
const MAX_DISTINCT: usize = 1024;

/// What the file order tells of a series' step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Step {
    /// Its step in seconds, `None` when irregular (or fewer than two samples).
    Known(Option<f64>),
    /// Only the stored samples can tell.
    Unknown,
}

/// The intervals of one series, in file order.
#[derive(Debug, Default)]
pub(super) struct StepStats {
    last: Option<i64>,
    deltas: HashMap<i64, u64>,
    /// Times out of order or repeated, or too many distinct intervals.
    unknown: bool,
}

impl StepStats {
    pub fn add(&mut self, t: i64) {
        if self.unknown {
            return;
        }
        if let Some(last) = self.last {
            let delta = t - last;
            if delta <= 0
                || (self.deltas.len() >= MAX_DISTINCT && !self.deltas.contains_key(&delta))
            {
                self.unknown = true;
                self.deltas = HashMap::new();
                return;
            }
            *self.deltas.entry(delta).or_default() += 1;
        }
        self.last = Some(t);
    }

    pub fn step(&self) -> Step {
        if self.unknown {
            return Step::Unknown;
        }
        let total: u64 = self.deltas.values().sum();
        let mode = self
            .deltas
            .iter()
            .max_by_key(|(delta, n)| (**n, std::cmp::Reverse(**delta)));
        Step::Known(mode.and_then(|(&delta, &n)| regular_step(delta, n, total)))
    }
}

/// `delta` (µs) as seconds when `n` of `total` intervals have it and that is enough.
pub(super) fn regular_step(delta: i64, n: u64, total: u64) -> Option<f64> {
    (total > 0 && n as f64 >= REGULAR_SHARE * total as f64).then(|| delta as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(times: &[i64]) -> Step {
        let mut stats = StepStats::default();
        for &t in times {
            stats.add(t);
        }
        stats.step()
    }

    #[test]
    fn hourly_samples_with_a_few_gaps_are_regular() {
        let mut times: Vec<i64> = (0..100).map(|h| h * 3_600_000_000).collect();
        times.retain(|t| *t != 50 * 3_600_000_000);
        assert_eq!(stats(&times), Step::Known(Some(3600.0)));
    }

    #[test]
    fn scattered_samples_are_irregular_and_single_ones_have_no_step() {
        assert_eq!(stats(&[0, 1, 3, 7, 15, 31]), Step::Known(None));
        assert_eq!(stats(&[5]), Step::Known(None));
        assert_eq!(stats(&[]), Step::Known(None));
    }

    #[test]
    fn times_out_of_order_or_repeated_are_left_to_the_store() {
        assert_eq!(stats(&[0, 2, 1]), Step::Unknown);
        assert_eq!(stats(&[0, 1, 1, 2]), Step::Unknown);
        let many: Vec<i64> = (0..2000).map(|i| i * (i + 1) / 2).collect();
        assert_eq!(stats(&many), Step::Unknown, "too many distinct intervals");
    }
}
