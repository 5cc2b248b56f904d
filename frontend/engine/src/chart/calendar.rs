//! UTC calendar arithmetic on Unix milliseconds (proleptic Gregorian, no time zones): civil
//! dates and back, flooring to a unit, adding months. Days are Howard Hinnant's algorithms.

/// Milliseconds in common fixed units.
pub const SECOND: f64 = 1_000.0;
pub const MINUTE: f64 = 60.0 * SECOND;
pub const HOUR: f64 = 60.0 * MINUTE;
pub const DAY: f64 = 24.0 * HOUR;
pub const WEEK: f64 = 7.0 * DAY;
/// Average lengths, for spacing decisions only (ticks themselves follow the calendar).
pub const MONTH_AVG: f64 = 30.436_875 * DAY;
pub const YEAR_AVG: f64 = 365.242_5 * DAY;

/// A UTC date and time of day, as a calendar shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub millis: u32,
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl Civil {
    /// The calendar reading of `ms` (floored to the millisecond).
    pub fn from_ms(ms: f64) -> Self {
        let total = ms.floor() as i64;
        let days = total.div_euclid(86_400_000);
        let rest = total.rem_euclid(86_400_000);
        let (year, month, day) = civil_from_days(days);
        Self {
            year,
            month,
            day,
            hour: (rest / 3_600_000) as u32,
            minute: (rest / 60_000 % 60) as u32,
            second: (rest / 1000 % 60) as u32,
            millis: (rest % 1000) as u32,
        }
    }
}

/// Unix ms of midnight UTC on a civil date; months beyond 12 (or below 1) roll into the next
/// (previous) years.
pub fn date_ms(year: i64, month: i64, day: u32) -> f64 {
    let m0 = month - 1;
    let (y, m) = (year + m0.div_euclid(12), m0.rem_euclid(12) + 1);
    days_from_civil(y, m as u32, day) as f64 * DAY
}

/// Months since January 1970 of the month holding `ms`.
pub fn month_index(ms: f64) -> i64 {
    let c = Civil::from_ms(ms);
    (c.year - 1970) * 12 + i64::from(c.month) - 1
}

/// Unix ms of the first day of month number `index` (months since January 1970).
pub fn month_start(index: i64) -> f64 {
    date_ms(1970, index + 1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_is_the_first_of_january_1970_at_midnight() {
        let c = Civil::from_ms(0.0);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute),
            (1970, 1, 1, 0, 0)
        );
    }

    #[test]
    fn civil_dates_and_day_counts_round_trip_across_leap_years_and_before_1970() {
        for days in [-800_000, -1, 0, 59, 365, 11_016, 15_706, 19_782, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(days_from_civil(2012, 2, 29)), (2012, 2, 29));
    }

    #[test]
    fn a_time_of_day_is_read_in_utc_to_the_millisecond() {
        // 2013-01-05T14:05:30.250Z
        let ms = date_ms(2013, 1, 5) + 14.0 * HOUR + 5.0 * MINUTE + 30.0 * SECOND + 250.0;
        let c = Civil::from_ms(ms);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis),
            (2013, 1, 5, 14, 5, 30, 250)
        );
    }

    #[test]
    fn months_beyond_december_roll_into_the_next_year() {
        assert_eq!(date_ms(2013, 13, 1), date_ms(2014, 1, 1));
        assert_eq!(date_ms(2013, 0, 1), date_ms(2012, 12, 1));
        assert_eq!(
            month_start(month_index(date_ms(2013, 7, 19))),
            date_ms(2013, 7, 1)
        );
    }
}
