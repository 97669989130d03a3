//! The contract: the OpenAPI document generated from the code, served to clients, and
//! compared with the last published one so that a breaking change cannot slip out.

use std::sync::OnceLock;

use axum::Json;
use serde_json::{Map, Value};
use utoipa::OpenApi;

use crate::model::{NewOrder, Order, OrderPage, OrderStatus, OrderV1};
use crate::problem::Problem;
use crate::validate::FieldError;

/// The document's frame: what the attributes on the handlers do not say.
#[derive(OpenApi)]
#[openapi(
    info(title = "Orders API", version = "2.0.0", description = "The orders API of lab 02 (REST)."),
    components(schemas(Order, OrderStatus, NewOrder, OrderV1, OrderPage, Problem, FieldError))
)]
pub struct ApiDoc;

// ANCHOR: serve_openapi
/// `GET /openapi.json`: the contract, for client generators, linters and people.
pub async fn serve_openapi() -> Json<Value> {
    todo!("step 6: serve the generated document. Read book/02-api-design/evolution.md")
}
// ANCHOR_END: serve_openapi

// ANCHOR: breaking_changes
/// Every change from `old` to `new` that can break a client written against `old`: a
/// path, operation, response status, schema or field that disappeared, a field whose
/// type changed, a field that became required. Additions are not breaking.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    todo!(
        "step 6: list what changed from old to new that breaks a client. Read book/02-api-design/evolution.md"
    )
}
// ANCHOR_END: breaking_changes
