//! Entry point of the Kartenn viewer (built to WebAssembly by trunk).

mod admin;
mod api;
mod app;
mod chart;
mod components;
mod dom;
mod i18n;
mod map;
mod permalink;

fn main() {
    // `/admin` (and below): the admin pages; any other path: the map.
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if path == "/admin" || path.starts_with("/admin/") {
        yew::Renderer::<admin::AdminApp>::new().render();
    } else {
        yew::Renderer::<app::App>::new().render();
    }
}
