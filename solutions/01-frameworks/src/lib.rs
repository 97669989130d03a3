//! Lab 01, server frameworks: a small task API.
//!
//! The file tree is the architecture: `domain`, `store` and `memory` know nothing of HTTP;
//! `handlers`, `extract`, `error` and `problem` translate between HTTP and the domain;
//! `middleware` and `shutdown` are the server around it all.

pub mod domain;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod middleware;
pub mod problem;
pub mod shutdown;
pub mod state;
pub mod store;

use axum::Router;
use axum::routing::get;

pub use middleware::{HttpConfig, with_middleware};
pub use shutdown::{Drained, serve};
pub use state::AppState;

// ANCHOR: routes
/// The routes alone, without middleware: what the handlers answer.
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/health", get(handlers::health))
        .route("/tasks", get(handlers::list_tasks).post(handlers::create_task))
        // axum 0.8 writes path parameters as `{id}`; the old `:id` panics at start-up.
        .route("/tasks/{id}", get(handlers::get_task).delete(handlers::delete_task))
        // After the routes: it applies to the method routers that exist when it is called.
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .fallback(handlers::not_found)
        .with_state(state)
}
// ANCHOR_END: routes

// ANCHOR: app
/// The whole application: the routes inside the middleware stack.
pub fn app(state: AppState) -> Router {
    let config = state.http.clone();
    with_middleware(routes(state), &config)
}
// ANCHOR_END: app
