//! A job queue with a bound: when workers fall behind, new jobs are refused at once
//! (503) instead of piling up in memory until the process dies.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// A queue is full: the caller should come back later.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the job queue is full")]
pub struct QueueFull;

#[derive(Clone, Debug)]
pub struct JobQueue {
    sender: mpsc::Sender<String>,
}

// ANCHOR: queue
impl JobQueue {
    /// A queue that holds at most `capacity` waiting jobs, and the receiving end for
    /// the workers.
    pub fn bounded(capacity: usize) -> (Self, mpsc::Receiver<String>) {
        todo!(
            "step 5: a channel that holds at most `capacity` jobs. Read book/04-concurrency/backpressure.md"
        )
    }

    /// Enqueues a job without waiting: a full queue is an answer, not a reason to block.
    pub fn submit(&self, job: String) -> Result<(), QueueFull> {
        todo!(
            "step 5: enqueue without waiting; a full queue is QueueFull. Read book/04-concurrency/backpressure.md"
        )
    }
}
// ANCHOR_END: queue

/// `POST /jobs`: 202 Accepted when queued, 503 with `Retry-After` when full.
pub fn app(queue: JobQueue) -> Router {
    Router::new().route("/jobs", post(submit_job)).with_state(queue)
}

async fn submit_job(State(queue): State<JobQueue>, job: String) -> Response {
    match queue.submit(job) {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(QueueFull) => {
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, "the job queue is full").into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
    }
}
