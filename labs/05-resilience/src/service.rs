//! The service: `GET /rates/{currency}` answers a quote from the upstream, guarded by a
//! rate limit and load shedding, and degrading to stale data when the upstream fails.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::Semaphore;

use crate::breaker::{BreakerConfig, CircuitBreaker};
use crate::clock::Clock;
use crate::limiter::{Quota, RateLimiter};
use crate::metrics::Metrics;
use crate::middleware::{enforce_rate_limit, shed_load};
use crate::problem::problem;
use crate::rates::{Currency, QuoteError, RateSource};
use crate::retry::RetryBudget;
use crate::upstream::{UpstreamClient, UpstreamConfig, UpstreamError};

#[derive(Clone, Copy, Debug)]
pub struct ServiceConfig {
    pub quota: Quota,
    /// Requests handled at once; more are shed with a 503.
    pub max_in_flight: usize,
    /// Retries in reserve, and the fraction of a retry each request earns back.
    pub retry_reserve: u32,
    pub retry_ratio: f64,
}

#[derive(Clone)]
pub struct AppState {
    pub rates: Arc<RateSource>,
    pub limiter: Arc<RateLimiter>,
    pub in_flight: Arc<Semaphore>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(
        upstream: UpstreamConfig,
        breaker: BreakerConfig,
        service: ServiceConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let metrics = Arc::new(Metrics::default());
        let budget = RetryBudget::new(service.retry_reserve, service.retry_ratio);
        let client = UpstreamClient::new(upstream, budget, Arc::clone(&clock));
        let breaker = CircuitBreaker::new(breaker, Arc::clone(&clock));
        Self {
            rates: Arc::new(RateSource::new(client, breaker, Arc::clone(&metrics), Arc::clone(&clock))),
            limiter: Arc::new(RateLimiter::new(service.quota)),
            in_flight: Arc::new(Semaphore::new(service.max_in_flight)),
            metrics,
            clock,
        }
    }
}

// ANCHOR: app
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/rates/{currency}", get(get_quote))
        // TODO step 7: put the `shed_load` middleware in front of the route above.
        // TODO step 8 (leave it until then): put `enforce_rate_limit` outside `shed_load`.
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
