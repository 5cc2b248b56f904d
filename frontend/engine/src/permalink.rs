//! Permalinks: the state of the map in the URL's fragment, written and read back.
//!
//! `#map=9/48.300/-4.300&layers=ms-communes,!ms-observations@60&base=0&time=2024-06-01T06:00:00Z`
//!
//! | key | value |
//! |---|---|
//! | `map` | `zoom/latitude/longitude` (decimals enough for half a pixel) |
//! | `layers` | the layers in the map, bottom first: `[!]id[@opacity %][~time]` (`!`: hidden, `~`: a time chosen for that layer alone) |
//! | `base` | the basemap's index, or `none` |
//! | `time` | the map's time: an instant, or `start/end` |
//! | `compare` | `layer~time B~divider %`: compare mode, the layer's right side at time B |
//!
//! Reading is tolerant: an unknown key, or a value that does not read, is ignored on its own,
//! so a damaged link still opens the map (at worst as configured).

use std::fmt::Write as _;

use crate::time::timeline::Selection;

/// Longest fragment read; a longer one is ignored (nobody writes that by hand).
const MAX_LEN: usize = 16 * 1024;
/// Most layers read from a link.
const MAX_LAYERS: usize = 500;

/// Where the map looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewLink {
    pub zoom: f64,
    pub lat: f64,
    pub lon: f64,
}

/// One layer in the map.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerLink {
    pub id: String,
    pub visible: bool,
    /// 0 to 1.
    pub opacity: f64,
    /// A time chosen for this layer alone.
    pub time: Option<String>,
}

/// Compare mode: `layer` at the map's time on the left of the divider, at `time` on the right.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareLink {
    pub layer: String,
    pub time: i64,
    /// The divider's place, 0 (left edge) to 1.
    pub divider: f64,
}

/// What a link says; `None`: the link does not say (the configuration decides).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Permalink {
    pub view: Option<ViewLink>,
    pub layers: Option<Vec<LayerLink>>,
    /// `Some(None)`: no basemap.
    pub basemap: Option<Option<usize>>,
    pub time: Option<Selection>,
    pub compare: Option<CompareLink>,
}

