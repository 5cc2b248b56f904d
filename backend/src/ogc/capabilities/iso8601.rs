//! ISO 8601 instants and durations as WMS servers write them, with civil (proleptic
//! Gregorian) arithmetic in fixed offsets and formatting that keeps the advertised form.

use std::fmt::Write as _;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;

/// How much of an instant was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    /// Seconds with this many fraction digits.
    Second(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// No designator (read as UTC).
    Local,
    Utc,
    /// Fixed offset east of UTC, in seconds.
    Offset(i32),
}

/// An ISO 8601 instant: civil fields in its own zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Instant {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nano: u32,
    zone: Zone,
    precision: Precision,
}

impl Instant {
    /// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, then `Thh`, `:mm`, `:ss`, `.f{1,9}`, then `Z`, `±hh:mm`,
    /// `±hhmm` or `±hh` (a zone only after a time).
    pub(super) fn parse(text: &str) -> Option<Instant> {
        let mut c = Cursor(text.as_bytes());
        let year = i32::try_from(c.digits(4)?).ok()?;
        let mut i = Instant {
            year,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            nano: 0,
            zone: Zone::Local,
            precision: Precision::Year,
        };
        if c.eat(b'-') {
            i.month = u8::try_from(c.digits(2)?)
                .ok()
                .filter(|m| (1..=12).contains(m))?;
            i.precision = Precision::Month;
            if c.eat(b'-') {
                i.day = u8::try_from(c.digits(2)?).ok()?;
                if i.day == 0 || i.day > days_in_month(i.year, i.month) {
                    return None;
                }
                i.precision = Precision::Day;
                if c.eat(b'T') || c.eat(b't') || c.eat(b' ') {
                    i.hour = u8::try_from(c.digits(2)?).ok().filter(|h| *h < 24)?;
                    i.precision = Precision::Hour;
                    if c.eat(b':') {
                        i.minute = u8::try_from(c.digits(2)?).ok().filter(|m| *m < 60)?;
                        i.precision = Precision::Minute;
                        if c.eat(b':') {
                            i.second = u8::try_from(c.digits(2)?).ok().filter(|s| *s < 60)?;
                            i.precision = Precision::Second(0);
                            if c.eat(b'.') || c.eat(b',') {
                                let (fraction, digits) = c.fraction()?;
                                i.nano = fraction;
                                i.precision = Precision::Second(digits);
                            }
                        }
                    }
                    i.zone = c.zone()?;
                }
            }
        }
        c.0.is_empty().then_some(i)
    }

