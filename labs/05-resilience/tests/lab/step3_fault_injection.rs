//! Step 3: the client against a real (wiremock) upstream that fails on purpose. Each
//! test also counts the calls the upstream received: a missing retry and a retry storm
//! both show up there. Read «Fault injection».

use std::sync::Arc;
use std::time::Duration;

use resilience::clock::ManualClock;
use resilience::retry::RetryBudget;
use resilience::upstream::{UpstreamClient, UpstreamError};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{BACKOFF, ResettingServer, calls, client, rate, upstream_answers, upstream_config};

const SECTION: &str = "Fault injection (book/05-resilience/fault-injection.md)";

// ANCHOR: twice_then_ok
#[tokio::test]
async fn a_503_twice_then_200_succeeds_on_the_third_call() {
    let server = MockServer::start().await;
    // `expect` makes wiremock itself check the counts when the test ends, and `named`
    // puts a readable name in its report.
    Mock::given(method("GET"))
        .and(path("/rates/EUR"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .named("the first two calls: 503")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rates/EUR"))
        .respond_with(rate("EUR", 1.08))
        .expect(1)
        .named("the third call: 200")
        .mount(&server)
        .await;
    let (client, clock) = client(&server.uri(), |_| {});

    let result: Result<Value, UpstreamError> = client.get_json("/rates/EUR").await;
    assert!(
        result.is_ok(),
        "two 503s then a 200, with 2 retries allowed: the GET succeeds; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        calls(&server).await,
        3,
        "the upstream saw 3 calls: 2 failures and the success. Read «{SECTION}»."
    );
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        2,
        "one backoff before each retry, on the injected clock (`self.clock.sleep`); the clock recorded {sleeps:?}. \
         A `tokio::time::sleep` is invisible to the test. Read «{SECTION}»."
    );
    for (attempt, slept) in (0u32..).zip(&sleeps) {
        assert!(
            *slept <= BACKOFF.envelope(attempt),
            "retry {attempt} slept {slept:?}, over its envelope. Read «{SECTION}»."
        );
    }
}
// ANCHOR_END: twice_then_ok

#[tokio::test]
async fn every_retry_draws_its_own_jitter() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    let (client, clock) = client(&server.uri(), |c| c.policy.max_retries = 1);
    for _ in 0..8 {
        let _: Result<Value, _> = client.get_json("/rates/EUR").await;
    }
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        8,
        "8 requests, one retry each, one backoff each; slept {sleeps:?}. Read «{SECTION}»."
    );
    assert!(
        sleeps.iter().any(|s| *s != sleeps[0]),
        "8 requests that failed alike all waited exactly {:?} before their retry: the jitter needs a fresh random \
         sample for every decision (`rand::random::<f64>()`), or clients that failed together retry together. \
         Read «{SECTION}».",
        sleeps[0]
    );
}

#[tokio::test]
async fn a_400_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rates/EUR"))
        .respond_with(ResponseTemplate::new(400))
        .expect(1)
        .named("a 400 is not retried")
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::Status(s)) if s == 400),
        "a 400 comes back as Status(400); got {result:?}"
    );
    assert_eq!(
        calls(&server).await,
        1,
        "a 400 is our mistake: the upstream must see exactly one call. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/orders"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .named("a POST is sent exactly once")
        .mount(&server)
        .await;
    let (client, _) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.post_json("/orders", &json!({ "amount": 10 })).await;
    assert!(result.is_err(), "a POST answered 503 fails; got {result:?}");
    assert_eq!(
        calls(&server).await,
        1,
        "the 503 may have come after the order was made: a POST is sent once. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(429).insert_header("retry-after", "3"), Some(1))
        .await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    let (client, clock) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        result.is_ok(),
        "after waiting out the 429, the retry succeeds; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(3)],
        "the client slept what `Retry-After: 3` asked for, exactly once. Read «{SECTION}»."
    );
    assert_eq!(calls(&server).await, 2, "the 429, then the successful retry. Read «{SECTION}».");
}

