//! Step 8: the connection registry and graceful shutdown: a gauge that comes back to
//! zero however clients leave, and a stop that says goodbye to every stream within a
//! deadline. Read «Lifecycle: gauge and shutdown».

use std::time::Duration;

use real_time::{AppState, Drained, serve};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::support::{
    ALICE, BOB, PATIENCE, config, next_sse, spawn_app, sse_events, sse_request, wait_until, within, ws,
};

const SECTION: &str = "Lifecycle: gauge and shutdown (book/06-real-time/lifecycle.md)";

#[tokio::test]
async fn the_gauge_counts_streams_and_returns_to_zero() {
    let app = spawn_app(|_| {}).await;
    let registry = app.state.registry.clone();
    let mut polite = ws(app.addr, ALICE).await;
    let abrupt = ws(app.addr, BOB).await;
    let stream = sse_request(app.addr, Some(ALICE), None).await;
    wait_until(
        || {
            format!(
                "three streams are open (two WebSockets, one SSE); the gauge says {}. Read «{SECTION}».",
                registry.open()
            )
        },
        || registry.open() == 3,
    )
    .await;
    let metrics: serde_json::Value = reqwest::get(format!("http://{}/metrics", app.addr))
        .await
        .unwrap_or_else(|e| panic!("GET /metrics failed: {e}"))
        .json()
        .await
        .unwrap_or_default();
    assert_eq!(
        metrics["open_connections"], 3,
        "GET /metrics shows the gauge; got {metrics}. Read «{SECTION}»."
    );

    let _ = polite.socket.close(None).await;
    drop(abrupt);
    drop(stream);
    wait_until(
        || format!(
            "a client that closed, one that vanished and an SSE stream that was dropped: the gauge must come \
             back to 0, it says {}. Read «{SECTION}».",
            registry.open()
        ),
        || registry.open() == 0,
    )
    .await;
}

#[tokio::test]
async fn the_gauge_returns_to_zero_after_errors() {
    let app = spawn_app(|_| {}).await;
    let registry = app.state.registry.clone();
    let mut too_big = ws(app.addr, ALICE).await;
    let mut flooding = ws(app.addr, BOB).await;
    wait_until(|| "two WebSockets are open".to_owned(), || registry.open() == 2).await;
    too_big.say(&"x".repeat(4096)).await;
    for n in 0..6 {
        flooding.say(&format!("flood {n}")).await;
    }
    let _ = too_big.close_frame("a message over the size limit").await;
    let _ = flooding.close_frame("a client over its rate limit").await;
    wait_until(
        || format!(
            "two connections closed by the server on an error path (too large, too fast): the gauge must come \
             back to 0, it says {}. A count taken by hand at the end of the happy path leaks. Read «{SECTION}».",
            registry.open()
        ),
        || registry.open() == 0,
    )
    .await;
}

#[tokio::test]
async fn shutdown_says_goodbye_to_every_stream_within_the_deadline() {
    let state = AppState::new(config());
    let registry = state.registry.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("no address: {e}"));
    let (stop, stopped) = oneshot::channel::<()>();
    let signal = async move {
        let _ = stopped.await;
    };
    let server = tokio::spawn(serve(listener, state, signal, Duration::from_secs(1)));

    let mut socket = ws(addr, ALICE).await;
    let mut events = sse_events(sse_request(addr, Some(BOB), None).await);
    let _ready = next_sse(&mut events, "the first SSE event").await;
    let poll = tokio::spawn(
        reqwest::Client::new().get(format!("http://{addr}/poll?after=0")).bearer_auth(ALICE).send(),
    );
    wait_until(|| "a WebSocket, an SSE stream and a long poll are open".to_owned(), || registry.open() == 3)
        .await;

    let _ = stop.send(());
    let (code, reason) = socket.close_frame("the server is shutting down").await;
    assert_eq!(
        (code, reason.contains("shutting down")),
        (1001, true),
        "a WebSocket is closed with 1001 (going away) and a reason when the server stops; got {code} {reason:?}. \
         Read «{SECTION}»."
    );
    let last = next_sse(&mut events, "the final SSE event").await;
    assert_eq!(
        last.as_ref().map(|e| e.event.as_str()),
        Some("shutdown"),
        "an SSE stream gets a final `event: shutdown` when the server stops; got {last:?}. Read «{SECTION}»."
    );
    assert!(
        next_sse(&mut events, "the end of the SSE stream").await.is_none(),
        "after the final event, the SSE stream ends. Read «{SECTION}»."
    );
    let answered = within("the long poll was not answered at shutdown", poll).await;
    assert!(
        answered.is_ok_and(|r| r.is_ok_and(|r| r.status().is_success())),
        "a long poll in flight is answered when the server stops. Read «{SECTION}»."
    );
    let drained = within(
        &format!("serve did not return within {PATIENCE:?} of the signal (deadline: 1 s). Read «{SECTION}»."),
        server,
    )
    .await;
    assert!(
        matches!(drained, Ok(Ok(Drained::Gracefully))),
        "every stream closed, so serve returns Drained::Gracefully; got {drained:?}. Streams that ignore the \
         shutdown keep the server waiting until the deadline. Read «{SECTION}»."
    );
    assert_eq!(registry.open(), 0, "and the gauge is back to 0. Read «{SECTION}».");
}

#[tokio::test]
async fn shutdown_gives_up_at_the_deadline() {
    let state = AppState::new(config());
    // A stream that ignores the shutdown, like one stuck writing to a client that reads
    // nothing: it counts as open until the test lets it go.
    let stuck = state.registry.enter();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
    let deadline = Duration::from_millis(100);
    let started = tokio::time::Instant::now();
    let drained = within(
        &format!(
            "one stream never closed, and serve did not return within {PATIENCE:?} (deadline: {deadline:?}): \
             the deadline bounds the whole wait, the registry included. Read «{SECTION}»."
        ),
        serve(listener, state, async {}, deadline),
    )
    .await;
    let waited = started.elapsed();
    drop(stuck);
    assert!(
        !matches!(drained, Ok(Drained::Gracefully)),
        "serve returned Gracefully while the registry still counted an open connection: axum's graceful \
         shutdown does not wait for upgraded WebSockets (or for the registry). Wait for `registry.wait_idle()` \
         too, within the deadline. Read «{SECTION}»."
    );
    assert!(
        matches!(drained, Ok(Drained::DeadlineExceeded)),
        "a stream was still open at the deadline: serve reports Drained::DeadlineExceeded, so that the \
         operator knows clients were cut off; got {drained:?}. Read «{SECTION}»."
    );
    assert!(
        waited >= deadline,
        "serve gave up after {waited:?}, before its deadline of {deadline:?}: a stream that is closing needs \
         that time. Wait for the registry to reach zero, `deadline` at most. Read «{SECTION}»."
    );
}
