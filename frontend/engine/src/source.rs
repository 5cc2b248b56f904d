//! Raster tile sources: URL building for XYZ templates and OGC WMS 1.3.0 GetMap tiles in
//! EPSG:3857 (TRANSPARENT, FORMAT, STYLES, TIME; HiDPI through bigger tiles and
//! `FORMAT_OPTIONS=dpi:`), GetFeatureInfo at a pixel of such a tile, and WFS 2.0 GetFeature.

use crate::tilegrid::TileKey;

/// WMS parameters of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Wms {
    /// Endpoint (for Kartenn, the proxy `/ows/{source}`), without query string.
    pub url: String,
    /// Comma-separated layer names.
    pub layers: String,
    pub styles: String,
    pub format: String,
    pub transparent: bool,
    /// ISO 8601 instant or interval for time-enabled layers.
    pub time: Option<String>,
}

/// Logical tile size of WMS tiles, in CSS px.
pub const WMS_TILE_PX: u32 = 256;
/// GeoServer's default resolution: HiDPI requests ask for `dpi:` = this × pixel ratio.
const BASE_DPI: f64 = 90.0;

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
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

fn query(base: &str, params: &[(&str, String)]) -> String {
    let sep = if base.contains('?') { '&' } else { '?' };
    let q: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    format!("{base}{sep}{}", q.join("&"))
}

/// Device pixels per side of a WMS tile on a screen of `pixel_ratio` (1 or 2 in practice).
pub fn wms_tile_pixels(pixel_ratio: f64) -> u32 {
    if pixel_ratio > 1.25 {
        2 * WMS_TILE_PX
    } else {
        WMS_TILE_PX
    }
}

impl Wms {
    fn common(&self, request: &str, key: TileKey, pixels: u32) -> Vec<(&'static str, String)> {
        let e = key.extent();
        let mut params = vec![
            ("SERVICE", "WMS".to_owned()),
            ("VERSION", "1.3.0".to_owned()),
            ("REQUEST", request.to_owned()),
            ("LAYERS", self.layers.clone()),
            ("STYLES", self.styles.clone()),
            ("CRS", "EPSG:3857".to_owned()),
            (
                "BBOX",
                format!("{},{},{},{}", e.min_x, e.min_y, e.max_x, e.max_y),
            ),
            ("WIDTH", pixels.to_string()),
            ("HEIGHT", pixels.to_string()),
            ("FORMAT", self.format.clone()),
            (
                "TRANSPARENT",
                if self.transparent { "TRUE" } else { "FALSE" }.to_owned(),
            ),
        ];
        if let Some(time) = &self.time {
            params.push(("TIME", time.clone()));
        }
        params
    }

    /// GetMap for one tile, sized for the screen's pixel ratio.
    pub fn get_map(&self, key: TileKey, pixel_ratio: f64) -> String {
        let pixels = wms_tile_pixels(pixel_ratio);
        let mut params = self.common("GetMap", key, pixels);
        if pixels > WMS_TILE_PX {
            let dpi = (BASE_DPI * f64::from(pixels) / f64::from(WMS_TILE_PX)).round();
            params.push(("FORMAT_OPTIONS", format!("dpi:{dpi}")));
        }
        query(&self.url, &params)
    }

    /// GetFeatureInfo at pixel `(i, j)` of a 256-px tile `key` (JSON, up to `count` features).
    /// `EXCEPTIONS=application/json` asks Kartenn's proxy for JSON errors (it keeps that
    /// parameter to itself); OGC exception reports are read too (`identify::parse_feature_info`).
    pub fn get_feature_info(&self, key: TileKey, i: u32, j: u32, count: u32) -> String {
        let mut params = self.common("GetFeatureInfo", key, WMS_TILE_PX);
        params.extend([
            ("QUERY_LAYERS", self.layers.clone()),
            ("INFO_FORMAT", "application/json".to_owned()),
            ("I", i.min(WMS_TILE_PX - 1).to_string()),
            ("J", j.min(WMS_TILE_PX - 1).to_string()),
            ("FEATURE_COUNT", count.to_string()),
            ("EXCEPTIONS", "application/json".to_owned()),
        ]);
        query(&self.url, &params)
    }

