//! Step 5: backpressure with a bounded queue. Read «Backpressure».

use axum::http::StatusCode;
use concurrency::queue::{JobQueue, QueueFull, app};

use super::support::send;

const SECTION: &str = "Backpressure (book/04-concurrency/backpressure.md)";

#[test]
fn a_full_queue_refuses_at_once() {
    let (queue, _workers) = JobQueue::bounded(2);
    assert_eq!(queue.submit("one".into()), Ok(()));
    assert_eq!(queue.submit("two".into()), Ok(()));
    assert_eq!(
        queue.submit("three".into()),
        Err(QueueFull),
        "a queue of capacity 2 with nobody taking jobs refuses the third, without waiting. Read «{SECTION}»."
    );
}

// ANCHOR: flood
#[test]
fn memory_stays_bounded_under_a_flood() {
    let (queue, _workers) = JobQueue::bounded(8);
    let accepted = (0..10_000).filter(|n| queue.submit(n.to_string()).is_ok()).count();
    assert_eq!(
        accepted, 8,
        "10 000 jobs and no worker: exactly `capacity` (8) are held; the rest are refused. Read «{SECTION}»."
    );
}
// ANCHOR_END: flood

#[tokio::test]
async fn taking_a_job_makes_room() {
    let (queue, mut workers) = JobQueue::bounded(1);
    assert_eq!(queue.submit("one".into()), Ok(()));
    assert_eq!(queue.submit("two".into()), Err(QueueFull));
    assert_eq!(workers.recv().await.as_deref(), Some("one"));
    assert_eq!(
        queue.submit("two".into()),
        Ok(()),
        "once a worker took a job, there is room again. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let (queue, _workers) = JobQueue::bounded(2);
    let router = app(queue);
    for _ in 0..2 {
        assert_eq!(
            send(&router, "POST", "/jobs", "resize cat.png").await.status,
            StatusCode::ACCEPTED,
            "a queued job is 202 Accepted"
        );
    }
    let refused = send(&router, "POST", "/jobs", "resize dog.png").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a full queue answers 503 at once. Read «{SECTION}»."
    );
    assert!(
        refused.headers.contains_key("retry-after"),
        "and says when to come back (Retry-After). Read «{SECTION}»."
    );
}
