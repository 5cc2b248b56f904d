//! Export of the chart as a PNG image: `canvas.toBlob`, an object URL, a click on a temporary
//! `<a download>`, the URL revoked once the browser has it.

use gloo::timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, HtmlCanvasElement, HtmlElement};

/// The page's `URL` object (its static methods make and revoke object URLs).
fn url_object() -> Option<JsValue> {
    let window = web_sys::window()?;
    js_sys::Reflect::get(&window, &"URL".into()).ok()
}

fn call_url(method: &str, arg: &JsValue) -> Option<JsValue> {
    let url = url_object()?;
    let function = js_sys::Reflect::get(&url, &method.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    function.call1(&url, arg).ok()
}

/// Saves `blob` as `file_name` through a temporary link.
fn save(blob: &Blob, file_name: &str) -> Option<()> {
    let href = call_url("createObjectURL", blob)?.as_string()?;
    let document = web_sys::window()?.document()?;
    let link: HtmlElement = document.create_element("a").ok()?.dyn_into().ok()?;
    link.set_attribute("href", &href).ok()?;
    link.set_attribute("download", file_name).ok()?;
    link.style().set_property("display", "none").ok()?;
    let body = document.body()?;
    body.append_child(&link).ok()?;
    link.click();
    let _ = body.remove_child(&link);
    // Revoked a little later: the download has started by then.
    Timeout::new(10_000, move || {
        let _ = call_url("revokeObjectURL", &JsValue::from_str(&href));
    })
    .forget();
    Some(())
}

/// Downloads what `canvas` shows as a PNG file.
pub fn download_png(canvas: &HtmlCanvasElement, file_name: &str) {
    let file_name = file_name.to_owned();
    let callback = Closure::once_into_js(move |blob: JsValue| {
        if let Ok(blob) = blob.dyn_into::<Blob>() {
            let _ = save(&blob, &file_name);
        }
    });
    if let Ok(callback) = callback.dyn_into::<js_sys::Function>() {
        let _ = canvas.to_blob(&callback);
    }
}
