//! The chart's time scale: a nice step for the visible span and the plot's width (1, 5, 10,
//! 15, 30 s; 1, 5, 10, 15, 30 min; 1, 3, 6, 12 h; 1 day; 1 week; 1, 3, 6 months; 1, 2, 5, 10…
//! years), ticks on the calendar's boundaries in UTC (weeks start on Monday, months and years
//! on their first day), and labels written for the step. A tick on a coarser boundary than the
//! step says so (midnight shows the date, the first of January the year), which keeps the
//! reader oriented without a second row.

use super::calendar::{
    Civil, DAY, HOUR, MINUTE, MONTH_AVG, SECOND, WEEK, YEAR_AVG, date_ms, month_index, month_start,
};

/// Most ticks ever made (a safety bound: steps are chosen to make far fewer).
const MAX_TICKS: usize = 500;
/// Unix ms of the first Monday after the epoch (1970-01-05): weeks are aligned on it.
const FIRST_MONDAY: f64 = 4.0 * DAY;

/// A distance between two ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeStep {
    Seconds(u32),
    Minutes(u32),
    Hours(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u64),
}

/// The fixed steps, finest first; years follow as 1, 2, 5 × 10ⁿ.
const FIXED_STEPS: [TimeStep; 19] = [
    TimeStep::Seconds(1),
    TimeStep::Seconds(5),
    TimeStep::Seconds(10),
    TimeStep::Seconds(15),
    TimeStep::Seconds(30),
    TimeStep::Minutes(1),
    TimeStep::Minutes(5),
    TimeStep::Minutes(10),
    TimeStep::Minutes(15),
    TimeStep::Minutes(30),
    TimeStep::Hours(1),
    TimeStep::Hours(3),
    TimeStep::Hours(6),
    TimeStep::Hours(12),
    TimeStep::Days(1),
    TimeStep::Weeks(1),
    TimeStep::Months(1),
    TimeStep::Months(3),
    TimeStep::Months(6),
];

impl TimeStep {
    /// Its length in ms (months and years: their average length).
    pub fn nominal_ms(self) -> f64 {
        match self {
            TimeStep::Seconds(n) => f64::from(n) * SECOND,
            TimeStep::Minutes(n) => f64::from(n) * MINUTE,
            TimeStep::Hours(n) => f64::from(n) * HOUR,
            TimeStep::Days(n) => f64::from(n) * DAY,
            TimeStep::Weeks(n) => f64::from(n) * WEEK,
            TimeStep::Months(n) => f64::from(n) * MONTH_AVG,
            TimeStep::Years(n) => n as f64 * YEAR_AVG,
        }
    }

    /// CSS px a tick needs for its label not to touch the next one.
    fn min_spacing_px(self) -> f64 {
        match self {
            TimeStep::Seconds(_) => 64.0,
            TimeStep::Minutes(_) | TimeStep::Hours(_) | TimeStep::Days(_) | TimeStep::Weeks(_) => {
                54.0
            }
            TimeStep::Months(_) | TimeStep::Years(_) => 44.0,
        }
    }
}

/// Every candidate step, finest first.
fn steps() -> impl Iterator<Item = TimeStep> {
    let years = (0..7u32).flat_map(|e| [1, 2, 5].map(|m| TimeStep::Years(m * 10u64.pow(e))));
    FIXED_STEPS.into_iter().chain(years)
}

/// The finest step whose ticks leave room for their labels when `span_ms` is drawn over
/// `width_px` CSS px.
pub fn choose_step(span_ms: f64, width_px: f64) -> TimeStep {
    let span = span_ms.max(1.0);
    let mut last = TimeStep::Seconds(1);
    for step in steps() {
        last = step;
        if step.nominal_ms() / span * width_px >= step.min_spacing_px() {
            return step;
        }
    }
    last
}

/// The ticks of `step` within `[from, to]` (Unix ms), in order.
pub fn ticks(from: f64, to: f64, step: TimeStep) -> Vec<f64> {
    let mut out = Vec::new();
    if !(from.is_finite() && to.is_finite()) || to < from {
        return out;
    }
    let fixed = |size: f64, offset: f64, out: &mut Vec<f64>| {
        let mut k = ((from - offset) / size).ceil();
        loop {
            let t = offset + k * size;
            if t > to || out.len() >= MAX_TICKS {
                break;
            }
            out.push(t);
            k += 1.0;
        }
    };
    match step {
        TimeStep::Seconds(_) | TimeStep::Minutes(_) | TimeStep::Hours(_) | TimeStep::Days(_) => {
            fixed(step.nominal_ms(), 0.0, &mut out);
        }
        TimeStep::Weeks(_) => fixed(step.nominal_ms(), FIRST_MONDAY, &mut out),
        TimeStep::Months(n) => {
            let n = i64::from(n.max(1));
            let mut index = month_index(from);
            if month_start(index) < from {
                index += 1;
            }
            index = (index + n - 1).div_euclid(n) * n;
            while month_start(index) <= to && out.len() < MAX_TICKS {
                out.push(month_start(index));
                index += n;
            }
        }
        TimeStep::Years(n) => {
            let n = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
            let mut year = Civil::from_ms(from).year;
            if date_ms(year, 1, 1) < from {
                year += 1;
            }
            year = (year + n - 1).div_euclid(n) * n;
            while date_ms(year, 1, 1) <= to && out.len() < MAX_TICKS {
                out.push(date_ms(year, 1, 1));
                year += n;
            }
        }
    }
    out
}

