//! The shapes parameter values must have in an OGC request, and their checks: names, CRSs,
//! boxes, sizes within the limits, MIME types, times, option lists, plain attribute names.

use super::OgcError;
use super::kvp::printable;
use crate::config::OgcLimits;

/// Value shapes a parameter must have.
#[derive(Debug, Clone, Copy)]
pub(super) enum Shape {
    /// Part of the request's identity (SERVICE, REQUEST), checked separately.
    Fixed,
    Version,
    /// Comma-separated layer names.
    Layers,
    /// One layer name.
    Layer,
    /// Comma-separated style names (may be empty).
    Styles,
    Crs,
    Bbox,
    /// Width/height: 1..=limit.
    Size(Dim),
    /// A pixel inside the map (I/J, X/Y).
    Pixel(Dim),
    Count(CountKind),
    Uint,
    Number,
    Mime,
    Bool,
    Color,
    Time,
    Exceptions,
    /// `key:value;key:value` with plain keys and values (FORMAT_OPTIONS, LEGEND_OPTIONS).
    Options,
    /// Comma-separated plain attribute names.
    Attributes,
    /// Attribute names each optionally followed by ASC/DESC (WFS 2.0) or +A/+D (1.1).
    SortBy,
    /// Comma-separated feature ids `type.123`.
    ResourceIds,
    /// `hits` or `results`.
    ResultType,
    /// Plain words (language codes, `true`, tiling hints).
    Word,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Dim {
    Width,
    Height,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum CountKind {
    FeatureInfo,
    Features,
}

pub(super) fn check(
    key: &str,
    value: &str,
    shape: Shape,
    limits: &OgcLimits,
    width: Option<u32>,
    height: Option<u32>,
) -> Result<(), OgcError> {
    let bad = |why: &str| {
        OgcError::invalid(
            "InvalidParameterValue",
            format!("{key}={} {why}", printable(value)),
        )
    };
    let in_range = |max: u32| match value.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(true),
        Ok(_) => Err(bad(&format!("is out of range (1-{max})"))),
        Err(_) => Ok(false),
    };
    let ok = match shape {
        Shape::Size(Dim::Width) => in_range(limits.max_width)?,
        Shape::Size(Dim::Height) => in_range(limits.max_height)?,
        Shape::Count(CountKind::FeatureInfo) => in_range(limits.max_feature_count)?,
        Shape::Count(CountKind::Features) => in_range(limits.max_count)?,
        Shape::Pixel(dim) => {
            let bound = match dim {
                Dim::Width => width,
                Dim::Height => height,
            };
            matches!((value.parse::<u32>(), bound), (Ok(p), Some(b)) if p < b)
        }
        other => text_ok(other, value),
    };
    if ok {
        Ok(())
    } else {
        Err(bad("is not valid here"))
    }
}

/// Shapes checked on the text alone.
fn text_ok(shape: Shape, value: &str) -> bool {
    let chars_in = |max: usize, extra: &[u8]| {
        !value.is_empty()
            && value.len() <= max
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || extra.contains(&b))
    };
    match shape {
        Shape::Fixed => true,
        Shape::Version => {
            value.len() <= 32
                && value.split(',').all(|v| {
                    !v.is_empty()
                        && v.split('.')
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                })
        }
        Shape::Layers => !value.is_empty() && value.len() <= 4096 && value.split(',').all(is_name),
        Shape::Layer => is_name(value),
        Shape::Styles => {
            value.len() <= 4096 && value.split(',').all(|s| s.is_empty() || is_name(s))
        }
        Shape::Crs => is_crs(value),
        Shape::Bbox => is_bbox(value),
        Shape::Uint => chars_in(9, b"") && value.bytes().all(|b| b.is_ascii_digit()),
        Shape::Number => value.len() <= 32 && value.parse::<f64>().is_ok_and(f64::is_finite),
        Shape::Mime => chars_in(128, b" /+.;=_-:"),
        Shape::Bool => matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "1" | "0" | ""
        ),
        Shape::Color => value
            .strip_prefix("0x")
            .or_else(|| value.strip_prefix("0X"))
            .or_else(|| value.strip_prefix('#'))
            .is_some_and(|h| matches!(h.len(), 6 | 8) && h.bytes().all(|b| b.is_ascii_hexdigit())),
        Shape::Time => chars_in(1024, b":.+-/,"),
        Shape::Exceptions => matches!(
            value,
            "XML"
                | "INIMAGE"
                | "BLANK"
                | "JSON"
                | "application/vnd.ogc.se_xml"
                | "application/vnd.ogc.se_inimage"
                | "application/vnd.ogc.se_blank"
                | "application/json"
                | "text/xml"
        ),
        Shape::Options => is_options(value),
        Shape::Attributes => value.len() <= 4096 && value.split(',').all(is_attribute),
        Shape::SortBy => value.len() <= 1024 && value.split(',').all(is_sort_key),
        Shape::ResourceIds => value.len() <= 4096 && value.split(',').all(is_resource_id),
        Shape::ResultType => matches!(value.to_ascii_lowercase().as_str(), "hits" | "results"),
        Shape::Word => is_word(value),
        Shape::Size(_) | Shape::Pixel(_) | Shape::Count(_) => false,
    }
}

