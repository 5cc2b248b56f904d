//! The map's one time: each time-enabled layer's valid times ([`LayerTimes`]: instants,
//! `start/end/period` ranges stepped on the calendar, continuous ranges), their union as the
//! instants a slider steps through ([`Timeline`]), the value each layer is asked for at the
//! chosen time or range ([`Selection`]), and the play clock ([`Player`]).
//!
//! The rule for a layer: at an instant `t` it shows its **nearest earlier valid value** (the
//! latest of its instants at or before `t`; inside a continuous range, `t` itself), or its
//! first value when `t` precedes all of them. For a range `a/b` it is asked for the part of
//! the range it has (`first value ≥ a` / `last value ≤ b`), or, when it has nothing in the
//! range, for its value at `b` by the instant rule.

use kartenn_common::{TimeDimension, TimeExtent};

use super::iso::{MS_PER_DAY, add};
use super::{Duration, Instant, Precision, format_instant, parse_duration, parse_instant};

/// Most instants on the slider: longer stepped ranges are thinned (every k-th step kept).
pub const MAX_INSTANTS: usize = 5000;
/// About how many steps a continuous range is cut into on the slider.
pub const CONTINUOUS_STEPS: i64 = 200;
/// Play speeds offered, in steps per second.
pub const SPEEDS: [f64; 4] = [0.5, 1.0, 2.0, 4.0];
/// Steps a range spans when range mode is switched on.
pub const RANGE_STEPS: usize = 4;

/// Round steps for continuous ranges, smallest first.
const NICE_STEPS: [&str; 16] = [
    "PT1S", "PT10S", "PT1M", "PT5M", "PT10M", "PT15M", "PT30M", "PT1H", "PT3H", "PT6H", "PT12H",
    "P1D", "P7D", "P1M", "P3M", "P1Y",
];

/// One item of a dimension.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// One instant, spelt as the server wrote it.
    Instant { at: i64, text: String },
    /// `start/end/period`: `start + k·step` up to `end`.
    Stepped {
        start: Instant,
        end: i64,
        step: Duration,
    },
    /// A continuous range: any instant from `start` to `end`, written at `precision`.
    Span {
        start: i64,
        end: i64,
        precision: Precision,
    },
}

/// The largest `k ≥ 0` with `start + k·step ≤ t` (`t ≥ start`).
fn steps_until(start: Instant, step: Duration, t: i64) -> i64 {
    let approx = step.months as f64 * 30.436_875 * MS_PER_DAY as f64 + step.millis as f64;
    let mut k = ((t - start.millis) as f64 / approx).floor().max(0.0) as i64;
    while k > 0 && add(start, step, k).millis > t {
        k -= 1;
    }
    while add(start, step, k + 1).millis <= t {
        k += 1;
    }
    k
}

/// `ms` written at `precision`, and the instant that writing means (truncated).
fn spelt(ms: i64, precision: Precision) -> (i64, String) {
    let text = format_instant(Instant {
        millis: ms,
        precision,
    });
    let at = parse_instant(&text).map_or(ms, |i| i.millis);
    (at, text)
}

impl Item {
    fn parse(extent: &TimeExtent) -> Option<Self> {
        match extent {
            TimeExtent::Instant { at } => Some(Self::Instant {
                at: parse_instant(at)?.millis,
                text: at.clone(),
            }),
            TimeExtent::Range { start, end, period } => {
                let (start, end) = (parse_instant(start)?, parse_instant(end)?);
                if start.millis > end.millis {
                    return None;
                }
                Some(match period.as_deref().map(parse_duration) {
                    Some(step) => Self::Stepped {
                        start,
                        end: end.millis,
                        step: step?,
                    },
                    None => Self::Span {
                        start: start.millis,
                        end: end.millis,
                        precision: start.precision.max(end.precision),
                    },
                })
            }
        }
    }

