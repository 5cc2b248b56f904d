//! Times of a chronicle file → microseconds since the Unix epoch, UTC.
//!
//! Without a format: ISO 8601 / RFC 3339 (`2013-01-01T06:00:00Z`, `…+01:00`, `…+0100`), the
//! same with a space for the `T` (`2013-01-01 06:00[:00[.123456]]`) and dates alone
//! (`2013-01-01`, midnight), read by a hand-written parser (the hot path of an import). With a
//! format: chrono's strftime items, parsed once. A time without an offset is local time in
//! the configured IANA zone (UTC without one): a time that does not exist there (the hour
//! skipped when clocks go forward) or that happened twice (clocks going back) is refused, with
//! the reason; the offset, when written, always wins. Sub-second digits are kept to the
//! microsecond (further digits are cut).

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// How the times of one file are read.
#[derive(Debug, Clone)]
pub struct TimeParser {
    format: Option<(String, Vec<Item<'static>>)>,
    zone: Option<Tz>,
}

impl TimeParser {
    /// `format`: strftime (`%d/%m/%Y %H:%M`), `None` for ISO 8601; `zone`: IANA name for
    /// times written without an offset. Errors say what is wrong with either.
    pub fn new(format: Option<&str>, zone: Option<&str>) -> Result<Self, String> {
        let format = match format {
            None => None,
            Some(text) => {
                let items = StrftimeItems::new(text)
                    .parse_to_owned()
                    .map_err(|_| format!("time format `{text}` is not a valid strftime format"))?;
                if items.is_empty() {
                    return Err("the time format is empty".to_owned());
                }
                Some((text.to_owned(), items))
            }
        };
        let zone = zone.map(parse_zone).transpose()?;
        Ok(Self { format, zone })
    }

    /// The time `text` in µs since the epoch (UTC), or why it cannot be read.
    pub fn parse(&self, text: &str) -> Result<i64, String> {
        match &self.format {
            None => match parse_iso(text) {
                Some((naive, Some(offset_s))) => {
                    Ok(naive.and_utc().timestamp_micros() - i64::from(offset_s) * 1_000_000)
                }
                Some((naive, None)) => self.resolve(naive),
                None => Err(format!(
                    "`{text}` is not an ISO 8601 time (like 2024-05-01T12:00:00Z, \
                     2024-05-01 14:00 or 2024-05-01); give --time-format for other shapes"
                )),
            },
            Some((format, items)) => {
                let mut parsed = Parsed::new();
                let mismatch = || format!("`{text}` does not match the time format `{format}`");
                chrono::format::parse(&mut parsed, text, items.iter()).map_err(|_| mismatch())?;
                if parsed.timestamp().is_some() || parsed.offset().is_some() {
                    // Seconds since the epoch, or a written offset: an absolute time.
                    let at = if parsed.offset().is_some() {
                        parsed.to_datetime().map(|t| t.timestamp_micros())
                    } else {
                        parsed
                            .to_naive_datetime_with_offset(0)
                            .map(|t| t.and_utc().timestamp_micros())
                    };
                    return at.map_err(|_| mismatch());
                }
                let naive = match parsed.to_naive_datetime_with_offset(0) {
                    Ok(naive) => naive,
                    // A date alone: midnight.
                    Err(_) => parsed
                        .to_naive_date()
                        .map_err(|_| mismatch())?
                        .and_time(NaiveTime::MIN),
                };
                self.resolve(naive)
            }
        }
    }

    /// A local time (no offset written) in the zone, refused when it is not one instant.
    fn resolve(&self, naive: NaiveDateTime) -> Result<i64, String> {
        let Some(zone) = self.zone else {
            return Ok(naive.and_utc().timestamp_micros());
        };
        match zone.from_local_datetime(&naive) {
            LocalResult::Single(at) => Ok(at.timestamp_micros()),
            LocalResult::Ambiguous(first, second) => Err(format!(
                "{naive} is ambiguous in {zone}: clocks went back and it happened twice \
                 (at {} and at {}); write the offset in the time",
                first.format("%:z"),
                second.format("%:z")
            )),
            LocalResult::None => Err(format!(
                "{naive} does not exist in {zone}: clocks went forward over it"
            )),
        }
    }
}

/// An IANA time zone name (`Europe/Paris`, `UTC`).
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>()
        .map_err(|_| format!("`{name}` is not an IANA time zone (like Europe/Paris or UTC)"))
}

