//! The XYZ tile grid over Web Mercator: tile keys, their extents, parents and children, which
//! tile zoom a view should use, and which tiles cover an extent.

use crate::geo::{Extent, HALF_WORLD};

/// A tile address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileKey {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

impl TileKey {
    pub const fn new(z: u8, x: u32, y: u32) -> Self {
        Self { z, x, y }
    }

    /// Side of a tile at zoom `z`, in metres.
    pub fn size_at(z: u8) -> f64 {
        2.0 * HALF_WORLD / f64::from(1u32 << z)
    }

    pub fn extent(&self) -> Extent {
        // Each edge from its own integer index, so neighbours share edges bit for bit.
        let size = Self::size_at(self.z);
        let col = |i: u32| -HALF_WORLD + f64::from(i) * size;
        let row = |i: u32| HALF_WORLD - f64::from(i) * size;
        Extent {
            min_x: col(self.x),
            min_y: row(self.y + 1),
            max_x: col(self.x + 1),
            max_y: row(self.y),
        }
    }

    /// The tile containing this one at zoom `z` (`z` not deeper than this tile).
    pub fn ancestor(&self, z: u8) -> Option<TileKey> {
        let shift = self.z.checked_sub(z)?;
        Some(TileKey::new(z, self.x >> shift, self.y >> shift))
    }

    pub fn children(&self) -> [TileKey; 4] {
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        [
            TileKey::new(z, x, y),
            TileKey::new(z, x + 1, y),
            TileKey::new(z, x, y + 1),
            TileKey::new(z, x + 1, y + 1),
        ]
    }

    /// Where this tile sits inside `ancestor`, as fractions `[x, y, w, h]` of its side.
    pub fn rect_in(&self, ancestor: &TileKey) -> [f64; 4] {
        let shift = self.z - ancestor.z;
        let n = f64::from(1u32 << shift);
        let local_x = f64::from(self.x - (ancestor.x << shift));
        let local_y = f64::from(self.y - (ancestor.y << shift));
        [local_x / n, local_y / n, 1.0 / n, 1.0 / n]
    }

    /// Expands a URL template with `{z}`, `{x}` and `{y}`.
    pub fn url(&self, template: &str) -> String {
        template
            .replace("{z}", &self.z.to_string())
            .replace("{x}", &self.x.to_string())
            .replace("{y}", &self.y.to_string())
    }
}

/// The tile zoom a view at `view_zoom` should request for tiles drawn `tile_px` CSS pixels wide
/// at integer zooms (512 for vector tiles), or `None` when the layer's data starts deeper
/// (`minzoom`). Beyond `maxzoom` the deepest tiles are over-zoomed.
pub fn tile_zoom(view_zoom: f64, tile_px: f64, minzoom: u8, maxzoom: u8) -> Option<u8> {
    let ideal = (view_zoom - (tile_px / 256.0).log2()).round().max(0.0);
    if ideal < f64::from(minzoom) {
        return None;
    }
    Some((ideal as u8).min(maxzoom))
}

/// An inclusive range of tiles at one zoom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRange {
    pub z: u8,
    pub min_x: u32,
    pub max_x: u32,
    pub min_y: u32,
    pub max_y: u32,
}

impl TileRange {
    /// Tiles at zoom `z` touching `extent` (clipped to the world).
    pub fn covering(extent: &Extent, z: u8) -> Option<Self> {
        if !extent.intersects(&Extent::WORLD) {
            return None;
        }
        let size = TileKey::size_at(z);
        let last = f64::from((1u32 << z) - 1);
        let col = |x: f64| ((x + HALF_WORLD) / size).floor().clamp(0.0, last) as u32;
        let row = |y: f64| ((HALF_WORLD - y) / size).floor().clamp(0.0, last) as u32;
        // A shared edge belongs to the tile it starts, hence the tiny inset on the far sides.
        let eps = size * 1e-9;
        Some(Self {
            z,
            min_x: col(extent.min_x),
            max_x: col(extent.max_x - eps),
            min_y: row(extent.max_y),
            max_y: row(extent.min_y + eps),
        })
    }

    /// Number of tiles in the range (never zero).
    pub fn tile_count(&self) -> usize {
        ((self.max_x - self.min_x + 1) * (self.max_y - self.min_y + 1)) as usize
    }

