//! Catalogue harvest: each source's WMS and WFS capabilities → its layers in the store. A sync
//! is idempotent (a second run reports no change) and all-or-nothing per source: when the
//! server is down, slow or answers garbage, the previous catalogue stays and the failure is
//! recorded.

use super::OgcError;
use super::capabilities::{self, Capabilities};
use super::catalog::{OgcLayer, merge};
use super::upstream;
use crate::config::SourceConfig;
use crate::store::{Store, StoreError, SyncDiff};

/// The outcome of one source's sync.
#[derive(Debug)]
pub struct SyncReport {
    pub source: String,
    /// What changed, or why nothing did.
    pub outcome: Result<SyncDiff, SyncError>,
    /// Layers now in the catalogue for this source.
    pub layers: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Upstream(#[from] OgcError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Fetches and merges a source's capabilities (WMS, WFS or both, as configured).
pub async fn harvest(
    client: &reqwest::Client,
    source: &SourceConfig,
) -> Result<Vec<OgcLayer>, OgcError> {
    let wms = if source.wms {
        Some(fetch_capabilities(client, source, "WMS", &source.wms_version).await?)
    } else {
        None
    };
    let wfs = if source.wfs {
        Some(fetch_capabilities(client, source, "WFS", "2.0.0").await?)
    } else {
        None
    };
    let category = source.category.as_deref().unwrap_or(source.title());
    Ok(merge(&source.id, category, wms.as_ref(), wfs.as_ref()))
}

/// Fetches and parses one service's capabilities (`service` is `WMS` or `WFS`).
pub async fn fetch_capabilities(
    client: &reqwest::Client,
    source: &SourceConfig,
    service: &str,
    version: &str,
) -> Result<Capabilities, OgcError> {
    let params = [
        ("SERVICE".to_owned(), service.to_owned()),
        ("VERSION".to_owned(), version.to_owned()),
        ("REQUEST".to_owned(), "GetCapabilities".to_owned()),
    ];
    let response = upstream::get(client, source, &params).await?;
    let status = response.status();
    if !status.is_success() {
        return Err(OgcError::Upstream(format!(
            "{} {service} GetCapabilities: HTTP {status}",
            source.id
        )));
    }
    let body = upstream::read_capped(response, source).await?;
    capabilities::parse(&body)
        .map_err(|e| OgcError::Upstream(format!("{} {service} capabilities: {e}", source.id)))
}

/// Harvests one source and stores the result; failures are recorded, never half-applied.
pub async fn sync_source(
    store: &Store,
    client: &reqwest::Client,
    source: &SourceConfig,
) -> SyncReport {
    record_harvest(store, source, harvest(client, source).await).await
}

/// Stores a harvest's layers (or records why there are none this time).
pub async fn record_harvest(
    store: &Store,
    source: &SourceConfig,
    harvested: Result<Vec<OgcLayer>, OgcError>,
) -> SyncReport {
    let now = rfc3339_now();
    let outcome = match harvested {
        Ok(layers) => match store.replace_ogc_layers(&source.id, &layers).await {
            Ok(diff) => Ok((diff, layers.len())),
            Err(e) => Err(SyncError::Store(e)),
        },
        Err(e) => Err(SyncError::Upstream(e)),
    };
    let record = match &outcome {
        Ok((diff, _)) => store.record_sync(&source.id, &now, Ok(diff)).await,
        Err(e) => {
            store
                .record_sync(&source.id, &now, Err(&e.to_string()))
                .await
        }
    };
    if let Err(e) = record {
        tracing::warn!(source = %source.id, error = %e, "could not record the sync");
    }
    let layers = match &outcome {
        Ok((_, n)) => *n,
        Err(_) => store.ogc_layers().await.map_or(0, |all| {
            all.iter().filter(|l| l.source == source.id).count()
        }),
    };
    SyncReport {
        source: source.id.clone(),
        outcome: outcome.map(|(diff, _)| diff),
        layers,
    }
}

/// The current time as RFC 3339 UTC (`2026-11-29T07:30:00Z`).
pub fn rfc3339_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Seconds since 1970 as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_937_400), "2026-11-29T07:30:00Z");
    }
}
