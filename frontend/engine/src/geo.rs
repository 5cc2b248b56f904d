//! Geographic primitives: WGS 84 longitude/latitude, Web-Mercator (EPSG:3857) coordinates and
//! extents, and the projection between them.

use std::f64::consts::PI;

/// Earth radius used by Web Mercator, in metres.
pub const EARTH_RADIUS: f64 = 6_378_137.0;
/// Half the width of the Web-Mercator world square, in metres.
pub const HALF_WORLD: f64 = PI * EARTH_RADIUS;
/// Latitude at which Web Mercator's square world ends.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// Longitude and latitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// A point in Web Mercator, metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coord {
    pub x: f64,
    pub y: f64,
}

impl LonLat {
    pub const fn new(lon: f64, lat: f64) -> Self {
        Self { lon, lat }
    }

    /// Projects to Web Mercator; latitudes beyond the projection's limit are clamped.
    pub fn to_mercator(self) -> Coord {
        let lat = self.lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
        Coord {
            x: self.lon.to_radians() * EARTH_RADIUS,
            y: lat.tan().asinh() * EARTH_RADIUS,
        }
    }
}

impl Coord {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    pub fn to_lonlat(self) -> LonLat {
        LonLat {
            lon: (self.x / EARTH_RADIUS).to_degrees(),
            lat: (self.y / EARTH_RADIUS).sinh().atan().to_degrees(),
        }
    }
}

/// An axis-aligned rectangle in Web Mercator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Extent {
    pub const WORLD: Extent = Extent {
        min_x: -HALF_WORLD,
        min_y: -HALF_WORLD,
        max_x: HALF_WORLD,
        max_y: HALF_WORLD,
    };

    /// The Web-Mercator extent of a west, south, east, north box in degrees.
    pub fn from_lonlat_bounds([w, s, e, n]: [f64; 4]) -> Self {
        let sw = LonLat::new(w, s).to_mercator();
        let ne = LonLat::new(e, n).to_mercator();
        Self {
            min_x: sw.x,
            min_y: sw.y,
            max_x: ne.x,
            max_y: ne.y,
        }
    }

    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }

    pub fn center(&self) -> Coord {
        Coord::new(
            f64::midpoint(self.min_x, self.max_x),
            f64::midpoint(self.min_y, self.max_y),
        )
    }

    pub fn intersects(&self, other: &Extent) -> bool {
        self.min_x < other.max_x
            && other.min_x < self.max_x
            && self.min_y < other.max_y
            && other.min_y < self.max_y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_round_trips_within_a_micro_degree() {
        for (lon, lat) in [(0.0, 0.0), (-4.486, 48.39), (179.9, -84.0), (-180.0, 85.0)] {
            let back = LonLat::new(lon, lat).to_mercator().to_lonlat();
            assert!(
                (back.lon - lon).abs() < 1e-9 && (back.lat - lat).abs() < 1e-9,
                "{back:?}"
            );
        }
    }

    #[test]
    fn the_mercator_world_is_square_at_its_latitude_limit() {
        let corner = LonLat::new(180.0, MAX_LATITUDE).to_mercator();
        assert!((corner.x - HALF_WORLD).abs() < 1e-6);
        assert!(
            (corner.y - HALF_WORLD).abs() < 1e-3,
            "{}",
            corner.y - HALF_WORLD
        );
    }

    #[test]
    fn brest_projects_to_its_known_mercator_coordinates() {
        // Reference values from PROJ: `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:3857`.
        let brest = LonLat::new(-4.486, 48.39).to_mercator();
        assert!((brest.x - -499_379.236).abs() < 0.01, "{}", brest.x);
        assert!((brest.y - 6_171_983.932).abs() < 0.01, "{}", brest.y);
    }
}
