//! RFC 9457 problem details: one JSON shape for every error the API returns.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::FieldError;

// ANCHOR: problem
/// The media type of a problem document, as registered by RFC 9457.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document. `type` stays `about:blank`, which RFC 9457 defines as "the
/// status code says it all"; `title` is then the status code's reason phrase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// An extension member: the fields that failed validation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: reason_phrase(status).to_owned(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
        }
    }

    /// A sentence for the client: what went wrong and, if it can, how to fix it.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }
}
// ANCHOR_END: problem

/// The reason phrase RFC 9110 recommends. Two were renamed since RFC 7231, and the
/// `http` crate still returns the old names for them.
fn reason_phrase(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "Content Too Large",
        StatusCode::UNPROCESSABLE_ENTITY => "Unprocessable Content",
        other => other.canonical_reason().unwrap_or("Error"),
    }
}

// ANCHOR: into_response
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        todo!(
            "step 3: the status, the JSON body, and Content-Type: application/problem+json. Read book/01-frameworks/errors.md"
        )
    }
}
// ANCHOR_END: into_response