/// ISO 8601: the local date-time and the offset in seconds east of UTC, when written.
fn parse_iso(text: &str) -> Option<(NaiveDateTime, Option<i32>)> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date =
        NaiveDate::from_ymd_opt(digits(b, 0, 4)? as i32, digits(b, 5, 2)?, digits(b, 8, 2)?)?;
    if b.len() == 10 {
        return Some((date.and_time(NaiveTime::MIN), None));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (digits(b, 11, 2)?, digits(b, 14, 2)?);
    let mut i = 16;
    let (mut second, mut micro) = (0, 0);
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 6 {
                    micro = micro * 10 + u32::from(b[i] - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..6 {
                micro *= 10;
            }
        }
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micro)?;
    let offset = match b.get(i) {
        None => None,
        Some(b'Z' | b'z') if i + 1 == b.len() => Some(0),
        Some(&sign @ (b'+' | b'-')) => {
            let rest = &b[i + 1..];
            let (h, m) = match rest.len() {
                2 => (digits(rest, 0, 2)?, 0),
                4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let seconds = (h * 3600 + m * 60) as i32;
            Some(if sign == b'-' { -seconds } else { seconds })
        }
        Some(_) => return None,
    };
    Some((date.and_time(time), offset))
}

/// `len` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let slice = b.get(at..at + len)?;
    slice.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Result<i64, String> {
        TimeParser::new(None, None).unwrap().parse(text)
    }

    fn paris(text: &str) -> Result<i64, String> {
        TimeParser::new(None, Some("Europe/Paris"))
            .unwrap()
            .parse(text)
    }

    /// 2013-01-01T06:00:00Z in µs.
    const T0: i64 = 1_357_020_000_000_000;

    #[test]
    fn iso_times_with_z_offsets_and_spaces_are_the_same_instant() {
        for text in [
            "2013-01-01T06:00:00Z",
            "2013-01-01t06:00:00z",
            "2013-01-01T07:00:00+01:00",
            "2013-01-01T07:00:00+0100",
            "2013-01-01T07:00+01",
            "2013-01-01T01:00:00-05:00",
            "2013-01-01 06:00:00",
            "2013-01-01 06:00",
        ] {
            assert_eq!(utc(text), Ok(T0), "{text}");
        }
    }

    #[test]
    fn sub_second_digits_are_kept_to_the_microsecond() {
        assert_eq!(utc("2013-01-01T06:00:00.5Z"), Ok(T0 + 500_000));
        assert_eq!(utc("2013-01-01T06:00:00.123456Z"), Ok(T0 + 123_456));
        assert_eq!(utc("2013-01-01 06:00:00,000001"), Ok(T0 + 1));
        assert_eq!(
            utc("2013-01-01T06:00:00.1234569Z"),
            Ok(T0 + 123_456),
            "digits beyond µs cut"
        );
    }

    #[test]
    fn a_date_alone_is_midnight() {
        assert_eq!(utc("2013-01-01"), Ok(T0 - 6 * 3_600_000_000));
    }

    #[test]
    fn malformed_times_are_refused_with_the_text() {
        for text in [
            "",
            "2013-13-01",
            "2013-02-30",
            "2013-01-01T25:00",
            "2013-01-01T06:00:00.Z",
            "2013-01-01T06:00:00+1",
            "2013-01-01T06:00:00 Z",
            "01/01/2013",
            "2013-01-01T06",
        ] {
            let err = utc(text).unwrap_err();
            assert!(err.contains(&format!("`{text}`")), "{err}");
        }
    }

    #[test]
    fn local_times_in_paris_follow_winter_and_summer_time() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(paris("2013-01-01 07:00"), Ok(T0));
        assert_eq!(paris("2024-07-01T12:00:00"), utc("2024-07-01T10:00:00Z"));
    }

    #[test]
    fn the_hour_skipped_in_spring_does_not_exist() {
        // 2024-03-31: 02:00 → 03:00 in Europe/Paris.
        let err = paris("2024-03-31 02:30").unwrap_err();
        assert!(err.contains("does not exist in Europe/Paris"), "{err}");
        assert_eq!(paris("2024-03-31 01:59"), utc("2024-03-31T00:59:00Z"));
        assert_eq!(paris("2024-03-31 03:00"), utc("2024-03-31T01:00:00Z"));
    }

    #[test]
    fn the_hour_repeated_in_autumn_is_ambiguous_unless_the_offset_is_written() {
        // 2024-10-27: 03:00 → 02:00 in Europe/Paris.
        let err = paris("2024-10-27 02:30").unwrap_err();
        assert!(err.contains("ambiguous"), "{err}");
        assert!(err.contains("+02:00") && err.contains("+01:00"), "{err}");
        assert_eq!(
            paris("2024-10-27T02:30:00+02:00"),
            utc("2024-10-27T00:30:00Z")
        );
        assert_eq!(
            paris("2024-10-27T02:30:00+01:00"),
            utc("2024-10-27T01:30:00Z")
        );
    }

    #[test]
    fn custom_formats_read_local_times_dates_offsets_and_epoch_seconds() {
        let fr = TimeParser::new(Some("%d/%m/%Y %H:%M"), Some("Europe/Paris")).unwrap();
        assert_eq!(fr.parse("01/01/2013 07:00"), Ok(T0));
        assert!(
            fr.parse("2013-01-01 07:00")
                .unwrap_err()
                .contains("%d/%m/%Y")
        );
        let day = TimeParser::new(Some("%d/%m/%Y"), None).unwrap();
        assert_eq!(day.parse("01/01/2013"), utc("2013-01-01"));
        let offset = TimeParser::new(Some("%Y%m%d %H%M%S %z"), Some("Europe/Paris")).unwrap();
        assert_eq!(offset.parse("20130101 010000 -0500"), Ok(T0));
        let epoch = TimeParser::new(Some("%s"), Some("Europe/Paris")).unwrap();
        assert_eq!(epoch.parse("1357020000"), Ok(T0));
        let fraction = TimeParser::new(Some("%Y-%m-%d %H:%M:%S%.f"), None).unwrap();
        assert_eq!(fraction.parse("2013-01-01 06:00:00.250"), Ok(T0 + 250_000));
    }

    #[test]
    fn bad_formats_and_zones_are_named() {
        assert!(
            TimeParser::new(Some("%Q"), None)
                .unwrap_err()
                .contains("`%Q`")
        );
        assert!(
            TimeParser::new(None, Some("Europe/Brest"))
                .unwrap_err()
                .contains("`Europe/Brest`")
        );
    }
}
