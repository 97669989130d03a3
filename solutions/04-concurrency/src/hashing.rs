//! CPU-heavy work in an async service: run it where it cannot stall the tasks that
//! share its worker thread.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};

/// A password hasher: slow on purpose (argon2 takes tens of milliseconds by design).
pub type Hasher = Arc<dyn Fn(&str) -> String + Send + Sync>;

// ANCHOR: hash_password
/// Hashes on the blocking pool, so the worker thread stays free for other requests.
pub async fn hash_password(hasher: Hasher, password: String) -> Result<String, StatusCode> {
    tokio::task::spawn_blocking(move || hasher(&password)).await.map_err(|error| {
        if error.is_panic() {
            // A bug on our side, not the client's.
            tracing::error!(%error, "the hasher panicked");
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            // Cancelled: the runtime is shutting down.
            StatusCode::SERVICE_UNAVAILABLE
        }
    })
}
// ANCHOR_END: hash_password

/// `POST /hash` (the body is the password) and `GET /health`.
pub fn app(hasher: Hasher) -> Router {
    Router::new()
        .route("/hash", post(|State(hasher): State<Hasher>, body: String| hash_password(hasher, body)))
        .route("/health", get(|| async { "ok" }))
        .with_state(hasher)
}
