//! Turns tile-space coordinates into MVT geometry commands: clip to the buffered tile, snap to
//! the integer grid, drop what collapsed, orient rings as MVT 2.1 requires (exterior rings with
//! positive area in tile space, holes negative) and delta-encode.

use super::clip::{ClipBox, Overlap, clip_line, clip_ring};
use super::mvt::{GeomType, zigzag32};

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
    commands: Vec<u32>,
    cursor: [i32; 2],
    exterior_kept: bool,
    clipped: Vec<[f64; 2]>,
    scratch: Vec<[f64; 2]>,
    snapped: Vec<[i32; 2]>,
}

impl GeometryEncoder {
    pub fn new(kind: GeomType, clip: ClipBox) -> Self {
        Self {
            kind,
            clip,
            commands: Vec::new(),
            cursor: [0, 0],
            exterior_kept: false,
            clipped: Vec::new(),
            scratch: Vec::new(),
            snapped: Vec::new(),
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

    pub fn commands(&self) -> &[u32] {
        &self.commands
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Adds points (a point or the members of a multipoint); those outside the buffer are dropped.
    pub fn add_points(&mut self, points: &[[f64; 2]]) {
        self.snapped.clear();
        self.snapped.extend(
            points
                .iter()
                .filter(|&&p| self.clip.contains(p))
                .map(|&p| snap(p)),
        );
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
        snap_path(line, &mut self.snapped);
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
        match self.clip.classify(ring) {
            Overlap::Outside => return false,
            Overlap::Inside => snap_path(ring, &mut self.snapped),
            Overlap::Crosses => {
                clip_ring(ring, &self.clip, &mut self.clipped, &mut self.scratch);
                snap_path(&self.clipped, &mut self.snapped);
            }
        }
        if self.snapped.len() > 1 && self.snapped.first() == self.snapped.last() {
            self.snapped.pop();
        }
        if self.snapped.len() < 3 {
            return false;
        }
        let area = twice_signed_area(&self.snapped);
        if area == 0 {
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
