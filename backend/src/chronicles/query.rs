//! The points request, parsed and checked before any lookup: `from` / `to` (ISO 8601 with an
//! offset or `Z`, a date alone meaning midnight UTC, or Unix milliseconds), `points`
//! ([`MIN_POINTS`] to [`MAX_POINTS`], default [`DEFAULT_POINTS`]: the fewest that can hold both
//! ends, both extremes and the breaks between them), `method` (`minmax`, the default, or `lttb`) and `format` (`json` or `csv`).

use chrono::{DateTime, NaiveDate, SecondsFormat};
use kartenn_common::Downsampling;
use serde::Deserialize;

pub use super::downsample::MIN_POINTS;

/// The most points one answer may carry.
pub const MAX_POINTS: usize = 20_000;
/// Points when the request names none.
pub const DEFAULT_POINTS: usize = 2_000;

/// The query string of `…/series/{variable}`, as sent (checked by [`PointsParams::parse`]).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PointsParams {
    /// Start of the range (inclusive): ISO 8601 with `Z` or an offset (`2013-01-01T06:00:00Z`),
    /// a date (midnight UTC), or Unix milliseconds. Default: the series' first sample.
    pub from: Option<String>,
    /// End of the range (inclusive), same forms. Default: the series' last sample.
    pub to: Option<String>,
    /// At most this many points: 8 to 20 000, default 2 000.
    pub points: Option<String>,
    /// `minmax` (default: each bucket's minimum and maximum) or `lttb`.
    pub method: Option<String>,
    /// `json` (default) or `csv` (the raw samples, like the `.csv` suffix).
    pub format: Option<String>,
}

/// What the answer should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// A checked points request; times in µs since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointsQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub points: usize,
    pub method: Downsampling,
    pub format: Format,
}

impl PointsParams {
    /// Checks every parameter; the message names the first wrong one.
    pub fn parse(&self) -> Result<PointsQuery, String> {
        let from = self
            .from
            .as_deref()
            .map(|t| parse_time(t).map_err(|e| format!("from: {e}")))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|t| parse_time(t).map_err(|e| format!("to: {e}")))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err("from must not be after to".into());
        }
        let points = match self.points.as_deref() {
            None => DEFAULT_POINTS,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (MIN_POINTS..=MAX_POINTS).contains(n))
                .ok_or_else(|| {
                    format!(
                        "points must be a whole number from {MIN_POINTS} to {MAX_POINTS}, \
                         not `{text}`"
                    )
                })?,
        };
        let method = match self
            .method
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("minmax" | "min_max") => Downsampling::MinMax,
            Some("lttb") => Downsampling::Lttb,
            Some(other) => return Err(format!("method must be `minmax` or `lttb`, not `{other}`")),
        };
        let format = match self
            .format
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some(other) => return Err(format!("format must be `json` or `csv`, not `{other}`")),
        };
        Ok(PointsQuery {
            from,
            to,
            points,
            method,
            format,
        })
    }
}

