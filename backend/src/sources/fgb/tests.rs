//! Tests of the FlatGeobuf source on small real files (three communes of Brittany).

use std::path::{Path, PathBuf};

use flatgeobuf::packed_r_tree::PackedRTree;
use kartenn_common::GeometryKind;

use super::FgbSource;
use super::render::read_u32;
use crate::sources::{FieldSelection, SourceError, SourceOptions, SourceResult, TileSource};
use crate::tiles::TileCoord;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn fixture(name: &str) -> (PathBuf, Vec<u8>) {
    let path = Path::new(FIXTURES).join(name);
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

fn open(name: &str) -> SourceResult<FgbSource> {
    let (path, bytes) = fixture(name);
    FgbSource::from_bytes(&path, bytes, SourceOptions::named("communes"))
}

#[test]
fn a_small_file_opens_with_its_fields_bounds_and_count() {
    let source = open("three_communes.fgb").unwrap();
    let info = source.info();
    assert_eq!(info.feature_count, 3);
    assert_eq!(info.geometry, GeometryKind::Polygon);
    assert_eq!(info.fields.get("nom").map(String::as_str), Some("String"));
    assert_eq!(
        info.fields.get("population").map(String::as_str),
        Some("Number")
    );
    let [w, s, e, n] = info.bounds;
    assert!(
        w < -4.4 && e > -3.4 && s > 47.6 && n < 48.5,
        "{:?}",
        info.bounds
    );
}

#[test]
fn the_three_communes_appear_in_their_z5_tile_and_collapse_below_a_unit_at_z0() {
    let source = open("three_communes.fgb").unwrap();
    let count = |z, x, y| {
        source
            .render(TileCoord::new(z, x, y).unwrap())
            .unwrap()
            .map_or(0, |tile| {
                mvt_reader::Reader::new(tile)
                    .unwrap()
                    .get_features(0)
                    .unwrap()
                    .len()
            })
    };
    assert_eq!(count(5, 15, 11), 3);
    // At z0 one tile unit is ~10 km: communes of a few km² vanish rather than become specks.
    assert!(count(0, 0, 0) < 3);
    assert_eq!(count(5, 16, 11), 0);
}

#[test]
fn a_file_without_spatial_index_is_refused_with_advice() {
    let err = open("no_index.fgb").err().unwrap();
    assert!(matches!(err, SourceError::NoIndex { .. }));
    assert!(err.to_string().contains("SPATIAL_INDEX=YES"), "{err}");
}

#[test]
fn a_file_in_another_crs_is_served_after_reprojection_on_load() {
    let path = Path::new(FIXTURES).join("lambert93.fgb");
    let source = FgbSource::open_reprojecting(&path, SourceOptions::named("c")).unwrap();
    let [w, s, e, n] = source.info().bounds;
    assert!(
        w > -4.8 && e < -3.2 && s > 47.6 && n < 48.5,
        "{:?}",
        source.info().bounds
    );
    let lambert = features(&source, 5, 15, 11);
    let wgs84 = features(&open("three_communes.fgb").unwrap(), 5, 15, 11);
    assert_eq!(lambert.len(), wgs84.len());
}

#[test]
fn a_file_in_another_crs_is_refused_naming_it() {
    let err = open("lambert93.fgb").err().unwrap();
    assert!(err.to_string().contains("EPSG:2154"), "{err}");
}

#[test]
fn garbage_and_truncated_files_are_format_errors_naming_the_file() {
    let (path, bytes) = fixture("three_communes.fgb");
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not a flatgeobuf file at all".to_vec(),
        bytes[..10].to_vec(),
        bytes[..200].to_vec(),
    ];
    for case in cases {
        let err = FgbSource::from_bytes(&path, case, SourceOptions::named("x"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("three_communes.fgb"), "{err}");
    }
}

#[test]
fn corrupt_feature_bytes_give_errors_or_tiles_never_a_panic() {
    let (path, bytes) = fixture("three_communes.fgb");
    let header_end = 12 + read_u32(&bytes, 8).unwrap();
    let index_end = header_end + PackedRTree::index_size(3, 16);
    let tiles = [(0, 0, 0), (5, 15, 11), (8, 124, 88), (8, 125, 89)];
    for pos in (index_end..bytes.len()).step_by(7) {
        let mut corrupt = bytes.clone();
        corrupt[pos] ^= 0x5a;
        let Ok(source) = FgbSource::from_bytes(&path, corrupt, SourceOptions::named("x")) else {
            continue;
        };
        for (z, x, y) in tiles {
            let _ = source.render(TileCoord::new(z, x, y).unwrap());
        }
    }
}

fn features(source: &FgbSource, z: u8, x: u32, y: u32) -> Vec<mvt_reader::feature::Feature> {
    source
        .render(TileCoord::new(z, x, y).unwrap())
        .unwrap()
        .map(|tile| {
            mvt_reader::Reader::new(tile)
                .unwrap()
                .get_features(0)
                .unwrap()
        })
        .unwrap_or_default()
}

fn open_with(options: SourceOptions) -> SourceResult<FgbSource> {
    let (path, bytes) = fixture("three_communes.fgb");
    FgbSource::from_bytes(&path, bytes, options)
}

#[test]
fn only_the_selected_fields_are_carried() {
    let source = open_with(SourceOptions {
        fields: FieldSelection::Only(vec!["nom".into()]),
        ..SourceOptions::named("communes")
    })
    .unwrap();
    assert_eq!(source.info().fields.keys().collect::<Vec<_>>(), ["nom"]);
    for feature in features(&source, 5, 15, 11) {
        let props = feature.properties.unwrap();
        assert_eq!(props.keys().collect::<Vec<_>>(), ["nom"]);
    }
    let none = open_with(SourceOptions {
        fields: FieldSelection::None,
        ..SourceOptions::named("communes")
    })
    .unwrap();
    assert!(none.info().fields.is_empty());
    assert!(features(&none, 5, 15, 11).iter().all(|f| {
        f.properties
            .as_ref()
            .is_none_or(std::collections::HashMap::is_empty)
    }));
}

#[test]
fn selecting_a_field_the_file_lacks_is_an_error_naming_it_and_the_real_ones() {
    let err = open_with(SourceOptions {
        fields: FieldSelection::Only(vec!["name".into()]),
        ..SourceOptions::named("communes")
    })
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(text.contains("`name`") && text.contains("nom"), "{text}");
}

#[test]
fn tiles_below_the_layer_minzoom_are_empty() {
    let source = open_with(SourceOptions {
        minzoom: 6,
        ..SourceOptions::named("communes")
    })
    .unwrap();
    assert!(features(&source, 5, 15, 11).is_empty());
    assert!(!features(&source, 6, 30, 22).is_empty() || !features(&source, 6, 31, 22).is_empty());
}

#[tokio::test]
async fn the_async_tile_matches_the_direct_render() {
    let source = open("three_communes.fgb").unwrap();
    let coord = TileCoord::new(5, 15, 11).unwrap();
    assert_eq!(
        source.tile(coord).await.unwrap(),
        source.render(coord).unwrap()
    );
}

#[test]
fn a_configured_extent_and_buffer_shape_the_tiles() {
    let source = open_with(SourceOptions {
        extent: 512,
        buffer: 8,
        ..SourceOptions::named("communes")
    })
    .unwrap();
    let tile = source
        .render(TileCoord::new(8, 124, 88).unwrap())
        .unwrap()
        .unwrap();
    let reader = mvt_reader::Reader::new(tile).unwrap();
    assert_eq!(reader.get_layer_metadata().unwrap()[0].extent, 512);
    for feature in reader.get_features(0).unwrap() {
        let coords: Vec<geo_types::Coord<f32>> = match feature.geometry {
            geo_types::Geometry::Polygon(p) => p.exterior().0.clone(),
            geo_types::Geometry::MultiPolygon(mp) => {
                mp.0.iter().flat_map(|p| p.exterior().0.clone()).collect()
            }
            other => panic!("{other:?}"),
        };
        assert!(
            coords
                .iter()
                .all(|c| (-8.0..=520.0).contains(&c.x) && (-8.0..=520.0).contains(&c.y))
        );
    }
}
