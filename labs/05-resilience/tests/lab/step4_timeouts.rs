//! Step 4: a timeout on every outbound call. These tests use real time, kept small:
//! a 50 ms timeout against an upstream that takes 500 ms, and a 300 ms one against a body
//! that stops arriving. Read «Timeouts».

use std::net::SocketAddr;
use std::time::Duration;

use resilience::upstream::UpstreamError;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use wiremock::MockServer;

use super::support::{calls, client, rate, upstream_answers};

const SECTION: &str = "Timeouts on every call (book/05-resilience/timeouts.md)";

const SHORT: Duration = Duration::from_millis(50);

// ANCHOR: slow_upstream
#[tokio::test]
async fn a_slow_upstream_times_out() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08).set_delay(Duration::from_millis(500)), None).await;
    let (client, _) = client(&server.uri(), |c| {
        c.attempt_timeout = SHORT;
        c.policy.max_retries = 0;
    });
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::TimedOut(t)) if t == SHORT),
        "an upstream slower than `attempt_timeout` (50 ms) must fail with TimedOut(50 ms), not wait; got {result:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn each_attempt_has_its_own_timeout() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08).set_delay(Duration::from_millis(500)), None).await;
    let (client, clock) = client(&server.uri(), |c| c.attempt_timeout = SHORT);
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::TimedOut(_))),
        "every attempt was slower than the timeout, so the call ends in TimedOut; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        clock.sleeps().len(),
        2,
        "a timed-out GET is retried: 1 attempt + 2 retries, a backoff before each retry. Read «{SECTION}»."
    );
    assert!(
        calls(&server).await >= 2,
        "each retry is a new call to the upstream, with its own timeout. Read «{SECTION}»."
    );
}
// ANCHOR_END: slow_upstream

#[tokio::test]
async fn the_limit_cuts_slow_answers_not_quick_ones() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08).set_delay(Duration::from_millis(5)), None).await;
    upstream_answers(&server, "GBP", rate("GBP", 0.86).set_delay(Duration::from_millis(1_000)), None).await;
    let limit = Duration::from_millis(300);
    let (client, _) = client(&server.uri(), |c| {
        c.attempt_timeout = limit;
        c.policy.max_retries = 0;
    });
    let quick: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        quick.is_ok(),
        "a 5 ms answer within a 300 ms `attempt_timeout` succeeds: the limit is the configured one, not shorter; got \
         {quick:?}. Read «{SECTION}»."
    );
    let slow: Result<Value, _> = client.get_json("/rates/GBP").await;
    assert!(
        matches!(slow, Err(UpstreamError::TimedOut(t)) if t == limit),
        "a 1 s answer against the same 300 ms limit is cut off: TimedOut(300 ms); got {slow:?}. Read «{SECTION}»."
    );
}

// ANCHOR: stalled_body
/// An upstream on 127.0.0.1 that answers every request with its status line, its headers
/// and the first bytes of a 64-byte JSON body, then sends nothing more: the connection
/// stays open until the client gives up: the extreme case of a server that trickles its
/// answer.
async fn stalling_upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("no address: {e}"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the whole request (a GET ends with an empty line) before answering.
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n";
                let _ = stream.write_all(format!("{head}{{\"currency\": \"EUR\", ").as_bytes()).await;
                // The rest never comes; wait until the client closes the connection.
                while let Ok(n) = stream.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_body_that_stops_arriving_times_out() {
    let addr = stalling_upstream().await;
    let limit = Duration::from_millis(300);
    let (client, _) = client(&format!("http://{addr}"), |c| {
        c.attempt_timeout = limit;
        c.policy.max_retries = 0;
    });
    // The limit ends the call after 300 ms. Five seconds is only a safety net, for a client
    // that would otherwise wait for the rest of the body forever.
    let result = tokio::time::timeout(Duration::from_secs(5), client.get_json::<Value>("/rates/EUR")).await;
    let Ok(result) = result else {
        panic!(
            "the upstream sent its headers at once, then stopped in the middle of the body, and after 5 s the call \
             was still waiting for the rest: `attempt_timeout` (300 ms) must cover reading the body too, not only \
             `send`. Read «{SECTION}»."
        );
    };
    assert!(
        matches!(result, Err(UpstreamError::TimedOut(t)) if t == limit),
        "a body that stops arriving is cut off when `attempt_timeout` runs out: TimedOut(300 ms); got {result:?}. \
         Read «{SECTION}»."
    );
}
// ANCHOR_END: stalled_body
