//! Turns tile-space coordinates into MVT geometry commands: clip to the buffered tile,
//! simplify (Douglas–Peucker), snap to the integer grid, drop what is smaller than a pixel or
//! collapsed, thin crowded points, orient rings as MVT 2.1 requires (exterior rings with
//! positive area in tile space, holes negative) and delta-encode.

use std::collections::HashSet;

use super::clip::{ClipBox, Overlap, clip_line, clip_ring};
use super::mvt::{GeomType, zigzag32};
use super::simplify::{simplify_path, simplify_ring};

/// How hard geometry is reduced; see [`EncodeOptions::for_zoom`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncodeOptions {
    /// Douglas–Peucker tolerance in tile units (0: off).
    pub simplify: f64,
    /// Rings smaller than this area (units²) are dropped.
    pub min_ring_area: f64,
    /// Lines shorter than this (units) are dropped.
    pub min_line_length: f64,
    /// Keep at most one point per square cell of this side (units).
    pub thin_cell: Option<u32>,
}

impl EncodeOptions {
    /// Everything kept exactly (after snapping to the grid).
    pub const EXACT: Self = Self {
        simplify: 0.0,
        min_ring_area: 0.0,
        min_line_length: 0.0,
        thin_cell: None,
    };

    /// Reduction for zoom `z` of a layer whose own data stops at `maxzoom`. Below `maxzoom`
    /// the tile is drawn 512 px wide over `extent` units: geometry is simplified by
    /// `simplify` units, and rings or lines smaller than a pixel, or points within two pixels
    /// of a kept one, are dropped. From `maxzoom` on, only a quarter of the simplification is
    /// applied and nothing is dropped: that is the zoom clients over-zoom.
    pub fn for_zoom(z: u8, maxzoom: u8, extent: u32, simplify: f64) -> Self {
        let pixel = f64::from(extent) / 512.0;
        if z >= maxzoom {
            return Self {
                simplify: simplify / 4.0,
                ..Self::EXACT
            };
        }
        Self {
            simplify,
            min_ring_area: pixel * pixel,
            min_line_length: pixel,
            thin_cell: Some((2.0 * pixel) as u32),
        }
    }
}

const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

#[inline]
fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

/// Encodes the geometry of one feature at a time; buffers are reused across features.
pub struct GeometryEncoder {
    kind: GeomType,
    clip: ClipBox,
    options: EncodeOptions,
    commands: Vec<u32>,
    cursor: [i32; 2],
    exterior_kept: bool,
    clipped: Vec<[f64; 2]>,
    scratch: Vec<[f64; 2]>,
    simplified: Vec<[f64; 2]>,
    keep: Vec<bool>,
    snapped: Vec<[i32; 2]>,
    /// Cells already holding a point (thinning), for the whole tile.
    occupied: HashSet<(i32, i32)>,
}

impl GeometryEncoder {
    pub fn new(kind: GeomType, clip: ClipBox) -> Self {
        Self::with_options(kind, clip, EncodeOptions::EXACT)
    }

    pub fn with_options(kind: GeomType, clip: ClipBox, options: EncodeOptions) -> Self {
        Self {
            kind,
            clip,
            options,
            commands: Vec::new(),
            cursor: [0, 0],
            exterior_kept: false,
            clipped: Vec::new(),
            scratch: Vec::new(),
            simplified: Vec::new(),
            keep: Vec::new(),
            snapped: Vec::new(),
            occupied: HashSet::new(),
        }
    }

    /// Starts a new feature.
    pub fn reset(&mut self) {
        self.commands.clear();
        self.cursor = [0, 0];
        self.exterior_kept = false;
    }

    pub fn kind(&self) -> GeomType {
        self.kind
    }

    /// Sets the geometry type of the next feature (for files mixing types).
    pub fn set_kind(&mut self, kind: GeomType) {
        self.kind = kind;
    }

