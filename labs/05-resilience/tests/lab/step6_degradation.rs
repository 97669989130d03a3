//! Step 6: graceful degradation: when the upstream fails, serve the last known rate,
//! marked stale, and still log and count the failure. Read «Graceful degradation».

use std::time::Duration;

use axum::http::StatusCode;
use wiremock::{MockServer, ResponseTemplate};

use super::support::{BREAKER, CapturedLogs, calls, get, rate, service, upstream_answers};

const SECTION: &str = "Graceful degradation (book/05-resilience/degradation.md)";

#[tokio::test]
async fn a_fresh_quote_is_not_stale() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    let (router, _, _) = service(&server, 0, |_, _| {});
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(reply.status, StatusCode::OK, "got {:?}. Read «{SECTION}».", reply.text());
    let quote = reply.json();
    assert_eq!(quote["rate"], 1.08, "got {quote}");
    assert_eq!(
        quote["stale"], false,
        "a rate straight from the upstream has `stale: false`; got {quote}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn when_the_upstream_fails_the_last_rate_is_served_stale() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(500), None).await;
    let (router, _, clock) = service(&server, 0, |_, _| {});

    let _ = get(&router, "/rates/EUR", "alice").await;
    clock.advance(Duration::from_secs(90));
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the upstream failed but a rate is known: answer 200 with it, not an error. Got {:?}. Read «{SECTION}».",
        reply.text()
    );
    let quote = reply.json();
    assert_eq!(quote["rate"], 1.08, "the last known rate; got {quote}");
    assert_eq!(
        quote["stale"], true,
        "the client must be told the rate is stale; got {quote}. Read «{SECTION}»."
    );
    assert_eq!(quote["age_secs"], 90, "and how old it is; got {quote}. Read «{SECTION}».");
}

// ANCHOR: hidden_failure
#[tokio::test]
async fn a_hidden_failure_is_still_logged_and_counted() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(500), None).await;
    let (router, state, _) = service(&server, 0, |_, _| {});
    let (logs, _guard) = CapturedLogs::start();

    let _ = get(&router, "/rates/EUR", "alice").await;
    let _ = get(&router, "/rates/EUR", "alice").await;
    let metrics = state.metrics.snapshot();
    assert_eq!(
        metrics.upstream_failures, 1,
        "the upstream failure is counted even though the client got a 200. Read «{SECTION}»."
    );
    assert_eq!(metrics.stale_served, 1, "serving stale data is counted too. Read «{SECTION}».");
    let text = logs.text();
    assert!(
        (text.contains("WARN") || text.contains("ERROR")) && text.to_lowercase().contains("upstream"),
        "the failure is logged at WARN or ERROR, in a message that names the upstream; the log was:\n{text}\nRead «{SECTION}»."
    );
}
// ANCHOR_END: hidden_failure

#[tokio::test]
async fn without_a_known_rate_the_failure_is_honest() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(500), None).await;
    upstream_answers(&server, "GBP", rate("GBP", 0.86).set_delay(Duration::from_millis(500)), None).await;
    let (router, _, _) = service(&server, 0, |_, _| {});
    // A second service in front of the same upstream, with a timeout the slow GBP answer misses.
    let (impatient, _, _) =
        service(&server, 0, |_, upstream| upstream.attempt_timeout = Duration::from_millis(50));
    assert_eq!(
        get(&router, "/rates/EUR", "alice").await.status,
        StatusCode::BAD_GATEWAY,
        "the upstream failed and nothing is known: 502 Bad Gateway, the upstream's fault. Read «{SECTION}»."
    );
    assert_eq!(
        get(&impatient, "/rates/GBP", "alice").await.status,
        StatusCode::GATEWAY_TIMEOUT,
        "the upstream timed out and nothing is known: 504 Gateway Timeout. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_open_breaker_stops_calling_and_still_serves_stale() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(503), None).await;
    let (router, state, _) = service(&server, 0, |_, _| {});
    let threshold = BREAKER.failure_threshold as usize;

    let _ = get(&router, "/rates/EUR", "alice").await;
    for _ in 0..threshold {
        let _ = get(&router, "/rates/EUR", "alice").await;
    }
    assert_eq!(
        calls(&server).await,
        1 + threshold,
        "one success, then {threshold} failures reach the upstream"
    );
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        calls(&server).await,
        1 + threshold,
        "after {threshold} failures the breaker is open: the upstream gets no more calls. Read «{SECTION}»."
    );
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "an open breaker with a known rate still answers. Read «{SECTION}»."
    );
    assert_eq!(
        reply.json()["stale"],
        true,
        "the answer is the last known rate, marked stale. Read «{SECTION}»."
    );
    assert!(
        state.metrics.snapshot().upstream_failures >= threshold as u64,
        "every failure, and every call the open breaker refused, is counted. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn only_currency_codes_reach_the_upstream() {
    let server = MockServer::start().await;
    let (router, _, _) = service(&server, 0, |_, _| {});
    for bad in ["eur", "EURO", "E%2FR"] {
        let reply = get(&router, &format!("/rates/{bad}"), "alice").await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{bad:?} is not a currency code: 400. Read «{SECTION}»."
        );
    }
    assert_eq!(
        calls(&server).await,
        0,
        "input is checked before it goes into the upstream's URL. Read «{SECTION}»."
    );
}
