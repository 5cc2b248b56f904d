//! ISO 8601 instants and durations: parsing (a year, a month, a date, or a date-time with
//! optional seconds, fraction and zone; `PnYnMnWnDTnHnMnS`), writing back in UTC at the
//! precision read, and calendar arithmetic (months, then a fixed part).

use crate::chart::calendar;

pub(super) const MS_PER_DAY: i64 = 86_400_000;

/// How precisely an instant was written (and is written back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
    Minute,
    Second,
    Millis,
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    pub millis: i64,
    pub precision: Precision,
}

/// A duration: calendar months (years count 12) and a fixed part in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub months: i64,
    pub millis: i64,
}

/// Days from 1970-01-01 to a valid date (month 1–12, day 1–31), by the calendar's algorithm.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let narrow = |v: i64| u32::try_from(v).unwrap_or(1);
    calendar::days_from_civil(y, narrow(m), narrow(d))
}

/// The date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let (y, m, d) = calendar::civil_from_days(days);
    (y, i64::from(m), i64::from(d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A run of exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Reads `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm[:ss[.fff]]` followed by `Z`,
/// `±hh:mm`, `±hhmm`, `±hh` or nothing (UTC).
pub fn parse_instant(text: &str) -> Option<Instant> {
    let text = text.trim();
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let y = digits(parts.next()?, 4)?;
    let m = match parts.next() {
        Some(p) => Some(digits(p, 2)?),
        None => None,
    };
    let d = match parts.next() {
        Some(p) => Some(digits(p, 2)?),
        None => None,
    };
    if parts.next().is_some() {
        return None;
    }
    let (month, day) = (m.unwrap_or(1), d.unwrap_or(1));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(y, month) {
        return None;
    }
    let mut millis = days_from_civil(y, month, day) * MS_PER_DAY;
    let precision = match (m, d, time) {
        (None, None, None) => Precision::Year,
        (Some(_), None, None) => Precision::Month,
        (Some(_), Some(_), None) => Precision::Day,
        (Some(_), Some(_), Some(time)) => {
            let (ms, precision) = parse_time(time)?;
            millis += ms;
            precision
        }
        _ => return None,
    };
    Some(Instant { millis, precision })
}

/// Milliseconds from midnight UTC of `hh:mm[:ss[.fff]][zone]`, and its precision.
fn parse_time(time: &str) -> Option<(i64, Precision)> {
    let (clock, offset_ms) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = zone[1..].replace(':', "");
        let (h, m) = match zone.len() {
            2 => (digits(&zone, 2)?, 0),
            4 => (digits(&zone[..2], 2)?, digits(&zone[2..], 2)?),
            _ => return None,
        };
        (clock, sign * (h * 60 + m) * 60_000)
    } else {
        (time, 0)
    };
    let mut fields = clock.split(':');
    let h = digits(fields.next()?, 2)?;
    let mi = digits(fields.next()?, 2)?;
    let (s, ms, precision) = match fields.next() {
        None => (0, 0, Precision::Minute),
        Some(sec) => match sec.split_once(['.', ',']) {
            None => (digits(sec, 2)?, 0, Precision::Second),
            Some((whole, frac)) => {
                if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let first3: String = frac.chars().chain("000".chars()).take(3).collect();
                (digits(whole, 2)?, first3.parse().ok()?, Precision::Millis)
            }
        },
    };
    if fields.next().is_some() || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    Some((
        ((h * 60 + mi) * 60 + s.min(59)) * 1000 + ms - offset_ms,
        precision,
    ))
}

/// Writes an instant in UTC at its precision (`2024-06-01T06:00:00Z`, `2024-06-01`).
pub fn format_instant(instant: Instant) -> String {
    let days = instant.millis.div_euclid(MS_PER_DAY);
    let ms = instant.millis.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second, frac) =
        (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    let date = format!("{year:04}-{month:02}-{day:02}");
    match instant.precision {
        Precision::Year => format!("{year:04}"),
        Precision::Month => format!("{year:04}-{month:02}"),
        Precision::Day => date,
        Precision::Minute => format!("{date}T{hour:02}:{minute:02}Z"),
        Precision::Second => format!("{date}T{hour:02}:{minute:02}:{second:02}Z"),
        Precision::Millis => format!("{date}T{hour:02}:{minute:02}:{second:02}.{frac:03}Z"),
    }
}

/// Reads `PnYnMnWnDTnHnMnS` (seconds may have a fraction). A zero duration is refused.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (mut months, mut millis) = (0_i64, 0_i64);
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' if !in_time && number.is_empty() => in_time = true,
            '0'..='9' | '.' | ',' => number.push(if c == ',' { '.' } else { c }),
            unit => {
                if number.is_empty() {
                    return None;
                }
                let value: f64 = number.parse().ok()?;
                let whole = || (value.fract() == 0.0).then_some(value as i64);
                match (in_time, unit) {
                    (false, 'Y') => months += 12 * whole()?,
                    (false, 'M') => months += whole()?,
                    (false, 'W') => millis += 7 * MS_PER_DAY * whole()?,
                    (false, 'D') => millis += MS_PER_DAY * whole()?,
                    (true, 'H') => millis += 3_600_000 * whole()?,
                    (true, 'M') => millis += 60_000 * whole()?,
                    (true, 'S') => millis += (value * 1000.0).round() as i64,
                    _ => return None,
                }
                number.clear();
                any = true;
            }
        }
    }
    (any && number.is_empty() && (months > 0 || millis > 0)).then_some(Duration { months, millis })
}

