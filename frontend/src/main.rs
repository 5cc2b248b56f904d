//! The map viewer program (`kartenn-frontend`, loaded by `index.html`).

fn main() {
    kartenn_frontend::run_viewer();
}
