//! RGBA colour written as CSS hex (`#rrggbb` or `#rrggbbaa`) on the wire and in configuration.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    pub const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Self {
        Self { r, g, b, a }
    }

    /// The CSS form understood by Canvas2D: `rgba(r,g,b,a)`.
    pub fn to_css(self) -> String {
        format!(
            "rgba({},{},{},{})",
            self.r,
            self.g,
            self.b,
            f64::from(self.a) / 255.0
        )
    }
}

/// Why a colour string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColorParseError(pub String);

impl fmt::Display for ColorParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a colour: expected #rrggbb or #rrggbbaa",
            self.0
        )
    }
}

impl std::error::Error for ColorParseError {}

impl FromStr for Color {
    type Err = ColorParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ColorParseError(s.to_owned());
        let hex = s.strip_prefix('#').ok_or_else(err)?;
        if !(hex.len() == 6 || hex.len() == 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| err());
        let a = if hex.len() == 8 { byte(6)? } else { 255 };
        Ok(Self::rgba(byte(0)?, byte(2)?, byte(4)?, a))
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)?;
        if self.a != 255 {
            write!(f, "{:02x}", self.a)?;
        }
        Ok(())
    }
}

impl Serialize for Color {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digit_hex_is_opaque() {
        assert_eq!("#1a2B3c".parse(), Ok(Color::rgb(0x1a, 0x2b, 0x3c)));
    }

    #[test]
    fn eight_digit_hex_carries_alpha_and_round_trips() {
        let c: Color = "#ff000080".parse().unwrap();
        assert_eq!(c, Color::rgba(255, 0, 0, 128));
        assert_eq!(c.to_string(), "#ff000080");
        assert_eq!(c.to_css(), format!("rgba(255,0,0,{})", 128.0 / 255.0));
    }

    #[test]
    fn malformed_colours_are_refused_with_the_input_in_the_message() {
        for bad in ["", "red", "#12345", "#1234567", "#gg0000", "123456", "#ééé"] {
            let err = bad.parse::<Color>().unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}
