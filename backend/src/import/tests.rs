//! Import tests on small real inputs (three communes of Brittany in Lambert-93 as Shapefile
//! and GeoPackage, GeoJSON and CSV written here) and on broken ones.

use std::path::{Path, PathBuf};

use super::{ImportError, ImportOptions, run};
use crate::sources::fgb::FgbSource;
use crate::sources::{SourceOptions, TileSource};
use crate::tiles::TileCoord;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn options(input: &Path, output: &Path) -> ImportOptions {
    ImportOptions {
        input: input.to_owned(),
        output: output.to_owned(),
        ..ImportOptions::default()
    }
}

fn import(options: &ImportOptions) -> Result<super::ImportReport, ImportError> {
    run(options, &mut |_| {})
}

/// Opens an import's output as a tile source: the proof it is a valid, indexed FlatGeobuf.
fn served(path: &Path) -> FgbSource {
    FgbSource::open(path, SourceOptions::named("t")).expect("the output opens as a tile source")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kartenn-import-"))
        .collect()
}

#[test]
fn a_lambert_93_shapefile_is_reprojected_with_its_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("communes.fgb");
    let report = import(&options(
        &Path::new(FIXTURES).join("three_communes_l93.shp"),
        &out,
    ))
    .unwrap();
    assert_eq!(report.features, 3);
    let source = served(&out);
    let info = source.info();
    let [w, s, e, n] = info.bounds;
    assert!(
        w > -4.8 && e < -3.2 && s > 47.6 && n < 48.5,
        "not in Brittany: {:?}",
        info.bounds
    );
    assert_eq!(info.fields.get("nom").map(String::as_str), Some("String"));
    assert_eq!(
        info.fields.get("population").map(String::as_str),
        Some("Number")
    );
    assert!(
        source
            .render(TileCoord::new(5, 15, 11).unwrap())
            .unwrap()
            .is_some()
    );
}

#[test]
fn a_lambert_93_geopackage_is_reprojected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("communes.fgb");
    let report = import(&options(
        &Path::new(FIXTURES).join("three_communes_l93.gpkg"),
        &out,
    ))
    .unwrap();
    assert_eq!(
        (report.features, report.source_crs.as_str()),
        (3, "EPSG:2154")
    );
    let [w, _, e, _] = served(&out).info().bounds;
    assert!(w > -4.8 && e < -3.2);
}

#[test]
fn flatgeobuf_in_another_crs_is_reprojected_and_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("communes.fgb");
    let report = import(&options(&Path::new(FIXTURES).join("lambert93.fgb"), &out)).unwrap();
    assert_eq!(report.source_crs, "EPSG:2154");
    assert_eq!(served(&out).info().feature_count, 3);
}

#[test]
fn geojson_properties_keep_their_types_and_a_legacy_crs_member_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "pts.geojson",
        r#"{"type":"FeatureCollection",
            "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},
            "features":[
              {"type":"Feature","properties":{"name":"Brest","n":1,"x":1.5,"ok":true},
               "geometry":{"type":"Point","coordinates":[146624.92,6836261.31]}},
              {"type":"Feature","properties":{"name":"Null island","n":2.5,"x":null},
               "geometry":{"type":"Point","coordinates":[145000,6835000]}}]}"#,
    );
    let out = dir.path().join("pts.fgb");
    import(&options(&input, &out)).unwrap();
    let source = served(&out);
    let fields = &source.info().fields;
    assert_eq!(
        fields.get("n").map(String::as_str),
        Some("Number"),
        "int and float widen to a number"
    );
    assert_eq!(fields.get("ok").map(String::as_str), Some("Boolean"));
    let [w, s, _, _] = source.info().bounds;
    assert!(
        (w - -4.5).abs() < 0.1 && (s - 48.4).abs() < 0.1,
        "{:?}",
        source.info().bounds
    );
}

