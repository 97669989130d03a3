//! Step 4: one error type, one error format. Read «One error type, one error format».

use axum::http::StatusCode;
use axum::response::IntoResponse;
use frameworks::domain::{FieldError, NewTask, Task, TaskId};
use frameworks::error::ApiError;
use frameworks::store::{StoreError, TaskRepository};
use frameworks::{AppState, routes};

use super::support::{Reply, get, send};

const SECTION: &str = "One error type, one error format (book/01-frameworks/errors.md)";

async fn reply_of(error: ApiError) -> Reply {
    let response = error.into_response();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    Reply { status: parts.status, headers: parts.headers, body }
}

/// A repository whose database is down, with a secret in its error, as real ones have.
struct BrokenStore;

const SECRET: &str = "postgres://app:hunter2@10.0.0.5/tasks";

impl TaskRepository for BrokenStore {
    fn insert(&self, _: NewTask) -> Result<Task, StoreError> {
        Err(StoreError(format!("connection refused: {SECRET}")))
    }
    fn get(&self, _: TaskId) -> Result<Option<Task>, StoreError> {
        Err(StoreError(format!("connection refused: {SECRET}")))
    }
    fn list(&self) -> Result<Vec<Task>, StoreError> {
        Err(StoreError(format!("connection refused: {SECRET}")))
    }
    fn delete(&self, _: TaskId) -> Result<bool, StoreError> {
        Err(StoreError(format!("connection refused: {SECRET}")))
    }
}

#[tokio::test]
async fn not_found_is_a_problem_document() {
    let reply = reply_of(ApiError::TaskNotFound(TaskId(7))).await;
    let problem = reply.problem(StatusCode::NOT_FOUND, SECTION);
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains('7'),
        "the `detail` says which task is missing; got {detail:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn invalid_task_lists_its_field_errors() {
    let errors = vec![FieldError { field: "title", message: "must not be blank".into() }];
    let problem =
        reply_of(ApiError::Invalid(errors)).await.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(
        problem["errors"][0]["field"], "title",
        "a 422 lists the bad fields in an `errors` member: [{{\"field\", \"message\"}}]; got {problem}. Read «{SECTION}»."
    );
    assert_eq!(problem["errors"][0]["message"], "must not be blank", "got {problem}");
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
async fn missing_task_over_http_is_a_404_problem() {
    let reply = send(&routes(AppState::in_memory()), get("/tasks/42")).await;
    let problem = reply.problem(StatusCode::NOT_FOUND, SECTION);
    assert!(
        problem["detail"].as_str().unwrap_or_default().contains("42"),
        "the detail names task 42; got {problem}"
    );
}

#[tokio::test]
async fn broken_store_answers_500_and_the_server_keeps_serving() {
    let router = routes(AppState::new(BrokenStore));
    let reply = send(&router, get("/tasks")).await;
    reply.problem(StatusCode::INTERNAL_SERVER_ERROR, SECTION);
    assert!(
        !reply.text().contains("hunter2"),
        "the store's error leaked to the client: {:?}. Read «{SECTION}».",
        reply.text()
    );
    let health = send(&router, get("/health")).await;
    assert_eq!(
        health.status,
        StatusCode::OK,
        "one failed request must not take the server down. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn unknown_path_is_a_problem_document_too() {
    let reply = send(&routes(AppState::in_memory()), get("/nothing-here")).await;
    reply.problem(StatusCode::NOT_FOUND, SECTION);
}
