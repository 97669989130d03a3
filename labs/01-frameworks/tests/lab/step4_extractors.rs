//! Step 4: extractors and their rejections, on a small router of the test's own, so
//! that only `ValidJson`, `ValidPath` and their rejections are under test.
//! Read «Extractors and rejections».

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::routing::{get as get_route, post as post_route};
use frameworks::domain::{TaskDraft, TaskId};
use frameworks::extract::{ValidJson, ValidPath};

use super::support::{
    Reply, get, post_json, post_streamed_json, send, status_of_broken_post, status_of_endless_post, streamed,
};

const SECTION: &str = "Extractors and rejections (book/01-frameworks/extractors.md)";

/// Echoes what the extractors produced: the draft's title, the id from the path.
fn echo_router() -> Router {
    Router::new()
        .route(
            "/drafts",
            post_route(
                |ValidJson(draft): ValidJson<TaskDraft>| async move { draft.title.unwrap_or_default() },
            ),
        )
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
    let problem = reply.problem(StatusCode::BAD_REQUEST, SECTION);
    assert_no_internals(&reply);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.to_lowercase().contains("json"),
        "a syntax error's detail tells the client that its JSON is broken (it is ApiError::MalformedJson, not \
         another 400 such as a body that broke off); got {detail:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn every_kind_of_broken_syntax_is_400() {
    let cases = [
        ("an empty body", ""),
        ("trailing garbage after the object", r#"{"title": "done"} and more"#),
        ("single quotes", "{'title': 'quoted'}"),
        ("two objects", r#"{"title": "a"}{"title": "b"}"#),
    ];
    for (what, body) in cases {
        let reply = post(body).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what} ({body:?}) is not JSON: 400, the client's encoder is broken. Got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        reply.problem(StatusCode::BAD_REQUEST, SECTION);
        assert_no_internals(&reply);
    }
}

#[tokio::test]
async fn a_body_that_breaks_off_is_400_not_413() {
    let status = status_of_broken_post(echo_router(), "/drafts", Duration::from_secs(3)).await;
    assert_eq!(
        status,
        Some(400),
        "a chunked body that breaks off (a malformed chunk) cannot be read: that is the client's 400, not a 413 \
         and not our 500; got {status:?}. Read «{SECTION}»."
    );
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
    let cases = [
        ("a number where the title is a string", r#"{"title": 42}"#),
        ("a list where the title is a string", r#"{"title": ["a", "b"]}"#),
        ("an array instead of an object", r#"[{"title": "in a list"}]"#),
        ("a string instead of an object", r#""just a title""#),
    ];
    for (what, body) in cases {
        let reply = post(body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{what} ({body}) is valid JSON of the wrong shape: 422, not 400. Got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
        assert_no_internals(&reply);
    }
}

/// The echo router with axum's own body limit set low: the 413 then comes from inside
/// `axum::Json`, as a rejection, and only `ValidJson` decides what the client sees.
fn limited_echo_router() -> Router {
    echo_router().layer(DefaultBodyLimit::max(64))
}

// ANCHOR: too_large
#[tokio::test]
async fn a_body_over_the_limit_is_413_through_valid_json() {
    let big = format!(r#"{{"title": "{}"}}"#, "x".repeat(200));
    let size = big.len();
    let with_length = send(&limited_echo_router(), post_json("/drafts", &big)).await;
    let streamed =
        send(&limited_echo_router(), post_streamed_json("/drafts", streamed(big.into_bytes()))).await;
    for (how, reply) in
        [("with a Content-Length", with_length), ("streamed, with no Content-Length", streamed)]
    {
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "a {size}-byte body over a 64-byte limit, sent {how}, reaches ValidJson as a rejection whose status is 413; \
             it must stay a 413 (not a 400 for bad JSON). Got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        reply.problem(StatusCode::PAYLOAD_TOO_LARGE, SECTION);
    }
}
// ANCHOR_END: too_large

#[tokio::test]
async fn an_endless_body_is_refused_without_reading_it_all() {
    let status = status_of_endless_post(limited_echo_router(), "/drafts", Duration::from_secs(3)).await;
    assert_eq!(
        status,
        Some(413),
        "a chunked JSON body that never ends must be refused with 413 once it passes the limit; got {status:?} \
         (None: no answer in 3 seconds). Read «{SECTION}»."
    );
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
