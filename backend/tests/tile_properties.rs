//! Property tests of the tile geometry pipeline: for random polygons (with holes) and lines,
//! anywhere around a tile and at any reduction level, every encoded coordinate stays within
//! the extent and its buffer, rings are valid for MVT 2.1 (exterior first and positive, holes
//! negative, at least three distinct points), and an independent decoder reads the tile.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kartenn::tiles::clip::ClipBox;
use kartenn::tiles::geometry::{EncodeOptions, GeometryEncoder, twice_signed_area};
use kartenn::tiles::mvt::{GeomType, LayerBuilder, encode_tile};
use proptest::prelude::*;

const LOW: i32 = -64;
const HIGH: i32 = 4096 + 64;

/// A star-shaped ring around `center`: always simple, any size, possibly across the tile edge.
fn star(center: (f64, f64), radii: &[f64], clockwise: bool) -> Vec<[f64; 2]> {
    let n = radii.len();
    (0..n)
        .map(|i| {
            let k = if clockwise { n - i } else { i };
            let angle = std::f64::consts::TAU * k as f64 / n as f64;
            [
                center.0 + radii[i] * angle.cos(),
                center.1 + radii[i] * angle.sin(),
            ]
        })
        .collect()
}

fn options() -> impl Strategy<Value = EncodeOptions> {
    prop_oneof![
        Just(EncodeOptions::EXACT),
        (0u8..16).prop_map(|z| EncodeOptions::for_zoom(z, 14, 4096, 1.0))
    ]
}

/// Absolute positions of every path of a command stream, and whether each path was closed.
fn decode(commands: &[u32]) -> Vec<(Vec<[i32; 2]>, bool)> {
    let unzig = |v: u32| ((v >> 1) as i32) ^ -((v & 1) as i32);
    let (mut paths, mut i, mut pos) = (Vec::<(Vec<[i32; 2]>, bool)>::new(), 0, [0i32, 0]);
    while i < commands.len() {
        let (id, count) = (commands[i] & 7, (commands[i] >> 3) as usize);
        i += 1;
        match id {
            7 => paths.last_mut().unwrap().1 = true,
            _ => {
                for _ in 0..count {
                    pos = [pos[0] + unzig(commands[i]), pos[1] + unzig(commands[i + 1])];
                    i += 2;
                    if id == 1 {
                        paths.push((vec![pos], false));
                    } else {
                        paths.last_mut().unwrap().0.push(pos);
                    }
                }
            }
        }
    }
    paths
}

fn assert_decodable(kind: GeomType, commands: &[u32]) {
    let mut layer = LayerBuilder::new("l", 4096);
    layer.push_feature(Some(1), kind, commands);
    let tile = encode_tile([layer]).unwrap();
    let reader = mvt_reader::Reader::new(tile).unwrap();
    assert_eq!(reader.get_features(0).unwrap().len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn polygons_stay_in_the_buffered_tile_and_have_valid_rings(
        cx in -3000.0..7000.0f64,
        cy in -3000.0..7000.0f64,
        radii in prop::collection::vec(1.0..6000.0f64, 3..40),
        hole_scale in 0.05..0.5f64,
        clockwise in any::<bool>(),
        options in options(),
    ) {
        let mut encoder = GeometryEncoder::with_options(GeomType::Polygon, ClipBox::buffered(4096, 64), options);
        encoder.add_ring(&star((cx, cy), &radii, clockwise), true);
        let min = radii.iter().copied().fold(f64::INFINITY, f64::min);
        let hole_radii = vec![min * hole_scale; 8];
        encoder.add_ring(&star((cx, cy), &hole_radii, !clockwise), false);
        let paths = decode(encoder.commands());
        for (index, (ring, closed)) in paths.iter().enumerate() {
            prop_assert!(*closed, "every polygon path is closed");
            prop_assert!(ring.len() >= 3);
            prop_assert!(ring.iter().all(|p| (LOW..=HIGH).contains(&p[0]) && (LOW..=HIGH).contains(&p[1])), "{ring:?}");
            let area = twice_signed_area(ring);
            if index == 0 {
                prop_assert!(area > 0, "the first ring is an exterior with positive area");
            } else {
                prop_assert!(area < 0, "later rings are holes with negative area");
            }
        }
        if !encoder.is_empty() {
            assert_decodable(GeomType::Polygon, encoder.commands());
        }
    }

    #[test]
    fn lines_stay_in_the_buffered_tile_and_keep_two_points(
        start in (-6000.0..10000.0f64, -6000.0..10000.0f64),
        steps in prop::collection::vec((-3000.0..3000.0f64, -3000.0..3000.0f64), 1..30),
        options in options(),
    ) {
        let mut line = vec![[start.0, start.1]];
        for (dx, dy) in steps {
            let last = line[line.len() - 1];
            line.push([last[0] + dx, last[1] + dy]);
        }
        let mut encoder = GeometryEncoder::with_options(GeomType::LineString, ClipBox::buffered(4096, 64), options);
        encoder.add_line(&line);
        for (path, closed) in decode(encoder.commands()) {
            prop_assert!(!closed);
            prop_assert!(path.len() >= 2);
            prop_assert!(path.windows(2).all(|w| w[0] != w[1]), "no repeated point");
            prop_assert!(path.iter().all(|p| (LOW..=HIGH).contains(&p[0]) && (LOW..=HIGH).contains(&p[1])), "{path:?}");
        }
        if !encoder.is_empty() {
            assert_decodable(GeomType::LineString, encoder.commands());
        }
    }

    #[test]
    fn points_outside_the_buffer_are_dropped_and_the_rest_kept_in_it(
        points in prop::collection::vec((-8000.0..12000.0f64, -8000.0..12000.0f64), 1..50),
        options in options(),
    ) {
        let points: Vec<[f64; 2]> = points.into_iter().map(|(x, y)| [x, y]).collect();
        let mut encoder = GeometryEncoder::with_options(GeomType::Point, ClipBox::buffered(4096, 64), options);
        encoder.add_points(&points);
        let decoded: Vec<[i32; 2]> = decode(encoder.commands()).into_iter().flat_map(|(p, _)| p).collect();
        prop_assert!(decoded.iter().all(|p| (LOW..=HIGH).contains(&p[0]) && (LOW..=HIGH).contains(&p[1])));
        let inside = points.iter().filter(|p| p.iter().all(|v| (-64.0..=4160.0).contains(v))).count();
        prop_assert!(decoded.len() <= inside);
        if options.thin_cell.is_none() {
            prop_assert_eq!(decoded.len(), inside);
        }
    }
}
