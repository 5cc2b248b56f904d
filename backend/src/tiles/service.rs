//! Tile delivery: encoded tiles in a cache bounded in bytes (moka, LRU-like TinyLFU), identical
//! concurrent misses computed once (single flight), compressed variants cached beside the raw
//! tile, strong ETags per representation, and hit/miss counters for `/metrics`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use moka::future::Cache;

use super::{TileCoord, TileError, TileResult};
use crate::sources::TileSource;

/// Tiles up to this size are compressed on the async worker, larger ones on the blocking pool.
const INLINE_COMPRESS_BYTES: usize = 16 * 1024;

/// A content coding of a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }

    fn etag_suffix(self) -> &'static str {
        match self {
            Encoding::Identity => "",
            Encoding::Gzip => "-gz",
            Encoding::Brotli => "-br",
        }
    }
}

/// One representation of a tile. An empty body means "no feature here" (HTTP 204).
#[derive(Debug)]
pub struct Encoded {
    pub body: Bytes,
    /// Strong entity tag, quoted.
    pub etag: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    layer: Arc<str>,
    tile: TileCoord,
    encoding: Encoding,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    rendered: AtomicU64,
    render_micros: AtomicU64,
}

pub struct TileService {
    cache: Cache<Key, Arc<Encoded>>,
    counters: Counters,
}

impl TileService {
    /// A service whose cache holds at most `max_bytes` of encoded tiles.
    pub fn new(max_bytes: u64) -> Self {
        let cache = Cache::builder()
            .max_capacity(max_bytes)
            .support_invalidation_closures()
            .weigher(|key: &Key, value: &Arc<Encoded>| {
                let weight = value.body.len() + value.etag.len() + key.layer.len() + 96;
                u32::try_from(weight).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            cache,
            counters: Counters::default(),
        }
    }

    /// The tile of `source` (layer `layer`) in `encoding`, from the cache or made now.
    pub async fn get(
        &self,
        layer: &str,
        source: &Arc<dyn TileSource>,
        tile: TileCoord,
        encoding: Encoding,
    ) -> Result<Arc<Encoded>, Arc<TileError>> {
        let key = Key {
            layer: Arc::from(layer),
            tile,
            encoding,
        };
        let entry = self
            .cache
            .entry(key)
            .or_try_insert_with(async {
                let raw = if encoding == Encoding::Identity {
                    None
                } else {
                    Some(self.raw(layer, source, tile).await?)
                };
                match raw {
                    None => self.render(source, tile).await,
                    Some(raw) => compress(&raw, encoding).await,
                }
            })
            .await?;
        let counter = if entry.is_fresh() {
            &self.counters.misses
        } else {
            &self.counters.hits
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(entry.into_value())
    }

    /// The uncompressed tile, cached, without counting a request.
    async fn raw(
        &self,
        layer: &str,
        source: &Arc<dyn TileSource>,
        tile: TileCoord,
    ) -> Result<Arc<Encoded>, Arc<TileError>> {
        let key = Key {
            layer: Arc::from(layer),
            tile,
            encoding: Encoding::Identity,
        };
        self.cache
            .try_get_with(key, self.render(source, tile))
            .await
    }

    async fn render(
        &self,
        source: &Arc<dyn TileSource>,
        tile: TileCoord,
    ) -> TileResult<Arc<Encoded>> {
        let started = Instant::now();
        let body = source.tile(tile).await?.unwrap_or_default();
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.counters.rendered.fetch_add(1, Ordering::Relaxed);
        self.counters
            .render_micros
            .fetch_add(micros, Ordering::Relaxed);
        let etag = if body.is_empty() {
            "\"empty\"".to_owned()
        } else {
            format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&body))
        };
        Ok(Arc::new(Encoded {
            body: Bytes::from(body),
            etag,
        }))
    }

    /// Forgets every cached tile of `layer` (after its data or rights changed).
    pub fn invalidate_layer(&self, layer: &str) {
        let layer: Arc<str> = Arc::from(layer);
        let _ = self
            .cache
            .invalidate_entries_if(move |key, _| key.layer == layer);
    }

    /// Counters in the Prometheus text format.
    pub fn metrics(&self) -> String {
        let c = &self.counters;
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        };
        metric(
            "kartenn_tile_cache_hits_total",
            "counter",
            "Tile requests answered from the cache.",
            c.hits.load(Ordering::Relaxed),
        );
        metric(
            "kartenn_tile_cache_misses_total",
            "counter",
            "Tile requests that had to make or compress the tile.",
            c.misses.load(Ordering::Relaxed),
        );
        metric(
            "kartenn_tiles_rendered_total",
            "counter",
            "Tiles made from their source.",
            c.rendered.load(Ordering::Relaxed),
        );
        metric(
            "kartenn_tile_render_microseconds_total",
            "counter",
            "Time spent making tiles from their source.",
            c.render_micros.load(Ordering::Relaxed),
        );
        metric(
            "kartenn_tile_cache_bytes",
            "gauge",
            "Bytes held by the tile cache.",
            self.cache.weighted_size(),
        );
        metric(
            "kartenn_tile_cache_entries",
            "gauge",
            "Tile representations held by the cache.",
            self.cache.entry_count(),
        );
        out
    }
}

