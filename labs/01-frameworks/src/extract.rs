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
        todo!(
            "step 4: run axum::Json and turn its rejection into an ApiError. Read book/01-frameworks/extractors.md"
        )
    }
}

/// Maps each way a JSON body can be wrong to its status code. The rejection's own
/// text names Rust types and serde positions: log it, never send it.
fn json_rejection_to_error(rejection: &JsonRejection) -> ApiError {
    todo!(
        "step 4: turn each kind of rejection into the ApiError that says what went wrong (never its text). Read book/01-frameworks/extractors.md"
    )
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
        todo!(
            "step 4: run axum::extract::Path and turn its rejection into an ApiError. Read book/01-frameworks/extractors.md"
        )
    }
}

fn path_rejection_to_error(rejection: &PathRejection) -> ApiError {
    todo!("step 4: a 400 in your own words. Read book/01-frameworks/extractors.md")
}
// ANCHOR_END: valid_path
