//! Step 4: a timeout on every outbound call. These tests use real time, kept small:
//! a 50 ms timeout against an upstream that takes 500 ms. Read «Timeouts».

use std::time::Duration;

use resilience::upstream::UpstreamError;
use serde_json::Value;
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
