//! Step 7: load shedding: when the service is full, a new request gets a fast 503
//! instead of a place in a queue. Read «Load shedding».

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use tokio::task::JoinHandle;
use wiremock::MockServer;

use super::support::{GatedUpstream, Reply, calls, get, service, service_at};

const SECTION: &str = "Load shedding (book/05-resilience/load-shedding.md)";

/// Waits (two seconds at most) until the upstream has received `n` requests, while
/// the requests in `flight` are still running.
async fn until_upstream_has<T>(upstream: &GatedUpstream, n: usize, flight: &[JoinHandle<T>]) {
    let reached = tokio::time::timeout(Duration::from_secs(2), async {
        while upstream.calls() < n {
            assert!(
                !flight.iter().any(JoinHandle::is_finished),
                "a request ended before it reached the upstream: does GET /rates/{{currency}} work (step 6)? Read «{SECTION}»."
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "after 2 s the first requests had still not reached the upstream: does GET /rates/{{currency}} work (step 6)? Read «{SECTION}»."
    );
}

/// Sends `GET uri` while every slot is held by the `holding` requests that wait at the
/// upstream's gate, and returns the answer. If this request reaches the upstream as well,
/// a slot was free: the test fails at once with `released`. If it gets no answer within
/// two seconds, it was queued: the test fails with `queued`.
async fn get_while_full(
    upstream: &GatedUpstream,
    router: &Router,
    uri: &str,
    api_key: &str,
    holding: usize,
    (released, queued): (&str, &str),
) -> Reply {
    let request = {
        let (router, uri, api_key) = (router.clone(), uri.to_owned(), api_key.to_owned());
        tokio::spawn(async move { get(&router, &uri, &api_key).await })
    };
    let answered = tokio::time::timeout(Duration::from_secs(2), async {
        while !request.is_finished() {
            assert!(upstream.calls() <= holding, "{released} Read «{SECTION}».");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(
        answered.is_ok(),
        "{uri} got no answer within 2 s while the service was full: {queued} Read «{SECTION}»."
    );
    match request.await {
        Ok(reply) => reply,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}

#[tokio::test]
async fn a_full_service_sheds_new_requests_with_503() {
    // Its answers wait until the test opens the gate: the first two requests are still in
    // flight when the third comes, however slow the machine.
    let upstream = GatedUpstream::start().await;
    let (router, state, _) = service_at(&upstream.url(), 0, |config, _| config.max_in_flight = 2);

    let in_flight: Vec<_> = (0..2)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move { get(&router, "/rates/EUR", "alice").await.status })
        })
        .collect();
    until_upstream_has(&upstream, 2, &in_flight).await;

    let released = "the third request reached the upstream, so a slot was free: the first two had already given \
                    theirs back. Keep the permit bound until `next.run(request).await` returns (`Ok(_slot) => …`); \
                    `let _ =` or a temporary that is only tested releases it at once.";
    let messages = (released, "it was queued, not refused with 503.");
    let shed = get_while_full(&upstream, &router, "/rates/EUR", "alice", 2, messages).await;
    assert_eq!(
        shed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "with max_in_flight = 2 and two requests in flight, the third is refused at once with 503. Got {} {:?}. Read «{SECTION}».",
        shed.status,
        shed.text()
    );
    assert!(
        shed.header("retry-after").and_then(|v| v.parse::<u64>().ok()).is_some_and(|s| s >= 1),
        "a shed request is told when to come back, in whole seconds (Retry-After: 1 or more); got {:?}. Read «{SECTION}».",
        shed.header("retry-after")
    );
    assert_eq!(
        shed.header("content-type"),
        Some("application/problem+json"),
        "the 503 is an RFC 9457 problem, like every error this service writes (`problem_with_retry_after` in \
         problem.rs); got {:?} with body {:?}. Read «{SECTION}».",
        shed.header("content-type"),
        shed.text()
    );
    assert_eq!(shed.json()["status"], 503, "the problem's `status` member says 503; got {}", shed.text());
    assert_eq!(upstream.calls(), 2, "a shed request must not reach the upstream. Read «{SECTION}».");
    assert_eq!(
        state.metrics.snapshot().shed,
        1,
        "shed requests are counted in the metrics. Read «{SECTION}»."
    );

    upstream.open();
    for request in in_flight {
        let status = request.await.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status, StatusCode::OK, "the requests in flight finish normally. Read «{SECTION}».");
    }
    let after = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "once they finished, the slots are free again. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn metrics_are_never_shed() {
    let upstream = GatedUpstream::start().await;
    let (router, _, _) = service_at(&upstream.url(), 0, |config, _| config.max_in_flight = 1);
    let busy = {
        let router = router.clone();
        tokio::spawn(async move { get(&router, "/rates/EUR", "alice").await.status })
    };
    until_upstream_has(&upstream, 1, std::slice::from_ref(&busy)).await;
    let queued = format!("GET /metrics must answer even when the service is full. Read «{SECTION}».");
    let metrics = upstream.get_while_closed(&router, "/metrics", "ops", &queued).await;
    assert_eq!(
        metrics.status,
        StatusCode::OK,
        "GET /metrics answers even when the service is full: that is when you need it. Got {} {:?}. Read «{SECTION}».",
        metrics.status,
        metrics.text()
    );
    assert!(
        metrics.text().contains("shed_total 0"),
        "GET /metrics answers with the counters in Prometheus' text format; got {:?}",
        metrics.text()
    );
    // The service really is full: the same moment, a rate request is shed.
    let released = "bob's request reached the upstream, so a slot was free: the first request had already given \
                    its back. Keep the permit bound until `next.run(request).await` returns.";
    let messages = (released, "it was queued, not refused with 503.");
    let shed = get_while_full(&upstream, &router, "/rates/EUR", "bob", 1, messages).await;
    assert_eq!(
        shed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "with max_in_flight = 1 and one request in flight, GET /rates/... is shed with 503 while /metrics is not: \
         the layer covers the rate route only. Got {} {:?}. Read «{SECTION}».",
        shed.status,
        shed.text()
    );
    upstream.open();
    let _ = busy.await;
}

#[tokio::test]
async fn the_routers_own_answers_are_problems_too() {
    let server = MockServer::start().await;
    let (router, _, _) = service(&server, 0, |_, _| {});
    let missing = get(&router, "/rate/EUR", "alice").await;
    assert_eq!(
        (missing.status, missing.header("content-type")),
        (StatusCode::NOT_FOUND, Some("application/problem+json")),
        "GET /rate/EUR matches no route: 404, as a problem document like every other error of the API; got {:?}. \
         Read «{SECTION}».",
        missing.text()
    );
    let request = axum::http::Request::post("/rates/EUR")
        .body(axum::body::Body::empty())
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let wrong = tower::ServiceExt::oneshot(router.clone(), request)
        .await
        .unwrap_or_else(|infallible| match infallible {});
    let content_type = wrong.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(
        (wrong.status(), content_type.as_deref()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("application/problem+json")),
        "POST /rates/EUR: the path exists, the method does not: 405, as a problem document. Read «{SECTION}»."
    );
    assert!(
        wrong.headers().get("allow").is_some(),
        "a 405 still lists the methods that work in `Allow`. Read «{SECTION}»."
    );
    assert_eq!(calls(&server).await, 0, "neither request reaches the upstream. Read «{SECTION}».");
}
