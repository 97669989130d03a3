//! Validation at the edge: a request body becomes an [`OrderFields`] or a list of
//! every reason it cannot, never just the first one.

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::model::OrderFields;

/// The longest `item`, in characters.
pub const MAX_ITEM_CHARS: usize = 100;
/// The largest `quantity` one order may ask for.
pub const MAX_QUANTITY: u64 = 1000;
/// The longest `note`, in characters.
pub const MAX_NOTE_CHARS: usize = 500;
/// The members an order's body may have. Anything else is refused (see the book).
pub const ORDER_FIELDS: [&str; 3] = ["item", "quantity", "note"];

// ANCHOR: field_error
/// One reason a field is invalid. `code` is for programs (stable, from a fixed list:
/// `required`, `type`, `length`, `range`, `unknown`); `message` is for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), code: code.to_owned(), message: message.into() }
    }
}
// ANCHOR_END: field_error

// ANCHOR: order_fields
/// Checks an order's body and returns its fields, or every error at once: a client
/// that fixes one error per round trip needs as many round trips as it has errors.
pub fn order_fields(body: &Value) -> Result<OrderFields, Vec<FieldError>> {
    todo!(
        "step 1: check every field and collect every error, unknown fields included. Read book/02-api-design/errors.md"
    )
}
// ANCHOR_END: order_fields
