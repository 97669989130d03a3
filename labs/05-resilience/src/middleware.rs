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
    todo!(
        "step 8: check the limiter for this client's key; over quota means a 429 with Retry-After in whole seconds. Read book/05-resilience/rate-limiting.md"
    )
}
// ANCHOR_END: rate_limit

// ANCHOR: shed_load
/// Admits a request only if a slot is free right now. A saturated service that queues
/// gets slower for everyone; one that refuses at once stays fast for those it serves.
pub async fn shed_load(State(state): State<AppState>, request: Request, next: Next) -> Response {
    todo!(
        "step 7: take a slot from `state.in_flight` without waiting; none free means a 503 with Retry-After. Read book/05-resilience/load-shedding.md"
    )
}
// ANCHOR_END: shed_load