    /// The same source showing only the layer `name` (a member of a layer group: servers such
    /// as MapServer answer JSON feature info for one layer at a time).
    #[must_use]
    pub fn only(&self, name: &str) -> Self {
        Self {
            layers: name.to_owned(),
            styles: String::new(),
            ..self.clone()
        }
    }

    /// GetFeatureInfo at the world position `at`: the 256-px tile of zoom `z` holding it, and
    /// the pixel of that tile under it.
    pub fn get_feature_info_at(&self, at: crate::Coord, z: u8, count: u32) -> String {
        let size = TileKey::size_at(z);
        let half = crate::geo::HALF_WORLD;
        let (fx, fy) = ((at.x + half) / size, (half - at.y) / size);
        let last = f64::from((1u32 << z) - 1);
        let key = TileKey::new(z, fx.clamp(0.0, last) as u32, fy.clamp(0.0, last) as u32);
        let px = f64::from(WMS_TILE_PX);
        let i = ((fx - f64::from(key.x)) * px).clamp(0.0, px - 1.0) as u32;
        let j = ((fy - f64::from(key.y)) * px).clamp(0.0, px - 1.0) as u32;
        self.get_feature_info(key, i, j, count)
    }
}

/// A WFS 2.0 GetFeature of one feature type in WGS 84 (longitude first in GeoJSON), in
/// `format`, optionally paged (`COUNT`, `STARTINDEX`).
pub fn wfs_get_feature(
    endpoint: &str,
    type_name: &str,
    format: &str,
    count: Option<u32>,
    start: Option<u32>,
) -> String {
    let mut params = vec![
        ("SERVICE", "WFS".to_owned()),
        ("VERSION", "2.0.0".to_owned()),
        ("REQUEST", "GetFeature".to_owned()),
        ("TYPENAMES", type_name.to_owned()),
        ("OUTPUTFORMAT", format.to_owned()),
        ("SRSNAME", "EPSG:4326".to_owned()),
    ];
    if let Some(count) = count {
        params.push(("COUNT", count.to_string()));
    }
    if let Some(start) = start.filter(|s| *s > 0) {
        params.push(("STARTINDEX", start.to_string()));
    }
    query(endpoint, &params)
}

