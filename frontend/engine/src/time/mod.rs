//! ISO 8601 for WMS TIME dimensions: the expansion of a dimension's instants and
//! `start/end/period` ranges into a list, its bounds and default instant, and the conversion to
//! and from the value of a `datetime-local` input (read as UTC). Instants and durations
//! themselves are in `iso`; the map's one time (the union of the layers' times, stepping,
//! nearest earlier values, the play clock) in `timeline`, applied to the overlays in `applied`
//! and to chronicle stations in `stations`.

pub mod applied;
mod iso;
pub mod stations;
pub mod timeline;

use kartenn_common::{TimeDimension, TimeExtent};

pub use self::iso::{Duration, Instant, Precision, format_instant, parse_duration, parse_instant};
use self::iso::{MS_PER_DAY, add};

/// Most instants offered in a list; beyond, the viewer asks for a date and time instead.
pub const MAX_LISTED: usize = 500;

/// A range's instants in order, or `None` when it has more than `limit`, no period, or does
/// not parse.
fn expand_range(start: &str, end: &str, period: &str, limit: usize) -> Option<Vec<String>> {
    let (start, end, step) = (
        parse_instant(start)?,
        parse_instant(end)?,
        parse_duration(period)?,
    );
    let mut out = Vec::new();
    for k in 0.. {
        let at = add(start, step, k);
        if at.millis > end.millis {
            break;
        }
        if out.len() == limit {
            return None;
        }
        out.push(format_instant(at));
    }
    Some(out)
}

/// Every instant the dimension offers, in the order advertised, when there are at most `limit`
/// of them; `None` for more, or for a continuous range (no period), or one that does not parse.
pub fn expand(dim: &TimeDimension, limit: usize) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for item in &dim.extent {
        match item {
            TimeExtent::Instant { at } => out.push(at.clone()),
            TimeExtent::Range {
                start,
                end,
                period: Some(period),
            } => out.extend(expand_range(
                start,
                end,
                period,
                limit.checked_sub(out.len())?,
            )?),
            TimeExtent::Range { period: None, .. } => return None,
        }
        if out.len() > limit {
            return None;
        }
    }
    Some(out)
}

/// The last instant of a range: the last step at or before `end`, or `end` without a period.
fn range_last(start: &str, end: &str, period: Option<&str>) -> Option<Instant> {
    let end = parse_instant(end)?;
    let Some(period) = period else {
        return Some(end);
    };
    let (start, step) = (parse_instant(start)?, parse_duration(period)?);
    if start.millis > end.millis {
        return None;
    }
    // An estimate of the step count, then corrected by stepping.
    let approx = step.months as f64 * 30.436_875 * MS_PER_DAY as f64 + step.millis as f64;
    let mut k = ((end.millis - start.millis) as f64 / approx).floor() as i64;
    while k > 0 && add(start, step, k).millis > end.millis {
        k -= 1;
    }
    while add(start, step, k + 1).millis <= end.millis {
        k += 1;
    }
    Some(add(start, step, k))
}

/// The first and the last instant of a dimension (for an input's `min` and `max`).
pub fn bounds(dim: &TimeDimension) -> Option<(Instant, Instant)> {
    let mut first: Option<Instant> = None;
    let mut last: Option<Instant> = None;
    for item in &dim.extent {
        let (lo, hi) = match item {
            TimeExtent::Instant { at } => {
                let at = parse_instant(at)?;
                (at, at)
            }
            TimeExtent::Range { start, end, period } => (
                parse_instant(start)?,
                range_last(start, end, period.as_deref())?,
            ),
        };
        if first.is_none_or(|f| lo.millis < f.millis) {
            first = Some(lo);
        }
        if last.is_none_or(|l| hi.millis > l.millis) {
            last = Some(hi);
        }
    }
    first.zip(last)
}

/// The instant a time-enabled layer shows until the user picks one: the server's default when
/// it is an instant (spelt as the offered value it equals), else the last instant.
pub fn default_time(dim: &TimeDimension) -> Option<String> {
    if let Some(default) = &dim.default
        && let Some(at) = parse_instant(default)
    {
        let listed = expand(dim, MAX_LISTED).and_then(|values| {
            values
                .into_iter()
                .find(|v| parse_instant(v).is_some_and(|i| i.millis == at.millis))
        });
        return Some(listed.unwrap_or_else(|| default.clone()));
    }
    bounds(dim).map(|(_, last)| format_instant(last))
}

/// The value of a `datetime-local` input showing `iso` (in UTC): `2024-06-01T06:00`.
pub fn to_input_value(iso: &str) -> Option<String> {
    let at = parse_instant(iso)?;
    let full = format_instant(Instant {
        millis: at.millis,
        precision: Precision::Second,
    });
    let minutes = full.get(..16)?.to_owned();
    Some(if full.get(17..19) == Some("00") {
        minutes
    } else {
        full.get(..19)?.to_owned()
    })
}

/// The instant a `datetime-local` input's value means, read as UTC: `2024-06-01T06:00:00Z`.
pub fn from_input_value(value: &str) -> Option<String> {
    let at = parse_instant(value)?;
    (at.precision >= Precision::Minute).then(|| {
        format_instant(Instant {
            millis: at.millis,
            precision: Precision::Second,
        })
    })
}

