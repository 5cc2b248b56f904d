//! WMS time dimensions: ISO 8601 instants and periods, extent parsing, expansion into instants,
//! and validation of a requested TIME value.
//!
//! Instants keep their precision (`2020`, `2020-06`, `2020-06-01`, `...T12:00Z`, fractional
//! seconds) and zone (none, `Z`, fixed offset) so expanded values read like the advertised
//! ones. Arithmetic is civil (proleptic Gregorian) in the instant's own fixed offset: months and
//! years first (day clamped to the month's end, always counted from the range start), then
//! days and time. `current` / `present` / `now` mean the current UTC time.

use std::time::{SystemTime, UNIX_EPOCH};

use kartenn_common::{TimeDimension, TimeExtent};

use super::CapabilitiesError;
use super::iso8601::{Instant, Period};

/// Parses a WMS time extent (`2020-01-01/2020-12-31/P1M,2021-06-01T12:00:00Z`) into items.
pub fn parse_time_extent(text: &str) -> Result<Vec<TimeExtent>, CapabilitiesError> {
    let mut items = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let parts: Vec<&str> = item.split('/').map(str::trim).collect();
        match parts.as_slice() {
            [at] => {
                Point::parse(at).ok_or_else(|| invalid(item, "not an ISO 8601 instant"))?;
                items.push(TimeExtent::Instant {
                    at: (*at).to_owned(),
                });
            }
            [start, end, rest @ ..] if rest.len() <= 1 => {
                let Some(Point::At(from)) = Point::parse(start) else {
                    return Err(invalid(item, "the start is not an ISO 8601 instant"));
                };
                let to = Point::parse(end)
                    .ok_or_else(|| invalid(item, "the end is not an ISO 8601 instant"))?;
                if let Point::At(to) = to
                    && to.nanos() < from.nanos()
                {
                    return Err(invalid(item, "the end is before the start"));
                }
                let period = match rest.first() {
                    Some(p) => {
                        let parsed = Period::parse(p)
                            .ok_or_else(|| invalid(item, "not an ISO 8601 period"))?;
                        if parsed.is_zero() {
                            return Err(invalid(item, "zero period"));
                        }
                        Some((*p).to_owned())
                    }
                    None => None,
                };
                items.push(TimeExtent::Range {
                    start: (*start).to_owned(),
                    end: (*end).to_owned(),
                    period,
                });
            }
            _ => return Err(invalid(item, "more than three parts")),
        }
    }
    Ok(items)
}

