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
    todo!(
        "step 5: route /health, /tasks and /tasks/{{id}} to the handlers; unknown paths and wrong methods answer problems too. Read book/01-frameworks/routes.md"
    )
}
// ANCHOR_END: routes

// ANCHOR: app
/// The whole application: the routes inside the middleware stack.
pub fn app(state: AppState) -> Router {
    todo!(
        "step 6: wrap routes(state) in with_middleware, with the limits in state.http. Read book/01-frameworks/middleware.md"
    )
}
// ANCHOR_END: app
