//! Tile addressing in the Web-Mercator XYZ scheme: parsing `z/x/y` from URLs, tile bounds, and
//! the WGS 84 ↔ Web-Mercator conversions the tile pipeline needs.

use std::f64::consts::PI;
use std::fmt;

use super::{TileError, TileResult};

/// Deepest zoom served. Tiles are made on the fly, so any zoom works; this only bounds input.
pub const MAX_ZOOM: u8 = 24;
/// Latitude limit of Web Mercator (the map is square).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;
/// Half the Web-Mercator world width, in metres.
pub const HALF_WORLD: f64 = 20_037_508.342_789_244;

/// A tile address, already checked to exist at its zoom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileCoord {
    /// A tile address, if it exists (`z <= MAX_ZOOM`, `x` and `y` below `2^z`).
    pub fn new(z: u8, x: u32, y: u32) -> TileResult<Self> {
        if z > MAX_ZOOM {
            return Err(TileError::BadRequest(format!(
                "zoom {z} is out of range 0-{MAX_ZOOM}"
            )));
        }
        let n = 1u64 << z;
        if u64::from(x) >= n || u64::from(y) >= n {
            return Err(TileError::BadRequest(format!(
                "tile {z}/{x}/{y} does not exist: x and y must be below {n} at zoom {z}"
            )));
        }
        Ok(Self { z, x, y })
    }

    /// Parses the three path segments of `/{z}/{x}/{y}`.
    pub fn parse(z: &str, x: &str, y: &str) -> TileResult<Self> {
        fn number<T: std::str::FromStr>(name: &str, value: &str) -> TileResult<T> {
            // `u32::from_str` accepts a leading `+`; a URL segment should be digits only.
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(TileError::BadRequest(format!(
                    "{name} must be a non-negative integer, got `{value}`"
                )));
            }
            value
                .parse()
                .map_err(|_| TileError::BadRequest(format!("{name} `{value}` is out of range")))
        }
        Self::new(number("z", z)?, number("x", x)?, number("y", y)?)
    }

    /// Number of tiles along one side of the world at this zoom.
    pub fn world_tiles(self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// West, south, east, north of the tile in degrees, grown by `margin` (a fraction of the
    /// tile side) on every side.
    pub fn lonlat_bounds(self, margin: f64) -> [f64; 4] {
        let n = self.world_tiles();
        let x0 = (f64::from(self.x) - margin) / n;
        let x1 = (f64::from(self.x) + 1.0 + margin) / n;
        let y0 = (f64::from(self.y) - margin) / n;
        let y1 = (f64::from(self.y) + 1.0 + margin) / n;
        [
            x0 * 360.0 - 180.0,
            normalized_y_to_lat(y1),
            x1 * 360.0 - 180.0,
            normalized_y_to_lat(y0),
        ]
    }
}

impl fmt::Display for TileCoord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Longitude in degrees → `[0, 1]` across the world, west to east.
pub fn lon_to_normalized_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude in degrees → `[0, 1]` across the world, north to south (clamped to Mercator's limit).
pub fn lat_to_normalized_y(lat: f64) -> f64 {
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    0.5 - phi.tan().asinh() / (2.0 * PI)
}

/// Inverse of [`lat_to_normalized_y`] (without clamping outside `[0, 1]`).
pub fn normalized_y_to_lat(y: f64) -> f64 {
    (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees()
}

/// Maps WGS 84 degrees straight into one tile's coordinate space (`0..extent`, y down).
#[derive(Debug, Clone, Copy)]
pub struct TileTransform {
    scale: f64,
    origin_x: f64,
    origin_y: f64,
    lon_shift: f64,
}

impl TileTransform {
    pub fn new(tile: TileCoord, extent: u32) -> Self {
        let extent = f64::from(extent);
        Self {
            scale: tile.world_tiles() * extent,
            origin_x: f64::from(tile.x) * extent,
            origin_y: f64::from(tile.y) * extent,
            lon_shift: 0.0,
        }
    }

    /// The same transform for data drawn `lon_shift` degrees away (a world copy).
    #[must_use]
    pub fn shifted(self, lon_shift: f64) -> Self {
        Self { lon_shift, ..self }
    }

    #[inline]
    pub fn apply(&self, lon: f64, lat: f64) -> [f64; 2] {
        [
            lon_to_normalized_x(lon + self.lon_shift).mul_add(self.scale, -self.origin_x),
            lat_to_normalized_y(lat).mul_add(self.scale, -self.origin_y),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_outside_their_zoom_are_rejected() {
        assert!(TileCoord::new(0, 0, 0).is_ok());
        assert!(TileCoord::new(1, 1, 1).is_ok());
        assert!(TileCoord::new(1, 2, 0).is_err());
        assert!(TileCoord::new(3, 0, 8).is_err());
        assert!(TileCoord::new(MAX_ZOOM, (1 << MAX_ZOOM) - 1, 0).is_ok());
        assert!(TileCoord::new(MAX_ZOOM + 1, 0, 0).is_err());
    }

    #[test]
    fn url_segments_must_be_plain_integers() {
        assert_eq!(
            TileCoord::parse("8", "124", "88").unwrap(),
            TileCoord {
                z: 8,
                x: 124,
                y: 88
            }
        );
        for (z, x, y) in [
            ("x", "0", "0"),
            ("-1", "0", "0"),
            ("+1", "0", "0"),
            ("1.5", "0", "0"),
            ("", "0", "0"),
            ("99", "0", "0"),
            ("2", "99999999999999999999", "0"),
            ("2", "0", " 1"),
        ] {
            assert!(TileCoord::parse(z, x, y).is_err(), "{z}/{x}/{y}");
        }
    }

    #[test]
    fn the_world_tile_spans_the_mercator_square() {
        let [w, s, e, n] = TileCoord::new(0, 0, 0).unwrap().lonlat_bounds(0.0);
        assert!((w + 180.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
        assert!((n - MAX_LATITUDE).abs() < 1e-9 && (s + MAX_LATITUDE).abs() < 1e-9);
    }

    #[test]
    fn latitude_conversion_round_trips() {
        for lat in [-80.0, -45.5, 0.0, 12.25, 48.39, 85.0] {
            let back = normalized_y_to_lat(lat_to_normalized_y(lat));
            assert!((back - lat).abs() < 1e-9, "{lat} -> {back}");
        }
    }

    #[test]
    fn transform_puts_a_tile_corner_at_the_origin_and_brest_in_its_tile() {
        // Brest, 48.39 N 4.49 W, lies in tile 8/124/88.
        let tile = TileCoord::new(8, 124, 88).unwrap();
        let transform = TileTransform::new(tile, 4096);
        let brest = transform.apply(-4.49, 48.39);
        assert!(brest.iter().all(|v| (0.0..4096.0).contains(v)), "{brest:?}");
        let [west, _, _, north] = tile.lonlat_bounds(0.0);
        let corner = transform.apply(west, north);
        assert!(corner.iter().all(|v| v.abs() < 1e-6), "{corner:?}");
    }
}
