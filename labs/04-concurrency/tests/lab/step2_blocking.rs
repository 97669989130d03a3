//! Step 2: blocking work in async code. These tests run on tokio's current-thread
//! runtime (the `#[tokio::test]` default): one thread, so a blocked handler blocks
//! everything. Read «Blocking the executor».

use std::sync::{Arc, Condvar, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use axum::http::StatusCode;
use concurrency::hashing::{Hasher, app};
use tokio::sync::mpsc;

use super::support::send;

const SECTION: &str = "Blocking the executor (book/04-concurrency/blocking.md)";

/// A hasher that answers at once, writing down which thread it ran on.
fn recording_hasher(ran_on: Arc<Mutex<Option<ThreadId>>>) -> Hasher {
    Arc::new(move |password: &str| {
        if let Ok(mut thread) = ran_on.lock() {
            *thread = Some(std::thread::current().id());
        }
        format!("hashed:{password}")
    })
}

/// A hasher that blocks its thread until the test opens the gate, as a long argon2 hash
/// would. The gate opens by itself after two seconds, so that a hasher wrongly run on the
/// runtime's only thread ends the test with a failure instead of a hang.
fn gated_hasher() -> (Hasher, Arc<(Mutex<bool>, Condvar)>) {
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let hasher_gate = gate.clone();
    let hasher: Hasher = Arc::new(move |password: &str| {
        let (open, opened) = &*hasher_gate;
        if let Ok(guard) = open.lock() {
            let _ = opened.wait_timeout_while(guard, Duration::from_secs(2), |open| !*open);
        }
        format!("hashed:{password}")
    });
    (hasher, gate)
}

fn open(gate: &(Mutex<bool>, Condvar)) {
    if let Ok(mut open) = gate.0.lock() {
        *open = true;
        gate.1.notify_all();
    }
}

#[tokio::test]
async fn the_hash_is_returned() {
    let reply = send(&app(recording_hasher(Arc::default())), "POST", "/hash", "hunter2").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "POST /hash answers 200 with the hash; got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.text(), "hashed:hunter2", "the body is what the hasher returned. Read «{SECTION}».");
}

// ANCHOR: health_first
#[tokio::test]
async fn a_slow_hash_does_not_stall_other_requests() {
    let (hasher, gate) = gated_hasher();
    let router = app(hasher);
    let (done, mut order) = mpsc::unbounded_channel();
    let hashing = {
        let (router, done) = (router.clone(), done.clone());
        tokio::spawn(async move {
            send(&router, "POST", "/hash", "pw").await;
            let _ = done.send("hash");
        })
    };
    let health = tokio::spawn(async move {
        send(&router, "GET", "/health", "").await;
        let _ = done.send("health");
    });
    // /health must finish while the hash is still blocked; only then does the test let
    // the hash finish.
    let _ = health.await;
    open(&gate);
    let _ = hashing.await;
    let finished: Vec<&str> = std::iter::from_fn(|| order.try_recv().ok()).collect();
    assert_eq!(
        finished,
        ["health", "hash"],
        "/health must be answered while the hash is still computing. If the hash ran on the runtime's only thread, \
         /health waited for it: move blocking work off the worker with spawn_blocking. Read «{SECTION}»."
    );
}
// ANCHOR_END: health_first

#[tokio::test]
async fn the_hash_runs_off_the_runtime_thread() {
    let ran_on = Arc::new(Mutex::new(None));
    let reply = send(&app(recording_hasher(ran_on.clone())), "POST", "/hash", "pw").await;
    assert_eq!(reply.status, StatusCode::OK, "got {:?}. Read «{SECTION}».", reply.text());
    let hasher_thread = ran_on.lock().ok().and_then(|t| *t);
    assert_ne!(
        hasher_thread,
        Some(std::thread::current().id()),
        "the hash ran on the runtime's own thread (here the test's thread). Yielding first, or \
         tokio::spawn, only delays the block: blocking work belongs on the blocking pool. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_panicking_hasher_is_a_500_and_the_service_lives_on() {
    let hasher: Hasher = Arc::new(|_: &str| panic!("the hashing library crashed"));
    let router = app(hasher);
    // In a task of its own, so that a handler that panics fails this test with a sentence.
    let request = {
        let router = router.clone();
        tokio::spawn(async move { send(&router, "POST", "/hash", "pw").await })
    };
    let reply = match request.await {
        Ok(reply) => reply,
        Err(error) => panic!(
            "the request handler itself panicked ({error}): a hasher that panicked comes back from the blocking \
             pool as a JoinError, which is an answer to give (500), not a value to unwrap. Read «{SECTION}»."
        ),
    };
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a panic on the blocking pool comes back as a JoinError: it is our bug, so answer 500. Read «{SECTION}»."
    );
    let problem = reply.problem(SECTION);
    assert!(
        !problem.detail.contains("crashed"),
        "the 500 must not tell the client what panicked inside the server: {:?}. Read «{SECTION}».",
        problem.detail
    );
    assert_eq!(
        send(&router, "GET", "/health", "").await.status,
        StatusCode::OK,
        "and the service keeps serving after a hasher panicked. Read «{SECTION}»."
    );
}
