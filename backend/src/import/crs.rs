//! Coordinate reference systems of imported data: naming the input's CRS (EPSG code, WKT of a
//! `.prj`, GeoJSON's legacy `crs` member) and reprojecting to EPSG:4326, in pure Rust
//! (proj-core / proj-wkt: EPSG registry, Lambert-93, UTM, Web Mercator and more).

use geo_types::Geometry;

/// Turns geometries of one CRS into EPSG:4326 (or passes them through when already there).
pub struct Reprojector {
    transform: Option<proj_core::Transform>,
}

/// Spellings of WGS 84 longitude/latitude that need no transformation.
const WGS84: [&str; 5] = [
    "EPSG:4326",
    "epsg:4326",
    "CRS:84",
    "OGC:CRS84",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
];

impl Reprojector {
    /// `crs`: `EPSG:nnnn`, a bare number, a URN, a PROJ string or WKT.
    pub fn new(crs: &str) -> Result<Self, String> {
        let crs = crs.trim();
        if WGS84.contains(&crs) || crs == "4326" || crs.ends_with("EPSG::4326") {
            return Ok(Self { transform: None });
        }
        let from =
            proj_wkt::parse_crs(crs).map_err(|e| format!("unknown CRS `{}`: {e}", shorten(crs)))?;
        let to = proj_wkt::parse_crs("EPSG:4326").map_err(|e| e.to_string())?;
        let transform = proj_core::Transform::from_crs_defs(&from, &to)
            .map_err(|e| format!("cannot transform from `{}` to EPSG:4326: {e}", shorten(crs)))?;
        Ok(Self {
            transform: Some(transform),
        })
    }

    pub fn is_identity(&self) -> bool {
        self.transform.is_none()
    }

    /// The geometry in EPSG:4326.
    pub fn apply(&self, geometry: Geometry<f64>) -> Result<Geometry<f64>, String> {
        let Some(transform) = &self.transform else {
            return Ok(geometry);
        };
        let out = transform
            .convert_geometry(geometry)
            .map_err(|e| format!("cannot reproject: {e}"))?;
        Ok(out)
    }
}

/// A CRS named in GeoJSON's legacy `crs` member (`urn:ogc:def:crs:EPSG::2154`, `EPSG:2154`).
pub fn from_urn(name: &str) -> Option<String> {
    if name.ends_with("CRS84") {
        return Some("EPSG:4326".to_owned());
    }
    let code = name
        .rsplit(':')
        .next()
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))?;
    Some(format!("EPSG:{code}"))
}

/// A short name for a CRS: `EPSG:nnnn` as is, the name of a WKT definition, or its beginning.
pub fn describe(crs: &str) -> String {
    let crs = crs.trim();
    for prefix in ["PROJCS[\"", "GEOGCS[\"", "PROJCRS[\"", "GEOGCRS[\""] {
        if let Some(rest) = crs.strip_prefix(prefix)
            && let Some(end) = rest.find('"')
        {
            return rest[..end].to_owned();
        }
    }
    shorten(crs)
}

fn shorten(crs: &str) -> String {
    if crs.len() > 80 {
        format!(
            "{}…",
            &crs[..crs.char_indices().nth(80).map_or(crs.len(), |(i, _)| i)]
        )
    } else {
        crs.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert_93_goes_to_wgs84_within_a_centimetre() {
        // Brest in WGS 84 and in Lambert-93, as PROJ gives it: `gdaltransform -s_srs EPSG:4326 -t_srs EPSG:2154`.
        let r = Reprojector::new("EPSG:2154").unwrap();
        let g = r
            .apply(Geometry::Point(geo_types::Point::new(
                146_624.924_5,
                6_836_261.306_1,
            )))
            .unwrap();
        let Geometry::Point(p) = g else {
            panic!("{g:?}")
        };
        assert!(
            (p.x() - -4.486_207).abs() < 1e-6 && (p.y() - 48.390_384).abs() < 1e-6,
            "{p:?}"
        );
    }

    #[test]
    fn wgs84_is_passed_through() {
        assert!(Reprojector::new("EPSG:4326").unwrap().is_identity());
        assert!(
            Reprojector::new("urn:ogc:def:crs:OGC:1.3:CRS84")
                .unwrap()
                .is_identity()
        );
    }

    #[test]
    fn nonsense_crs_names_are_refused_with_their_name() {
        let err = Reprojector::new("EPSG:999999").err().unwrap();
        assert!(err.contains("999999"), "{err}");
    }

    #[test]
    fn wkt_definitions_are_described_by_their_name() {
        assert_eq!(
            describe("PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[...]]"),
            "RGF_1993_Lambert_93"
        );
        assert_eq!(describe("EPSG:2154"), "EPSG:2154");
    }

    #[test]
    fn urns_name_epsg_codes() {
        assert_eq!(
            from_urn("urn:ogc:def:crs:EPSG::2154").as_deref(),
            Some("EPSG:2154")
        );
        assert_eq!(from_urn("EPSG:3857").as_deref(), Some("EPSG:3857"));
        assert_eq!(
            from_urn("urn:ogc:def:crs:OGC:1.3:CRS84").as_deref(),
            Some("EPSG:4326")
        );
        assert_eq!(from_urn("nonsense"), None);
    }
}
