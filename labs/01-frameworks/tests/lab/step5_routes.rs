//! Step 5: routes and handlers, in-process with `oneshot`: every piece so far, wired
//! together. Read «Routes and handlers».

use axum::Router;
use axum::http::StatusCode;
use frameworks::domain::{NewTask, Task, TaskId};
use frameworks::store::{StoreError, TaskRepository};
use frameworks::{AppState, routes};

use super::support::{Reply, delete, get, post_json, request, send};

const SECTION: &str = "Routes and handlers (book/01-frameworks/routes.md)";

fn router() -> Router {
    routes(AppState::in_memory())
}

async fn create(router: &Router, title: &str) -> Reply {
    send(router, post_json("/tasks", &format!(r#"{{"title": "{title}"}}"#))).await
}

#[tokio::test]
async fn health_answers_ok() {
    let reply = send(&router(), get("/health")).await;
    assert_eq!(reply.status, StatusCode::OK, "GET /health answers 200. Read «{SECTION}».");
    assert_eq!(reply.text(), "ok", "GET /health answers the body \"ok\". Read «{SECTION}».");
}

#[tokio::test]
async fn create_returns_201_with_location() {
    let reply = create(&router(), "Write the first handler").await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "POST /tasks creates a resource: 201 Created, not 200. Got body {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(
        reply.header("location"),
        Some("/tasks/1"),
        "a 201 says where the new resource lives, in `Location`. Read «{SECTION}»."
    );
    let body = reply.json();
    assert_eq!(body["id"], 1, "the body is the created task, with its id; got {body}");
    assert_eq!(body["title"], "Write the first handler", "got {body}");
    assert_eq!(body["priority"], "normal", "got {body}");
}

#[tokio::test]
async fn created_task_can_be_fetched_by_id() {
    let router = router();
    let created = create(&router, "Fetch me").await.json();
    let reply = send(&router, get("/tasks/1")).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "GET /tasks/1 after creating task 1 answers 200, got {} {:?}. Is the route written `/tasks/{{id}}` (axum 0.8)? Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        reply.json(),
        created,
        "GET /tasks/{{id}} returns the same task POST returned. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn list_returns_every_task() {
    let router = router();
    create(&router, "one").await;
    create(&router, "two").await;
    let reply = send(&router, get("/tasks")).await;
    assert_eq!(reply.status, StatusCode::OK, "GET /tasks answers 200. Read «{SECTION}».");
    let titles: Vec<_> =
        reply.json().as_array().map(|a| a.iter().map(|t| t["title"].clone()).collect()).unwrap_or_default();
    assert_eq!(
        titles,
        ["one", "two"],
        "GET /tasks returns a JSON array of every task, oldest first. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn delete_answers_204_then_404() {
    let router = router();
    create(&router, "short-lived").await;
    let first = send(&router, delete("/tasks/1")).await;
    assert_eq!(
        first.status,
        StatusCode::NO_CONTENT,
        "DELETE of an existing task answers 204 No Content. Read «{SECTION}»."
    );
    let again = send(&router, delete("/tasks/1")).await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "a second DELETE of the same task answers 404: there is nothing left to delete. Read «{SECTION}»."
    );
    let gone = send(&router, get("/tasks/1")).await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "after DELETE, GET /tasks/1 answers 404. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn unknown_path_is_404() {
    let reply = send(&router(), get("/no/such/thing")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "a path with no route answers 404. Read «{SECTION}».");
}

// ANCHOR: wrong_method
#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let reply = send(&router(), request("PUT", "/tasks", axum::body::Body::empty())).await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "PUT /tasks: the path exists, the method does not, so 405. Read «{SECTION}»."
    );
    let allow = reply.header("allow").unwrap_or_default();
    assert!(
        allow.contains("GET") && allow.contains("POST"),
        "a 405 lists the methods that do work in `Allow`; got {allow:?}. Read «{SECTION}»."
    );
}
// ANCHOR_END: wrong_method

#[tokio::test]
async fn unknown_path_is_a_problem_document() {
    let reply = send(&router(), get("/nothing-here")).await;
    reply.problem(StatusCode::NOT_FOUND, SECTION);
}

#[tokio::test]
async fn missing_task_is_a_404_problem() {
    let reply = send(&router(), get("/tasks/42")).await;
    let problem = reply.problem(StatusCode::NOT_FOUND, SECTION);
    assert!(
        problem["detail"].as_str().unwrap_or_default().contains("42"),
        "the detail names task 42; got {problem}"
    );
}

#[tokio::test]
async fn blank_title_is_422_with_a_field_error() {
    let reply = send(&router(), post_json("/tasks", r#"{"title": "   "}"#)).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(
        problem["errors"][0]["field"], "title",
        "a body with the right shape but a blank title is a semantic error: 422 with `errors` naming `title`; got {problem}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn unknown_priority_is_422_with_a_field_error() {
    let reply =
        send(&router(), post_json("/tasks", r#"{"title": "Ship it", "priority": "yesterday"}"#)).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    assert_eq!(problem["errors"][0]["field"], "priority", "got {problem}. Read «{SECTION}».");
}

/// A repository whose database is down, with a secret in its error, as real ones have.
struct BrokenStore;

fn down() -> StoreError {
    StoreError("connection refused: postgres://app:hunter2@10.0.0.5/tasks".to_owned())
}

impl TaskRepository for BrokenStore {
    fn insert(&self, _: NewTask) -> Result<Task, StoreError> {
        Err(down())
    }
    fn get(&self, _: TaskId) -> Result<Option<Task>, StoreError> {
        Err(down())
    }
    fn list(&self) -> Result<Vec<Task>, StoreError> {
        Err(down())
    }
    fn delete(&self, _: TaskId) -> Result<bool, StoreError> {
        Err(down())
    }
}

#[tokio::test]
async fn a_broken_store_answers_500_and_the_server_keeps_serving() {
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