    fn first(&self) -> (i64, String) {
        match self {
            Self::Instant { at, text } => (*at, text.clone()),
            Self::Stepped { start, .. } => (start.millis, format_instant(*start)),
            Self::Span {
                start, precision, ..
            } => spelt(*start, *precision),
        }
    }

    /// The latest valid instant at or before `t`.
    fn at_or_before(&self, t: i64) -> Option<(i64, String)> {
        match self {
            Self::Instant { at, .. } => (*at <= t).then(|| self.first()),
            Self::Stepped { start, end, step } => (start.millis <= t).then(|| {
                let at = add(*start, *step, steps_until(*start, *step, t.min(*end)));
                (at.millis, format_instant(at))
            }),
            Self::Span {
                start,
                end,
                precision,
            } => (*start <= t).then(|| spelt(t.min(*end), *precision)),
        }
    }

    /// The earliest valid instant at or after `t`.
    fn at_or_after(&self, t: i64) -> Option<(i64, String)> {
        match self {
            Self::Instant { at, .. } => (*at >= t).then(|| self.first()),
            Self::Stepped { start, end, step } => {
                if t <= start.millis {
                    return Some(self.first());
                }
                let mut k = steps_until(*start, *step, t);
                if add(*start, *step, k).millis < t {
                    k += 1;
                }
                let at = add(*start, *step, k);
                (at.millis <= *end).then(|| (at.millis, format_instant(at)))
            }
            // Written at the span's precision, the value may fall up to one unit before `t`:
            // harmless for a range request, which only has to overlap the dimension.
            Self::Span {
                start,
                end,
                precision,
            } => (t.max(*start) <= *end).then(|| spelt(t.max(*start), *precision)),
        }
    }

    /// The instants this item puts on the slider (thinned to about `budget`).
    fn instants(&self, budget: usize, out: &mut Vec<i64>) {
        match self {
            Self::Instant { at, .. } => out.push(*at),
            Self::Stepped { start, end, step } => {
                let count = steps_until(*start, *step, *end) + 1;
                let stride = (count as usize).div_ceil(budget.max(1)).max(1) as i64;
                let mut k = 0;
                while k < count {
                    out.push(add(*start, *step, k).millis);
                    k += stride;
                }
                out.push(add(*start, *step, count - 1).millis);
            }
            Self::Span { start, end, .. } => {
                let first = Instant {
                    millis: *start,
                    precision: Precision::Millis,
                };
                let step = NICE_STEPS
                    .iter()
                    .filter_map(|s| parse_duration(s))
                    .find(|s| steps_until(first, *s, *end) <= CONTINUOUS_STEPS);
                out.push(*start);
                if let Some(step) = step {
                    // Round instants: whole days at midnight, months on the 1st...
                    let base = if step.months > 0 {
                        let unit = if step.months % 12 == 0 {
                            Precision::Year
                        } else {
                            Precision::Month
                        };
                        spelt(*start, unit).0
                    } else {
                        start.div_euclid(step.millis) * step.millis
                    };
                    let base = Instant {
                        millis: base,
                        precision: Precision::Millis,
                    };
                    for k in 1..=CONTINUOUS_STEPS + 2 {
                        let at = add(base, step, k).millis;
                        if at >= *end {
                            break;
                        }
                        out.push(at);
                    }
                }
                out.push(*end);
            }
        }
    }
}

/// One layer's valid times.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerTimes {
    items: Vec<Item>,
}

impl LayerTimes {
    /// A WMS dimension's times; items that do not parse are left out (`None`: none parse).
    pub fn from_dimension(dim: &TimeDimension) -> Option<Self> {
        let items: Vec<Item> = dim.extent.iter().filter_map(Item::parse).collect();
        (!items.is_empty()).then_some(Self { items })
    }

