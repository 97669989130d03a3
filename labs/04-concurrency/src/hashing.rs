//! CPU-heavy work in an async service: run it where it cannot stall the tasks that
//! share its worker thread.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::StringRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::problem::{self, problem};

/// A password hasher: slow on purpose (argon2 takes tens of milliseconds by design).
pub type Hasher = Arc<dyn Fn(&str) -> String + Send + Sync>;

// ANCHOR: hash_password
/// Hashes `password` without holding up the other requests on this worker thread.
pub async fn hash_password(hasher: Hasher, password: String) -> Result<String, StatusCode> {
    todo!(
        "step 2: run the hasher where it cannot block this worker thread; a panic in it is a 500. Read book/04-concurrency/blocking.md"
    )
}
// ANCHOR_END: hash_password

/// `POST /hash` (the body is the password) and `GET /health`. Every error answer is a
/// problem document.
pub fn app(hasher: Hasher) -> Router {
    Router::new()
        .route("/hash", post(hash))
        .route("/health", get(|| async { "ok" }))
        .fallback(problem::no_such_route)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(hasher)
}

async fn hash(State(hasher): State<Hasher>, password: Result<String, StringRejection>) -> Response {
    let password = match password {
        Ok(password) => password,
        // Not UTF-8, or too large: the client's mistake, said in the same shape as ours.
        Err(rejection) => return problem(rejection.status(), &rejection.body_text()),
    };
    match hash_password(hasher, password).await {
        Ok(hash) => hash.into_response(),
        // The status says whether to retry (503) or not (500); the detail says no more than
        // that the hash failed: what went wrong inside is for the log, not the client.
        Err(status) => problem(status, "the password could not be hashed"),
    }
}
