//! Entry point of the Kartenn viewer (built to WebAssembly by trunk).

mod api;
mod app;
mod components;
mod i18n;
mod map;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
