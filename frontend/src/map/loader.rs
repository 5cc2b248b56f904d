//! Fetching and decoding: vector tiles (MVT), raster tiles (decoded off the main thread by
//! `createImageBitmap`) and GeoJSON documents.

use kartenn_engine::mvt;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ImageBitmap;

pub enum Outcome {
    Data(mvt::Layer),
    Image(ImageBitmap),
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

/// A raster tile: fetched, then decoded by the browser off the main thread.
pub async fn load_image(url: &str, signal: &web_sys::AbortSignal) -> Outcome {
    let result = async {
        let response = gloo::net::http::Request::get(url)
            .abort_signal(Some(signal))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        match response.status() {
            200 => {}
            204 | 404 => return Ok(None),
            // Read through the API's failure path: a lost session raises the banner.
            _ => return Err(crate::api::failure(response).await.to_string()),
        }
        let bytes = response.binary().await.map_err(|e| e.to_string())?;
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
        let blob =
            web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|e| format!("{e:?}"))?;
        let window = web_sys::window().ok_or("no window")?;
        let bitmap = JsFuture::from(
            window
                .create_image_bitmap_with_blob(&blob)
                .map_err(|e| format!("{e:?}"))?,
        )
        .await
        .map_err(|e| format!("not an image: {e:?}"))?;
        bitmap
            .dyn_into::<ImageBitmap>()
            .map(Some)
            .map_err(|_| "not an image bitmap".to_owned())
    }
    .await;
    match result {
        _ if signal.aborted() => Outcome::Aborted,
        Ok(Some(image)) => Outcome::Image(image),
        Ok(None) => Outcome::Empty,
        Err(reason) => Outcome::Failed(reason),
    }
}

/// A GeoJSON document as one world-sized layer.
pub async fn load_geojson(url: &str, name: &str) -> Result<mvt::Layer, String> {
    let response = gloo::net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(crate::api::failure(response).await.to_string());
    }
    let doc: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    kartenn_engine::geojson::to_layer(&doc, name).map_err(|e| e.to_string())
}
