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
    // Built once: the document only changes when the code does.
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    let document = DOCUMENT.get_or_init(|| serde_json::to_value(crate::openapi()).unwrap_or(Value::Null));
    Json(document.clone())
}
// ANCHOR_END: serve_openapi

// ANCHOR: breaking_changes
/// Every change from `old` to `new` that can break a client written against `old`: a
/// path, operation, response status, schema or field that disappeared, a field whose
/// type changed, a field that became required. Additions are not breaking.
pub fn breaking_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for (path, old_item) in members(&old["paths"]) {
        let Some(new_item) = new["paths"].get(path) else {
            found.push(format!("the path {path} was removed"));
            continue;
        };
        for (method, old_op) in members(old_item) {
            let Some(new_op) = new_item.get(method) else {
                found.push(format!("the operation {} {path} was removed", method.to_uppercase()));
                continue;
            };
            for (status, _) in members(&old_op["responses"]) {
                if new_op["responses"].get(status).is_none() {
                    found.push(format!("{} {path} no longer answers {status}", method.to_uppercase()));
                }
            }
        }
    }
    for (name, old_schema) in members(&old["components"]["schemas"]) {
        let Some(new_schema) = new["components"]["schemas"].get(name) else {
            found.push(format!("the schema {name} was removed"));
            continue;
        };
        for (field, old_field) in members(&old_schema["properties"]) {
            match new_schema["properties"].get(field) {
                None => found.push(format!("the field {name}.{field} was removed")),
                Some(new_field) if shape(new_field) != shape(old_field) => {
                    found.push(format!("the field {name}.{field} changed its type"));
                }
                Some(_) => {}
            }
        }
        let was_required = required(old_schema);
        for field in required(new_schema) {
            if !was_required.contains(&field) {
                found.push(format!("the field {name}.{field} became required"));
            }
        }
    }
    found
}

fn members(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flat_map(Map::iter)
}

/// A field's type, without the words about it: a reworded description breaks nobody.
fn shape(field: &Value) -> Value {
    let mut shape = field.clone();
    if let Some(object) = shape.as_object_mut() {
        for words in ["description", "title", "example", "examples"] {
            object.remove(words);
        }
    }
    shape
}

fn required(schema: &Value) -> Vec<&str> {
    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}
// ANCHOR_END: breaking_changes