/// All instants of a time extent, in order, when there are at most `max`; `None` when there
/// are more, or when a range has no period.
pub fn expand_time(
    extent: &[TimeExtent],
    max: usize,
) -> Result<Option<Vec<String>>, CapabilitiesError> {
    let mut out = Vec::new();
    for item in extent {
        match item {
            TimeExtent::Instant { at } => {
                Point::parse(at).ok_or_else(|| invalid(at, "not an ISO 8601 instant"))?;
                out.push(at.clone());
            }
            TimeExtent::Range { start, end, period } => {
                let range = Range::parse(start, end, period.as_deref())?;
                let Some(period) = range.period else {
                    if range.start.nanos() == range.end {
                        out.push(start.clone());
                        continue;
                    }
                    return Ok(None);
                };
                let shown = range.start.with_precision_for(&period);
                for k in 0_i64.. {
                    let Some(step) = shown.add(&period, k) else {
                        break;
                    };
                    if step.nanos() > range.end {
                        break;
                    }
                    if out.len() >= max {
                        return Ok(None);
                    }
                    out.push(if k == 0 { start.clone() } else { step.format() });
                }
            }
        }
        if out.len() > max {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

/// Whether a requested TIME (instant, `start/end[/period]`, or a comma list of those) is
/// acceptable for this dimension: an instant must be listed, or inside a range and on a
/// period step; a requested range must overlap the extent. `current` is accepted when the
/// dimension has values (the server picks the latest).
pub fn time_allowed(dimension: &TimeDimension, requested: &str) -> bool {
    let parsed = dimension.extent.iter().map(|item| match item {
        TimeExtent::Instant { at } => Point::parse(at).map(Item::Instant),
        TimeExtent::Range { start, end, period } => Range::parse(start, end, period.as_deref())
            .ok()
            .map(Item::Range),
    });
    let Some(extent) = parsed.collect::<Option<Vec<Item>>>() else {
        return false;
    };
    if extent.is_empty() {
        return false;
    }
    let mut any = false;
    for value in requested.split(',').map(str::trim) {
        any = true;
        let allowed = match value
            .split('/')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [one] => match Point::parse(one) {
                Some(Point::Now) => true,
                Some(Point::At(at)) => extent.iter().any(|item| item.contains(&at)),
                None => false,
            },
            [start, end, rest @ ..] if rest.len() <= 1 => match Range::parse(start, end, None) {
                Ok(request) => {
                    request.start.nanos() <= request.end
                        && extent
                            .iter()
                            .any(|item| item.overlaps(request.start.nanos(), request.upper()))
                }
                Err(_) => false,
            },
            _ => false,
        };
        if !allowed {
            return false;
        }
    }
    any
}

fn invalid(item: &str, why: &str) -> CapabilitiesError {
    CapabilitiesError::Time(format!("`{item}`: {why}"))
}

/// One parsed extent item.
enum Item {
    Instant(Point),
    Range(Range),
}

impl Item {
    fn contains(&self, at: &Instant) -> bool {
        match self {
            Item::Instant(Point::At(i)) => i.nanos() == at.nanos(),
            Item::Instant(Point::Now) => false,
            Item::Range(range) => range.contains(at),
        }
    }

    fn overlaps(&self, from: i128, to: i128) -> bool {
        match self {
            Item::Instant(Point::At(i)) => (from..=to).contains(&i.nanos()),
            Item::Instant(Point::Now) => (from..=to).contains(&now_nanos()),
            Item::Range(range) => range.start.nanos() <= to && from <= range.upper(),
        }
    }
}

/// An instant or the moving "now".
enum Point {
    At(Instant),
    Now,
}

impl Point {
    fn parse(text: &str) -> Option<Point> {
        if ["current", "present", "now"]
            .iter()
            .any(|k| text.eq_ignore_ascii_case(k))
        {
            Some(Point::Now)
        } else {
            Instant::parse(text).map(Point::At)
        }
    }
}

/// A parsed `start/end[/period]`; `end` in nanoseconds since the epoch (now for `current`).
struct Range {
    start: Instant,
    end: i128,
    /// The end's precision: a periodless range ending `2020-12-31` includes that whole day.
    end_upper: i128,
    period: Option<Period>,
}

impl Range {
    fn parse(start: &str, end: &str, period: Option<&str>) -> Result<Range, CapabilitiesError> {
        let Some(Point::At(from)) = Point::parse(start) else {
            return Err(invalid(start, "the start is not an ISO 8601 instant"));
        };
        let (end, end_upper) = match Point::parse(end) {
            Some(Point::At(to)) => (to.nanos(), to.upper()),
            Some(Point::Now) => (now_nanos(), now_nanos()),
            None => return Err(invalid(end, "the end is not an ISO 8601 instant")),
        };
        let period = match period {
            Some(p) => Some(
                Period::parse(p)
                    .filter(|p| !p.is_zero())
                    .ok_or_else(|| invalid(p, "not an ISO 8601 period"))?,
            ),
            None => None,
        };
        Ok(Range {
            start: from,
            end,
            end_upper,
            period,
        })
    }

    /// The last nanosecond the range covers.
    fn upper(&self) -> i128 {
        if self.period.is_some() {
            self.end
        } else {
            self.end_upper
        }
    }

    fn contains(&self, at: &Instant) -> bool {
        let t = at.nanos();
        if t < self.start.nanos() || t > self.upper() {
            return false;
        }
        let Some(period) = &self.period else {
            return true;
        };
        let diff = t - self.start.nanos();
        if let Some(step) = period.fixed_nanos() {
            return step > 0 && diff % step == 0;
        }
        // Calendar periods: estimate the step number, then check its neighbours exactly.
        let approx = period.approx_nanos().max(1);
        let guess = i64::try_from(diff / approx).unwrap_or(i64::MAX);
        (guess.saturating_sub(2)..=guess.saturating_add(2))
            .filter(|k| *k >= 0)
            .any(|k| self.start.add(period, k).is_some_and(|s| s.nanos() == t))
    }
}

fn now_nanos() -> i128 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(i128::MAX),
        Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(i128::MAX),
    }
}