    /// A continuous span in Unix ms (a chronicle's stations), written to the second.
    pub fn span(start_ms: f64, end_ms: f64) -> Option<Self> {
        let (start, end) = (start_ms.round() as i64, end_ms.round() as i64);
        (start_ms.is_finite() && end_ms.is_finite() && start <= end).then(|| Self {
            items: vec![Item::Span {
                start,
                end,
                precision: Precision::Second,
            }],
        })
    }

    /// The first valid instant (ms) and its spelling.
    fn first(&self) -> Option<(i64, String)> {
        self.items
            .iter()
            .map(Item::first)
            .fold(None, |best, v| match best {
                Some(b) if b.0 <= v.0 => Some(b),
                _ => Some(v),
            })
    }

    /// The layer's value at `t` (ms) by the nearest-earlier rule, with the instant it means.
    pub fn at(&self, t: i64) -> Option<(i64, String)> {
        let earlier = self.items.iter().filter_map(|i| i.at_or_before(t)).fold(
            None::<(i64, String)>,
            |best, v| match best {
                Some(b) if b.0 >= v.0 => Some(b),
                _ => Some(v),
            },
        );
        earlier.or_else(|| self.first())
    }

    /// The layer's WMS `TIME` for `selection` (see the module's rule).
    pub fn value(&self, selection: Selection) -> Option<String> {
        match selection {
            Selection::At(t) => self.at(t).map(|(_, text)| text),
            Selection::Between(a, b) => {
                let lo = self
                    .items
                    .iter()
                    .filter_map(|i| i.at_or_after(a))
                    .filter(|v| v.0 <= b)
                    .min_by_key(|v| v.0);
                let hi = self
                    .items
                    .iter()
                    .filter_map(|i| i.at_or_before(b))
                    .filter(|v| v.0 >= a)
                    .max_by_key(|v| v.0);
                match (lo, hi) {
                    (Some(lo), Some(hi)) if lo.0 < hi.0 => Some(format!("{}/{}", lo.1, hi.1)),
                    (Some(lo), Some(_)) => Some(lo.1),
                    _ => self.at(b).map(|(_, text)| text),
                }
            }
        }
    }
}

/// The chosen time: an instant, or a range (both ends included, `start ≤ end`), in Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    At(i64),
    Between(i64, i64),
}

impl Selection {
    /// Reads `instant` or `start/end` (ends swapped when reversed); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.split_once('/') {
            None => Some(Self::At(parse_instant(text)?.millis)),
            Some((a, b)) => {
                let (a, b) = (parse_instant(a)?.millis, parse_instant(b)?.millis);
                Some(Self::Between(a.min(b), a.max(b)))
            }
        }
    }

    /// Written in UTC to the second (to the millisecond when it has some).
    pub fn format(self) -> String {
        let one = |ms: i64| {
            let precision = if ms.rem_euclid(1000) == 0 {
                Precision::Second
            } else {
                Precision::Millis
            };
            format_instant(Instant {
                millis: ms,
                precision,
            })
        };
        match self {
            Self::At(t) => one(t),
            Self::Between(a, b) => format!("{}/{}", one(a), one(b)),
        }
    }

    /// The instant (the range's start).
    pub fn start(self) -> i64 {
        match self {
            Self::At(t) | Self::Between(t, _) => t,
        }
    }

    pub fn is_range(self) -> bool {
        matches!(self, Self::Between(..))
    }
}

/// The union of the layers' times: the instants a slider steps through, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    instants: Vec<i64>,
}

