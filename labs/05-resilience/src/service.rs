//! The service: `GET /rates/{currency}` answers a quote from the upstream, guarded by a
//! rate limit and load shedding, and degrading to stale data when the upstream fails.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::middleware::{enforce_rate_limit, shed_load};
use crate::problem::problem;
use crate::rates::{Currency, QuoteError};
use crate::state::AppState;
use crate::upstream::UpstreamError;

// ANCHOR: app
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/rates/{currency}", get(get_quote))
        // TODO step 7: guard the route above with the `shed_load` middleware, and make
        // the router's own answers (no such path, no such method) problems too.
        // TODO step 8 (leave it until then): guard the route with `enforce_rate_limit` too.
        // Added after the layers, so the operator's view is never limited or shed.
        .route("/metrics", get(metrics))
        .with_state(state)
}
// ANCHOR_END: app

// ANCHOR: quote_error
async fn get_quote(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let Some(currency) = Currency::parse(&raw) else {
        return problem(StatusCode::BAD_REQUEST, "A currency is three capital letters, as in /rates/EUR.");
    };
    match state.rates.quote(&currency).await {
        Ok(quote) => Json(quote).into_response(),
        Err(error) => quote_error(&error),
    }
}

/// Each failure gets the status that says whose fault it is and whether to retry.
fn quote_error(error: &QuoteError) -> Response {
    match error {
        QuoteError::UnknownCurrency => problem(StatusCode::NOT_FOUND, "No rate is known for this currency."),
        QuoteError::CircuitOpen => {
            problem(StatusCode::SERVICE_UNAVAILABLE, "The rate provider is failing; try again later.")
        }
        QuoteError::Upstream(UpstreamError::TimedOut(_)) => {
            problem(StatusCode::GATEWAY_TIMEOUT, "The rate provider did not answer in time.")
        }
        QuoteError::Upstream(_) => problem(StatusCode::BAD_GATEWAY, "The rate provider failed."),
    }
}
// ANCHOR_END: quote_error

async fn metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

/// A path no route matches.
async fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "No resource lives at this path.")
}

/// A known path with a method it does not take. axum still adds the `Allow` header that
/// lists the methods that work; this only gives the 405 the API's format.
async fn method_not_allowed() -> Response {
    problem(StatusCode::METHOD_NOT_ALLOWED, "This path does not take this method; see `Allow`.")
}
