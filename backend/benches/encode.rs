//! Criterion benchmarks of the tile path: making tiles from the demo communes of Brittany at
//! low, middle and high zoom (R-tree search, transform, clip, simplify, encode), and the MVT
//! encoder alone. `cargo bench -p kartenn --bench encode`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use kartenn::sources::SourceOptions;
use kartenn::sources::fgb::FgbSource;
use kartenn::tiles::TileCoord;
use kartenn::tiles::mvt::{GeomType, LayerBuilder, Value, encode_tile};
use kartenn::tiles::service::{Encoding, compress_bytes};

fn communes() -> FgbSource {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo/communes.fgb");
    FgbSource::open(&path, SourceOptions::named("communes")).unwrap()
}

fn render(c: &mut Criterion) {
    let source = communes();
    for (name, z, x, y) in [
        ("z5 Brittany", 5, 15, 11),
        ("z8 Brest", 8, 124, 88),
        ("z12 Brest", 12, 1996, 1417),
    ] {
        let tile = TileCoord::new(z, x, y).unwrap();
        c.bench_function(&format!("render {name}"), |b| {
            b.iter(|| source.render(black_box(tile)).unwrap());
        });
    }
    let z5 = source
        .render(TileCoord::new(5, 15, 11).unwrap())
        .unwrap()
        .unwrap();
    c.bench_function("gzip z5 Brittany", |b| {
        b.iter(|| compress_bytes(black_box(&z5), Encoding::Gzip).unwrap());
    });
    c.bench_function("brotli z5 Brittany", |b| {
        b.iter(|| compress_bytes(black_box(&z5), Encoding::Brotli).unwrap());
    });
}

fn encoder(c: &mut Criterion) {
    // 20 000 features with 5 attributes each, as a low-zoom tile of all communes of France.
    let names: Vec<String> = (0..20_000).map(|i| format!("commune {i}")).collect();
    c.bench_function("encode 20k features x 5 attributes", |b| {
        b.iter(|| {
            let mut layer = LayerBuilder::new("communes", 4096);
            for (i, name) in names.iter().enumerate() {
                layer.tag("nom", Value::String(name));
                layer.tag("code", Value::String(&name[8..]));
                layer.tag("population", Value::int(i as i64 * 7));
                layer.tag("type", Value::String("COM"));
                layer.tag("departement_id", Value::int((i % 96) as i64));
                layer.push_feature(
                    Some(i as u64),
                    GeomType::Polygon,
                    &[9, 2, 2, 26, 4, 0, 0, 4, 3, 0, 15],
                );
            }
            encode_tile([layer]).unwrap()
        });
    });
}

/// The same 20 000 features through the `mvt` crate, whose key and value tables are searched
/// linearly: the measured reason for our own encoder (bench/README.md).
fn mvt_crate(c: &mut Criterion) {
    let names: Vec<String> = (0..20_000).map(|i| format!("commune {i}")).collect();
    let mut group = c.benchmark_group("mvt crate");
    group.sample_size(10);
    group.bench_function("encode 20k features x 5 attributes", |b| {
        b.iter(|| {
            let mut tile = mvt::Tile::new(4096);
            let mut layer = tile.create_layer("communes");
            for (i, name) in names.iter().enumerate() {
                let geom = mvt::GeomEncoder::new(mvt::GeomType::Polygon)
                    .point(1.0, 1.0)
                    .and_then(|e| e.point(3.0, 1.0))
                    .and_then(|e| e.point(3.0, 3.0))
                    .and_then(mvt::GeomEncoder::encode)
                    .unwrap();
                let mut feature = layer.into_feature(geom);
                feature.set_id(i as u64);
                feature.add_tag_string("nom", name);
                feature.add_tag_string("code", &name[8..]);
                feature.add_tag_int("population", i as i64 * 7);
                feature.add_tag_string("type", "COM");
                feature.add_tag_int("departement_id", (i % 96) as i64);
                layer = feature.into_layer();
            }
            tile.add_layer(layer).unwrap();
            tile.to_bytes().unwrap()
        });
    });
    group.finish();
}

criterion_group!(benches, render, encoder, mvt_crate);
criterion_main!(benches);
