//! A job queue with a bound: when workers fall behind, new jobs are refused at once
//! (503) instead of piling up in memory until the process dies; when the workers are
//! gone, new jobs are refused too, and the answer says so.

use axum::Router;
use axum::extract::State;
use axum::extract::rejection::StringRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::problem::{self, problem};

/// Why a job was not queued.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// Every slot is taken: the workers are behind, and the caller should come back later.
    #[error("the job queue is full")]
    Full,
    /// The workers' end of the queue is gone: no job will ever be taken from it again.
    #[error("no worker is taking jobs")]
    Closed,
}

#[derive(Clone, Debug)]
pub struct JobQueue {
    sender: mpsc::Sender<String>,
}

// ANCHOR: queue
impl JobQueue {
    /// A queue that holds at most `capacity` waiting jobs, and the receiving end for
    /// the workers.
    pub fn bounded(capacity: usize) -> (Self, mpsc::Receiver<String>) {
        let (sender, receiver) = mpsc::channel(capacity);
        (Self { sender }, receiver)
    }

    /// Enqueues a job without waiting: a full queue is an answer, not a reason to block.
    pub fn submit(&self, job: String) -> Result<(), SubmitError> {
        self.sender.try_send(job).map_err(|error| match error {
            TrySendError::Full(_) => SubmitError::Full,
            TrySendError::Closed(_) => {
                // Not load but a fault: every job from now on is refused. Say it loudly.
                tracing::error!("the job workers are gone; refusing jobs");
                SubmitError::Closed
            }
        })
    }
}
// ANCHOR_END: queue

/// `POST /jobs`: 202 Accepted when queued; otherwise a problem document: 503 with
/// `Retry-After` when full, 503 without it when no worker is left.
pub fn app(queue: JobQueue) -> Router {
    Router::new()
        .route("/jobs", post(submit_job))
        .fallback(problem::no_such_route)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(queue)
}

async fn submit_job(State(queue): State<JobQueue>, job: Result<String, StringRejection>) -> Response {
    let job = match job {
        Ok(job) => job,
        Err(rejection) => return problem(rejection.status(), &rejection.body_text()),
    };
    match queue.submit(job) {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(SubmitError::Full) => {
            let mut response = problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "the job queue is full; try again after Retry-After seconds",
            );
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        // No Retry-After: waiting will not bring the workers back. The 503 still tells a
        // load balancer to send the job to another instance.
        Err(SubmitError::Closed) => {
            problem(StatusCode::SERVICE_UNAVAILABLE, "this instance takes no jobs: its workers have stopped")
        }
    }
}
