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
    let Some(object) = body.as_object() else {
        return Err(vec![FieldError::new("", "type", "The body must be a JSON object.")]);
    };
    let mut errors = Vec::new();
    let item = item(object, &mut errors);
    let quantity = quantity(object, &mut errors);
    let note = note(object, &mut errors);
    // Refused, not ignored: a typo such as `quantitty` would otherwise be dropped in
    // silence, and the client would never learn that its value was not used.
    for name in object.keys().filter(|name| !ORDER_FIELDS.contains(&name.as_str())) {
        errors.push(FieldError::new(name, "unknown", format!("`{name}` is not a field of an order.")));
    }
    match (item, quantity, note) {
        (Some(item), Some(quantity), Some(note)) if errors.is_empty() => {
            Ok(OrderFields { item, quantity, note })
        }
        _ => Err(errors),
    }
}

fn item(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<String> {
    match object.get("item") {
        None | Some(Value::Null) => errors.push(FieldError::new("item", "required", "`item` is required.")),
        Some(Value::String(text)) if text.trim().is_empty() || text.chars().count() > MAX_ITEM_CHARS => {
            errors.push(FieldError::new(
                "item",
                "length",
                format!("`item` needs 1 to {MAX_ITEM_CHARS} characters."),
            ))
        }
        Some(Value::String(text)) => return Some(text.clone()),
        Some(_) => errors.push(FieldError::new("item", "type", "`item` must be a string.")),
    }
    None
}

fn quantity(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<u32> {
    match object.get("quantity") {
        None | Some(Value::Null) => {
            errors.push(FieldError::new("quantity", "required", "`quantity` is required."));
        }
        Some(Value::Number(number)) if number.is_u64() || number.is_i64() => {
            match number.as_u64().filter(|n| (1..=MAX_QUANTITY).contains(n)) {
                Some(n) => return u32::try_from(n).ok(),
                None => errors.push(FieldError::new(
                    "quantity",
                    "range",
                    format!("`quantity` must be between 1 and {MAX_QUANTITY}."),
                )),
            }
        }
        Some(_) => errors.push(FieldError::new("quantity", "type", "`quantity` must be a whole number.")),
    }
    None
}

/// `Some(None)` is a valid absent note; `None` means the note is invalid.
fn note(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<Option<String>> {
    match object.get("note") {
        None | Some(Value::Null) => return Some(None),
        Some(Value::String(text)) if text.chars().count() > MAX_NOTE_CHARS => errors.push(FieldError::new(
            "note",
            "length",
            format!("`note` has at most {MAX_NOTE_CHARS} characters."),
        )),
        Some(Value::String(text)) => return Some(Some(text.clone())),
        Some(_) => errors.push(FieldError::new("note", "type", "`note` must be a string.")),
    }
    None
}
// ANCHOR_END: order_fields
