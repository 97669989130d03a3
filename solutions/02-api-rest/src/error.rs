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
        use StatusCode as S;
        match self {
            Self::NotFound => Problem::new(S::NOT_FOUND, "not-found", "Not found")
                .with_detail("Nothing exists at this URI."),
            Self::Gone => Problem::new(S::GONE, "gone", "Gone")
                .with_detail("This resource was deleted and will not come back."),
            Self::MethodNotAllowed => {
                Problem::new(S::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed")
                    .with_detail("This resource does not support that method; see the Allow header.")
            }
            Self::AlreadyShipped(id) => {
                Problem::new(S::CONFLICT, "order-already-shipped", "Order already shipped")
                    .with_detail(format!("Order {id} has shipped and can no longer be cancelled."))
            }
            Self::Invalid(errors) => {
                Problem::new(S::UNPROCESSABLE_ENTITY, "validation-failed", "Validation failed")
                    .with_detail("Some fields are invalid; every one of them is listed in `errors`.")
                    .with_errors(errors.clone())
            }
            Self::MalformedBody(why) => {
                Problem::new(S::BAD_REQUEST, "malformed-body", "Malformed body").with_detail(why.clone())
            }
            Self::UnsupportedMediaType => {
                Problem::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
                    .with_detail("Send the body as `Content-Type: application/json`.")
            }
            Self::InvalidCursor => Problem::new(S::BAD_REQUEST, "invalid-cursor", "Invalid cursor")
                .with_detail("Use the cursor of a `next` link as it was given, without changing it."),
            Self::InvalidPageSize { max } => {
                Problem::new(S::BAD_REQUEST, "invalid-page-size", "Invalid page size")
                    .with_detail(format!("`limit` must be between 1 and {max}."))
            }
            Self::PreconditionRequired => {
                Problem::new(S::PRECONDITION_REQUIRED, "precondition-required", "Precondition required")
                    .with_detail("Send `If-Match` with the ETag you last read, so that no update is lost.")
            }
            Self::PreconditionFailed => {
                Problem::new(S::PRECONDITION_FAILED, "precondition-failed", "Precondition failed")
                    .with_detail("The order changed since you read it: fetch it again, then retry.")
            }
            Self::InvalidIdempotencyKey => {
                Problem::new(S::BAD_REQUEST, "invalid-idempotency-key", "Invalid idempotency key")
                    .with_detail("`Idempotency-Key` must be 1 to 255 visible ASCII characters.")
            }
            Self::IdempotencyKeyInFlight => {
                Problem::new(S::CONFLICT, "idempotency-key-in-flight", "Idempotency key in flight")
                    .with_detail("A request with this key is still being processed; retry later.")
            }
            Self::IdempotencyKeyReused => {
                Problem::new(S::UNPROCESSABLE_ENTITY, "idempotency-key-reused", "Idempotency key reused")
                    .with_detail("This key was used for a different request; use a new key.")
            }
            Self::Internal(cause) => {
                // Loud inside, quiet outside: the cause is for us, not for the client.
                tracing::error!(%cause, "request failed");
                Problem::new(S::INTERNAL_SERVER_ERROR, "internal", "Internal error")
                    .with_detail("Something went wrong on our side. Try again later.")
            }
        }
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
