//! The list of orders, one page at a time, with a cursor that survives inserts and
//! deletes between requests.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::model::OrderPage;
use crate::problem::Problem;
use crate::representation;
use crate::state::AppState;

/// The query of a list request.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// How many orders per page, 1 to the server's maximum (100 by default).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page, exactly as it was given.
    pub cursor: Option<String>,
}

// ANCHOR: list_orders
/// A page of orders, oldest first, with a `Link: <...>; rel="next"` while more follow.
#[utoipa::path(
    get,
    path = "/v2/orders",
    tag = "orders",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage, headers(("Link" = String, description = "rel=\"next\" while more pages follow"))),
        (status = 400, description = "Invalid cursor or page size", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_orders(
    State(state): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    todo!(
        "step 3: check the limit, decode the cursor, answer a page and its next link. Read book/02-api-design/pagination.md"
    )
}
// ANCHOR_END: list_orders
