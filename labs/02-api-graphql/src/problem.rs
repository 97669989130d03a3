//! RFC 9457 problem details, for what goes wrong before GraphQL runs: a request that is
//! not GraphQL, in a media type the endpoint does not take, or a reply it cannot give.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of a problem document, registered by RFC 9457.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Where the catalogue of problem types is published (the same as the REST lab's).
pub const PROBLEM_BASE: &str = "https://orders.example.com/problems/";

/// A problem document: `type` names the kind of problem, `title` is its fixed summary,
/// `detail` is about this occurrence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    /// A problem of the catalogue type `slug` (the last part of its `type` URI).
    pub fn new(status: StatusCode, slug: &str, title: &str) -> Self {
        Self {
            kind: format!("{PROBLEM_BASE}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: None,
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}