    /// Tiles of the range, nearest to `center` (a fractional tile position) first, so the
    /// middle of the screen fills first.
    pub fn keys_from_center(&self, center: [f64; 2]) -> Vec<TileKey> {
        let mut keys: Vec<TileKey> = (self.min_y..=self.max_y)
            .flat_map(|y| (self.min_x..=self.max_x).map(move |x| TileKey::new(self.z, x, y)))
            .collect();
        let dist = |k: &TileKey| {
            let dx = f64::from(k.x) + 0.5 - center[0];
            let dy = f64::from(k.y) + 0.5 - center[1];
            dx * dx + dy * dy
        };
        keys.sort_by(|a, b| dist(a).total_cmp(&dist(b)));
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::LonLat;

    #[test]
    fn brest_falls_in_its_known_tile() {
        let brest = LonLat::new(-4.49, 48.39).to_mercator();
        let e = Extent {
            min_x: brest.x,
            min_y: brest.y,
            max_x: brest.x + 1.0,
            max_y: brest.y + 1.0,
        };
        let range = TileRange::covering(&e, 8).unwrap();
        assert_eq!((range.min_x, range.min_y), (124, 88));
        assert_eq!(range.tile_count(), 1);
    }

    #[test]
    fn tile_extents_tile_the_world_without_gaps() {
        let a = TileKey::new(3, 2, 5).extent();
        let right = TileKey::new(3, 3, 5).extent();
        let below = TileKey::new(3, 2, 6).extent();
        assert_eq!(a.max_x, right.min_x);
        assert_eq!(a.min_y, below.max_y);
        let world = TileKey::new(0, 0, 0).extent();
        assert_eq!(world, Extent::WORLD);
    }

    #[test]
    fn an_extent_exactly_on_tile_edges_covers_only_its_tiles() {
        let e = TileKey::new(4, 7, 7).extent();
        let range = TileRange::covering(&e, 4).unwrap();
        assert_eq!(range.tile_count(), 1);
        assert_eq!((range.min_x, range.min_y), (7, 7));
    }

    #[test]
    fn tile_zoom_rounds_to_the_nearest_512_pixel_level_and_overzooms() {
        assert_eq!(tile_zoom(8.0, 512.0, 0, 14), Some(7));
        assert_eq!(tile_zoom(8.4, 512.0, 0, 14), Some(7));
        assert_eq!(tile_zoom(8.6, 512.0, 0, 14), Some(8));
        assert_eq!(tile_zoom(8.0, 256.0, 0, 14), Some(8));
        assert_eq!(tile_zoom(19.0, 512.0, 0, 14), Some(14));
        assert_eq!(tile_zoom(0.2, 512.0, 0, 14), Some(0));
        assert_eq!(tile_zoom(8.0, 512.0, 9, 14), None);
    }

    #[test]
    fn ranges_at_fractional_zoom_cover_the_viewport_exactly() {
        let mut view = crate::View::new(
            LonLat::new(-3.0, 48.0).to_mercator(),
            7.3,
            crate::view::Constraints::default(),
        );
        view.set_size(1000.0, 700.0);
        let z = tile_zoom(view.zoom(), 512.0, 0, 14).unwrap();
        let range = TileRange::covering(&view.extent(), z).unwrap();
        let covered = [range.min_x, range.min_y, range.max_x, range.max_y];
        let first = TileKey::new(z, covered[0], covered[1]).extent();
        let last = TileKey::new(z, covered[2], covered[3]).extent();
        let shown = view.extent();
        assert!(first.min_x <= shown.min_x && first.max_y >= shown.max_y);
        assert!(last.max_x >= shown.max_x && last.min_y <= shown.min_y);
        // No useless column or row on either side.
        assert!(first.max_x > shown.min_x && last.min_x < shown.max_x);
    }

    #[test]
    fn ancestors_children_and_sub_rectangles_agree() {
        let t = TileKey::new(9, 249, 177);
        let p = t.ancestor(7).unwrap();
        assert_eq!(p, TileKey::new(7, 62, 44));
        assert_eq!(t.rect_in(&p), [0.25, 0.25, 0.25, 0.25]);
        assert!(t.ancestor(10).is_none());
        assert!(
            TileKey::new(8, 124, 88)
                .children()
                .iter()
                .all(|c| c.ancestor(8) == Some(TileKey::new(8, 124, 88)))
        );
    }

    #[test]
    fn urls_are_expanded_from_templates() {
        assert_eq!(
            TileKey::new(8, 124, 88).url("/tiles/a/{z}/{x}/{y}.mvt"),
            "/tiles/a/8/124/88.mvt"
        );
    }

    #[test]
    fn keys_are_ordered_from_the_centre_outwards() {
        let range = TileRange {
            z: 3,
            min_x: 0,
            max_x: 4,
            min_y: 0,
            max_y: 0,
        };
        let keys = range.keys_from_center([2.5, 0.5]);
        assert_eq!(keys[0], TileKey::new(3, 2, 0));
        assert_eq!(keys.len(), 5);
    }
}
