//! Step 7: graceful shutdown, on a real socket. Read «Graceful shutdown».

use std::time::Duration;

use frameworks::Drained;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::support::{RunningServer, client, gated_router};

const SECTION: &str = "Graceful shutdown (book/01-frameworks/shutdown.md)";

/// The drain deadline of the tests that reach it. It passes in real time: the server is
/// on a real socket, and tokio's paused clock would jump ahead while the socket waits.
const DEADLINE: Duration = Duration::from_millis(20);

/// Waits until a request has reached the handler: the server is serving.
async fn wait_for_request(entered: &mut mpsc::UnboundedReceiver<()>) {
    assert!(
        entered.recv().await.is_some(),
        "the request never reached the handler: is `serve` serving `app` on the listener? Read «{SECTION}»."
    );
}

/// Waits until connecting to `server` is refused: the listener is closed.
async fn wait_until_refused(server: &RunningServer) {
    let refused = tokio::time::timeout(Duration::from_secs(2), async {
        while TcpStream::connect(server.addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(
        refused.is_ok(),
        "two seconds after the shutdown signal, new connections were still accepted: stop accepting as soon as shutdown starts. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_idle_server_stops_at_once() {
    let (router, _entered, _gate) = gated_router();
    let mut server = RunningServer::start(router, Duration::from_secs(5)).await;
    server.shut_down();
    let drained =
        server.stopped(Duration::from_secs(2)).await.unwrap_or_else(|e| panic!("serve failed: {e}"));
    assert_eq!(
        drained,
        Drained::Gracefully,
        "with nothing in flight, serve returns Drained::Gracefully. Read «{SECTION}»."
    );
}

// ANCHOR: in_flight
#[tokio::test]
async fn an_in_flight_request_finishes_before_serve_returns() {
    let (router, mut entered, gate) = gated_router();
    let mut server = RunningServer::start(router, Duration::from_secs(5)).await;
    let in_flight = tokio::spawn(client().get(server.url("/gate")).send());
    wait_for_request(&mut entered).await;

    server.shut_down();
    wait_until_refused(&server).await;
    assert!(
        !server.handle.is_finished(),
        "serve returned while a request was still in flight: drain first, then return. Read «{SECTION}»."
    );

    let _ = gate.send(true);
    let response = in_flight
        .await
        .unwrap_or_else(|e| panic!("the client task panicked: {e}"))
        .unwrap_or_else(|e| panic!("the in-flight request was dropped during shutdown ({e}); it must be answered. Read «{SECTION}»."));
    assert_eq!(response.status(), 200, "the in-flight request gets its normal answer. Read «{SECTION}».");
    let drained =
        server.stopped(Duration::from_secs(5)).await.unwrap_or_else(|e| panic!("serve failed: {e}"));
    assert_eq!(
        drained,
        Drained::Gracefully,
        "everything finished in time: Drained::Gracefully. Read «{SECTION}»."
    );
}
// ANCHOR_END: in_flight

#[tokio::test]
async fn new_connections_are_refused_while_draining() {
    let (router, mut entered, _gate) = gated_router();
    let mut server = RunningServer::start(router, Duration::from_secs(5)).await;
    let _in_flight = tokio::spawn(client().get(server.url("/gate")).send());
    wait_for_request(&mut entered).await;
    server.shut_down();
    wait_until_refused(&server).await;
}

// ANCHOR: deadline
#[tokio::test]
async fn serve_gives_up_at_the_drain_deadline() {
    let (router, mut entered, _gate) = gated_router();
    // A request that never finishes, and a short deadline (real time, so keep it small).
    let mut server = RunningServer::start(router, DEADLINE).await;
    let _stuck = tokio::spawn(client().get(server.url("/gate")).send());
    wait_for_request(&mut entered).await;
    server.shut_down();
    let drained =
        server.stopped(Duration::from_secs(3)).await.unwrap_or_else(|e| panic!("serve failed: {e}"));
    assert_eq!(
        drained,
        Drained::DeadlineExceeded,
        "a request still running at the deadline is abandoned, and serve says so with Drained::DeadlineExceeded. Read «{SECTION}»."
    );
}
// ANCHOR_END: deadline

#[tokio::test]
async fn the_drain_deadline_starts_at_shutdown_not_at_start() {
    let (router, mut entered, gate) = gated_router();
    let mut server = RunningServer::start(router, DEADLINE).await;
    // Twice the deadline: a deadline counted from start would already have passed. (A
    // fixed wait, because what it proves is that nothing happened in that time.)
    tokio::time::sleep(2 * DEADLINE).await;
    // Checked first, so that this mistake is reported in its own words.
    if server.handle.is_finished() {
        // `stopped` reports a panic in `serve` as one; anything else is an early return.
        let outcome = server.stopped(Duration::from_secs(1)).await;
        panic!(
            "serve returned {outcome:?} {:?} after it started, with no shutdown signal and a {DEADLINE:?} \
             drain deadline: the deadline's clock must start when draining starts, not when the server does. \
             Read «{SECTION}».",
            2 * DEADLINE
        );
    }
    let _ = gate.send(true);
    let response = client().get(server.url("/gate")).send().await;
    assert!(
        response.as_ref().is_ok_and(|r| r.status() == 200),
        "{:?} after start, with no shutdown signal, a request got {response:?} instead of a 200: the server \
         must serve until it is told to stop. Read «{SECTION}».",
        2 * DEADLINE
    );
    wait_for_request(&mut entered).await;
    server.shut_down();
    let drained =
        server.stopped(Duration::from_secs(2)).await.unwrap_or_else(|e| panic!("serve failed: {e}"));
    assert_eq!(drained, Drained::Gracefully, "nothing was in flight at shutdown. Read «{SECTION}».");
}
