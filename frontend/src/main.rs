//! Entry point of the Kartenn viewer (built to WebAssembly by trunk).

mod api;
mod app;
mod chart;
mod components;
mod dom;
mod i18n;
mod map;
mod permalink;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
