//! Step 4: extractors and their rejections, on a small router of the test's own, so
//! that only `ValidJson`, `ValidPath` and their rejections are under test.
//! Read «Extractors and rejections».

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::routing::{get as get_route, post as post_route};
use frameworks::domain::{TaskDraft, TaskId};
use frameworks::extract::{ValidJson, ValidPath};

use super::support::{Reply, get, post_json, send};

const SECTION: &str = "Extractors and rejections (book/01-frameworks/extractors.md)";

/// Echoes what the extractors produced: the draft's title, the id from the path.
fn echo_router() -> Router {
    Router::new()
        .route("/drafts", post_route(|ValidJson(draft): ValidJson<TaskDraft>| async move { draft.title }))
        .route("/tasks/{id}", get_route(|ValidPath(id): ValidPath<TaskId>| async move { id.to_string() }))
}

// ANCHOR: internals
/// Words that only a deserializer or a Rust type would say; clients must never see them.
const INTERNALS: [&str; 7] =
    ["line 1", "column", "missing field", "unknown field", "invalid type", "u64", "serde"];

async fn post(json: &str) -> Reply {
    send(&echo_router(), post_json("/drafts", json)).await
}

fn assert_no_internals(reply: &Reply) {
    let body = reply.text();
    for word in INTERNALS {
        assert!(
            !body.contains(word),
            "the error body contains {word:?}, which sounds like the deserializer ({body:?}): send a detail you wrote \
             (and if it is your own step-3 wording, reword it), and log the rejection. Read «{SECTION}»."
        );
    }
}
// ANCHOR_END: internals

#[tokio::test]
async fn a_well_formed_body_is_extracted() {
    let reply = post(r#"{"title": "Read the extractors section"}"#).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a valid JSON body passes through ValidJson; got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.text(), "Read the extractors section");
}

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
        .uri("/drafts")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(r#"{"title": "looks like JSON"}"#))
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let reply = send(&echo_router(), request).await;
    reply.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, SECTION);
}

#[tokio::test]
async fn wrong_shape_is_422_without_deserializer_details() {
    let reply = post(r#"{"titel": "typo in the field name"}"#).await;
    reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_no_internals(&reply);
}

#[tokio::test]
async fn a_numeric_id_is_extracted() {
    let reply = send(&echo_router(), get("/tasks/42")).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "ValidPath<TaskId> reads /tasks/42; got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.text(), "42");
}

#[tokio::test]
async fn a_non_numeric_id_is_400_without_parser_details() {
    let reply = send(&echo_router(), get("/tasks/abc")).await;
    reply.problem(StatusCode::BAD_REQUEST, SECTION);
    assert_no_internals(&reply);
}
