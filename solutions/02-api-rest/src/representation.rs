//! How a resource goes out: JSON, with a strong ETag computed from the very bytes sent,
//! and a `304 Not Modified` when the client already has them.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::conditional::{self, EntityTag};
use crate::error::ApiError;

/// The bytes of a representation and their ETag.
pub fn encode<T: Serialize>(value: &T) -> Result<(Vec<u8>, EntityTag), ApiError> {
    let bytes = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    let tag = EntityTag::strong_for(&bytes);
    Ok((bytes, tag))
}

// ANCHOR: respond
/// `value` as JSON with its ETag; a GET whose `If-None-Match` matches gets a 304.
pub fn respond<T: Serialize>(request_headers: &HeaderMap, status: StatusCode, value: &T) -> Response {
    let (bytes, tag) = match encode(value) {
        Ok(encoded) => encoded,
        Err(error) => return error.into_response(),
    };
    // Only a request that asks is checked: one without `If-None-Match` always gets the body.
    if status == StatusCode::OK
        && request_headers.contains_key(header::IF_NONE_MATCH)
        && conditional::none_match(request_headers, &tag)
    {
        return conditional::not_modified(&tag);
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.headers_mut().insert(header::ETAG, tag.to_header());
    response
}
// ANCHOR_END: respond
