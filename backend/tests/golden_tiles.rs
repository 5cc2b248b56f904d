//! Golden tiles: small hand-made FlatGeobuf fixtures (GeoJSON sources beside them in
//! `tests/fixtures/src/`) tiled and decoded by an independent decoder (mvt-reader) into text,
//! compared with `tests/golden/*.txt`. Points, multipoints, lines across a tile edge,
//! multilines, polygons with holes, polygons across a tile edge, multipolygons, and the
//! antimeridian. `KARTENN_BLESS=1 cargo test --test golden_tiles` rewrites the golden files
//! (then read the diff before committing).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write;
use std::path::Path;

use geo_types::{Coord, Geometry, LineString};
use kartenn::sources::SourceOptions;
use kartenn::sources::fgb::FgbSource;
use kartenn::tiles::TileCoord;

fn render(fixture: &str, z: u8, x: u32, y: u32) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let source = FgbSource::open(
        &dir.join(format!("{fixture}.fgb")),
        SourceOptions::named(fixture),
    )
    .unwrap();
    let mut out = format!("tile {z}/{x}/{y} of {fixture}.fgb\n");
    let Some(bytes) = source.render(TileCoord::new(z, x, y).unwrap()).unwrap() else {
        out.push_str("empty\n");
        return out;
    };
    let reader = mvt_reader::Reader::new(bytes).unwrap();
    for (i, layer) in reader.get_layer_metadata().unwrap().iter().enumerate() {
        let _ = writeln!(
            out,
            "layer {} extent {} version {}",
            layer.name, layer.extent, layer.version
        );
        for feature in reader.get_features(i).unwrap() {
            let mut props: Vec<String> = feature
                .properties
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            props.sort();
            let _ = writeln!(out, "feature id={:?} {}", feature.id, props.join(" "));
            describe(&feature.geometry, &mut out);
        }
    }
    out
}

fn coords(line: &LineString<f32>) -> String {
    line.0
        .iter()
        .map(|Coord { x, y }| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn describe(geometry: &Geometry<f32>, out: &mut String) {
    match geometry {
        Geometry::Point(p) => {
            let _ = writeln!(out, "  point {},{}", p.x(), p.y());
        }
        Geometry::MultiPoint(mp) => {
            for p in mp {
                let _ = writeln!(out, "  point {},{}", p.x(), p.y());
            }
        }
        Geometry::LineString(l) => {
            let _ = writeln!(out, "  line {}", coords(l));
        }
        Geometry::MultiLineString(ml) => {
            for l in ml {
                let _ = writeln!(out, "  line {}", coords(l));
            }
        }
        Geometry::Polygon(p) => {
            let _ = writeln!(out, "  polygon exterior {}", coords(p.exterior()));
            for hole in p.interiors() {
                let _ = writeln!(out, "    hole {}", coords(hole));
            }
        }
        Geometry::MultiPolygon(mp) => {
            for p in mp {
                describe(&Geometry::Polygon(p.clone()), out);
            }
        }
        other => {
            let _ = writeln!(out, "  other {other:?}");
        }
    }
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"));
    if std::env::var_os("KARTENN_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with KARTENN_BLESS=1", path.display()));
    assert!(
        expected == actual,
        "{name} differs from {}:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[test]
fn points_and_multipoints_keep_their_typed_attributes() {
    check("points_z9", &render("points", 9, 249, 177));
}

#[test]
fn lines_are_cut_at_the_buffered_tile_edge_on_both_sides() {
    let both = render("lines", 8, 124, 88) + &render("lines", 8, 125, 88);
    check("lines_z8", &both);
}

#[test]
fn polygons_keep_holes_are_cut_at_tile_edges_and_multipolygons_stay_one_feature() {
    let all = render("polygons", 8, 124, 88)
        + &render("polygons", 8, 125, 88)
        + &render("polygons", 8, 124, 89);
    check("polygons_z8", &all);
}

#[test]
fn features_across_the_antimeridian_appear_on_both_edges_of_the_world() {
    let both = render("antimeridian", 2, 3, 2) + &render("antimeridian", 2, 0, 2);
    check("antimeridian_z2", &both);
}