impl Timeline {
    pub fn new<'a>(layers: impl IntoIterator<Item = &'a LayerTimes>) -> Self {
        let mut instants = Vec::new();
        for layer in layers {
            for item in &layer.items {
                item.instants(MAX_INSTANTS, &mut instants);
            }
        }
        instants.sort_unstable();
        instants.dedup();
        if instants.len() > MAX_INSTANTS {
            let stride = instants.len().div_ceil(MAX_INSTANTS);
            let last = instants.last().copied();
            instants = instants.into_iter().step_by(stride).collect();
            if instants.last().copied() != last {
                instants.extend(last);
            }
        }
        Self { instants }
    }

    pub fn instants(&self) -> &[i64] {
        &self.instants
    }

    pub fn len(&self) -> usize {
        self.instants.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instants.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<i64> {
        self.instants.get(index).copied()
    }

    /// The position of the latest instant at or before `t` (0 when `t` precedes them all).
    pub fn index_at(&self, t: i64) -> usize {
        self.instants.partition_point(|&i| i <= t).saturating_sub(1)
    }

    /// `selection` moved onto the slider's instants (each end by the nearest-earlier rule).
    pub fn snap(&self, selection: Selection) -> Option<Selection> {
        let at = |t| self.get(self.index_at(t));
        Some(match selection {
            Selection::At(t) => Selection::At(at(t)?),
            Selection::Between(a, b) => {
                let (a, b) = (at(a)?, at(b)?);
                Selection::Between(a, b.max(a))
            }
        })
    }

    /// `selection` moved by `delta` steps; a range moves as a whole. At either end it stops,
    /// or, with `wrap` (playing), starts again from the other end.
    pub fn step(&self, selection: Selection, delta: i64, wrap: bool) -> Option<Selection> {
        let last = self.len().checked_sub(1)? as i64;
        let (lo, hi) = match selection {
            Selection::At(t) => (self.index_at(t) as i64, self.index_at(t) as i64),
            Selection::Between(a, b) => {
                let lo = self.index_at(a) as i64;
                (lo, (self.index_at(b) as i64).max(lo))
            }
        };
        let width = hi - lo;
        let mut start = lo + delta;
        if start < 0 {
            start = if wrap && lo == 0 { last - width } else { 0 };
        } else if start + width > last {
            start = if wrap && hi == last { 0 } else { last - width };
        }
        let at = |i: i64| self.get(i as usize);
        Some(match selection {
            Selection::At(_) => Selection::At(at(start)?),
            Selection::Between(..) => Selection::Between(at(start)?, at(start + width)?),
        })
    }

    /// Range mode on: the instant and the next [`RANGE_STEPS`] (shifted back at the end).
    pub fn widen(&self, t: i64) -> Option<Selection> {
        let last = self.len().checked_sub(1)?;
        let lo = self.index_at(t).min(last.saturating_sub(RANGE_STEPS));
        Some(Selection::Between(
            self.get(lo)?,
            self.get((lo + RANGE_STEPS).min(last))?,
        ))
    }

    /// The time span a selection covers: a range itself, an instant until the next one.
    pub fn window(&self, selection: Selection) -> (i64, i64) {
        match selection {
            Selection::Between(a, b) => (a, b),
            Selection::At(t) => {
                let next = self.get(self.index_at(t) + 1).filter(|&n| n > t);
                (t, next.map_or(t, |n| n - 1))
            }
        }
    }
}

/// The play clock: steps at `speed` steps per second, but never before the map has drawn the
/// current time, so a slow server sets the pace and only one time is ever being fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct Player {
    pub playing: bool,
    /// Steps per second.
    pub speed: f64,
    last_step: f64,
}

impl Default for Player {
    fn default() -> Self {
        Self {
            playing: false,
            speed: 1.0,
            last_step: f64::NEG_INFINITY,
        }
    }
}

impl Player {
    /// Starts playing at `now` (ms): the first step comes one period later.
    pub fn play(&mut self, now: f64) {
        self.playing = true;
        self.last_step = now;
    }

    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Milliseconds between steps.
    pub fn period_ms(&self) -> f64 {
        1000.0 / self.speed.max(0.01)
    }

    /// Whether to step now: playing, the current time drawn (`drawn`), one period past the
    /// last step.
    pub fn due(&self, now: f64, drawn: bool) -> bool {
        self.playing && drawn && now - self.last_step >= self.period_ms()
    }

    /// Records a step made at `now`.
    pub fn stepped(&mut self, now: f64) {
        self.last_step = now;
    }
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
