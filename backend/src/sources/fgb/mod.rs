//! FlatGeobuf tile source. The header and packed Hilbert R-tree are read once; a tile is then a
//! bbox search of the tree followed by zero-copy reads of the hit features straight into the
//! tile pipeline. A local file is held in memory; an `http(s)://` file stays remote and only the
//! byte ranges of the features a tile needs are fetched (HTTP range requests), so stateless
//! replicas can share data on object storage.

pub mod meta;
pub mod remote;
pub mod render;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use self::meta::{FgbMeta, format_error, header_len};
use self::remote::RemoteFile;
use self::render::{Contiguous, search};
use super::{SourceError, SourceInfo, SourceOptions, SourceResult, TileSource};
use crate::tiles::TileCoord;

/// A FlatGeobuf file served as vector tiles.
pub struct FgbSource {
    inner: Arc<Inner>,
    info: SourceInfo,
}

/// Tiles whose features weigh up to this are made on the async worker.
const INLINE_RENDER_BYTES: usize = 24 * 1024;

struct Inner {
    /// The file (or URL) named in messages.
    path: PathBuf,
    meta: FgbMeta,
    options: SourceOptions,
    store: Store,
}

enum Store {
    /// The whole file.
    Memory(Vec<u8>),
    Remote(RemoteFile),
}

impl FgbSource {
    /// Opens a local file, reading it into memory.
    pub fn open(path: &Path, options: SourceOptions) -> SourceResult<Self> {
        let bytes = std::fs::read(path).map_err(|source| SourceError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::from_bytes(path, bytes, options)
    }

    /// Opens a local file like [`Self::open`]; a file in another CRS than EPSG:4326 is
    /// reprojected in memory first (once, at start-up; `kartenn import` does it ahead of time).
    pub fn open_reprojecting(path: &Path, options: SourceOptions) -> SourceResult<Self> {
        match Self::open(path, options.clone()) {
            Err(SourceError::UnsupportedCrs { code, .. }) => {
                tracing::warn!(
                    file = %path.display(),
                    crs = code,
                    "reprojecting to EPSG:4326 in memory; `kartenn import` the file to skip this at start-up"
                );
                let bytes =
                    crate::import::reproject_flatgeobuf(path).map_err(|e| SourceError::Format {
                        path: path.to_owned(),
                        reason: e.to_string(),
                    })?;
                Self::from_bytes(path, bytes, options)
            }
            other => other,
        }
    }

    /// Reads an in-memory file; `path` is only used in messages.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>, options: SourceOptions) -> SourceResult<Self> {
        let head_len = header_len(path, &bytes)?;
        let head = bytes
            .get(..head_len)
            .ok_or_else(|| format_error(path, "truncated header"))?;
        let mut meta = FgbMeta::from_header(path, head, &options.fields)?;
        check_crs(path, &meta)?;
        let index = bytes.get(meta.index_begin..).unwrap_or_default();
        meta.read_index(path, index)?;
        if meta.geometry_type == flatgeobuf::GeometryType::Unknown {
            meta.geometry = first_feature_kind(&meta, &bytes).unwrap_or(meta.geometry);
        }
        Ok(Self::assemble(
            path.to_owned(),
            meta,
            options,
            Store::Memory(bytes),
        ))
    }

    /// Opens a remote file: its header and index are fetched now, features per tile.
    pub async fn open_url(url: &str, options: SourceOptions) -> SourceResult<Self> {
        let (meta, remote) = RemoteFile::open(url, &options.fields).await?;
        let path = PathBuf::from(url);
        check_crs(&path, &meta)?;
        Ok(Self::assemble(path, meta, options, Store::Remote(remote)))
    }