async fn compress(raw: &Encoded, encoding: Encoding) -> TileResult<Arc<Encoded>> {
    let etag = format!(
        "{}{}\"",
        raw.etag.trim_end_matches('"'),
        encoding.etag_suffix()
    );
    if raw.body.is_empty() {
        return Ok(Arc::new(Encoded {
            body: Bytes::new(),
            etag,
        }));
    }
    let input = raw.body.clone();
    let failed = |e: String| TileError::Source(crate::sources::SourceError::Task(e));
    // Small tiles (most of them beyond z10) compress in tens of microseconds: cheaper here than
    // a hop to the blocking pool and back.
    let body = if input.len() <= INLINE_COMPRESS_BYTES {
        compress_bytes(&input, encoding).map_err(|e| failed(e.to_string()))?
    } else {
        tokio::task::spawn_blocking(move || compress_bytes(&input, encoding))
            .await
            .map_err(|e| failed(e.to_string()))?
            .map_err(|e| failed(e.to_string()))?
    };
    Ok(Arc::new(Encoded {
        body: Bytes::from(body),
        etag,
    }))
}

/// Compresses with a level chosen for on-the-fly use (the result is cached).
pub fn compress_bytes(input: &[u8], encoding: Encoding) -> std::io::Result<Vec<u8>> {
    match encoding {
        Encoding::Identity => Ok(input.to_vec()),
        Encoding::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(
                Vec::with_capacity(input.len() / 2),
                flate2::Compression::new(6),
            );
            gz.write_all(input)?;
            gz.finish()
        }
        Encoding::Brotli => {
            let mut out = Vec::with_capacity(input.len() / 2);
            {
                let mut br = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                br.write_all(input)?;
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{SourceInfo, SourceResult};
    use async_trait::async_trait;
    use kartenn_common::GeometryKind;
    use std::time::Duration;

    /// A source that counts the tiles it makes and takes its time doing so.
    struct Slow {
        info: SourceInfo,
        made: AtomicU64,
    }

    #[async_trait]
    impl TileSource for Slow {
        fn info(&self) -> &SourceInfo {
            &self.info
        }
        async fn tile(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
            self.made.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok((tile.z > 0).then(|| vec![tile.z; 10_000]))
        }
    }

    fn slow() -> Arc<Slow> {
        Arc::new(Slow {
            info: SourceInfo {
                layer_name: "l".into(),
                geometry: GeometryKind::Point,
                bounds: [0.0; 4],
                fields: std::collections::BTreeMap::default(),
                feature_count: 0,
            },
            made: AtomicU64::new(0),
        })
    }

    fn tile(z: u8) -> TileCoord {
        TileCoord::new(z, 0, 0).unwrap()
    }

    #[tokio::test]
    async fn concurrent_identical_misses_make_the_tile_once() {
        let source = slow();
        let dyn_source: Arc<dyn TileSource> = source.clone();
        let service = TileService::new(1 << 20);
        let requests = (0..20).map(|_| service.get("l", &dyn_source, tile(3), Encoding::Identity));
        let results = futures_util::future::join_all(requests).await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(source.made.load(Ordering::SeqCst), 1);
        let metrics = service.metrics();
        assert!(
            metrics.contains("kartenn_tile_cache_misses_total 1"),
            "{metrics}"
        );
        assert!(
            metrics.contains("kartenn_tile_cache_hits_total 19"),
            "{metrics}"
        );
    }

    #[tokio::test]
    async fn compressed_variants_reuse_the_raw_tile_and_carry_their_own_etag() {
        let source = slow();
        let dyn_source: Arc<dyn TileSource> = source.clone();
        let service = TileService::new(1 << 20);
        let raw = service
            .get("l", &dyn_source, tile(2), Encoding::Identity)
            .await
            .unwrap();
        let gz = service
            .get("l", &dyn_source, tile(2), Encoding::Gzip)
            .await
            .unwrap();
        let br = service
            .get("l", &dyn_source, tile(2), Encoding::Brotli)
            .await
            .unwrap();
        assert_eq!(source.made.load(Ordering::SeqCst), 1);
        assert!(gz.body.len() < raw.body.len() && br.body.len() < raw.body.len());
        let tags = [&raw.etag, &gz.etag, &br.etag];
        assert!(tags.iter().all(|t| t.starts_with('"') && t.ends_with('"')));
        assert_ne!(raw.etag, gz.etag);
        assert_ne!(gz.etag, br.etag);
    }

    #[tokio::test]
    async fn the_cache_stays_within_its_byte_budget() {
        let dyn_source: Arc<dyn TileSource> = slow();
        let service = TileService::new(50_000);
        for z in 1..20 {
            service
                .get("l", &dyn_source, tile(z), Encoding::Identity)
                .await
                .unwrap();
        }
        service.cache.run_pending_tasks().await;
        assert!(
            service.cache.weighted_size() <= 50_000,
            "{}",
            service.cache.weighted_size()
        );
    }

    #[tokio::test]
    async fn invalidating_a_layer_makes_its_tiles_again() {
        let source = slow();
        let dyn_source: Arc<dyn TileSource> = source.clone();
        let service = TileService::new(1 << 20);
        service
            .get("l", &dyn_source, tile(1), Encoding::Identity)
            .await
            .unwrap();
        service.invalidate_layer("l");
        service.cache.run_pending_tasks().await;
        service
            .get("l", &dyn_source, tile(1), Encoding::Identity)
            .await
            .unwrap();
        assert_eq!(source.made.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn compression_round_trips() {
        let input = b"kartenn kartenn kartenn kartenn".repeat(100);
        let gz = compress_bytes(&input, Encoding::Gzip).unwrap();
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back).unwrap();
        assert_eq!(back, input);
        let br = compress_bytes(&input, Encoding::Brotli).unwrap();
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut brotli::Decompressor::new(&br[..], 4096), &mut back)
            .unwrap();
        assert_eq!(back, input);
    }
}
