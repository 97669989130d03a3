//! Step 5: backpressure with a bounded queue, and what to answer when a job cannot be
//! queued. Read «Backpressure».

use std::time::Duration;

use axum::http::{StatusCode, header};
use concurrency::queue::{JobQueue, SubmitError, app};

use super::support::{send, send_bytes};

const SECTION: &str = "Backpressure (book/04-concurrency/backpressure.md)";

#[test]
fn a_full_queue_refuses_at_once() {
    let (queue, _workers) = JobQueue::bounded(2);
    assert_eq!(queue.submit("one".into()), Ok(()), "an empty queue takes a job. Read «{SECTION}».");
    assert_eq!(
        queue.submit("two".into()),
        Ok(()),
        "a queue of capacity 2 takes a second job. Read «{SECTION}»."
    );
    // On a thread of its own, so that a submit that waits for room fails this test
    // instead of hanging it.
    let (answer, answered) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = answer.send(queue.submit("three".into()));
    });
    match answered.recv_timeout(Duration::from_secs(2)) {
        Ok(third) => assert_eq!(
            third,
            Err(SubmitError::Full),
            "a queue of capacity 2 with nobody taking jobs refuses the third as full. Read «{SECTION}»."
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!(
            "submit on a full queue was still waiting after 2 s: it must refuse at once, not wait for room. Read «{SECTION}»."
        ),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("submit panicked on a full queue: a full queue is an answer (Full). Read «{SECTION}».")
        }
    }
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
    assert_eq!(queue.submit("one".into()), Ok(()), "an empty queue takes a job. Read «{SECTION}».");
    assert_eq!(
        queue.submit("two".into()),
        Err(SubmitError::Full),
        "a queue of capacity 1 is full. Read «{SECTION}»."
    );
    assert_eq!(
        workers.recv().await.as_deref(),
        Some("one"),
        "the worker gets the queued job. Read «{SECTION}»."
    );
    assert_eq!(
        queue.submit("two".into()),
        Ok(()),
        "once a worker took a job, there is room again. Read «{SECTION}»."
    );
}

// ANCHOR: closed
#[tokio::test]
async fn a_queue_nobody_reads_refuses_and_says_why() {
    let (queue, workers) = JobQueue::bounded(4);
    // The workers are gone (they crashed, or shut down first): the queue is empty, not full.
    drop(workers);
    let submitted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| queue.submit("orphan".into())));
    match submitted {
        Ok(answer) => assert_eq!(
            answer,
            Err(SubmitError::Closed),
            "nobody will ever take a job from a queue whose receiver was dropped: refuse it as Closed, \
             not Ok (a job accepted and lost) and not Full (a client would retry forever). Read «{SECTION}»."
        ),
        Err(_) => panic!(
            "submit panicked because the workers are gone: that is a refusal to answer (Closed), \
             not a reason to take the request down. Read «{SECTION}»."
        ),
    }
    let refused = send(&app(queue), "POST", "/jobs", "resize cat.png").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a job nobody can take is refused with 503, never accepted with 202. Read «{SECTION}»."
    );
    refused.problem(SECTION);
    assert!(
        !refused.headers.contains_key(header::RETRY_AFTER),
        "no Retry-After when the workers are gone: coming back in a second will not bring them back. Read «{SECTION}»."
    );
}
// ANCHOR_END: closed

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let (queue, _workers) = JobQueue::bounded(2);
    let router = app(queue);
    for _ in 0..2 {
        assert_eq!(
            send(&router, "POST", "/jobs", "resize cat.png").await.status,
            StatusCode::ACCEPTED,
            "a queued job is 202 Accepted. Read «{SECTION}»."
        );
    }
    let refused = send(&router, "POST", "/jobs", "resize dog.png").await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a full queue answers 503 at once. Read «{SECTION}»."
    );
    assert!(
        refused.headers.contains_key(header::RETRY_AFTER),
        "and says when to come back (Retry-After). Read «{SECTION}»."
    );
    refused.problem(SECTION);
}

#[tokio::test]
async fn every_other_refusal_is_a_problem_document_too() {
    let (queue, _workers) = JobQueue::bounded(1);
    let router = app(queue);
    assert_eq!(
        send(&router, "POST", "/jobs", "resize cat.png").await.status,
        StatusCode::ACCEPTED,
        "a queued job is 202 Accepted. Read «{SECTION}»."
    );
    let not_text = send_bytes(&router, "POST", "/jobs", vec![0xff, 0xfe]).await;
    assert_eq!(
        not_text.status,
        StatusCode::BAD_REQUEST,
        "a job that is not UTF-8 text is 400. Read «{SECTION}»."
    );
    not_text.problem(SECTION);
    let wrong_method = send(&router, "GET", "/jobs", "").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED, "GET /jobs is 405. Read «{SECTION}».");
    wrong_method.problem(SECTION);
    assert!(
        wrong_method
            .headers
            .get(header::ALLOW)
            .is_some_and(|allow| allow.to_str().is_ok_and(|a| a.contains("POST"))),
        "a 405 lists the methods the path takes in Allow. Read «{SECTION}»."
    );
    let nowhere = send(&router, "POST", "/nowhere", "").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND, "an unknown path is 404. Read «{SECTION}».");
    nowhere.problem(SECTION);
}
