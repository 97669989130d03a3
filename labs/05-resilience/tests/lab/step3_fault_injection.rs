//! Step 3: the client against a real (wiremock) upstream that fails on purpose. Each
//! test also counts the calls the upstream received: a missing retry and a retry storm
//! both show up there. Read «Fault injection».

use std::time::Duration;

use resilience::upstream::UpstreamError;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::{BACKOFF, ResettingServer, calls, client, rate, upstream_answers};

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
    assert_eq!(sleeps.len(), 2, "one backoff before each retry; slept {sleeps:?}. Read «{SECTION}».");
    for (attempt, slept) in (0u32..).zip(&sleeps) {
        assert!(
            *slept <= BACKOFF.envelope(attempt),
            "retry {attempt} slept {slept:?}, over its envelope. Read «{SECTION}»."
        );
    }
}
// ANCHOR_END: twice_then_ok

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
