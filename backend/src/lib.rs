//! Kartenn server library. [`app`] builds the whole HTTP application from an [`AppState`]
//! (tests call it in-process); [`serve`] binds and runs it until a shutdown signal.

// Tests compare exact values on purpose (bit-identical edges, exact fixtures).
#![cfg_attr(test, allow(clippy::float_cmp))]

pub mod acl;
pub mod admin;
pub mod auth;
pub mod catalog;
pub mod chronicles;
pub mod config;
pub mod http;
pub mod import;
pub mod maps;
pub mod ogc;
pub mod openapi;
pub mod sources;
pub mod state;
pub mod store;
pub mod tiles;
pub mod upstream;

use std::net::SocketAddr;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use kartenn_common::ErrorCode;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub use state::AppState;

use crate::http::ApiError;
use crate::http::headers::{content_security_policy, security_layers};

/// The HTTP application: API, tiles, health, and the viewer as fallback.
pub fn app(state: AppState) -> Router {
    let csp = content_security_policy(
        &state
            .viewer
            .as_ref()
            .map_or_else(String::new, |v| v.pages_html()),
        &state.external_origins,
    );
    let mut router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(catalog::routes::router())
        .merge(tiles::routes::router())
        .merge(ogc::routes::router())
        .merge(auth::routes::router())
        .merge(chronicles::routes::router())
        .merge(admin::routes::router())
        .merge(maps::routes::router())
        .merge(maps::admin_routes::router())
        .merge(admin::catalog_routes::router())
        .merge(openapi::router())
        .route("/api", any(no_such_route))
        .route("/api/{*rest}", any(no_such_route))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(http::viewer::serve)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf_guard,
        ))
        .with_state(state);
    for layer in security_layers(&csp) {
        router = router.layer(layer);
    }
    router
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Prometheus text exposition of the server's counters.
async fn metrics(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        match &state.chronicles {
            Some(chronicles) => state.tiles.metrics() + &chronicles.metrics(),
            None => state.tiles.metrics(),
        },
    )
}

async fn healthz() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

pub(crate) async fn no_such_route(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no such resource: {}", uri.path()))
}

async fn method_not_allowed(method: axum::http::Method) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        format!("{method} is not allowed here"),
    )
}

/// Binds `addr` and serves until Ctrl-C or SIGTERM. `on_bound` learns the actual address
/// (useful with port 0).
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let app = app(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    // The peer address reaches handlers (the admin audit log records it).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
