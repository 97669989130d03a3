//! Step 3: one error type, one error format, tested without a router.
//! Read «One error type, one error format».

use axum::http::StatusCode;
use axum::response::IntoResponse;
use frameworks::domain::{FieldError, TaskId};
use frameworks::error::ApiError;
use frameworks::store::StoreError;

use super::support::{Logs, Reply};

const SECTION: &str = "One error type, one error format (book/01-frameworks/errors.md)";

async fn reply_of(error: ApiError) -> Reply {
    let response = error.into_response();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    Reply { status: parts.status, headers: parts.headers, body }
}

const SECRET: &str = "postgres://app:hunter2@10.0.0.5/tasks";

#[tokio::test]
async fn not_found_is_a_problem_document() {
    let reply = reply_of(ApiError::TaskNotFound(TaskId(7))).await;
    let problem = reply.problem(StatusCode::NOT_FOUND, SECTION);
    assert_eq!(
        problem["title"], "Not Found",
        "with `type` about:blank, the `title` is the status code's reason phrase (Problem::new fills it in); \
         got {problem}. Read «{SECTION}»."
    );
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains('7'),
        "the `detail` says which task is missing; got {detail:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn invalid_task_lists_its_field_errors() {
    let errors = vec![
        FieldError::new("title", "must not be blank"),
        FieldError::new("colour", "is not a field of a task"),
    ];
    let problem =
        reply_of(ApiError::Invalid(errors)).await.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(
        problem["title"], "Unprocessable Content",
        "RFC 9110 renamed 422's reason phrase to \"Unprocessable Content\"; got {problem}. Read «{SECTION}»."
    );
    assert_eq!(
        problem["errors"],
        serde_json::json!([
            {"field": "title", "message": "must not be blank"},
            {"field": "colour", "message": "is not a field of a task"},
        ]),
        "a 422 lists every bad field, in order, in an `errors` member: [{{\"field\", \"message\"}}]; got {problem}. Read «{SECTION}»."
    );
}

// ANCHOR: store_failure
#[tokio::test]
async fn store_failure_is_500_without_its_cause() {
    let reply = reply_of(ApiError::Store(StoreError(format!("connection refused: {SECRET}")))).await;
    reply.problem(StatusCode::INTERNAL_SERVER_ERROR, SECTION);
    assert!(
        !reply.text().contains("hunter2") && !reply.text().contains("10.0.0.5"),
        "an internal error's cause (here a connection string with a password) goes to the log, never to the client. The body was {:?}. Read «{SECTION}».",
        reply.text()
    );
}
// ANCHOR_END: store_failure

#[tokio::test]
async fn store_failure_is_logged_with_its_cause() {
    let logs = Logs::capture();
    let _ = reply_of(ApiError::Store(StoreError("disk quota exceeded on /var/lib/tasks".to_owned()))).await;
    assert!(
        logs.text().contains("disk quota exceeded"),
        "the client learns nothing about a store failure, so the log must learn everything: log the cause \
         (tracing::error!) where the 500 is made. The log was {:?}. Read «{SECTION}».",
        logs.text()
    );
}

#[tokio::test]
async fn every_error_has_an_honest_status() {
    let cases = [
        (ApiError::MalformedJson, StatusCode::BAD_REQUEST),
        (ApiError::UnexpectedShape, StatusCode::UNPROCESSABLE_ENTITY),
        (ApiError::UnsupportedMediaType, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (ApiError::PayloadTooLarge, StatusCode::PAYLOAD_TOO_LARGE),
        (ApiError::UnreadableBody, StatusCode::BAD_REQUEST),
        (ApiError::BadPath("ids are numbers"), StatusCode::BAD_REQUEST),
    ];
    for (error, status) in cases {
        let name = format!("{error:?}");
        let problem = reply_of(error).await.problem(status, SECTION);
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "ApiError::{name} needs a `detail` that tells the client what to fix; got {problem}. Read «{SECTION}»."
        );
    }
}
