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
    "ok"
}

pub async fn list_tasks(State(tasks): State<TaskStore>) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(tasks.list()?))
}

// ANCHOR: create_task
pub async fn create_task(
    State(tasks): State<TaskStore>,
    ValidJson(draft): ValidJson<TaskDraft>,
) -> Result<Response, ApiError> {
    let new_task = draft.validate().map_err(ApiError::Invalid)?;
    let task = tasks.insert(new_task)?;
    // 201 says "a resource now exists", and Location says where.
    let location = format!("/tasks/{}", task.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(task)).into_response())
}
// ANCHOR_END: create_task

pub async fn get_task(
    State(tasks): State<TaskStore>,
    ValidPath(id): ValidPath<TaskId>,
) -> Result<Json<Task>, ApiError> {
    tasks.get(id)?.map(Json).ok_or(ApiError::TaskNotFound(id))
}

pub async fn delete_task(
    State(tasks): State<TaskStore>,
    ValidPath(id): ValidPath<TaskId>,
) -> Result<StatusCode, ApiError> {
    if tasks.delete(id)? { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::TaskNotFound(id)) }
}
// ANCHOR_END: handlers

// ANCHOR: not_found
/// Unknown paths get a problem document too, so clients parse one error format.
pub async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND).with_detail("No resource lives at this path.")
}

/// A known path with a method it does not take. axum still adds the `Allow` header
/// that lists the methods that work; this only gives the 405 the API's format.
pub async fn method_not_allowed() -> Problem {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED)
        .with_detail("This path does not take this method; see `Allow`.")
}
// ANCHOR_END: not_found
