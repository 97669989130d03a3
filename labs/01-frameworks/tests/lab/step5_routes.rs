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
async fn wrong_method_is_a_problem_document() {
    let reply = send(&router(), delete("/tasks")).await;
    assert_eq!(
        reply.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "DELETE /tasks: the path exists, the method does not, so 405. Read «{SECTION}»."
    );
    assert!(
        reply.header("content-type") == Some("application/problem+json"),
        "axum's own 405 has an empty body; a client that parses the API's errors needs a problem document here \
         too (and the `Allow` header kept). Got {:?} with {:?}. If you did call method_not_allowed_fallback, call \
         it after the routes: it only changes the routes that exist when it is called. Read «{SECTION}».",
        reply.header("content-type"),
        reply.text()
    );
    reply.problem(StatusCode::METHOD_NOT_ALLOWED, SECTION);
    assert!(
        reply.header("allow").is_some_and(|allow| allow.contains("POST")),
        "the 405 problem still lists the methods that work, in `Allow`. Read «{SECTION}»."
    );
}

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

#[tokio::test]
async fn location_points_at_each_new_task() {
    let router = router();
    create(&router, "first").await;
    let second = create(&router, "second").await;
    let location = second.header("location").unwrap_or_default().to_owned();
    assert_eq!(location, "/tasks/2", "the second task's Location is /tasks/2. Read «{SECTION}».");
    let fetched = send(&router, get(&location)).await;
    assert_eq!(
        fetched.json()["title"],
        "second",
        "GET on the Location of a create returns the task just created. Read «{SECTION}»."
    );
}

/// Asserts that an error the extractors should have answered is in the API's format.
fn assert_answered_by_our_extractor(reply: &Reply, what: &str, extractor: &str) {
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{what} got {} {:?} in axum's own words: the handler must read it through {extractor}, the extractor of \
         step 4, so that the answer is a problem document. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
}

#[tokio::test]
async fn a_non_numeric_id_is_a_400_problem() {
    let reply = send(&router(), get("/tasks/abc")).await;
    assert_answered_by_our_extractor(&reply, "GET /tasks/abc", "ValidPath");
    reply.problem(StatusCode::BAD_REQUEST, SECTION);
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let reply = send(&router(), post_json("/tasks", r#"{"title": "#)).await;
    assert_answered_by_our_extractor(&reply, "POST /tasks with broken JSON", "ValidJson");
    reply.problem(StatusCode::BAD_REQUEST, SECTION);
}

/// The field names in a 422's `errors`, and whether the store was left untouched.
async fn refused_fields(body: &str) -> Vec<String> {
    let router = router();
    let reply = send(&router, post_json("/tasks", body)).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY, SECTION);
    for word in ["serde", "line 1", "column", "expected"] {
        assert!(
            !reply.text().contains(word),
            "the 422 for {body} says {word:?}, which is the deserializer talking; got {problem}. Read «{SECTION}»."
        );
    }
    let listed = send(&router, get("/tasks")).await.json();
    assert_eq!(
        listed,
        serde_json::json!([]),
        "a refused draft stores nothing; GET /tasks gave {listed}. Read «{SECTION}»."
    );
    problem["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

// ANCHOR: strict_fields
#[tokio::test]
async fn unknown_fields_are_422_naming_them() {
    assert_eq!(
        refused_fields(r#"{"titel": "Ship it"}"#).await,
        ["title", "titel"],
        "a misspelt field: 422 whose `errors` say `title` is missing and `titel` is unknown. Read «{SECTION}»."
    );
    assert_eq!(
        refused_fields(r#"{"title": "Ship it", "done": true}"#).await,
        ["done"],
        "an extra field is refused by name, not ignored: the client thinks it set `done`. Read «{SECTION}»."
    );
}
// ANCHOR_END: strict_fields

#[tokio::test]
async fn a_null_title_is_422_naming_it() {
    assert_eq!(
        refused_fields(r#"{"title": null}"#).await,
        ["title"],
        "null where a title is required is a field error on `title`. Read «{SECTION}»."
    );
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
