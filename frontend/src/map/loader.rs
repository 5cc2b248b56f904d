//! Fetching and decoding one vector tile.

use kartenn_engine::mvt;

pub enum Outcome {
    Data(mvt::Layer),
    /// No data there (204, or the tile lacks this layer).
    Empty,
    Failed(String),
    /// Cancelled because the tile left the view.
    Aborted,
}

pub async fn load_tile(url: &str, signal: &web_sys::AbortSignal, source_layer: &str) -> Outcome {
    match crate::api::tile(url, signal).await {
        _ if signal.aborted() => Outcome::Aborted,
        Ok(None) => Outcome::Empty,
        Ok(Some(bytes)) => match mvt::decode(&bytes) {
            Ok(tile) => tile
                .layers
                .into_iter()
                .find(|l| l.name == source_layer)
                .map_or(Outcome::Empty, Outcome::Data),
            Err(err) => Outcome::Failed(err.to_string()),
        },
        Err(err) => Outcome::Failed(err.to_string()),
    }
}
