//! Step 2: blocking work in async code. These tests run on tokio's current-thread
//! runtime (the `#[tokio::test]` default): one thread, so a blocked handler blocks
//! everything. Read «Blocking the executor».

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;
use std::time::Duration;

use axum::http::StatusCode;
use concurrency::hashing::{Hasher, app};
use tokio::sync::mpsc;

use super::support::send;

const SECTION: &str = "Blocking the executor (book/04-concurrency/blocking.md)";

/// A hasher that takes 100 ms of real, blocking time, as argon2 would.
fn slow_hasher() -> Hasher {
    recording_hasher(Arc::new(Mutex::new(None)))
}

/// The same, also writing down which thread it ran on.
fn recording_hasher(ran_on: Arc<Mutex<Option<ThreadId>>>) -> Hasher {
    Arc::new(move |password: &str| {
        if let Ok(mut thread) = ran_on.lock() {
            *thread = Some(std::thread::current().id());
        }
        std::thread::sleep(Duration::from_millis(100));
        format!("hashed:{password}")
    })
}

#[tokio::test]
async fn the_hash_is_returned() {
    let reply = send(&app(slow_hasher()), "POST", "/hash", "hunter2").await;
    assert_eq!(reply.status, StatusCode::OK, "got {:?}. Read «{SECTION}».", reply.text());
    assert_eq!(reply.text(), "hashed:hunter2");
}

// ANCHOR: health_first
#[tokio::test]
async fn a_slow_hash_does_not_stall_other_requests() {
    let router = app(slow_hasher());
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
    let _ = tokio::join!(hashing, health);
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
    let reply = send(&router, "POST", "/hash", "pw").await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a panic on the blocking pool comes back as a JoinError: answer 500. Read «{SECTION}»."
    );
    assert_eq!(
        send(&router, "GET", "/health", "").await.status,
        StatusCode::OK,
        "and the service keeps serving"
    );
}
