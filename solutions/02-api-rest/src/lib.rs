//! Lab 02 (REST): an orders API designed for clients you do not control.
//!
//! The file tree follows the chapter: `error` and `validate` are what a client sees when
//! it is wrong (step 1), `orders` the resources and their status codes (step 2),
//! `cursor` and `pagination` the list (step 3), `conditional` ETags and preconditions
//! (step 4), `idempotency` safe retries of a POST (step 5), `evolution` and `contract`
//! the old version and the published OpenAPI document (step 6). `store`, `model`,
//! `problem`, `representation` and `clock` are given, and so is `seam`, the hook the
//! tests use to force races.

pub mod clock;
pub mod conditional;
pub mod contract;
pub mod cursor;
pub mod error;
pub mod evolution;
pub mod idempotency;
pub mod model;
pub mod orders;
pub mod pagination;
pub mod problem;
pub mod representation;
pub mod seam;
pub mod state;
pub mod store;
pub mod validate;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use state::{AppState, Config};

// ANCHOR: routes
/// The routes and the OpenAPI document, from one source: each handler's
/// `#[utoipa::path]` attribute gives both its route and its documentation, so the
/// two cannot drift apart.
#[allow(deprecated)] // version 1 is deprecated, and still served: that is the point.
pub fn routes_and_contract(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let (router, document) = OpenApiRouter::with_openapi(contract::ApiDoc::openapi())
        .routes(routes!(orders::create_order, pagination::list_orders))
        .routes(routes!(orders::get_order, conditional::replace_order, orders::delete_order))
        .routes(routes!(evolution::get_order_v1))
        .split_for_parts();
    let router = router
        .route("/openapi.json", get(contract::serve_openapi))
        // After the routes: it applies to the method routers that exist when it is called.
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
        // Outside the routes, so that it sees the request before any handler and the
        // response after it; it acts only on a POST that carries an Idempotency-Key.
        .layer(from_fn_with_state(state.clone(), idempotency::idempotent))
        .with_state(state);
    (router, document)
}
// ANCHOR_END: routes

/// The application, ready to serve.
pub fn app(state: AppState) -> Router {
    routes_and_contract(state).0
}

/// The OpenAPI document of this API, as `/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes_and_contract(AppState::for_docs()).1
}
