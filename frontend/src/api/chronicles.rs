//! Chronicles (*chroniques*) from the Kartenn API: a station's series, a series' points over a
//! range (downsampled by the server to the chart's width), the stations of a dataset, and the
//! address of a range's raw CSV. Failures go through the shared helpers, so an expired
//! session shows its banner here too.

use gloo::net::http::Request;
use kartenn_common::{SeriesInfo, SeriesPoints};

use super::{ApiFailure, encode_component, get_json, send_json};

/// `GET /api/chronicles/{dataset}/stations/{station}/series`.
pub async fn series(dataset: &str, station: &str) -> Result<Vec<SeriesInfo>, ApiFailure> {
    get_json(&series_list_url(dataset, station)).await
}

fn series_list_url(dataset: &str, station: &str) -> String {
    format!(
        "/api/chronicles/{}/stations/{}/series",
        encode_component(dataset),
        encode_component(station)
    )
}

/// `{series url}?from=&to=&points=`: at most `points` points of `[from, to]` (Unix ms).
pub async fn points(
    series_url: &str,
    from: f64,
    to: f64,
    points: u32,
    signal: &web_sys::AbortSignal,
) -> Result<SeriesPoints, ApiFailure> {
    let [(_, from), (_, to)] = range_params(from, to);
    let request = Request::get(series_url)
        .query([("from", from), ("to", to), ("points", points.to_string())])
        .abort_signal(Some(signal));
    send_json(request).await
}

/// `from` and `to` as whole milliseconds (the range widened to them).
fn range_params(from: f64, to: f64) -> [(&'static str, String); 2] {
    [
        ("from", format!("{:.0}", from.floor())),
        ("to", format!("{:.0}", to.ceil())),
    ]
}

fn with_query(url: &str, query: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{query}")
}

/// The raw CSV of `[from, to]` of a series: `{series url}.csv?from=&to=`.
pub fn csv_url(series_url: &str, from: f64, to: f64) -> String {
    let (path, query) = series_url
        .split_once('?')
        .map_or((series_url, None), |(p, q)| (p, Some(q)));
    let csv = format!("{path}.csv");
    let csv = query.map_or(csv.clone(), |q| format!("{csv}?{q}"));
    let query = range_params(from, to)
        .map(|(k, v)| format!("{k}={v}"))
        .join("&");
    with_query(&csv, &query)
}

/// A dataset's stations (its GeoJSON document, `LayerSource::Chronicle.url`).
pub async fn stations(url: &str) -> Result<serde_json::Value, ApiFailure> {
    get_json(url).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn station_and_dataset_ids_are_percent_encoded_in_the_series_list_path() {
        assert_eq!(
            series_list_url("nyc weather", "JFK/1"),
            "/api/chronicles/nyc%20weather/stations/JFK%2F1/series"
        );
    }

    #[test]
    fn ranges_are_asked_in_whole_milliseconds_widened() {
        assert_eq!(
            range_params(10.4, 99.2),
            [("from", "10".to_owned()), ("to", "100".to_owned())]
        );
    }

    #[test]
    fn the_csv_address_is_the_series_address_with_csv_and_the_range() {
        assert_eq!(
            csv_url("/api/chronicles/w/stations/JFK/series/temp", 1.0, 2.0),
            "/api/chronicles/w/stations/JFK/series/temp.csv?from=1&to=2"
        );
        assert_eq!(
            csv_url("/s/temp?k=v", 1.0, 2.0),
            "/s/temp.csv?k=v&from=1&to=2"
        );
    }
}
