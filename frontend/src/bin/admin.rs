//! The admin console program (`kartenn-admin`, loaded by `admin.html`, served at `/admin`).

fn main() {
    kartenn_frontend::run_admin();
}