/// `key:value;key:value` with plain keys and short plain values.
fn is_options(value: &str) -> bool {
    value.len() <= 512
        && value.split(';').all(|kv| {
            kv.is_empty()
                || kv.split_once(':').is_some_and(|(k, v)| {
                    is_word(k)
                        && v.len() <= 64
                        && v.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"._-#".contains(&b))
                })
        })
}

/// An attribute name, optionally followed by a sort direction.
fn is_sort_key(item: &str) -> bool {
    let item = item.trim();
    let name = [" ASC", " DESC", " A", " D", "+A", "+D"]
        .iter()
        .find_map(|suffix| item.strip_suffix(suffix))
        .unwrap_or(item);
    is_attribute(name)
}

/// `typename.id` with a plain id.
fn is_resource_id(id: &str) -> bool {
    id.rsplit_once('.').is_some_and(|(t, n)| {
        is_name(t)
            && !n.is_empty()
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A layer, style or feature-type name: letters, digits, `_ - .`, one optional `prefix:`.
pub fn is_name(s: &str) -> bool {
    let plain = |p: &str| {
        !p.is_empty()
            && p.len() <= 256
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            && !p.starts_with(['.', '-'])
    };
    match s.split_once(':') {
        Some((prefix, local)) => plain(prefix) && plain(local),
        None => plain(s),
    }
}

/// A plain attribute name (no paths, functions or expressions), optionally `prefix:`-qualified.
fn is_attribute(s: &str) -> bool {
    let plain = |p: &str| {
        p.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && p.len() <= 128
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    match s.split_once(':') {
        Some((prefix, local)) => plain(prefix) && plain(local),
        None => plain(s),
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_crs(s: &str) -> bool {
    let digits = |d: &str| !d.is_empty() && d.len() <= 9 && d.bytes().all(|b| b.is_ascii_digit());
    let upper = s.to_ascii_uppercase();
    upper.strip_prefix("EPSG:").is_some_and(digits)
        || upper.strip_prefix("CRS:").is_some_and(digits)
        || upper
            .strip_prefix("URN:OGC:DEF:CRS:EPSG::")
            .is_some_and(digits)
        || upper
            .strip_prefix("URN:OGC:DEF:CRS:OGC:1.3:")
            .is_some_and(|d| d == "CRS84")
        || upper
            .strip_prefix("HTTP://WWW.OPENGIS.NET/DEF/CRS/EPSG/0/")
            .is_some_and(digits)
}

/// Four finite numbers with min < max, and an optional fifth item naming a CRS (WFS).
fn is_bbox(s: &str) -> bool {
    let parts: Vec<&str> = s.split(',').collect();
    let (numbers, crs) = match parts.len() {
        4 => (&parts[..], None),
        5 => (&parts[..4], parts.get(4)),
        _ => return false,
    };
    let values: Vec<f64> = numbers
        .iter()
        .filter_map(|p| p.trim().parse::<f64>().ok())
        .collect();
    values.len() == 4
        && values.iter().all(|v| v.is_finite())
        && values[0] < values[2]
        && values[1] < values[3]
        && crs.is_none_or(|c| is_crs(c))
}
