//! The two guards in front of the handlers: a rate limit per client, and load shedding
//! when the service is saturated. Both refuse fast and say when to come back.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::problem::problem_with_retry_after;
use crate::state::AppState;

/// Who is asking. Here an API key header; behind authentication (chapter 03) it is the
/// authenticated principal. Requests without a key share one quota.
pub fn client_key(headers: &HeaderMap) -> String {
    headers.get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or("anonymous").to_owned()
}

// ANCHOR: rate_limit
pub async fn enforce_rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = client_key(request.headers());
    match state.limiter.check(&key, state.clock.now()) {
        Ok(()) => next.run(request).await,
        Err(limited) => {
            state.metrics.rate_limited();
            // Whole seconds, rounded up: a client that waits this long is admitted.
            let secs = limited.retry_after.as_secs() + u64::from(limited.retry_after.subsec_nanos() > 0);
            problem_with_retry_after(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests for this API key.",
                secs.max(1),
            )
        }
    }
}
// ANCHOR_END: rate_limit

// ANCHOR: shed_load
/// Admits a request only if a slot is free right now. A saturated service that queues
/// gets slower for everyone; one that refuses at once stays fast for those it serves.
pub async fn shed_load(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match state.in_flight.clone().try_acquire_owned() {
        Ok(_slot) => next.run(request).await,
        Err(_) => {
            state.metrics.shed();
            problem_with_retry_after(
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is at capacity. Try again shortly.",
                1,
            )
        }
    }
}
// ANCHOR_END: shed_load