#[test]
fn csv_with_lon_lat_or_wkt_columns_imports() {
    let dir = tempfile::tempdir().unwrap();
    let lonlat = write(
        dir.path(),
        "a.csv",
        "code,nom,lon,lat\n29019,Brest,-4.486,48.390\n29232,Quimper,-4.100,47.996\n",
    );
    let out = dir.path().join("a.fgb");
    assert_eq!(import(&options(&lonlat, &out)).unwrap().features, 2);
    assert_eq!(
        served(&out).info().geometry,
        kartenn_common::GeometryKind::Point
    );

    let wkt = write(
        dir.path(),
        "b.csv",
        "id;wkt\n1;LINESTRING(-4.5 48.4, -4.1 48.0)\n",
    );
    let out = dir.path().join("b.fgb");
    let opts = ImportOptions {
        delimiter: Some(b';'),
        ..options(&wkt, &out)
    };
    import(&opts).unwrap();
    assert_eq!(
        served(&out).info().geometry,
        kartenn_common::GeometryKind::Line
    );
}

#[test]
fn broken_inputs_are_refused_naming_the_file_and_the_feature_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.fgb");
    std::fs::write(&out, b"previous good output").unwrap();
    let cases: Vec<(PathBuf, Option<String>, &str)> = vec![
        (
            write(
                dir.path(),
                "truncated.geojson",
                r#"{"type":"FeatureCollection","features":[{"type":"Fea"#,
            ),
            None,
            "truncated.geojson",
        ),
        (
            write(
                dir.path(),
                "ring.geojson",
                r#"{"type":"FeatureCollection","features":[
                {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}},
                {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}}]}"#,
            ),
            None,
            "feature 1",
        ),
        (
            write(dir.path(), "bad.csv", "lon,lat\n1,2\nabc,3\n"),
            None,
            "line 3",
        ),
        (
            write(dir.path(), "nocol.csv", "a,b\n1,2\n"),
            None,
            "no geometry column",
        ),
        (
            write(
                dir.path(),
                "crs.geojson",
                r#"{"type":"Point","coordinates":[0,0]}"#,
            ),
            Some("EPSG:999999".into()),
            "999999",
        ),
        (
            write(dir.path(), "data.xyz", "whatever"),
            None,
            "unknown format",
        ),
        (dir.path().join("missing.geojson"), None, "missing.geojson"),
    ];
    for (input, crs, needle) in cases {
        let opts = ImportOptions {
            source_crs: crs,
            ..options(&input, &out)
        };
        let err = import(&opts)
            .err()
            .unwrap_or_else(|| panic!("{} imported", input.display()));
        let text = err.to_string();
        assert!(text.contains(needle), "{}: {text}", input.display());
        assert_eq!(
            std::fs::read(&out).unwrap(),
            b"previous good output",
            "output touched by {}",
            input.display()
        );
        assert!(
            leftovers(dir.path()).is_empty(),
            "temporary files left: {:?}",
            leftovers(dir.path())
        );
    }
}

#[test]
fn skip_invalid_imports_the_good_features_and_reports_the_bad() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "mixed.geojson",
        r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"k":1},"geometry":{"type":"Point","coordinates":[-4,48]}},
        {"type":"Feature","properties":{"k":2},"geometry":{"type":"LineString","coordinates":[[-4,48]]}}]}"#,
    );
    let out = dir.path().join("mixed.fgb");
    let report = import(&ImportOptions {
        skip_invalid: true,
        ..options(&input, &out)
    })
    .unwrap();
    assert_eq!(report.features, 1);
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].starts_with("feature 1:"),
        "{:?}",
        report.skipped
    );
}

#[tokio::test]
async fn an_imported_file_serves_the_same_tiles_as_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("communes.fgb");
    let original = Path::new(FIXTURES).join("three_communes.fgb");
    import(&options(&original, &out)).unwrap();
    let a = FgbSource::open(&original, SourceOptions::named("c")).unwrap();
    let b = served(&out);
    let tile = TileCoord::new(5, 15, 11).unwrap();
    let count = |t: Option<Vec<u8>>| {
        mvt_reader::Reader::new(t.unwrap())
            .unwrap()
            .get_features(0)
            .unwrap()
            .len()
    };
    assert_eq!(
        count(a.tile(tile).await.unwrap()),
        count(b.tile(tile).await.unwrap())
    );
}