/// Abbreviated month names, January first.
pub type MonthNames = [&'static str; 12];

fn two(n: u32) -> String {
    format!("{n:02}")
}

/// "5 Feb": a day of a month.
fn day_label(c: &Civil, months: &MonthNames) -> String {
    format!("{} {}", c.day, months[(c.month as usize + 11) % 12])
}

/// A tick's label, written for the step: `14:05:30`, `14:05`, `5 Feb`, `Feb`, `2013`; a tick
/// on a coarser boundary shows that boundary (the date at midnight, the year on 1 January).
pub fn tick_label(t: f64, step: TimeStep, months: &MonthNames) -> String {
    let c = Civil::from_ms(t);
    let midnight = c.hour == 0 && c.minute == 0 && c.second == 0 && c.millis == 0;
    let new_year = midnight && c.month == 1 && c.day == 1;
    match step {
        TimeStep::Seconds(_) | TimeStep::Minutes(_) | TimeStep::Hours(_) if midnight => {
            if new_year {
                c.year.to_string()
            } else {
                day_label(&c, months)
            }
        }
        TimeStep::Seconds(_) => format!("{}:{}:{}", two(c.hour), two(c.minute), two(c.second)),
        TimeStep::Minutes(_) | TimeStep::Hours(_) => format!("{}:{}", two(c.hour), two(c.minute)),
        TimeStep::Days(_) | TimeStep::Weeks(_) if new_year => c.year.to_string(),
        TimeStep::Days(_) | TimeStep::Weeks(_) => day_label(&c, months),
        TimeStep::Months(_) if c.month == 1 => c.year.to_string(),
        TimeStep::Months(_) => months[(c.month as usize + 11) % 12].to_owned(),
        TimeStep::Years(_) => c.year.to_string(),
    }
}

/// An instant for people: `2013-01-05 14:00`, with seconds (and milliseconds) only when it has
/// them; always UTC.
pub fn format_instant(t: f64) -> String {
    let c = Civil::from_ms(t);
    let mut text = format!(
        "{:04}-{}-{} {}:{}",
        c.year,
        two(c.month),
        two(c.day),
        two(c.hour),
        two(c.minute)
    );
    if c.second != 0 || c.millis != 0 {
        text.push(':');
        text.push_str(&two(c.second));
    }
    if c.millis != 0 {
        text = format!("{text}.{:03}", c.millis);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: MonthNames = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    fn at(y: i64, mo: i64, d: u32, h: u32, mi: u32, s: f64) -> f64 {
        date_ms(y, mo, d) + f64::from(h) * HOUR + f64::from(mi) * MINUTE + s * SECOND
    }

    fn ticked(from: f64, to: f64, width: f64) -> (TimeStep, Vec<String>) {
        let step = choose_step(to - from, width);
        let labels = ticks(from, to, step)
            .into_iter()
            .map(|t| tick_label(t, step, &EN))
            .collect();
        (step, labels)
    }

    #[test]
    fn twenty_seconds_over_1600_px_are_ticked_every_second_and_a_minute_every_five() {
        let from = at(2013, 1, 5, 14, 5, 10.0);
        let (step, labels) = ticked(from, from + 20.0 * SECOND, 1600.0);
        assert_eq!(step, TimeStep::Seconds(1));
        assert_eq!(labels.first().map(String::as_str), Some("14:05:10"));
        assert_eq!(labels.len(), 21);
        let (step, labels) = ticked(from, from + 60.0 * SECOND, 800.0);
        assert_eq!(step, TimeStep::Seconds(5));
        assert_eq!(labels[..2], ["14:05:10", "14:05:15"]);
    }

    #[test]
    fn ten_minutes_are_ticked_every_minute_with_hours_and_minutes() {
        let from = at(2013, 1, 5, 14, 0, 30.0);
        let (step, labels) = ticked(from, from + 10.0 * MINUTE, 800.0);
        assert_eq!(step, TimeStep::Minutes(1));
        assert_eq!(labels[..3], ["14:01", "14:02", "14:03"]);
    }

    #[test]
    fn an_hour_gets_five_or_fifteen_minutes_and_days_get_hours() {
        assert_eq!(choose_step(HOUR, 800.0), TimeStep::Minutes(5));
        assert_eq!(choose_step(HOUR, 300.0), TimeStep::Minutes(15));
        let from = at(2013, 1, 5, 14, 0, 0.0);
        let (step, labels) = ticked(from, from + DAY, 1600.0);
        assert_eq!(step, TimeStep::Hours(1));
        assert_eq!(labels[..2], ["14:00", "15:00"]);
        let (step, labels) = ticked(from, from + DAY, 800.0);
        assert_eq!(step, TimeStep::Hours(3));
        // Midnight shows the date it starts.
        assert_eq!(labels[..5], ["15:00", "18:00", "21:00", "6 Jan", "03:00"]);
        let (step, _) = ticked(from, from + 3.0 * DAY, 800.0);
        assert_eq!(step, TimeStep::Hours(6));
        let (step, _) = ticked(from, from + 6.0 * DAY, 800.0);
        assert_eq!(step, TimeStep::Hours(12));
    }

    #[test]
    fn a_month_is_ticked_by_days_or_weeks_starting_on_monday() {
        let (step, labels) = ticked(
            at(2013, 1, 1, 0, 0, 0.0),
            at(2013, 1, 31, 0, 0, 0.0),
            1700.0,
        );
        assert_eq!(step, TimeStep::Days(1));
        // The first of January is a new year: its label is the year.
        assert_eq!(labels[..3], ["2013", "2 Jan", "3 Jan"]);
        let from = at(2013, 1, 1, 0, 0, 0.0);
        let (step, labels) = ticked(from, at(2013, 3, 1, 0, 0, 0.0), 800.0);
        assert_eq!(step, TimeStep::Weeks(1));
        // 2013-01-07 was a Monday.
        assert_eq!(labels[..2], ["7 Jan", "14 Jan"]);
    }

    #[test]
    fn a_year_is_ticked_by_months_with_the_year_on_january() {
        let (step, labels) = ticked(
            at(2013, 1, 1, 0, 0, 0.0),
            at(2013, 12, 31, 23, 0, 0.0),
            800.0,
        );
        assert_eq!(step, TimeStep::Months(1));
        assert_eq!(labels.len(), 12);
        assert_eq!(labels[..3], ["2013", "Feb", "Mar"]);
        let (step, labels) = ticked(
            at(2012, 11, 15, 0, 0, 0.0),
            at(2014, 11, 15, 0, 0, 0.0),
            400.0,
        );
        assert_eq!(step, TimeStep::Months(3));
        assert_eq!(
            labels,
            ["2013", "Apr", "Jul", "Oct", "2014", "Apr", "Jul", "Oct"]
        );
    }

    #[test]
    fn decades_and_centuries_are_ticked_on_round_years() {
        let (step, labels) = ticked(at(1901, 6, 1, 0, 0, 0.0), at(2024, 6, 1, 0, 0, 0.0), 800.0);
        assert_eq!(step, TimeStep::Years(10));
        assert_eq!(labels.first().map(String::as_str), Some("1910"));
        assert_eq!(labels.last().map(String::as_str), Some("2020"));
        let (step, _) = ticked(at(1000, 1, 1, 0, 0, 0.0), at(2000, 1, 1, 0, 0, 0.0), 800.0);
        assert_eq!(step, TimeStep::Years(100));
        let (step, labels) = ticked(at(2001, 3, 1, 0, 0, 0.0), at(2009, 3, 1, 0, 0, 0.0), 400.0);
        assert_eq!(step, TimeStep::Years(1));
        assert_eq!(labels.len(), 8);
    }

    #[test]
    fn ticks_never_leave_the_range_and_are_bounded_for_absurd_inputs() {
        let (from, to) = (at(2013, 2, 10, 3, 0, 0.0), at(2013, 9, 20, 0, 0, 0.0));
        for step in steps().take(22) {
            let ticks = ticks(from, to, step);
            assert!(ticks.iter().all(|t| (from..=to).contains(t)), "{step:?}");
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{step:?}");
            assert!(ticks.len() <= MAX_TICKS);
        }
        assert!(ticks(to, from, TimeStep::Days(1)).is_empty());
        assert!(ticks(f64::NAN, to, TimeStep::Days(1)).is_empty());
    }

    #[test]
    fn instants_are_written_in_utc_with_seconds_only_when_they_have_some() {
        assert_eq!(
            format_instant(at(2013, 1, 5, 14, 0, 0.0)),
            "2013-01-05 14:00"
        );
        assert_eq!(
            format_instant(at(2013, 1, 5, 14, 0, 30.0)),
            "2013-01-05 14:00:30"
        );
        assert_eq!(
            format_instant(at(2013, 1, 5, 14, 0, 30.0) + 5.0),
            "2013-01-05 14:00:30.005"
        );
    }
}
