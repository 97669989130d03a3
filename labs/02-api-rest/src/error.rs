//! The error catalogue: every way a request can fail, each with a stable problem type.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::store::StoreError;
use crate::validate::FieldError;

// ANCHOR: api_error
/// Everything a request can fail with. Handlers return `Result<_, ApiError>`; only
/// [`ApiError::problem`] decides what a client sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 404 `not-found`: nothing has ever lived at this URI.
    #[error("there is no such resource")]
    NotFound,
    /// 410 `gone`: something lived here and was deleted on purpose; it will not return.
    #[error("the resource was deleted")]
    Gone,
    /// 405 `method-not-allowed`: the resource exists, this method does not apply to it.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 `order-already-shipped`: the request is valid but the order's state forbids it.
    #[error("order {0} has already shipped")]
    AlreadyShipped(u64),
    /// 422 `validation-failed`: the body is JSON, but its fields break the rules.
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// 400 `malformed-body`: the body is not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    MalformedBody(String),
    /// 415 `unsupported-media-type`: the body is not labelled `application/json`.
    #[error("the body is not JSON")]
    UnsupportedMediaType,
    /// 400 `invalid-cursor`: the cursor is not one this server issued.
    #[error("the cursor is invalid")]
    InvalidCursor,
    /// 400 `invalid-page-size`: `limit` is outside 1..=max.
    #[error("the page size is out of range")]
    InvalidPageSize { max: usize },
    /// 428 `precondition-required`: an update came without `If-Match`.
    #[error("If-Match is required")]
    PreconditionRequired,
    /// 412 `precondition-failed`: the resource changed since the client read it.
    #[error("the precondition failed")]
    PreconditionFailed,
    /// 400 `invalid-idempotency-key`: the `Idempotency-Key` header is malformed.
    #[error("the idempotency key is malformed")]
    InvalidIdempotencyKey,
    /// 409 `idempotency-key-in-flight`: a request with this key is still being processed.
    #[error("a request with this idempotency key is in flight")]
    IdempotencyKeyInFlight,
    /// 422 `idempotency-key-reused`: this key was used for a different request.
    #[error("the idempotency key was used for another request")]
    IdempotencyKeyReused,
    /// 500 `internal`: our fault; the cause goes to the log, not to the client.
    #[error("internal error: {0}")]
    Internal(String),
}
// ANCHOR_END: api_error

// ANCHOR: catalogue
impl ApiError {
    /// The problem document a client receives: a status, a `type` from the catalogue
    /// that never changes, its fixed title, and a detail about this occurrence.
    pub fn problem(&self) -> Problem {
        todo!(
            "step 1: map each error to its status, its catalogue type and title (see each variant's doc comment), and a detail. Read book/02-api-design/errors.md"
        )
    }
}
// ANCHOR_END: catalogue

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.problem().into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType,
            other => Self::MalformedBody(other.body_text()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Gone => Self::Gone,
            StoreError::Shipped(id) => Self::AlreadyShipped(id),
        }
    }
}

/// Answers a method the route does not support. axum adds the `Allow` header itself,
/// listing the methods the route has.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Answers a path no route matches.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