/// A readable label for an offered instant: `2024-06-01 06:00 UTC`, dates as they are.
pub fn label(iso: &str) -> String {
    match parse_instant(iso) {
        Some(at) if at.precision >= Precision::Minute => {
            let text = format_instant(Instant {
                millis: at.millis,
                precision: Precision::Second,
            });
            let seconds = text.get(17..19).filter(|s| *s != "00");
            let hm = text.get(..16).unwrap_or_default().replace('T', " ");
            match seconds {
                Some(s) => format!("{hm}:{s} UTC"),
                None => format!("{hm} UTC"),
            }
        }
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(start: &str, end: &str, period: Option<&str>) -> TimeExtent {
        TimeExtent::Range {
            start: start.into(),
            end: end.into(),
            period: period.map(Into::into),
        }
    }

    fn dim(default: Option<&str>, extent: Vec<TimeExtent>) -> TimeDimension {
        TimeDimension {
            default: default.map(Into::into),
            extent,
        }
    }

    #[test]
    fn the_mapserver_range_expands_to_twenty_instants() {
        let d = dim(
            Some("2024-06-01T00:00:00Z"),
            vec![range(
                "2024-06-01T00:00:00Z",
                "2024-06-05T18:00:00Z",
                Some("PT6H"),
            )],
        );
        let values = expand(&d, MAX_LISTED).unwrap();
        assert_eq!(values.len(), 20);
        assert_eq!(values[1], "2024-06-01T06:00:00Z");
        assert_eq!(values[19], "2024-06-05T18:00:00Z");
        assert_eq!(default_time(&d).as_deref(), Some("2024-06-01T00:00:00Z"));
    }

    #[test]
    fn monthly_steps_follow_the_calendar_and_clamp_the_day() {
        let d = dim(None, vec![range("2024-01-31", "2024-05-31", Some("P1M"))]);
        assert_eq!(
            expand(&d, 10).unwrap(),
            [
                "2024-01-31",
                "2024-02-29",
                "2024-03-31",
                "2024-04-30",
                "2024-05-31"
            ]
        );
        let years = dim(None, vec![range("2000", "2003", Some("P1Y"))]);
        assert_eq!(
            expand(&years, 10).unwrap(),
            ["2000", "2001", "2002", "2003"]
        );
    }

    #[test]
    fn lists_and_ranges_mix_and_long_or_continuous_ones_do_not_expand() {
        let d = dim(
            None,
            vec![
                TimeExtent::Instant {
                    at: "2020-01-01".into(),
                },
                range("2021-01-01", "2021-01-03", Some("P1D")),
            ],
        );
        assert_eq!(
            expand(&d, 10).unwrap(),
            ["2020-01-01", "2021-01-01", "2021-01-02", "2021-01-03"]
        );
        assert_eq!(expand(&d, 3), None, "over the limit");
        let ten_minutes = dim(
            None,
            vec![range(
                "2024-01-01T00:00Z",
                "2024-12-31T00:00Z",
                Some("PT10M"),
            )],
        );
        assert_eq!(expand(&ten_minutes, MAX_LISTED), None);
        let continuous = dim(None, vec![range("2024-01-01", "2024-02-01", None)]);
        assert_eq!(expand(&continuous, MAX_LISTED), None);
    }

    #[test]
    fn the_default_is_the_servers_instant_else_the_last_one() {
        // GeoServer says "current": the last instant, even for long ranges.
        let long = dim(
            Some("current"),
            vec![range(
                "2024-01-01T00:00:00Z",
                "2024-12-31T23:55:00Z",
                Some("PT10M"),
            )],
        );
        assert_eq!(default_time(&long).as_deref(), Some("2024-12-31T23:50:00Z"));
        // A default spelt differently from the list takes the list's spelling.
        let listed = dim(
            Some("2024-06-01T06:00:00.000Z"),
            vec![range(
                "2024-06-01T00:00:00Z",
                "2024-06-02T00:00:00Z",
                Some("PT6H"),
            )],
        );
        assert_eq!(
            default_time(&listed).as_deref(),
            Some("2024-06-01T06:00:00Z")
        );
        let instants = dim(
            None,
            vec![
                TimeExtent::Instant { at: "2021".into() },
                TimeExtent::Instant { at: "2019".into() },
            ],
        );
        assert_eq!(default_time(&instants).as_deref(), Some("2021"));
        let continuous = dim(None, vec![range("2024-01-01", "2024-02-01", None)]);
        assert_eq!(default_time(&continuous).as_deref(), Some("2024-02-01"));
        assert_eq!(default_time(&dim(None, vec![])), None);
    }

    #[test]
    fn datetime_inputs_convert_both_ways_in_utc() {
        assert_eq!(
            to_input_value("2024-06-01T08:00:00+02:00").as_deref(),
            Some("2024-06-01T06:00")
        );
        assert_eq!(
            to_input_value("2024-06-01T06:00:30Z").as_deref(),
            Some("2024-06-01T06:00:30")
        );
        assert_eq!(
            to_input_value("2024-06-01").as_deref(),
            Some("2024-06-01T00:00")
        );
        assert_eq!(
            from_input_value("2024-06-01T06:00").as_deref(),
            Some("2024-06-01T06:00:00Z")
        );
        assert_eq!(from_input_value(""), None);
        assert_eq!(from_input_value("2024-06-01"), None, "a date needs a time");
        let d = dim(None, vec![range("2024-01-01", "2024-02-01", None)]);
        let (first, last) = bounds(&d).unwrap();
        assert_eq!(format_instant(first), "2024-01-01");
        assert_eq!(format_instant(last), "2024-02-01");
    }

    #[test]
    fn labels_are_readable() {
        assert_eq!(label("2024-06-01T06:00:00Z"), "2024-06-01 06:00 UTC");
        assert_eq!(label("2024-06-01T06:00:05Z"), "2024-06-01 06:00:05 UTC");
        assert_eq!(label("2024-06-01"), "2024-06-01");
        assert_eq!(label("current"), "current");
    }
}