    pub fn commands(&self) -> &[u32] {
        &self.commands
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Adds points (a point or the members of a multipoint); those outside the buffer are dropped.
    /// With thinning on, a point whose cell already holds one (from any feature of the tile)
    /// is dropped.
    pub fn add_points(&mut self, points: &[[f64; 2]]) {
        self.snapped.clear();
        for &p in points {
            if !self.clip.contains(p) {
                continue;
            }
            let q = snap(p);
            if let Some(cell) = self.options.thin_cell {
                let cell = cell.max(1) as i32;
                if !self
                    .occupied
                    .insert((q[0].div_euclid(cell), q[1].div_euclid(cell)))
                {
                    continue;
                }
            }
            self.snapped.push(q);
        }
        if self.snapped.is_empty() {
            return;
        }
        self.commands
            .push(command(MOVE_TO, self.snapped.len() as u32));
        for i in 0..self.snapped.len() {
            self.push_position(self.snapped[i]);
        }
    }

    /// Adds one line string; it may come out as several lines after clipping, or as none.
    pub fn add_line(&mut self, line: &[[f64; 2]]) {
        match self.clip.classify(line) {
            Overlap::Outside => {}
            Overlap::Inside => self.emit_line(line),
            Overlap::Crosses => {
                let clip = self.clip;
                let mut pieces = std::mem::take(&mut self.clipped);
                pieces.clear();
                let mut ends = Vec::new();
                clip_line(line, &clip, |piece| {
                    pieces.extend_from_slice(piece);
                    ends.push(pieces.len());
                });
                let mut start = 0;
                for end in ends {
                    self.emit_line(&pieces[start..end]);
                    start = end;
                }
                self.clipped = pieces;
            }
        }
    }

    fn emit_line(&mut self, line: &[[f64; 2]]) {
        if self.options.min_line_length > 0.0 && path_length(line) < self.options.min_line_length {
            return;
        }
        simplify_path(
            line,
            self.options.simplify,
            &mut self.simplified,
            &mut self.keep,
        );
        snap_path(&self.simplified, &mut self.snapped);
        if self.snapped.len() < 2 {
            return;
        }
        let snapped = std::mem::take(&mut self.snapped);
        self.encode_path(&snapped, false);
        self.snapped = snapped;
    }

    /// Adds a polygon ring. The first ring of each polygon is its exterior; holes of an
    /// exterior that vanished are dropped with it. A closing point equal to the first is
    /// optional.
    pub fn add_ring(&mut self, ring: &[[f64; 2]], exterior: bool) {
        if !exterior && !self.exterior_kept {
            return;
        }
        let kept = self.ring(ring, exterior);
        if exterior {
            self.exterior_kept = kept;
        }
    }

    #[allow(clippy::float_cmp)] // a closed ring repeats its first point exactly
    fn ring(&mut self, ring: &[[f64; 2]], exterior: bool) -> bool {
        let ring = match ring {
            [first, .., last] if first == last => &ring[..ring.len() - 1],
            _ => ring,
        };
        if ring.len() < 3 {
            return false;
        }
        let source = match self.clip.classify(ring) {
            Overlap::Outside => return false,
            Overlap::Inside => ring,
            Overlap::Crosses => {
                clip_ring(ring, &self.clip, &mut self.clipped, &mut self.scratch);
                &self.clipped
            }
        };
        simplify_ring(
            source,
            self.options.simplify,
            &mut self.simplified,
            &mut self.keep,
        );
        snap_path(&self.simplified, &mut self.snapped);
        if self.snapped.len() > 1 && self.snapped.first() == self.snapped.last() {
            self.snapped.pop();
        }
        if self.snapped.len() < 3 {
            return false;
        }
        let area = twice_signed_area(&self.snapped);
        if area == 0 || (area.unsigned_abs() as f64) < 2.0 * self.options.min_ring_area {
            return false;
        }
        if (area > 0) != exterior {
            self.snapped.reverse();
        }
        let snapped = std::mem::take(&mut self.snapped);
        self.encode_path(&snapped, true);
        self.snapped = snapped;
        true
    }

    fn encode_path(&mut self, path: &[[i32; 2]], close: bool) {
        self.commands.push(command(MOVE_TO, 1));
        self.push_position(path[0]);
        self.commands
            .push(command(LINE_TO, (path.len() - 1) as u32));
        for &p in &path[1..] {
            self.push_position(p);
        }
        if close {
            self.commands.push(command(CLOSE_PATH, 1));
        }
    }

    #[inline]
    fn push_position(&mut self, p: [i32; 2]) {
        self.commands.push(zigzag32(p[0] - self.cursor[0]));
        self.commands.push(zigzag32(p[1] - self.cursor[1]));
        self.cursor = p;
    }
}

fn path_length(path: &[[f64; 2]]) -> f64 {
    path.windows(2)
        .map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1]))
        .sum()
}

