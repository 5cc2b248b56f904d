//! The Kartenn viewer, built to WebAssembly by trunk as two programs sharing this library: the
//! map (`kartenn-frontend`, every visitor's download) and the admin console (`kartenn-admin`,
//! served at `/admin`), so that people browsing maps never download the admin pages.

mod admin;
mod api;
mod app;
mod chart;
mod components;
mod dom;
mod i18n;
mod map;
mod permalink;

/// Renders the map viewer into the page.
pub fn run_viewer() {
    yew::Renderer::<app::App>::new().render();
}

/// Renders the admin console into the page.
pub fn run_admin() {
    yew::Renderer::<admin::AdminApp>::new().render();
}
