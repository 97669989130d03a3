//! Error answers in one shape, RFC 9457 problem details (`application/problem+json`),
//! so that a client parses every refusal of this lab's services the same way.
//! Chapter 01 builds this type in full; here it is given, not a step.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of a problem document, as registered by RFC 9457.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document. `type` stays `about:blank` ("the status code says it all"), so
/// `title` is the status code's reason phrase and `detail` says what happened.
#[derive(Debug, Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: &'a str,
}

/// An error answer: `status`, and a sentence for the client in `detail`.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
    };
    // `Json` would label the body `application/json`; a problem has its own type.
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// The router's answer for a path no route matches.
pub async fn no_such_route() -> Response {
    problem(StatusCode::NOT_FOUND, "no route matches this path")
}

/// The router's answer for a known path and a method it does not take (axum still adds
/// the `Allow` header that lists the methods it does take).
pub async fn method_not_allowed() -> Response {
    problem(StatusCode::METHOD_NOT_ALLOWED, "this path does not take that method; see the Allow header")
}