#[inline]
fn snap([x, y]: [f64; 2]) -> [i32; 2] {
    [x.round() as i32, y.round() as i32]
}

/// Snaps a path to the integer grid, dropping consecutive duplicates.
fn snap_path(path: &[[f64; 2]], out: &mut Vec<[i32; 2]>) {
    out.clear();
    for &p in path {
        let q = snap(p);
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
}

/// Twice the signed area (surveyor's formula) of a closed ring in tile space (y down):
/// positive means clockwise on screen.
pub fn twice_signed_area(ring: &[[i32; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1])
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoder(kind: GeomType) -> GeometryEncoder {
        GeometryEncoder::new(kind, ClipBox::buffered(4096, 64))
    }

    #[test]
    fn a_point_is_a_single_move_to() {
        let mut e = encoder(GeomType::Point);
        e.add_points(&[[25.0, 17.0]]);
        assert_eq!(e.commands(), [9, 50, 34]);
    }

    #[test]
    fn the_mvt_spec_example_line_encodes_as_in_the_spec() {
        // MVT 2.1 spec, 4.3.5: LineString (2,2) (2,10) (10,10).
        let mut e = encoder(GeomType::LineString);
        e.add_line(&[[2.0, 2.0], [2.0, 10.0], [10.0, 10.0]]);
        assert_eq!(e.commands(), [9, 4, 4, 18, 0, 16, 16, 0]);
    }

    #[test]
    fn the_mvt_spec_example_polygon_encodes_as_in_the_spec() {
        // MVT 2.1 spec, 4.3.5: Polygon (3,6) (8,12) (20,34) closed.
        let mut e = encoder(GeomType::Polygon);
        e.add_ring(&[[3.0, 6.0], [8.0, 12.0], [20.0, 34.0], [3.0, 6.0]], true);
        assert_eq!(e.commands(), [9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn rings_are_reoriented_exterior_positive_and_holes_negative() {
        let mut e = encoder(GeomType::Polygon);
        let counter_clockwise_on_screen = [[0.0, 0.0], [0.0, 100.0], [100.0, 100.0], [100.0, 0.0]];
        e.add_ring(&counter_clockwise_on_screen, true);
        e.add_ring(
            &[[10.0, 10.0], [20.0, 10.0], [20.0, 20.0], [10.0, 20.0]],
            false,
        );
        let rings = decode_rings(e.commands());
        assert_eq!(rings.len(), 2);
        assert!(twice_signed_area(&rings[0]) > 0);
        assert!(twice_signed_area(&rings[1]) < 0);
    }

    #[test]
    fn holes_of_a_vanished_exterior_are_dropped() {
        let mut e = encoder(GeomType::Polygon);
        e.add_ring(
            &[[9000.0, 9000.0], [9100.0, 9000.0], [9100.0, 9100.0]],
            true,
        );
        e.add_ring(&[[10.0, 10.0], [20.0, 10.0], [20.0, 20.0]], false);
        assert!(e.is_empty());
    }

    #[test]
    fn rings_smaller_than_a_unit_collapse_and_vanish() {
        let mut e = encoder(GeomType::Polygon);
        e.add_ring(&[[10.1, 10.1], [10.2, 10.1], [10.2, 10.3]], true);
        assert!(e.is_empty());
    }

    #[test]
    fn a_polygon_over_the_tile_edge_stays_within_the_buffer() {
        let mut e = encoder(GeomType::Polygon);
        e.add_ring(
            &[
                [-500.0, 100.0],
                [5000.0, 100.0],
                [5000.0, 300.0],
                [-500.0, 300.0],
            ],
            true,
        );
        let rings = decode_rings(e.commands());
        let xs: Vec<i32> = rings[0].iter().map(|p| p[0]).collect();
        assert_eq!(xs.iter().min(), Some(&-64));
        assert_eq!(xs.iter().max(), Some(&(4096 + 64)));
    }

    #[test]
    fn below_maxzoom_rings_under_a_pixel_and_crowded_points_are_dropped() {
        let options = EncodeOptions::for_zoom(5, 14, 4096, 1.0);
        let mut e =
            GeometryEncoder::with_options(GeomType::Polygon, ClipBox::buffered(4096, 64), options);
        // 6x6 units: under one 8x8 pixel.
        e.add_ring(
            &[[10.0, 10.0], [16.0, 10.0], [16.0, 16.0], [10.0, 16.0]],
            true,
        );
        assert!(e.is_empty());
        e.add_ring(
            &[[10.0, 10.0], [30.0, 10.0], [30.0, 30.0], [10.0, 30.0]],
            true,
        );
        assert!(!e.is_empty());

        let mut p =
            GeometryEncoder::with_options(GeomType::Point, ClipBox::buffered(4096, 64), options);
        p.add_points(&[[100.0, 100.0]]);
        p.reset();
        p.add_points(&[[104.0, 103.0]]);
        assert!(
            p.is_empty(),
            "a point two pixels from a kept one is thinned"
        );
        p.add_points(&[[140.0, 100.0]]);
        assert!(!p.is_empty());
    }

    #[test]
    fn at_maxzoom_nothing_is_dropped() {
        let options = EncodeOptions::for_zoom(14, 14, 4096, 1.0);
        let mut e =
            GeometryEncoder::with_options(GeomType::Polygon, ClipBox::buffered(4096, 64), options);
        e.add_ring(
            &[[10.0, 10.0], [12.0, 10.0], [12.0, 12.0], [10.0, 12.0]],
            true,
        );
        assert!(!e.is_empty());
        assert_eq!(options.thin_cell, None);
    }

    #[test]
    fn short_lines_vanish_below_maxzoom_and_wobbly_ones_are_simplified() {
        let options = EncodeOptions::for_zoom(3, 14, 4096, 1.0);
        let mut e = GeometryEncoder::with_options(
            GeomType::LineString,
            ClipBox::buffered(4096, 64),
            options,
        );
        e.add_line(&[[0.0, 0.0], [3.0, 3.0]]);
        assert!(e.is_empty());
        let wobbly: Vec<[f64; 2]> = (0..100)
            .map(|i| [f64::from(i) * 10.0, f64::from(i % 2) * 0.5])
            .collect();
        e.add_line(&wobbly);
        assert_eq!(
            e.commands().len(),
            1 + 2 + 1 + 2,
            "a wobble under a unit becomes one segment"
        );
    }

    /// Minimal decoder for the tests: absolute positions of each ring.
    fn decode_rings(commands: &[u32]) -> Vec<Vec<[i32; 2]>> {
        let unzig = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
        let (mut rings, mut cur, mut i, mut pos) = (Vec::new(), Vec::new(), 0, [0i32, 0]);
        while i < commands.len() {
            let (id, count) = (commands[i] & 7, commands[i] >> 3);
            i += 1;
            if id == CLOSE_PATH {
                rings.push(std::mem::take(&mut cur));
                continue;
            }
            for _ in 0..count {
                pos = [pos[0] + unzig(commands[i]), pos[1] + unzig(commands[i + 1])];
                i += 2;
                cur.push(pos);
            }
        }
        rings
    }
}