/// An instant as µs since the Unix epoch: Unix milliseconds (`1357020000000`, a fraction
/// allowed), a date (`2013-01-01`, midnight UTC), or an ISO 8601 date-time with `Z` or an
/// offset (seconds and their fraction optional). A date-time without a zone is refused: it
/// would be ambiguous.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let fail = || {
        format!(
            "`{text}` is not a time: use ISO 8601 with Z or an offset \
             (2013-01-01T06:00:00Z), a date (2013-01-01), or Unix milliseconds"
        )
    };
    if text.is_empty() {
        return Err(fail());
    }
    let numeric = text
        .bytes()
        .enumerate()
        .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
    if numeric {
        if let Ok(ms) = text.parse::<i64>() {
            return ms.checked_mul(1000).ok_or_else(fail);
        }
        let ms: f64 = text.parse().map_err(|_| fail())?;
        let us = (ms * 1000.0).round();
        return if us.is_finite() && us.abs() < 9.0e18 {
            Ok(us as i64)
        } else {
            Err(fail())
        };
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_micros())
            .ok_or_else(fail);
    }
    let zoned = match text.strip_suffix(['Z', 'z']) {
        Some(head) => format!("{head}+00:00"),
        None => text.to_owned(),
    };
    let parsed = DateTime::parse_from_rfc3339(&zoned)
        .or_else(|_| DateTime::parse_from_str(&zoned, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(&zoned, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map_err(|_| {
            if zoned.len() == text.len() && text.contains('T') && !has_offset(text) {
                format!("`{text}` has no time zone: add Z (UTC) or an offset such as +01:00")
            } else {
                fail()
            }
        })?;
    Ok(parsed.timestamp_micros())
}

/// Whether a date-time text ends with an offset (`±hh:mm`, `±hhmm`).
fn has_offset(text: &str) -> bool {
    text.rfind('T')
        .is_some_and(|t| text[t..].contains(['+', '-']))
}

/// µs since the Unix epoch → Unix milliseconds on the wire.
pub fn to_ms(us: i64) -> f64 {
    us as f64 / 1000.0
}

/// µs → ISO 8601 UTC with as many fraction digits as stored (none, 3 or 6).
pub fn iso(us: i64) -> String {
    DateTime::from_timestamp_micros(us).map_or_else(
        || us.to_string(),
        |d| d.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> PointsParams {
        let mut p = PointsParams::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "from" => p.from = v,
                "to" => p.to = v,
                "points" => p.points = v,
                "method" => p.method = v,
                _ => p.format = v,
            }
        }
        p
    }

    #[test]
    fn times_are_read_in_every_documented_form() {
        let six = 1_357_020_000_000_000; // 2013-01-01T06:00:00Z
        assert_eq!(parse_time("2013-01-01T06:00:00Z"), Ok(six));
        assert_eq!(parse_time("2013-01-01T07:00:00+01:00"), Ok(six));
        assert_eq!(parse_time("2013-01-01T06:00Z"), Ok(six));
        assert_eq!(parse_time("2013-01-01T06:00:00.5Z"), Ok(six + 500_000));
        assert_eq!(parse_time("1357020000000"), Ok(six));
        assert_eq!(parse_time("1357020000000.25"), Ok(six + 250));
        assert_eq!(parse_time("2013-01-01"), Ok(six - 6 * 3_600_000_000));
        assert_eq!(parse_time("-1000"), Ok(-1_000_000));
    }

    #[test]
    fn unreadable_or_zoneless_times_are_refused_with_a_reason() {
        for bad in [
            "",
            "soon",
            "2013-13-01",
            "2013-01-01T25:00:00Z",
            "1e400",
            "12:00",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        let naive = parse_time("2013-01-01T06:00:00").unwrap_err();
        assert!(naive.contains("time zone"), "{naive}");
    }

    #[test]
    fn times_are_written_with_the_precision_stored() {
        assert_eq!(iso(1_357_020_000_000_000), "2013-01-01T06:00:00Z");
        assert_eq!(iso(1_357_020_000_123_000), "2013-01-01T06:00:00.123Z");
        assert_eq!(iso(1_357_020_000_000_001), "2013-01-01T06:00:00.000001Z");
    }

    #[test]
    fn parameters_default_and_are_checked() {
        let q = params(&[]).parse().unwrap();
        assert_eq!(
            (q.points, q.method, q.format),
            (DEFAULT_POINTS, Downsampling::MinMax, Format::Json)
        );
        let q = params(&[("method", "LTTB"), ("format", "csv"), ("points", "8")])
            .parse()
            .unwrap();
        assert_eq!(
            (q.points, q.method, q.format),
            (8, Downsampling::Lttb, Format::Csv)
        );
        for bad in [
            vec![("points", "0")],
            vec![("points", "7")],
            vec![("points", "20001")],
            vec![("points", "-3")],
            vec![("points", "many")],
            vec![("method", "average")],
            vec![("format", "xml")],
            vec![("from", "2014-01-01"), ("to", "2013-01-01")],
            vec![("from", "tomorrow")],
        ] {
            assert!(params(&bad).parse().is_err(), "{bad:?}");
        }
        assert!(params(&[("points", "20000")]).parse().is_ok());
    }
}