/// Characters written as they are in a value; the others (`,` `!` `@` `~` `&` `=` `#` `%`,
/// spaces, non-ASCII...) are percent-encoded.
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/' | b'+')
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if plain(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Percent-decoding to UTF-8; `None` for a broken escape or invalid UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Decimals that place the centre within half a pixel at `zoom` (2 to 7).
fn decimals(zoom: f64) -> usize {
    (0.153 + 0.301 * zoom).ceil().clamp(2.0, 7.0) as usize
}

/// A number without trailing zeros (`9`, `9.5`, `9.25`).
fn short(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

fn finite(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn read_view(value: &str) -> Option<ViewLink> {
    let mut parts = value.split('/');
    let (zoom, lat, lon) = (
        finite(parts.next()?)?,
        finite(parts.next()?)?,
        finite(parts.next()?)?,
    );
    if parts.next().is_some() || !(0.0..=30.0).contains(&zoom) || !(-90.0..=90.0).contains(&lat) {
        return None;
    }
    // Longitudes beyond ±180 are brought back onto the world.
    let lon = if (-180.0..=180.0).contains(&lon) {
        lon
    } else {
        (lon + 180.0).rem_euclid(360.0) - 180.0
    };
    Some(ViewLink { zoom, lat, lon })
}

fn read_layer(entry: &str) -> Option<LayerLink> {
    let (visible, rest) = match entry.strip_prefix('!') {
        Some(rest) => (false, rest),
        None => (true, entry),
    };
    let (rest, time) = match rest.split_once('~') {
        Some((rest, time)) => (rest, Some(decode(time)?).filter(|t| !t.is_empty())),
        None => (rest, None),
    };
    let (id, opacity) = match rest.split_once('@') {
        Some((id, opacity)) => (
            id,
            finite(opacity).map_or(1.0, |o| (o / 100.0).clamp(0.0, 1.0)),
        ),
        None => (rest, 1.0),
    };
    let id = decode(id)?;
    (!id.is_empty()).then_some(LayerLink {
        id,
        visible,
        opacity,
        time,
    })
}

fn read_layers(value: &str) -> Vec<LayerLink> {
    let mut out: Vec<LayerLink> = Vec::new();
    for layer in value.split(',').filter_map(read_layer) {
        if out.len() < MAX_LAYERS && !out.iter().any(|l| l.id == layer.id) {
            out.push(layer);
        }
    }
    out
}

fn read_compare(value: &str) -> Option<CompareLink> {
    let mut parts = value.split('~');
    let layer = decode(parts.next()?)?;
    let time = match Selection::parse(&decode(parts.next()?)?)? {
        Selection::At(t) => t,
        Selection::Between(..) => return None,
    };
    let divider = parts
        .next()
        .and_then(finite)
        .map_or(0.5, |d| (d / 100.0).clamp(0.0, 1.0));
    (!layer.is_empty()).then_some(CompareLink {
        layer,
        time,
        divider,
    })
}

impl Permalink {
    /// Reads a URL fragment (with or without its `#`).
    pub fn decode(fragment: &str) -> Self {
        let mut link = Self::default();
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        if fragment.len() > MAX_LEN {
            return link;
        }
        for pair in fragment.split('&') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            match key {
                "map" => link.view = read_view(value).or(link.view),
                "layers" => link.layers = Some(read_layers(value)),
                "base" => {
                    link.basemap = match value {
                        "none" => Some(None),
                        index => index.parse().ok().map(Some).or(link.basemap),
                    };
                }
                "time" => {
                    link.time = decode(value)
                        .and_then(|t| Selection::parse(&t))
                        .or(link.time);
                }
                "compare" => link.compare = read_compare(value).or(link.compare.take()),
                _ => {}
            }
        }
        link
    }

    /// Writes the fragment, `#` included (`#` alone when there is nothing to say).
    pub fn encode(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = self.view {
            let places = decimals(v.zoom);
            parts.push(format!(
                "map={}/{:.places$}/{:.places$}",
                short(v.zoom, 2),
                v.lat,
                v.lon
            ));
        }
        if let Some(layers) = &self.layers {
            let entries: Vec<String> = layers
                .iter()
                .map(|l| {
                    let mut entry = String::new();
                    if !l.visible {
                        entry.push('!');
                    }
                    entry.push_str(&encode(&l.id));
                    let percent = (l.opacity.clamp(0.0, 1.0) * 100.0).round();
                    if percent < 100.0 {
                        let _ = write!(entry, "@{percent}");
                    }
                    if let Some(time) = &l.time {
                        entry.push('~');
                        entry.push_str(&encode(time));
                    }
                    entry
                })
                .collect();
            parts.push(format!("layers={}", entries.join(",")));
        }
        match self.basemap {
            Some(Some(index)) => parts.push(format!("base={index}")),
            Some(None) => parts.push("base=none".to_owned()),
            None => {}
        }
        if let Some(time) = self.time {
            parts.push(format!("time={}", encode(&time.format())));
        }
        if let Some(c) = &self.compare {
            parts.push(format!(
                "compare={}~{}~{}",
                encode(&c.layer),
                encode(&Selection::At(c.time).format()),
                short(c.divider.clamp(0.0, 1.0) * 100.0, 1)
            ));
        }
        format!("#{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_instant;

    fn ms(text: &str) -> i64 {
        parse_instant(text).unwrap().millis
    }

    fn full() -> Permalink {
        Permalink {
            view: Some(ViewLink {
                zoom: 9.0,
                lat: 48.3,
                lon: -4.3,
            }),
            layers: Some(vec![
                LayerLink {
                    id: "ms-communes".into(),
                    visible: true,
                    opacity: 1.0,
                    time: None,
                },
                LayerLink {
                    id: "odd, id@~!&=#%é".into(),
                    visible: false,
                    opacity: 0.6,
                    time: Some("2024-06-02T06:00:00Z".into()),
                },
            ]),
            basemap: Some(None),
            time: Some(Selection::At(ms("2024-06-01T06:00:00Z"))),
            compare: Some(CompareLink {
                layer: "ms-observations".into(),
                time: ms("2024-06-03T00:00:00Z"),
                divider: 0.25,
            }),
        }
    }

    #[test]
    fn a_link_reads_back_as_it_was_written() {
        let link = full();
        let text = link.encode();
        assert!(
            text.starts_with("#map=9/48.300/-4.300&layers=ms-communes,!odd%2C%20id%40%7E%21%26%3D%23%25%C3%A9@60~2024-06-02T06:00:00Z&base=none&time=2024-06-01T06:00:00Z&compare=ms-observations~2024-06-03T00:00:00Z~25"),
            "{text}"
        );
        assert_eq!(Permalink::decode(&text), link);
        let range = Permalink {
            time: Some(Selection::Between(
                ms("2024-06-01T00:00:00Z"),
                ms("2024-06-02T00:00:00Z"),
            )),
            basemap: Some(Some(2)),
            ..Permalink::default()
        };
        assert_eq!(
            range.encode(),
            "#base=2&time=2024-06-01T00:00:00Z/2024-06-02T00:00:00Z"
        );
        assert_eq!(Permalink::decode(&range.encode()), range);
        assert_eq!(Permalink::default().encode(), "#");
        assert_eq!(Permalink::decode("#"), Permalink::default());
    }

    #[test]
    fn the_centre_is_written_to_half_a_pixel_whatever_the_zoom() {
        for (zoom, lat) in [(2.5, "48.30"), (9.0, "48.300"), (17.25, "48.300000")] {
            let link = Permalink {
                view: Some(ViewLink {
                    zoom,
                    lat: 48.3,
                    lon: -4.3,
                }),
                ..Permalink::default()
            };
            let text = link.encode();
            assert!(text.contains(&format!("/{lat}/")), "{text}");
            let back = Permalink::decode(&text).view.unwrap();
            assert_eq!(back.zoom, zoom);
            assert!((back.lat - 48.3).abs() < 1e-9);
        }
    }

    #[test]
    fn garbage_is_ignored_key_by_key() {
        let link = Permalink::decode(
            "#map=9/48.3/-4.3/7&layers=a,,!,@50,b@x,c@250~,d~%ZZ&base=-1&time=soon&compare=x~2024&foo=bar&novalue",
        );
        assert_eq!(link.view, None, "four numbers in map=");
        let layers = link.layers.unwrap();
        let ids: Vec<&str> = layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"], "empty ids and broken escapes dropped");
        assert_eq!(layers[1].opacity, 1.0, "unreadable opacity: opaque");
        assert_eq!(layers[2].opacity, 1.0, "clamped");
        assert_eq!(layers[2].time, None);
        assert_eq!(link.basemap, None);
        assert_eq!(link.time, None);
        assert_eq!(
            link.compare.unwrap().divider,
            0.5,
            "the divider defaults to the middle"
        );
        for bad in [
            "",
            "#",
            "#&&&",
            "#=",
            "#map=",
            "#map=NaN/1/1",
            "#map=99/1/1",
            "#map=1/95/1",
            "#map=inf/1/1",
            "#time=2024-13-01",
            "#compare=~2024-06-01",
            "#compare=a~2024-06-01/2024-06-02",
            "#layers=%E9",
        ] {
            let link = Permalink::decode(bad);
            assert_eq!(link.view, None, "{bad}");
            assert_eq!(link.time, None, "{bad}");
            assert_eq!(link.compare, None, "{bad}");
            assert!(link.layers.as_ref().is_none_or(Vec::is_empty), "{bad}");
        }
        assert_eq!(
            Permalink::decode(&format!("#time=2024-06-01&x={}", "a".repeat(MAX_LEN))),
            Permalink::default(),
            "too long"
        );
    }

    #[test]
    fn a_good_value_survives_a_bad_repeat_and_layers_appear_once() {
        let link = Permalink::decode("map=5/10/20&map=oops&layers=a,b,a&map=6/11/380");
        assert_eq!(
            link.view,
            Some(ViewLink {
                zoom: 6.0,
                lat: 11.0,
                lon: 20.0
            }),
            "the last good one; longitudes wrapped"
        );
        let ids: Vec<String> = link.layers.unwrap().into_iter().map(|l| l.id).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(
            Permalink::decode("#layers=").layers,
            Some(Vec::new()),
            "an empty map stays empty"
        );
    }
}