/// The XYZ URL of `key` from a template with `{z}`, `{x}`, `{y}` (or `{-y}` for TMS rows) and
/// an optional `{s}` spread over `subdomains`.
pub fn xyz_url(template: &str, key: TileKey, subdomains: &[String]) -> String {
    let tms_y = (1u32 << key.z) - 1 - key.y;
    let mut url = template
        .replace("{z}", &key.z.to_string())
        .replace("{x}", &key.x.to_string())
        .replace("{-y}", &tms_y.to_string())
        .replace("{y}", &key.y.to_string());
    if !subdomains.is_empty() {
        let pick = &subdomains[(key.x as usize + key.y as usize) % subdomains.len()];
        url = url.replace("{s}", pick);
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wms() -> Wms {
        Wms {
            url: "/ows/indigeo".into(),
            layers: "ws:tides,ws:coast".into(),
            styles: String::new(),
            format: "image/png".into(),
            transparent: true,
            time: Some("2024-01-01T00:00:00Z/2024-01-02T00:00:00Z".into()),
        }
    }

    fn param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
        url.split(['?', '&'])
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
    }

    #[test]
    fn get_map_asks_for_the_tile_bbox_in_web_mercator_with_time() {
        let url = wms().get_map(TileKey::new(1, 0, 0), 1.0);
        assert!(url.starts_with("/ows/indigeo?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&"));
        assert_eq!(param(&url, "LAYERS"), Some("ws%3Atides%2Cws%3Acoast"));
        assert_eq!(param(&url, "CRS"), Some("EPSG%3A3857"));
        assert_eq!(
            param(&url, "BBOX"),
            Some("-20037508.342789244%2C0%2C0%2C20037508.342789244")
        );
        assert_eq!(param(&url, "WIDTH"), Some("256"));
        assert_eq!(param(&url, "TRANSPARENT"), Some("TRUE"));
        assert_eq!(
            param(&url, "TIME"),
            Some("2024-01-01T00%3A00%3A00Z%2F2024-01-02T00%3A00%3A00Z")
        );
        assert_eq!(param(&url, "FORMAT_OPTIONS"), None);
    }

    #[test]
    fn hidpi_screens_get_twice_the_pixels_at_twice_the_dpi() {
        let url = wms().get_map(TileKey::new(3, 2, 2), 2.0);
        assert_eq!(param(&url, "WIDTH"), Some("512"));
        assert_eq!(param(&url, "FORMAT_OPTIONS"), Some("dpi%3A180"));
    }

    #[test]
    fn get_feature_info_names_the_pixel_and_asks_for_json() {
        let url = wms().get_feature_info(TileKey::new(8, 124, 88), 12, 300, 10);
        assert_eq!(param(&url, "REQUEST"), Some("GetFeatureInfo"));
        assert_eq!(param(&url, "QUERY_LAYERS"), Some("ws%3Atides%2Cws%3Acoast"));
        assert_eq!(param(&url, "INFO_FORMAT"), Some("application%2Fjson"));
        assert_eq!(
            (param(&url, "I"), param(&url, "J")),
            (Some("12"), Some("255"))
        );
        assert_eq!(param(&url, "FEATURE_COUNT"), Some("10"));
        assert_eq!(
            param(&url, "EXCEPTIONS"),
            Some("application%2Fjson"),
            "the proxy answers errors in JSON"
        );
        let member = wms()
            .only("ws:coast")
            .get_feature_info(TileKey::new(8, 124, 88), 1, 1, 5);
        assert_eq!(param(&member, "QUERY_LAYERS"), Some("ws%3Acoast"));
        assert_eq!(param(&member, "LAYERS"), Some("ws%3Acoast"));
        assert!(param(&url, "TIME").is_some(), "the layer's time applies");
    }

    #[test]
    fn get_feature_info_at_a_position_names_its_tile_and_pixel() {
        let tile = TileKey::new(12, 1996, 1420);
        let e = tile.extent();
        // A quarter across, three quarters down the tile.
        let at = crate::Coord::new(
            e.min_x + 0.25 * (e.max_x - e.min_x),
            e.max_y - 0.75 * (e.max_y - e.min_y),
        );
        let url = wms().get_feature_info_at(at, 12, 10);
        let expected = wms().get_feature_info(tile, 64, 192, 10);
        assert_eq!(url, expected);
    }

    #[test]
    fn wfs_get_feature_pages_through_a_type_in_wgs84() {
        let url = wfs_get_feature(
            "/ows/ms",
            "ms:communes",
            "application/json",
            Some(1000),
            Some(0),
        );
        assert_eq!(
            url,
            "/ows/ms?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ms%3Acommunes\
             &OUTPUTFORMAT=application%2Fjson&SRSNAME=EPSG%3A4326&COUNT=1000"
        );
        let next = wfs_get_feature(
            "/ows/ms",
            "ms:communes",
            "application/json",
            Some(1000),
            Some(1000),
        );
        assert!(next.ends_with("&COUNT=1000&STARTINDEX=1000"));
        let zip = wfs_get_feature("/ows/ms", "ms:communes", "SHAPE-ZIP", None, None);
        assert!(zip.ends_with("OUTPUTFORMAT=SHAPE-ZIP&SRSNAME=EPSG%3A4326"));
    }

    #[test]
    fn xyz_templates_expand_rows_tms_rows_and_subdomains() {
        let key = TileKey::new(3, 4, 1);
        assert_eq!(
            xyz_url("https://t/{z}/{x}/{y}.png", key, &[]),
            "https://t/3/4/1.png"
        );
        assert_eq!(
            xyz_url("https://t/{z}/{x}/{-y}.png", key, &[]),
            "https://t/3/4/6.png"
        );
        let subs = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            xyz_url("https://{s}.t/{z}/{x}/{y}", key, &subs),
            "https://b.t/3/4/1"
        );
    }
}