    fn assemble(path: PathBuf, meta: FgbMeta, options: SourceOptions, store: Store) -> Self {
        let info = SourceInfo {
            layer_name: options.layer_name.clone(),
            geometry: meta.geometry,
            bounds: meta.bounds,
            fields: meta.fields(),
            feature_count: meta.feature_count,
        };
        Self {
            inner: Arc::new(Inner {
                path,
                meta,
                options,
                store,
            }),
            info,
        }
    }

    /// Makes a tile of a local source on the calling thread (benchmarks and tests).
    pub fn render(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        self.inner.render_local(tile)
    }
}

/// For a file mixing geometry types: the kind of its first feature.
fn first_feature_kind(meta: &FgbMeta, bytes: &[u8]) -> Option<kartenn_common::GeometryKind> {
    use render::FeatureBytes;
    let features = Contiguous(bytes.get(meta.features_begin..)?);
    let feature = flatgeobuf::size_prefixed_root_as_feature(features.feature(0)?).ok()?;
    let kind = meta::geom_type(feature.geometry()?.type_())?;
    Some(meta::geometry_kind(kind))
}

fn check_crs(path: &Path, meta: &FgbMeta) -> SourceResult<()> {
    if meta.crs != 0 && meta.crs != 4326 {
        return Err(SourceError::UnsupportedCrs {
            path: path.to_owned(),
            code: meta.crs,
        });
    }
    Ok(())
}

impl Inner {
    /// Features the tile needs (none below the layer's minzoom).
    fn hits(&self, tile: TileCoord) -> SourceResult<Vec<render::Hit>> {
        if tile.z < self.options.minzoom {
            return Ok(Vec::new());
        }
        search(&self.meta, &self.options, &self.path, tile)
    }

    fn local_features(&self) -> SourceResult<Contiguous<'_>> {
        let Store::Memory(bytes) = &self.store else {
            return Err(SourceError::Task("not a local source".into()));
        };
        Ok(Contiguous(
            bytes.get(self.meta.features_begin..).unwrap_or_default(),
        ))
    }

    /// Bytes of the features `hits` name in a local file (an estimate of the tile's cost).
    fn input_bytes(&self, hits: &[render::Hit]) -> usize {
        let Ok(Contiguous(features)) = self.local_features() else {
            return usize::MAX;
        };
        hits.iter()
            .map(|h| render::read_u32(features, h.offset).unwrap_or(usize::MAX / 2))
            .fold(0usize, usize::saturating_add)
    }

    fn render_hits(&self, tile: TileCoord, hits: &[render::Hit]) -> SourceResult<Option<Vec<u8>>> {
        let features = self.local_features()?;
        render::render(&self.meta, &self.options, &self.path, tile, hits, &features)
    }

    fn render_local(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        let hits = self.hits(tile)?;
        self.render_hits(tile, &hits)
    }
}

#[async_trait]
impl TileSource for FgbSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    async fn tile(&self, tile: TileCoord) -> SourceResult<Option<Vec<u8>>> {
        let inner = Arc::clone(&self.inner);
        match &self.inner.store {
            Store::Memory(_) => {
                let hits = inner.hits(tile)?;
                // A tile over little data (most tiles beyond z10) is made in well under a
                // millisecond: cheaper here than a hop to the blocking pool and back.
                if inner.input_bytes(&hits) <= INLINE_RENDER_BYTES {
                    return inner.render_hits(tile, &hits);
                }
                tokio::task::spawn_blocking(move || inner.render_hits(tile, &hits))
                    .await
                    .map_err(|e| SourceError::Task(e.to_string()))?
            }
            Store::Remote(remote) => {
                let hits = inner.hits(tile)?;
                if hits.is_empty() {
                    return Ok(None);
                }
                let fetched = remote.fetch(&inner.meta, &hits).await?;
                tokio::task::spawn_blocking(move || {
                    render::render(
                        &inner.meta,
                        &inner.options,
                        &inner.path,
                        tile,
                        &hits,
                        &fetched,
                    )
                })
                .await
                .map_err(|e| SourceError::Task(e.to_string()))?
            }
        }
    }
}
