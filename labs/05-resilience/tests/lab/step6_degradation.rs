//! Step 6: graceful degradation: when the upstream fails, serve the last known rate,
//! marked stale, and still log and count the failure. Read «Graceful degradation».

use std::time::Duration;

use axum::http::StatusCode;
use wiremock::{MockServer, ResponseTemplate};

use super::support::{
    BREAKER, CapturedLogs, MAX_STALE, ResettingServer, calls, get, rate, service, upstream_answers,
};

const SECTION: &str = "Graceful degradation (book/05-resilience/degradation.md)";

#[tokio::test]
async fn a_fresh_quote_is_not_stale() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", rate("EUR", 1.09), None).await;
    let (router, _, clock) = service(&server, 0, |_, _| {});
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(reply.status, StatusCode::OK, "got {:?}. Read «{SECTION}».", reply.text());
    let quote = reply.json();
    assert_eq!(quote["rate"], 1.08, "got {quote}");
    assert_eq!(
        quote["stale"], false,
        "a rate straight from the upstream has `stale: false`; got {quote}. Read «{SECTION}»."
    );
    clock.advance(Duration::from_secs(90));
    let quote = get(&router, "/rates/EUR", "alice").await.json();
    assert_eq!(
        (&quote["rate"], &quote["stale"], &quote["age_secs"]),
        (&1.09.into(), &false.into(), &0.into()),
        "90 s later the upstream answers again with 1.09: that fresh rate is served, `stale: false`, `age_secs: 0`, \
         whatever was remembered before; got {quote}. Read «{SECTION}»."
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
    assert_eq!(
        quote["age_secs"], 90,
        "the stale rate carries its age on the injected clock (the test advanced it 90 s after the fetch); got \
         {quote}. Read «{SECTION}»."
    );
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
async fn stale_data_is_served_up_to_the_maximum_age() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(500), None).await;
    let (router, _, clock) = service(&server, 0, |_, _| {});
    let _ = get(&router, "/rates/EUR", "alice").await;
    clock.advance(MAX_STALE);
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a rate exactly max_stale ({MAX_STALE:?}) old is still served; got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        (reply.json()["stale"].clone(), reply.json()["age_secs"].clone()),
        (true.into(), MAX_STALE.as_secs().into()),
        "served stale, with its age in seconds; got {}. Read «{SECTION}».",
        reply.text()
    );
}

#[tokio::test]
async fn data_older_than_the_maximum_age_is_not_served() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), Some(1)).await;
    upstream_answers(&server, "EUR", ResponseTemplate::new(500), None).await;
    let (router, state, clock) = service(&server, 0, |_, _| {});
    let (logs, _guard) = CapturedLogs::start();
    let _ = get(&router, "/rates/EUR", "alice").await;
    clock.advance(MAX_STALE + Duration::from_secs(1));
    let reply = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_GATEWAY,
        "the only known rate is older than max_stale ({MAX_STALE:?}): past that age the honest answer is the upstream's \
         failure (502), not an old rate; got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let metrics = state.metrics.snapshot();
    assert_eq!(
        (metrics.upstream_failures, metrics.stale_served),
        (1, 0),
        "the failure is counted, and nothing stale was served; got {metrics:?}. Read «{SECTION}»."
    );
    assert!(
        logs.text().contains("WARN") || logs.text().contains("ERROR"),
        "the failure is logged even when no fallback is served; the log was:\n{}\nRead «{SECTION}».",
        logs.text()
    );
}

#[tokio::test]
async fn an_unknown_currency_is_an_answer() {
    let server = MockServer::start().await;
    upstream_answers(&server, "XYZ", ResponseTemplate::new(404), None).await;
    let (router, state, _) = service(&server, 0, |_, _| {});
    let reply = get(&router, "/rates/XYZ", "alice").await;
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (StatusCode::NOT_FOUND, Some("application/problem+json")),
        "the upstream answered 404 for XYZ: it knows no such currency, so neither do we (404, a problem); it did not \
         fail. Got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        state.metrics.snapshot().upstream_failures,
        0,
        "an unknown currency is not an upstream failure: nothing to count or alert on. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn answers_are_not_outages() {
    for code in [400, 404, 422] {
        let server = MockServer::start().await;
        upstream_answers(&server, "EUR", ResponseTemplate::new(code), None).await;
        let (router, state, _) = service(&server, 0, |_, _| {});
        for _ in 0..=BREAKER.failure_threshold {
            let _ = get(&router, "/rates/EUR", "alice").await;
        }
        assert_eq!(
            calls(&server).await,
            BREAKER.failure_threshold as usize + 1,
            "the upstream answered {code} every time: it is up and answering, so the breaker stays closed and every \
             request reaches it. Counting a {code} as a failure lets anyone open the breaker for everyone with a few bad \
             requests. Read «{SECTION}»."
        );
        assert_eq!(
            state.rates.breaker().state(),
            resilience::breaker::BreakerState::Closed,
            "after {code}s only, the breaker is closed. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn outages_open_the_breaker() {
    let resets = ResettingServer::start().await;
    for (what, code) in [("a 500", Some(500)), ("a 429", Some(429)), ("a reset connection", None)] {
        let server = MockServer::start().await;
        if let Some(code) = code {
            upstream_answers(&server, "EUR", ResponseTemplate::new(code), None).await;
        }
        let (router, state, _) = service(&server, 0, |_, upstream| {
            if code.is_none() {
                upstream.base_url = resets.url();
            }
        });
        for _ in 0..BREAKER.failure_threshold {
            let _ = get(&router, "/rates/EUR", "alice").await;
        }
        assert_eq!(
            state.rates.breaker().state(),
            resilience::breaker::BreakerState::Open,
            "{} times {what} from the upstream (after retries) opens the breaker: the upstream is failing{}. \
             Read «{SECTION}».",
            BREAKER.failure_threshold,
            if code == Some(429) {
                ", or shedding our load, and the cool-down is the pause it asked for"
            } else {
                ""
            }
        );
    }
}

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