#[tokio::test]
async fn a_retry_after_date_is_waited_out() {
    let server = MockServer::start().await;
    // The server's own Date is set too, so the test does not depend on when it runs.
    let busy = ResponseTemplate::new(503)
        .insert_header("date", "Tue, 29 Feb 2028 23:59:58 GMT")
        .insert_header("retry-after", "Wed, 01 Mar 2028 00:00:02 GMT");
    upstream_answers(&server, "EUR", busy, Some(1)).await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    let (client, clock) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        result.is_ok(),
        "after waiting out the 503, the retry succeeds; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(4)],
        "`Retry-After: Wed, 01 Mar 2028 00:00:02 GMT` in a response dated 23:59:58 the day before asks for 4 s: read \
         the Retry-After with the response's Date. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_unusable_retry_after_falls_back_to_the_backoff() {
    let server = MockServer::start().await;
    upstream_answers(
        &server,
        "EUR",
        ResponseTemplate::new(503).insert_header("retry-after", "soon"),
        Some(1),
    )
    .await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    let (client, clock) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        result.is_ok(),
        "`Retry-After: soon` is no advice; the 503 is still retried, after the backoff; got {result:?}. Read «{SECTION}»."
    );
    let sleeps = clock.sleeps();
    assert!(
        sleeps.len() == 1 && sleeps[0] <= BACKOFF.envelope(0),
        "one backoff within the first envelope ({:?}) before the retry; slept {sleeps:?}. Read «{SECTION}».",
        BACKOFF.envelope(0)
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_we_can_wait_is_not_waited_for() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503).insert_header("retry-after", "3600"), None)
        .await;
    let (client, clock) = client(&server.uri(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::Status(s)) if s == 503),
        "`Retry-After: 3600` is over max_retry_after: the caller gets the 503 at once; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        (calls(&server).await, clock.sleeps()),
        (1, vec![]),
        "one call and no sleep: the client neither waits an hour nor retries early. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let server = ResettingServer::start().await;
    let (client, _) = client(&server.url(), |_| {});
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::ConnectionFailed)),
        "a connection reset by the peer is a ConnectionFailed; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        server.connections(),
        3,
        "a lost connection is retried: 1 attempt + 2 retries = 3 connections. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn retries_stop_at_the_maximum() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    let (client, _) = client(&server.uri(), |c| c.policy.max_retries = 4);
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::Status(s)) if s == 503),
        "after the last retry the caller gets the last answer, Status(503); got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(calls(&server).await, 5, "max_retries 4: five calls, then give up. Read «{SECTION}».");
}

// ANCHOR: budget_storm
#[tokio::test]
async fn an_empty_budget_stops_a_retry_storm() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    let clock = std::sync::Arc::new(resilience::clock::ManualClock::new());
    let config = super::support::upstream_config(&server.uri(), 3);
    // One retry in reserve; each request earns back a tenth of one.
    let client =
        resilience::upstream::UpstreamClient::new(config, resilience::retry::RetryBudget::new(1, 0.1), clock);
    for _ in 0..3 {
        let _: Result<Value, _> = client.get_json("/rates/EUR").await;
    }
    assert_eq!(
        calls(&server).await,
        4,
        "3 requests to a dead upstream with a budget of 1 retry: 3 calls + 1 retry. Without a budget, each request would \
         retry 3 times (12 calls): that is how retries turn an outage into a storm. Read «{SECTION}»."
    );
}
// ANCHOR_END: budget_storm

/// A client of `server` with `budget`, no cap worth mentioning (5 retries), and its clock.
fn budgeted_client(server: &MockServer, budget: RetryBudget) -> (UpstreamClient, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (UpstreamClient::new(upstream_config(&server.uri(), 5), budget, clock.clone()), clock)
}

#[tokio::test]
async fn every_request_earns_for_the_budget_once() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    // One retry in reserve; each request earns back half of one.
    let (client, _) = budgeted_client(&server, RetryBudget::new(1, 0.5));
    for _ in 0..4 {
        let _: Result<Value, _> = client.get_json("/rates/EUR").await;
    }
    let seen = calls(&server).await;
    assert_eq!(
        seen, 6,
        "4 requests to a dead upstream, budget RetryBudget::new(1, 0.5): the first retries once (1 -> 0), the second \
         earns 0.5, the third earns the other half and retries once, the fourth earns 0.5: 4 calls + 2 retries = 6, \
         got {seen}. 8 means every attempt deposited (retries paying for retries); 5 means only successes deposit \
         (during an outage, nothing is ever earned back). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_retry_the_budget_refuses_is_neither_sent_nor_waited_for() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    let (client, clock) = budgeted_client(&server, RetryBudget::new(0, 0.0));
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        matches!(result, Err(UpstreamError::Status(s)) if s == 503),
        "with no retry affordable, the caller gets the 503 itself; got {result:?}. Read «{SECTION}»."
    );
    assert_eq!(
        (calls(&server).await, clock.sleeps()),
        (1, vec![]),
        "an empty budget (reserve 0, ratio 0) allows no retry: ask the budget *before* the backoff and the retry, so \
         that neither happens; expected (1 call, no sleep). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_request_that_gives_up_spends_nothing() {
    let server = MockServer::start().await;
    upstream_answers(&server, "USD", ResponseTemplate::new(400), None).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), Some(1)).await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    // One retry in reserve, and nothing earned back.
    let (client, _) = budgeted_client(&server, RetryBudget::new(1, 0.0));
    let refused: Result<Value, _> = client.get_json("/rates/USD").await;
    assert!(
        matches!(refused, Err(UpstreamError::Status(s)) if s == 400),
        "a 400 comes back as Status(400), unretried; got {refused:?}. Read «{SECTION}»."
    );
    let result: Result<Value, _> = client.get_json("/rates/EUR").await;
    assert!(
        result.is_ok(),
        "a 400 is not retried, so it must not use up the one retry in the budget: the next request's 503 is still \
         retried and succeeds; got {result:?}. Withdraw only when the policy says retry. Read «{SECTION}»."
    );
}
