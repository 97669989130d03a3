//! Step 5: extractors and their rejections. Read «Extractors and rejections».

use axum::body::Body;
use axum::http::{StatusCode, header};
use frameworks::{AppState, routes};

use super::support::{Reply, get, post_json, send};

const SECTION: &str = "Extractors and rejections (book/01-frameworks/extractors.md)";

// ANCHOR: internals
/// Words that only a deserializer or a Rust type would say; clients must never see them.
const INTERNALS: [&str; 7] =
    ["line 1", "column", "missing field", "unknown field", "invalid type", "u64", "serde"];

async fn post(json: &str) -> Reply {
    send(&routes(AppState::in_memory()), post_json("/tasks", json)).await
}

fn assert_no_internals(reply: &Reply) {
    let body = reply.text();
    for word in INTERNALS {
        assert!(
            !body.contains(word),
            "the error body quotes the deserializer ({word:?} in {body:?}): write your own detail, log the rejection. Read «{SECTION}»."
        );
    }
}
// ANCHOR_END: internals

#[tokio::test]
async fn malformed_json_is_400() {
    let reply = post(r#"{"title": "unfinished"#).await;
    reply.problem(StatusCode::BAD_REQUEST, SECTION);
    assert_no_internals(&reply);
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let request = axum::http::Request::builder()
        .method("POST")
        .uri("/tasks")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"title": "looks like JSON"}"#))
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let reply = send(&routes(AppState::in_memory()), request).await;
    reply.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, SECTION);
}

#[tokio::test]
async fn wrong_shape_is_422_without_deserializer_details() {
    let reply = post(r#"{"titel": "typo in the field name"}"#).await;
    reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_no_internals(&reply);
}

#[tokio::test]
async fn blank_title_is_422_with_a_field_error() {
    let reply = post(r#"{"title": "   "}"#).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(
        problem["errors"][0]["field"], "title",
        "a body with the right shape but a blank title is a semantic error: 422 with `errors` naming `title`; got {problem}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn unknown_priority_is_422_with_a_field_error() {
    let reply = post(r#"{"title": "Ship it", "priority": "yesterday"}"#).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(problem["errors"][0]["field"], "priority", "got {problem}. Read «{SECTION}».");
}

#[tokio::test]
async fn non_numeric_id_is_400_without_parser_details() {
    let reply = send(&routes(AppState::in_memory()), get("/tasks/abc")).await;
    reply.problem(StatusCode::BAD_REQUEST, SECTION);
    assert_no_internals(&reply);
}
