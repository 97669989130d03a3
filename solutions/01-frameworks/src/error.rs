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
        let problem = match &self {
            Self::TaskNotFound(id) => {
                Problem::new(StatusCode::NOT_FOUND).with_detail(format!("There is no task with id {id}."))
            }
            Self::Invalid(errors) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY)
                .with_detail("The task has invalid fields; see `errors`.")
                .with_errors(errors.clone()),
            Self::MalformedJson => Problem::new(StatusCode::BAD_REQUEST)
                .with_detail("The request body is not valid JSON."),
            Self::UnexpectedShape => Problem::new(StatusCode::UNPROCESSABLE_ENTITY).with_detail(
                "The JSON body does not have the expected fields: send {\"title\": string, \"priority\"?: string}.",
            ),
            Self::UnsupportedMediaType => Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
                .with_detail("Send the body with `Content-Type: application/json`."),
            Self::PayloadTooLarge => Problem::new(StatusCode::PAYLOAD_TOO_LARGE)
                .with_detail("The request body is larger than this API accepts."),
            Self::UnreadableBody => Problem::new(StatusCode::BAD_REQUEST)
                .with_detail("The request body broke off before its end; send it again."),
            Self::BadPath(why) => Problem::new(StatusCode::BAD_REQUEST).with_detail(*why),
            Self::Store(cause) => {
                // Fail loudly on the inside, say little on the outside: the cause goes
                // to the logs for us, the client only learns that it was not its fault.
                tracing::error!(error = %cause, "request failed in the task store");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR)
                    .with_detail("Something went wrong on our side. Try again later.")
            }
        };
        problem.into_response()
    }
}
// ANCHOR_END: into_response
