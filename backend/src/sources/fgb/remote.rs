//! A FlatGeobuf file read over HTTP(S) with range requests: header and index once at start-up,
//! then per tile only the byte ranges of the features it needs (neighbouring features merged
//! into one request when the gap between them is small).

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use std::path::Path;

use super::meta::{FgbMeta, header_len};
use super::render::{FeatureBytes, Hit, read_u32};
use crate::sources::{FieldSelection, SourceError, SourceResult};

/// First request: enough for the header of nearly every file.
const FIRST_READ: usize = 64 * 1024;
/// Features closer than this are fetched in one request.
const MERGE_GAP: usize = 64 * 1024;

pub struct RemoteFile {
    url: String,
    client: reqwest::Client,
    /// `starts[i]`: offset of feature `i` after the first feature; one more entry for the end.
    starts: Vec<usize>,
}

impl RemoteFile {
    pub async fn open(url: &str, fields: &FieldSelection) -> SourceResult<(FgbMeta, Self)> {
        let client = crate::upstream::client_builder()
            .build()
            .map_err(|e| remote_error(url, &e.to_string()))?;
        let file = Self {
            url: url.to_owned(),
            client,
            starts: Vec::new(),
        };
        let path = Path::new(url);
        let (mut head, total) = file.range(0, FIRST_READ).await?;
        let head_len = header_len(path, &head)?;
        if head.len() < head_len {
            head = file.range(0, head_len).await?.0;
        }
        let mut meta = FgbMeta::from_header(path, &head, fields)?;
        let index = file.range(meta.index_begin, meta.index_len).await?.0;
        meta.read_index(path, &index)?;
        let features_len = total
            .checked_sub(meta.features_begin)
            .ok_or_else(|| remote_error(url, "file is shorter than its header and index"))?;
        let mut starts = vec![0; meta.feature_count as usize + 1];
        if let Some(tree) = &meta.index {
            let all = tree
                .search(
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                    f64::INFINITY,
                )
                .map_err(|e| remote_error(url, &e.to_string()))?;
            for item in all {
                if let Some(slot) = starts.get_mut(item.index) {
                    *slot = item.offset;
                }
            }
        }
        if let Some(last) = starts.last_mut() {
            *last = features_len;
        }
        Ok((meta, Self { starts, ..file }))
    }

    /// `len` bytes from `start` (fewer at the end of the file), and the file's total length.
    async fn range(&self, start: usize, len: usize) -> SourceResult<(Vec<u8>, usize)> {
        if len == 0 {
            return Ok((Vec::new(), 0));
        }
        let response = self
            .client
            .get(&self.url)
            .header(RANGE, format!("bytes={start}-{}", start + len - 1))
            .send()
            .await
            .map_err(|e| remote_error(&self.url, &e.to_string()))?;
        let status = response.status();
        let total = response
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('/').next())
            .and_then(|v| v.parse::<usize>().ok());
        let body = response
            .bytes()
            .await
            .map_err(|e| remote_error(&self.url, &e.to_string()))?;
        match status {
            StatusCode::PARTIAL_CONTENT => Ok((body.to_vec(), total.unwrap_or(start + body.len()))),
            // A server ignoring ranges sends the whole file: acceptable only when it is the
            // beginning we asked for, and the file is small.
            StatusCode::OK if start == 0 && body.len() <= FIRST_READ => {
                let total = body.len();
                Ok((body.to_vec(), total))
            }
            StatusCode::OK => Err(remote_error(
                &self.url,
                "the server does not support range requests",
            )),
            other => Err(remote_error(&self.url, &format!("HTTP {other}"))),
        }
    }

    /// Fetches the features of `hits`, merging neighbours into few requests, concurrently.
    pub async fn fetch(&self, meta: &FgbMeta, hits: &[Hit]) -> SourceResult<Fetched> {
        let mut spans: Vec<(usize, usize)> = hits
            .iter()
            .filter_map(|h| Some((*self.starts.get(h.index)?, *self.starts.get(h.index + 1)?)))
            .collect();
        spans.sort_unstable();
        spans.dedup();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 + MERGE_GAP => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let requests = merged.iter().map(|&(start, end)| async move {
            let (bytes, _) = self.range(meta.features_begin + start, end - start).await?;
            Ok::<_, SourceError>((start, bytes))
        });
        let chunks = futures_util::future::try_join_all(requests).await?;
        Ok(Fetched { chunks })
    }
}

fn remote_error(url: &str, reason: &str) -> SourceError {
    SourceError::Remote {
        url: url.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Byte ranges of a remote file's feature section, sorted by start.
pub struct Fetched {
    chunks: Vec<(usize, Vec<u8>)>,
}

impl FeatureBytes for Fetched {
    fn feature(&self, offset: usize) -> Option<&[u8]> {
        let i = self
            .chunks
            .partition_point(|(start, _)| *start <= offset)
            .checked_sub(1)?;
        let (start, bytes) = &self.chunks[i];
        let local = offset - start;
        let len = read_u32(bytes, local)?;
        bytes.get(local..local.checked_add(4 + len)?)
    }
}
