//! One error type for the whole API, and the one place that turns it into HTTP.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::domain::{FieldError, TaskId};
use crate::problem::Problem;
use crate::store::StoreError;

// ANCHOR: api_error
/// Everything a request can fail with. Handlers return `Result<_, ApiError>` and `?`
/// does the rest; no handler builds an error response by hand.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("task {0} not found")]
    TaskNotFound(TaskId),
    #[error("the task is invalid")]
    Invalid(Vec<FieldError>),
    #[error("the request body is not valid JSON")]
    MalformedJson,
    #[error("the request body does not have the expected fields")]
    UnexpectedShape,
    #[error("the request body is not JSON")]
    UnsupportedMediaType,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("the request body could not be read")]
    UnreadableBody,
    #[error("the path is not valid: {0}")]
    BadPath(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}
// ANCHOR_END: api_error

// ANCHOR: into_response
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        todo!(
            "step 3: map each ApiError to a Problem with an honest status; log internal causes, never send them. Read book/01-frameworks/errors.md"
        )
    }
}
// ANCHOR_END: into_response
