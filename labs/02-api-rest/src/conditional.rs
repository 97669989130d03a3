//! Conditional requests (RFC 9110, section 13): ETags, `If-None-Match` for cheap
//! re-reads, `If-Match` so that an update cannot silently overwrite another.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::model::{NewOrder, Order};
use crate::problem::Problem;
use crate::representation;
use crate::state::AppState;
use crate::validate;

/// An entity tag: an opaque validator of one representation, weak or strong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityTag {
    pub weak: bool,
    /// The text between the quotes.
    pub opaque: String,
}

impl EntityTag {
    // ANCHOR: strong_for
    /// A strong tag for these exact bytes: two representations get the same tag only
    /// if they are byte for byte the same (a SHA-256 digest, cut to 128 bits).
    pub fn strong_for(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let opaque = digest.iter().take(16).map(|byte| format!("{byte:02x}")).collect();
        Self { weak: false, opaque }
    }
    // ANCHOR_END: strong_for

    /// The header form: `"opaque"`, or `W/"opaque"` for a weak tag.
    pub fn to_header(&self) -> HeaderValue {
        let text = if self.weak { format!("W/\"{}\"", self.opaque) } else { format!("\"{}\"", self.opaque) };
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("\"invalid\""))
    }

    // ANCHOR: compare
    /// RFC 9110, section 8.8.3.2: both tags strong, and the same opaque text.
    pub fn strong_eq(&self, other: &Self) -> bool {
        todo!(
            "step 4: the strong comparison of RFC 9110 section 8.8.3.2. Read book/02-api-design/conditional.md"
        )
    }

    /// The same opaque text, whether either tag is weak or not.
    pub fn weak_eq(&self, other: &Self) -> bool {
        todo!(
            "step 4: the weak comparison of RFC 9110 section 8.8.3.2. Read book/02-api-design/conditional.md"
        )
    }
    // ANCHOR_END: compare
}

/// What an `If-Match` or `If-None-Match` header asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `*`: any current representation.
    Any,
    Tags(Vec<EntityTag>),
}

// ANCHOR: parse
/// Parses `*` or a comma-separated list of entity tags. `None` if the header is not
/// valid: such a condition matches nothing. A tag may contain commas, so the list is
/// read quote by quote, not split on commas.
pub fn parse_condition(value: &HeaderValue) -> Option<Condition> {
    todo!(
        "step 4: parse `*` or a list of entity tags; None if malformed. Read book/02-api-design/conditional.md"
    )
}
// ANCHOR_END: parse

// ANCHOR: none_match
/// True when the request's `If-None-Match` matches `current`: the client already has
/// this representation. The weak comparison: a cached copy is as good as equal.
pub fn none_match(headers: &HeaderMap, current: &EntityTag) -> bool {
    todo!("step 4: does If-None-Match match the current ETag? Read book/02-api-design/conditional.md")
}

/// 304: no body (the client has it), but the validator it can use next time.
pub fn not_modified(current: &EntityTag) -> Response {
    todo!("step 4: a 304 for the current ETag. Read book/02-api-design/conditional.md")
}
// ANCHOR_END: none_match

// ANCHOR: if_match
/// An update goes ahead only if `If-Match` names the current representation, by the
/// strong comparison: a weak tag promises equivalence, not the bytes a write builds on.
pub fn check_if_match(headers: &HeaderMap, current: &EntityTag) -> Result<(), ApiError> {
    todo!(
        "step 4: 428 without If-Match, 412 unless it names the current version. Read book/02-api-design/conditional.md"
    )
}
// ANCHOR_END: if_match

// ANCHOR: replace_order
/// Replaces an order's fields, if the client has seen its current version.
#[utoipa::path(
    put,
    path = "/v2/orders/{id}",
    tag = "orders",
    params(
        ("id" = u64, Path, description = "The order's id"),
        ("If-Match" = String, Header, description = "The ETag of the version this update is based on"),
    ),
    request_body = NewOrder,
    responses(
        (status = 200, description = "Replaced", body = Order, headers(("ETag" = String))),
        (status = 404, description = "No such order", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The order was deleted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The order changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_order(
    State(state): State<AppState>,
    id: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    todo!("step 4: validate, then compare and write under one lock. Read book/02-api-design/conditional.md")
}
// ANCHOR_END: replace_order
