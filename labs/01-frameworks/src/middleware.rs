//! The middleware stack: the limits and the plumbing every route gets, in one place.

use std::any::Any;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::error_handling::HandleErrorLayer;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::error::Overloaded;
use tower::{BoxError, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::problem::{PROBLEM_JSON, Problem};

// ANCHOR: http_config
/// The limits of the HTTP layer. Every one has a safe default: an API that ships
/// without limits ships with a denial of service.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// How long a request may take before the client gets a 503.
    pub request_timeout: Duration,
    /// The largest request body accepted; larger ones get a 413.
    pub body_limit_bytes: usize,
    /// How many requests may be in flight at once; more get a fast 503.
    pub max_in_flight: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self { request_timeout: Duration::from_secs(10), body_limit_bytes: 64 * 1024, max_in_flight: 512 }
    }
}
// ANCHOR_END: http_config

// ANCHOR: stack
/// Wraps `router` in the stack. The first layer listed is the outermost: it sees the
/// request first and the response last.
pub fn with_middleware(router: Router, config: &HttpConfig) -> Router {
    todo!(
        "step 6: stack request ids, tracing, panics, the problem format, the body limit, the timeout and load shedding, in the order the contract needs. Read book/01-frameworks/middleware.md"
    )
}
// ANCHOR_END: stack

// ANCHOR: responses
/// The answer when every permit is taken: fail fast, and tell the client when to retry.
/// Any other error from the inner layers is a bug, not load.
async fn overloaded(error: BoxError) -> Response {
    todo!(
        "step 6: a 503 problem document with Retry-After when the error is tower's Overloaded; anything else is a 500. Read book/01-frameworks/middleware.md"
    )
}

/// The span every request's log lines belong to, with its request id (and not its
/// headers, which carry credentials).
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id)
}

/// A panic in a handler is a bug: log what it said, keep serving, and tell the client
/// nothing about our code.
fn panic_to_problem(panic: Box<dyn Any + Send + 'static>) -> Response {
    todo!(
        "step 6: log the panic, answer a 500 problem document that says nothing about it. Read book/01-frameworks/middleware.md"
    )
}
// ANCHOR_END: responses

// ANCHOR: bare_errors
/// Layers and axum answer some requests on their own, in their own format: the body
/// limit's early 413 is plain text, the timeout's 503 is empty, and so is an
/// extractor's rejection we did not wrap. This gives each of them the API's format,
/// keeping the status and the headers (`Allow`, `Retry-After`, `x-request-id`), so a
/// client parses one kind of error document whatever answered it.
fn bare_error_as_problem<B>(response: Response<B>) -> Response
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let is_problem = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == PROBLEM_JSON);
    if !is_error || is_problem {
        return response.map(Body::new);
    }
    let (mut parts, _bare_body) = response.into_parts();
    let (problem_parts, problem_body) =
        Problem::new(status).with_detail(detail_for(status)).into_response().into_parts();
    // The old body's length and type described the old body.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(problem_parts.headers);
    Response::from_parts(parts, problem_body)
}

/// What a client can do about each answer the stack gives on its own.
fn detail_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is larger than this API accepts.",
        StatusCode::METHOD_NOT_ALLOWED => "This path does not take this method; see `Allow`.",
        // A timeout's 503 among them: the server could not answer, and the client may retry.
        status if status.is_server_error() => "The server could not answer this time. Try again later.",
        _ => "The request could not be processed as sent.",
    }
}
// ANCHOR_END: bare_errors