/// `start` plus `k` times `step`, months first (the day is clamped to the month's length).
pub(super) fn add(start: Instant, step: Duration, k: i64) -> Instant {
    let mut millis = start.millis;
    if step.months != 0 {
        let days = millis.div_euclid(MS_PER_DAY);
        let time = millis.rem_euclid(MS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        let total = y * 12 + (m - 1) + step.months * k;
        let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        millis = days_from_civil(y, m, d.min(days_in_month(y, m))) * MS_PER_DAY + time;
    }
    Instant {
        millis: millis + step.millis * k,
        precision: start.precision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        parse_instant(text).unwrap().millis
    }

    #[test]
    fn instants_parse_in_every_usual_spelling() {
        assert_eq!(ms("1970-01-01T00:00:00Z"), 0);
        assert_eq!(ms("1970-01-02"), 86_400_000);
        assert_eq!(ms("2024-06-01T06:00:00Z"), 1_717_221_600_000);
        assert_eq!(ms("2024-06-01T06:00:00.250Z"), 1_717_221_600_250);
        assert_eq!(ms("2024-06-01T08:00:00+02:00"), ms("2024-06-01T06:00:00Z"));
        assert_eq!(ms("2024-06-01T03:30-0230"), ms("2024-06-01T06:00Z"));
        assert_eq!(ms("2024-06-01T06:00:00"), ms("2024-06-01T06:00:00Z"));
        assert_eq!(ms("2024"), ms("2024-01-01"));
        assert_eq!(
            parse_instant("2024-06").unwrap().precision,
            Precision::Month
        );
        for bad in [
            "current",
            "2024-13-01",
            "2023-02-29",
            "2024-06-01T25:00Z",
            "24-06-01",
            "",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert!(parse_instant("2024-02-29").is_some(), "leap year");
    }

    #[test]
    fn instants_are_written_back_at_their_precision_in_utc() {
        for text in [
            "2024-06-01T06:00:00Z",
            "2024-06-01",
            "2024-06",
            "1999",
            "2024-06-01T06:00Z",
            "2024-06-01T06:00:00.120Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(format_instant(parse_instant(text).unwrap()), text);
        }
        assert_eq!(
            format_instant(parse_instant("2024-06-01T01:00:00+02:00").unwrap()),
            "2024-05-31T23:00:00Z"
        );
    }

    #[test]
    fn durations_read_calendar_and_clock_parts() {
        assert_eq!(
            parse_duration("PT6H"),
            Some(Duration {
                months: 0,
                millis: 6 * 3_600_000
            })
        );
        assert_eq!(
            parse_duration("P1Y2M"),
            Some(Duration {
                months: 14,
                millis: 0
            })
        );
        assert_eq!(parse_duration("P2W").unwrap().millis, 14 * MS_PER_DAY);
        assert_eq!(
            parse_duration("P1DT1H30M0.5S").unwrap().millis,
            MS_PER_DAY + 5_400_500
        );
        for bad in ["P", "PT", "P0D", "1D", "P1H", "PT1D", "P1.5D", "PT6"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
