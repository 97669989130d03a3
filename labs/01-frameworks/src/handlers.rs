//! The handlers: each one reads its input through extractors, calls the domain and the
//! store, and returns a response or an `ApiError`. No business rule lives here.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::{Task, TaskDraft, TaskId};
use crate::error::ApiError;
use crate::extract::{ValidJson, ValidPath};
use crate::problem::Problem;
use crate::state::TaskStore;

// ANCHOR: handlers
pub async fn health() -> &'static str {
    todo!("step 5: answer \"ok\". Read book/01-frameworks/routes.md")
}

pub async fn list_tasks(State(tasks): State<TaskStore>) -> Result<Json<Vec<Task>>, ApiError> {
    todo!("step 5: return every task as JSON. Read book/01-frameworks/routes.md")
}

// ANCHOR: create_task
pub async fn create_task(
    State(tasks): State<TaskStore>,
    ValidJson(draft): ValidJson<TaskDraft>,
) -> Result<Response, ApiError> {
    todo!(
        "step 5: validate the draft, store it, answer 201 Created with a Location header. Read book/01-frameworks/routes.md"
    )
}
// ANCHOR_END: create_task

pub async fn get_task(
    State(tasks): State<TaskStore>,
    ValidPath(id): ValidPath<TaskId>,
) -> Result<Json<Task>, ApiError> {
    todo!("step 5: return the task, or ApiError::TaskNotFound. Read book/01-frameworks/routes.md")
}

pub async fn delete_task(
    State(tasks): State<TaskStore>,
    ValidPath(id): ValidPath<TaskId>,
) -> Result<StatusCode, ApiError> {
    todo!(
        "step 5: delete the task and answer 204, or ApiError::TaskNotFound. Read book/01-frameworks/routes.md"
    )
}
// ANCHOR_END: handlers

// ANCHOR: not_found
/// Unknown paths get a problem document too, so clients parse one error format.
pub async fn not_found() -> Problem {
    todo!("step 5: answer a 404 problem document. Read book/01-frameworks/routes.md")
}

/// A known path with a method it does not take. axum still adds the `Allow` header
/// that lists the methods that work; this only gives the 405 the API's format.
pub async fn method_not_allowed() -> Problem {
    todo!(
        "step 5: answer a 405 problem document (the router adds `Allow` itself). Read book/01-frameworks/routes.md"
    )
}
// ANCHOR_END: not_found
