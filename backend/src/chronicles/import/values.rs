//! Cells of a chronicle file: trimmed UTF-8 text, measured values (missing ones — empty,
//! `NA`, `NaN`, `N/A`, `null`, `none` — are gaps, not errors; a decimal comma is read when the
//! delimiter is not a comma) and integer quality codes.

/// A trimmed UTF-8 cell.
pub(super) fn cell(record: &csv::ByteRecord, i: usize) -> Result<&str, String> {
    let bytes = record.get(i).unwrap_or_default();
    std::str::from_utf8(bytes)
        .map(str::trim)
        .map_err(|_| "not UTF-8 text".to_owned())
}

fn is_missing(text: &str) -> bool {
    text.is_empty()
        || ["na", "n/a", "nan", "null", "none"]
            .iter()
            .any(|m| text.eq_ignore_ascii_case(m))
}

/// A measured value: `None` when missing, refused when not a finite number. With a delimiter
/// other than `,`, a decimal comma is read too (`12,5`).
pub(super) fn parse_value(text: &str, decimal_comma: bool) -> Result<Option<f64>, String> {
    if is_missing(text) {
        return Ok(None);
    }
    let parsed = match text.parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) if decimal_comma && text.contains(',') => text.replacen(',', ".", 1).parse().ok(),
        Err(_) => None,
    };
    match parsed {
        Some(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(format!("`{text}` is not a number")),
    }
}

pub(super) fn parse_quality(text: &str) -> Result<Option<i64>, String> {
    if is_missing(text) {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| format!("quality `{text}` is not an integer"))
}

/// Whether the column holds numbers (or nothing) in `rows`, at least one number.
pub(super) fn numeric_column(rows: &[csv::ByteRecord], i: usize, decimal_comma: bool) -> bool {
    let mut any = false;
    for row in rows {
        match cell(row, i).map(|text| parse_value(text, decimal_comma)) {
            Ok(Ok(Some(_))) => any = true,
            Ok(Ok(None)) => {}
            _ => return false,
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_values_are_gaps_and_garbage_is_refused() {
        for missing in ["", "NA", "na", "NaN", "nan", "N/A", "null", "NULL"] {
            assert_eq!(parse_value(missing, false), Ok(None), "{missing}");
        }
        assert_eq!(parse_value("12.5", false), Ok(Some(12.5)));
        assert_eq!(parse_value("-1e3", false), Ok(Some(-1000.0)));
        assert_eq!(parse_value("12,5", true), Ok(Some(12.5)));
        assert!(parse_value("12,5", false).is_err());
        assert!(parse_value("inf", false).unwrap_err().contains("`inf`"));
        assert!(parse_value("abc", false).is_err());
        assert_eq!(parse_quality("3"), Ok(Some(3)));
        assert_eq!(parse_quality("NA"), Ok(None));
        assert!(parse_quality("good").is_err());
    }
}
