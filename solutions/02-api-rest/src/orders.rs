//! The order resources: `/v2/orders` (the collection) and `/v2/orders/{id}` (one order),
//! each answer with the status code that tells the client what happened.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;

use crate::error::ApiError;
use crate::model::{NewOrder, Order};
use crate::problem::Problem;
use crate::representation;
use crate::state::AppState;
use crate::validate;

/// The URI of one order: the `Location` of a create, the successor of a v1 URI.
pub fn order_uri(id: u64) -> String {
    format!("/v2/orders/{id}")
}

// ANCHOR: create_order
/// Creates an order. A POST that carries an `Idempotency-Key` can be retried safely.
#[utoipa::path(
    post,
    path = "/v2/orders",
    tag = "orders",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry of this POST safe")),
    request_body = NewOrder,
    responses(
        (status = 201, description = "Created", body = Order, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body or idempotency key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A request with this key is in flight", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a key reused for another request", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let fields = validate::order_fields(&body).map_err(ApiError::Invalid)?;
    let order = state.store.insert(fields);
    let mut response = representation::respond(&HeaderMap::new(), StatusCode::CREATED, &order);
    let location =
        HeaderValue::from_str(&order_uri(order.id)).map_err(|e| ApiError::Internal(e.to_string()))?;
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}
// ANCHOR_END: create_order

// ANCHOR: get_order
/// One order. Answers 304 when the client's copy is current (step 4).
#[utoipa::path(
    get,
    path = "/v2/orders/{id}",
    tag = "orders",
    params(("id" = u64, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = Order, headers(("ETag" = String))),
        (status = 304, description = "The client's copy is current"),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The order was deleted", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    id: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // `/v2/orders/abc` names nothing, like any other URI that matches no order.
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let order = state.store.get(id)?;
    Ok(representation::respond(&headers, StatusCode::OK, &order))
}
// ANCHOR_END: get_order

// ANCHOR: delete_order
/// Cancels an order that has not shipped.
#[utoipa::path(
    delete,
    path = "/v2/orders/{id}",
    tag = "orders",
    params(("id" = u64, Path, description = "The order's id")),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The order has shipped", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The order was already deleted", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_order(
    State(state): State<AppState>,
    id: Result<Path<u64>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    state.store.delete(id)?;
    Ok(StatusCode::NO_CONTENT)
}
// ANCHOR_END: delete_order
