//! OGC key-value-pair query strings, parsed strictly: keys are case-insensitive (kept upper
//! case), a key given twice is refused (`LAYERS=a&layers=b` must not mean different things to
//! Kartenn and to the server behind it), percent-encoding must be valid UTF-8, and sizes are
//! bounded. Values are decoded once, here; everything downstream sees plain text.

use super::OgcError;

/// Longest query string accepted, in bytes.
pub const MAX_QUERY: usize = 16 * 1024;
/// Most parameters in one request.
pub const MAX_PARAMS: usize = 64;

/// A parsed query: upper-case keys, decoded values, in the order given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Kvp {
    params: Vec<(String, String)>,
}

impl Kvp {
    /// Parses a raw (still percent-encoded) query string.
    pub fn parse(query: &str) -> Result<Self, OgcError> {
        if query.len() > MAX_QUERY {
            return Err(OgcError::bad("the query string is too long"));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(raw_key)?.trim().to_ascii_uppercase();
            if key.is_empty() {
                return Err(OgcError::bad("a parameter has no name"));
            }
            if !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
            {
                return Err(OgcError::bad(format!(
                    "parameter name `{}` is not allowed",
                    printable(&key)
                )));
            }
            if params.iter().any(|(k, _)| *k == key) {
                return Err(OgcError::bad(format!("parameter {key} is given twice")));
            }
            if params.len() == MAX_PARAMS {
                return Err(OgcError::bad("too many parameters"));
            }
            let value = decode(raw_value)?;
            if value.chars().any(char::is_control) {
                return Err(OgcError::bad(format!(
                    "parameter {key} holds control characters"
                )));
            }
            params.push((key, value));
        }
        Ok(Self { params })
    }

    /// The value of `key` (upper case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Keys and values, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.params.len()
    }

    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }
}

/// Percent-decodes a query component (`+` is a space, as HTML forms and OGC clients send it).
fn decode(raw: &str) -> Result<String, OgcError> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| OgcError::bad("malformed percent-encoding"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| OgcError::bad("a parameter is not valid UTF-8"))
}

/// Shortened, control-free text for error messages.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Percent-encodes a value for an upstream query (everything but unreserved characters, and
/// `,` `:` which OGC lists and names use and every server reads literally).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',' | b':') {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_values_decoded() {
        let kvp = Kvp::parse(
            "service=WMS&Request=GetMap&layers=a%3Ab,c&TIME=2024-01-01T00%3A00%3A00Z&x=a+b",
        )
        .unwrap();
        assert_eq!(kvp.get("SERVICE"), Some("WMS"));
        assert_eq!(kvp.get("REQUEST"), Some("GetMap"));
        assert_eq!(kvp.get("LAYERS"), Some("a:b,c"));
        assert_eq!(kvp.get("TIME"), Some("2024-01-01T00:00:00Z"));
        assert_eq!(kvp.get("X"), Some("a b"));
        assert_eq!(kvp.len(), 5);
    }

    #[test]
    fn a_key_given_twice_in_any_case_or_encoding_is_refused() {
        for q in [
            "LAYERS=a&LAYERS=b",
            "layers=a&LAYERS=b",
            "LAYERS=a&%4cayers=b",
            "LAYERS=a&%20LAYERS=b",
        ] {
            let err = Kvp::parse(q).unwrap_err();
            assert!(err.to_string().contains("twice"), "{q}: {err}");
        }
    }

    #[test]
    fn malformed_encodings_control_characters_and_odd_names_are_refused() {
        for q in [
            "A=%zz",
            "A=%4",
            "A=%ff%fe",
            "A=x%0Ay",
            "A=%00",
            "=value",
            "A%3DB=c",
            "LAY ERS=a",
            "%E2%80%8BLAYERS=a",
        ] {
            assert!(Kvp::parse(q).is_err(), "{q} should be refused");
        }
    }

    #[test]
    fn sizes_are_bounded() {
        let long = format!("A={}", "x".repeat(MAX_QUERY));
        assert!(Kvp::parse(&long).is_err());
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("K{i}=v")).collect();
        assert!(Kvp::parse(&many.join("&")).is_err());
        let enough: Vec<String> = (0..MAX_PARAMS).map(|i| format!("K{i}=v")).collect();
        assert_eq!(Kvp::parse(&enough.join("&")).unwrap().len(), MAX_PARAMS);
    }

    #[test]
    fn empty_pairs_and_valueless_keys_are_tolerated() {
        let kvp = Kvp::parse("&&SERVICE=WMS&&TRANSPARENT&").unwrap();
        assert_eq!(kvp.get("TRANSPARENT"), Some(""));
        assert_eq!(kvp.len(), 2);
        assert!(Kvp::parse("").unwrap().is_empty());
    }

    #[test]
    fn encoding_round_trips_through_parsing() {
        for value in [
            "a:b,c",
            "image/png; mode=8bit",
            "2024-01-01T00:00:00Z/P1D",
            "é ü &=?#%+",
        ] {
            let kvp = Kvp::parse(&format!("V={}", encode(value))).unwrap();
            assert_eq!(kvp.get("V"), Some(value));
        }
    }
}
