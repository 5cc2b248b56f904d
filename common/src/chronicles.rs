//! Chronicles (*chroniques*): time series of measured values at stations, as the API serves
//! them. Times on the wire are Unix milliseconds UTC (`f64`: sub-millisecond precision kept);
//! a `null` value in a series' points marks a gap (the chart breaks its line there).

use serde::{Deserialize, Serialize};

/// `GET /api/chronicles`: one dataset the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ChronicleDataset {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    pub stations: u64,
    pub series: u64,
    pub samples: u64,
    /// First and last sample times (Unix ms), when there are samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<[f64; 2]>,
    /// Where the stations are, as GeoJSON (`GET /api/chronicles/{dataset}/stations`).
    pub stations_url: String,
}

/// `GET /api/chronicles/{dataset}/stations/{station}/series`: one variable measured there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SeriesInfo {
    pub variable: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Seconds between samples when the series is regular.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_s: Option<f64>,
    /// First and last sample times (Unix ms); `None` for an empty series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<[f64; 2]>,
    pub count: u64,
    /// Where its points are (`…/series/{variable}`).
    pub url: String,
}

/// How a range was reduced to at most `points` pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Downsampling {
    /// Every sample in the range (it had no more than asked).
    Raw,
    /// Largest-Triangle-Three-Buckets: the visual shape kept.
    Lttb,
    /// The minimum and maximum of each time bucket, in time order: extremes kept.
    MinMax,
}

/// `GET /api/chronicles/{dataset}/stations/{station}/series/{variable}?from=&to=&points=N`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct SeriesPoints {
    pub dataset: String,
    pub station: String,
    pub variable: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The range answered (Unix ms), as asked or the series' extent.
    pub from: f64,
    pub to: f64,
    /// Samples in the range before downsampling.
    pub total: u64,
    pub downsampling: Downsampling,
    /// At most `points` pairs `[time (Unix ms), value]`, time ascending; `null` marks a gap.
    #[cfg_attr(feature = "utoipa", schema(value_type = Vec<Vec<Option<f64>>>))]
    pub points: Vec<(f64, Option<f64>)>,
}
