//! Step 1: what a client sees when it is wrong. One error catalogue in RFC 9457 shape,
//! and validation that reports every field at once. Read «One error catalogue».

use api_rest::error::ApiError;
use api_rest::problem::PROBLEM_BASE;
use api_rest::validate::{FieldError, order_fields};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use super::support::{request, send, spawn_app};

const SECTION: &str = "One error catalogue (book/02-api-design/errors.md)";

fn field_error(field: &str, code: &str) -> FieldError {
    FieldError::new(field, code, "")
}

/// The published catalogue: every error, its status and its `type`. Clients match on
/// these; changing one breaks them.
fn catalogue() -> Vec<(ApiError, StatusCode, &'static str)> {
    vec![
        (ApiError::NotFound, StatusCode::NOT_FOUND, "not-found"),
        (ApiError::Gone, StatusCode::GONE, "gone"),
        (ApiError::MethodNotAllowed, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
        (ApiError::AlreadyShipped(7), StatusCode::CONFLICT, "order-already-shipped"),
        (
            ApiError::Invalid(vec![field_error("item", "required")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
        ),
        (ApiError::MalformedBody("expected value".into()), StatusCode::BAD_REQUEST, "malformed-body"),
        (ApiError::UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type"),
        (ApiError::InvalidCursor, StatusCode::BAD_REQUEST, "invalid-cursor"),
        (ApiError::InvalidPageSize { max: 100 }, StatusCode::BAD_REQUEST, "invalid-page-size"),
        (ApiError::PreconditionRequired, StatusCode::PRECONDITION_REQUIRED, "precondition-required"),
        (ApiError::PreconditionFailed, StatusCode::PRECONDITION_FAILED, "precondition-failed"),
        (ApiError::InvalidIdempotencyKey, StatusCode::BAD_REQUEST, "invalid-idempotency-key"),
        (ApiError::IdempotencyKeyInFlight, StatusCode::CONFLICT, "idempotency-key-in-flight"),
        (ApiError::IdempotencyKeyReused, StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
        (ApiError::Internal("disk full".into()), StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    ]
}

#[test]
fn every_error_has_its_status_and_its_type() {
    for (error, status, slug) in catalogue() {
        let problem = error.problem();
        assert_eq!(
            (problem.status, problem.kind.as_str()),
            (status.as_u16(), format!("{PROBLEM_BASE}{slug}").as_str()),
            "{error:?} is {status} with type {PROBLEM_BASE}{slug} (the doc comment on its variant says so). Read «{SECTION}»."
        );
        assert!(!problem.title.is_empty(), "{error:?} has a title. Read «{SECTION}».");
    }
}

#[test]
fn a_title_belongs_to_the_type_and_a_detail_to_the_occurrence() {
    let (first, second) = (ApiError::AlreadyShipped(1).problem(), ApiError::AlreadyShipped(2).problem());
    assert_eq!(
        (&first.kind, &first.title),
        (&second.kind, &second.title),
        "two occurrences of one problem type share its type and title; what differs goes in `detail`. Read «{SECTION}»."
    );
    assert_ne!(first.detail, second.detail, "the detail names the order it is about. Read «{SECTION}».");
    let invalid = ApiError::Invalid(vec![field_error("item", "required"), field_error("quantity", "range")]);
    assert_eq!(
        invalid.problem().errors.len(),
        2,
        "a validation problem carries every field error in its `errors` member. Read «{SECTION}»."
    );
}

#[test]
fn an_internal_error_does_not_tell_the_client_its_cause() {
    let problem = ApiError::Internal("password authentication failed for user orders".into()).problem();
    let shown = format!("{} {:?}", problem.title, problem.detail);
    assert!(
        !shown.contains("password"),
        "a 500 says it was our fault, not what broke inside: {shown:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_error_response_is_problem_json() {
    let response = ApiError::Gone.into_response();
    assert_eq!(
        response.status(),
        StatusCode::GONE,
        "the response has the problem's status. Read «{SECTION}»."
    );
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok());
    assert_eq!(
        content_type,
        Some("application/problem+json"),
        "a problem is labelled `application/problem+json`. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let (router, _, _) = spawn_app();
    let reply = send(&router, request(Method::GET, "/v2/nothing-here", &[], None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "a path no route matches is a 404. Read «{SECTION}».");
    assert_eq!(reply.problem_slug(), "not-found", "got {}", reply.text());
}

#[tokio::test]
async fn an_unsupported_method_is_a_405_with_allow() {
    let (router, _, _) = spawn_app();
    let reply = send(&router, request(Method::PATCH, "/v2/orders/1", &[], None)).await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "PATCH is not a method of /v2/orders/{{id}}: 405, not 404 (the resource exists). Read «{SECTION}»."
    );
    assert_eq!(reply.problem_slug(), "method-not-allowed");
    let allow = reply.header("allow").unwrap_or_default();
    for method in ["GET", "PUT", "DELETE"] {
        assert!(
            allow.contains(method),
            "a 405 lists what is allowed in `Allow`; got {allow:?}. Read «{SECTION}»."
        );
    }
}

#[test]
fn a_valid_order_passes() {
    let fields = order_fields(&json!({ "item": "green tea", "quantity": 3 }));
    let fields = fields.unwrap_or_else(|e| panic!("a valid order is accepted; got {e:?}. Read «{SECTION}»."));
    assert_eq!((fields.item.as_str(), fields.quantity, fields.note), ("green tea", 3, None));
    let with_note = order_fields(&json!({ "item": "tea", "quantity": 1, "note": "ring twice" }));
    assert_eq!(
        with_note.ok().and_then(|f| f.note).as_deref(),
        Some("ring twice"),
        "`note` is optional and kept."
    );
    let null_note = order_fields(&json!({ "item": "tea", "quantity": 1, "note": null }));
    assert!(null_note.is_ok(), "a `null` note is an absent note; got {null_note:?}. Read «{SECTION}».");
}

/// What `order_fields` made of a body: the errors' (field, code) pairs, sorted, or the
/// fields it accepted. Each test compares it with what it expects and says why.
#[derive(PartialEq)]
enum Verdict {
    Refused(Vec<(String, String)>),
    Accepted(String),
}

impl std::fmt::Debug for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Refused(codes) => write!(f, "refused with {codes:?}"),
            Verdict::Accepted(fields) => write!(f, "accepted as {fields}"),
        }
    }
}

fn codes(body: serde_json::Value) -> Verdict {
    match order_fields(&body) {
        Ok(fields) => Verdict::Accepted(format!("{fields:?}, from {body}")),
        Err(errors) => {
            let mut codes: Vec<_> = errors.into_iter().map(|e| (e.field, e.code)).collect();
            codes.sort();
            Verdict::Refused(codes)
        }
    }
}

fn pairs(expected: &[(&str, &str)]) -> Verdict {
    let mut pairs: Vec<_> = expected.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
    pairs.sort();
    Verdict::Refused(pairs)
}

#[test]
fn every_field_error_is_reported_at_once() {
    assert_eq!(
        codes(json!({ "item": "", "quantity": 0, "note": 5 })),
        pairs(&[("item", "length"), ("note", "type"), ("quantity", "range")]),
        "three bad fields are three errors in one answer, not one per round trip. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({})),
        pairs(&[("item", "required"), ("quantity", "required")]),
        "two missing fields are two errors, each `required`. Read «{SECTION}»."
    );
}

#[test]
fn each_field_error_has_its_code() {
    assert_eq!(
        codes(json!({ "item": null, "quantity": null })),
        pairs(&[("item", "required"), ("quantity", "required")]),
        "`null` for a required field is as good as absent: `required`, not `type`. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({ "item": 42, "quantity": "two" })),
        pairs(&[("item", "type"), ("quantity", "type")]),
        "a value of the wrong JSON type is `type`. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({ "item": "tea", "quantity": 2.5 })),
        pairs(&[("quantity", "type")]),
        "2.5 is not a count: `type`, not a quantity rounded down to 2. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({ "item": "tea", "quantity": -1 })),
        pairs(&[("quantity", "range")]),
        "-1 is a whole number out of range: `range`. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({ "item": "   ", "quantity": 1 })),
        pairs(&[("item", "length")]),
        "an item of only spaces is empty: `length`, the same code as `\"\"`. Read «{SECTION}»."
    );
}

#[test]
fn limits_are_inclusive_and_counted_in_characters() {
    let at = |item: String, quantity: u64, note: String| json!({ "item": item, "quantity": quantity, "note": note });
    assert!(
        order_fields(&at("é".repeat(100), 1000, "n".repeat(500))).is_ok(),
        "100 characters of item (even two-byte ones), quantity 1000 and a 500-character note are allowed. Read «{SECTION}»."
    );
    assert_eq!(
        codes(at("x".repeat(101), 1001, "n".repeat(501))),
        pairs(&[("item", "length"), ("note", "length"), ("quantity", "range")]),
        "one above each limit is refused. Read «{SECTION}»."
    );
    for huge in [u64::MAX, u64::from(u32::MAX) + 2] {
        assert_eq!(
            codes(json!({ "item": "tea", "quantity": huge })),
            pairs(&[("quantity", "range")]),
            "quantity {huge} is out of range; checked after a cast to u32 it would wrap around to a small, \
             valid-looking number. Read «{SECTION}»."
        );
    }
}

#[test]
fn an_unknown_field_is_refused_by_name() {
    assert_eq!(
        codes(json!({ "item": "tea", "quantitty": 2, "quantity": 1 })),
        pairs(&[("quantitty", "unknown")]),
        "a misspelt field is refused with its name, not silently dropped. Read «{SECTION}»."
    );
    assert_eq!(
        codes(json!({ "item": "", "colour": "red" })),
        pairs(&[("colour", "unknown"), ("item", "length"), ("quantity", "required")]),
        "unknown fields are reported with the others, in the same answer. Read «{SECTION}»."
    );
}

#[test]
fn a_body_that_is_not_an_object_is_refused_without_a_panic() {
    for body in [json!([1, 2]), json!("tea"), json!(null), json!(3)] {
        let result = order_fields(&body);
        assert!(
            matches!(&result, Err(errors) if !errors.is_empty()),
            "{body} is not an order; got {result:?}. Read «{SECTION}»."
        );
    }
}
