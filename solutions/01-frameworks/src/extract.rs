//! Extractors that reject bad input with a problem document instead of axum's plain
//! text, and without quoting the deserializer's internals back to the client.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but its rejection is an [`ApiError`].
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

// ANCHOR: valid_json
impl<S, T> FromRequest<S> for ValidJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection_to_error(&rejection)),
        }
    }
}

/// Maps each way a JSON body can be wrong to its status code. The rejection's own
/// text names Rust types and serde positions: log it, never send it.
fn json_rejection_to_error(rejection: &JsonRejection) -> ApiError {
    tracing::debug!(%rejection, "rejected a JSON body");
    match rejection {
        JsonRejection::JsonSyntaxError(_) => ApiError::MalformedJson,
        JsonRejection::JsonDataError(_) => ApiError::UnexpectedShape,
        JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        // The body could not be read at all (the client went away, a chunk was malformed):
        // nothing is wrong with its JSON, and saying so would send the client looking.
        _ => ApiError::UnreadableBody,
    }
}
// ANCHOR_END: valid_json

// ANCHOR: valid_path
/// Like `axum::extract::Path`, but its rejection is an [`ApiError`].
#[derive(Debug)]
pub struct ValidPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(path_rejection_to_error(&rejection)),
        }
    }
}

fn path_rejection_to_error(rejection: &PathRejection) -> ApiError {
    tracing::debug!(%rejection, "rejected a path");
    ApiError::BadPath("Task ids are whole numbers, as in /tasks/42.")
}
// ANCHOR_END: valid_path