    fn offset_seconds(&self) -> i128 {
        match self.zone {
            Zone::Offset(s) => i128::from(s),
            Zone::Local | Zone::Utc => 0,
        }
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub(super) fn nanos(&self) -> i128 {
        self.local_nanos() - self.offset_seconds() * NANOS_PER_SECOND
    }

    fn local_nanos(&self) -> i128 {
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let seconds =
            i128::from(self.hour) * 3600 + i128::from(self.minute) * 60 + i128::from(self.second);
        i128::from(days) * NANOS_PER_DAY + seconds * NANOS_PER_SECOND + i128::from(self.nano)
    }

    /// The last nanosecond of the unit this instant names (`2020-12` → end of December).
    pub(super) fn upper(&self) -> i128 {
        let unit = match self.precision {
            Precision::Year => Period::months(12),
            Precision::Month => Period::months(1),
            Precision::Day => Period::nanos(NANOS_PER_DAY),
            Precision::Hour => Period::nanos(3600 * NANOS_PER_SECOND),
            Precision::Minute => Period::nanos(60 * NANOS_PER_SECOND),
            Precision::Second(_) => return self.nanos(),
        };
        self.add(&unit, 1)
            .map_or(self.nanos(), |next| next.nanos() - 1)
    }

    /// This instant written precisely enough to show the steps of `period`.
    pub(super) fn with_precision_for(&self, period: &Period) -> Instant {
        let needed = if period.time % NANOS_PER_SECOND != 0 {
            let mut fraction = period.time % NANOS_PER_SECOND;
            let mut digits = 9;
            while fraction % 10 == 0 {
                fraction /= 10;
                digits -= 1;
            }
            Precision::Second(digits)
        } else if period.time % (60 * NANOS_PER_SECOND) != 0 {
            Precision::Second(0)
        } else if period.time != 0 {
            Precision::Minute
        } else if period.days != 0 {
            Precision::Day
        } else if period.months % 12 != 0 {
            Precision::Month
        } else {
            Precision::Year
        };
        let mut out = *self;
        if needed > self.precision {
            out.precision = match (needed, self.precision) {
                (Precision::Second(a), Precision::Second(b)) => Precision::Second(a.max(b)),
                // A date gains a full UTC time: `2021-06-01T12:00:00Z`.
                (_, p) if p <= Precision::Day && needed > Precision::Day => {
                    out.zone = Zone::Utc;
                    needed.max(Precision::Second(0))
                }
                _ => needed,
            };
        }
        out
    }

    /// This instant plus `k` times `period` (calendar part first, counted from here).
    pub(super) fn add(&self, period: &Period, k: i64) -> Option<Instant> {
        let k = i128::from(k);
        let months = i128::from(self.year) * 12 + i128::from(self.month) - 1
            + period.months.checked_mul(k)?;
        let year = i32::try_from(months.div_euclid(12))
            .ok()
            .filter(|y| (0..=9999).contains(y))?;
        let month = u8::try_from(months.rem_euclid(12) + 1).ok()?;
        let day = self.day.min(days_in_month(year, month));
        let moved = Instant {
            year,
            month,
            day,
            ..*self
        };
        let local = moved
            .local_nanos()
            .checked_add(period.days.checked_mul(k)?.checked_mul(NANOS_PER_DAY)?)?
            .checked_add(period.time.checked_mul(k)?)?;
        Instant::from_local_nanos(local, self)
    }

    fn from_local_nanos(local: i128, like: &Instant) -> Option<Instant> {
        let days = i64::try_from(local.div_euclid(NANOS_PER_DAY)).ok()?;
        let rest = local.rem_euclid(NANOS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let year = i32::try_from(year)
            .ok()
            .filter(|y| (0..=9999).contains(y))?;
        let seconds = rest / NANOS_PER_SECOND;
        Some(Instant {
            year,
            month,
            day,
            hour: u8::try_from(seconds / 3600).ok()?,
            minute: u8::try_from(seconds % 3600 / 60).ok()?,
            second: u8::try_from(seconds % 60).ok()?,
            nano: u32::try_from(rest % NANOS_PER_SECOND).ok()?,
            ..*like
        })
    }

    /// Written at its precision and in its zone, like the advertised values.
    pub(super) fn format(&self) -> String {
        let mut s = format!("{:04}", self.year);
        if self.precision >= Precision::Month {
            let _ = write!(s, "-{:02}", self.month);
        }
        if self.precision >= Precision::Day {
            let _ = write!(s, "-{:02}", self.day);
        }
        if self.precision >= Precision::Hour {
            let _ = write!(s, "T{:02}", self.hour);
        }
        if self.precision >= Precision::Minute {
            let _ = write!(s, ":{:02}", self.minute);
        }
        if let Precision::Second(digits) = self.precision {
            let _ = write!(s, ":{:02}", self.second);
            if digits > 0 {
                let all = format!("{:09}", self.nano);
                s.push('.');
                s.push_str(all.get(..usize::from(digits.min(9))).unwrap_or(&all));
            }
        }
        if self.precision >= Precision::Hour {
            match self.zone {
                Zone::Local => {}
                Zone::Utc => s.push('Z'),
                Zone::Offset(seconds) => {
                    let sign = if seconds < 0 { '-' } else { '+' };
                    let minutes = seconds.unsigned_abs() / 60;
                    let _ = write!(s, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
                }
            }
        }
        s
    }
}

/// An ISO 8601 duration: calendar months (years × 12), days (weeks × 7), and exact time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    months: i128,
    days: i128,
    /// Hours, minutes and seconds, in nanoseconds.
    time: i128,
}

impl Period {
    fn months(months: i128) -> Period {
        Period {
            months,
            days: 0,
            time: 0,
        }
    }

    fn nanos(time: i128) -> Period {
        Period {
            months: 0,
            days: 0,
            time,
        }
    }

    /// `P1Y`, `P1M`, `P7D`, `P2W`, `PT1H`, `PT10M`, `PT0.5S`, `P1DT12H`...
    pub(super) fn parse(text: &str) -> Option<Period> {
        let rest = text.strip_prefix('P').or_else(|| text.strip_prefix('p'))?;
        let (date, time) = match rest.split_once(['T', 't']) {
            Some((d, t)) if !t.is_empty() => (d, Some(t)),
            Some(_) => return None,
            None => (rest, None),
        };
        let mut period = Period {
            months: 0,
            days: 0,
            time: 0,
        };
        let mut any = false;
        for (number, unit) in components(date)? {
            let n = number.parse::<i128>().ok()?;
            match unit {
                'Y' => period.months = period.months.checked_add(n.checked_mul(12)?)?,
                'M' => period.months = period.months.checked_add(n)?,
                'W' => period.days = period.days.checked_add(n.checked_mul(7)?)?,
                'D' => period.days = period.days.checked_add(n)?,
                _ => return None,
            }
            any = true;
        }
        for (number, unit) in components(time.unwrap_or_default())? {
            let scale = match unit {
                'H' => 3600 * NANOS_PER_SECOND,
                'M' => 60 * NANOS_PER_SECOND,
                'S' => NANOS_PER_SECOND,
                _ => return None,
            };
            let (whole, fraction) = number.split_once(['.', ',']).unwrap_or((number, ""));
            if fraction.len() > 9 || (unit != 'S' && !fraction.is_empty()) {
                return None;
            }
            let whole = whole.parse::<i128>().ok()?.checked_mul(scale)?;
            let fraction = if fraction.is_empty() {
                0
            } else {
                let digits = u32::try_from(fraction.len()).ok()?;
                fraction.parse::<i128>().ok()? * 10_i128.pow(9 - digits)
            };
            period.time = period.time.checked_add(whole)?.checked_add(fraction)?;
            any = true;
        }
        any.then_some(period)
    }

    pub(super) fn is_zero(&self) -> bool {
        self.months == 0 && self.days == 0 && self.time == 0
    }

    /// The exact length, when there are no months (days are 24 h in a fixed offset).
    pub(super) fn fixed_nanos(&self) -> Option<i128> {
        (self.months == 0).then(|| self.days * NANOS_PER_DAY + self.time)
    }

    /// The mean length (a Gregorian month is 30.436875 days).
    pub(super) fn approx_nanos(&self) -> i128 {
        self.months * 2_629_746 * NANOS_PER_SECOND + self.days * NANOS_PER_DAY + self.time
    }
}

/// Splits `1Y2M` into `[("1", 'Y'), ("2", 'M')]`; `None` when malformed.
fn components(text: &str) -> Option<Vec<(&str, char)>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, ch) in text.char_indices() {
        if ch.is_ascii_digit() || ch == '.' || ch == ',' {
            continue;
        }
        let number = text.get(start..i)?;
        if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        out.push((number, ch.to_ascii_uppercase()));
        start = i + ch.len_utf8();
    }
    (start == text.len()).then_some(out)
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn eat(&mut self, byte: u8) -> bool {
        match self.0.split_first() {
            Some((first, rest)) if *first == byte => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = rest;
        Some(head.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    /// 1 to 9 fraction digits: (nanoseconds, digit count).
    fn fraction(&mut self) -> Option<(u32, u8)> {
        let count = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 || count > 9 {
            return None;
        }
        let value = self.digits(count)?;
        let digits = u32::try_from(count).ok()?;
        Some((value * 10_u32.pow(9 - digits), u8::try_from(count).ok()?))
    }

    fn zone(&mut self) -> Option<Zone> {
        if self.eat(b'Z') || self.eat(b'z') {
            return Some(Zone::Utc);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return Some(Zone::Local);
        };
        let hours = self.digits(2).filter(|h| *h <= 23)?;
        let minutes = if self.eat(b':') {
            self.digits(2)?
        } else {
            self.digits(2).unwrap_or(0)
        };
        if minutes > 59 {
            return None;
        }
        Some(Zone::Offset(
            sign * i32::try_from(hours * 3600 + minutes * 60).ok()?,
        ))
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
