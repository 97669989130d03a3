//! Version 1 of the order resource, still served for the clients that use it, and
//! announced as deprecated with a date after which it will be gone.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;

use crate::error::ApiError;
use crate::model::OrderV1;
use crate::orders::order_uri;
use crate::problem::Problem;
use crate::representation;
use crate::state::AppState;

/// RFC 9745: the header's value is a structured-field date, `@` and Unix seconds.
pub const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
/// RFC 8594: the moment the resource is expected to stop answering, as an HTTP-date.
pub const SUNSET: HeaderName = HeaderName::from_static("sunset");
/// Version 1 was deprecated on 2026-01-01 at 00:00 UTC.
pub const DEPRECATED_AT_UNIX: u64 = 1_767_225_600;
/// ... and goes away on 2027-07-01 at 00:00 UTC.
pub const SUNSET_AT: &str = "Thu, 01 Jul 2027 00:00:00 GMT";
/// Where the migration guide lives (RFC 9745's `rel="deprecation"` link).
pub const MIGRATION_GUIDE: &str = "https://orders.example.com/docs/migrate-to-v2";

// ANCHOR: get_order_v1
/// An order in the version 1 shape, with the headers that tell its clients to move.
#[deprecated = "version 1 is deprecated; use /v2/orders/{id}"]
#[utoipa::path(
    get,
    path = "/v1/orders/{id}",
    tag = "orders (v1, deprecated)",
    params(("id" = u64, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order, version 1", body = OrderV1, headers(("Deprecation" = String), ("Sunset" = String), ("Link" = String))),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The order was deleted", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order_v1(
    State(state): State<AppState>,
    id: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let order = state.store.get(id)?;
    let mut response = representation::respond(&headers, StatusCode::OK, &OrderV1::from(&order));
    let link =
        format!("<{}>; rel=\"successor-version\", <{MIGRATION_GUIDE}>; rel=\"deprecation\"", order_uri(id));
    let link = HeaderValue::from_str(&link).map_err(|e| ApiError::Internal(e.to_string()))?;
    let out = response.headers_mut();
    out.insert(
        DEPRECATION,
        HeaderValue::from_str(&format!("@{DEPRECATED_AT_UNIX}"))
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    out.insert(SUNSET, HeaderValue::from_static(SUNSET_AT));
    out.insert(axum::http::header::LINK, link);
    Ok(response)
}
// ANCHOR_END: get_order_v1
