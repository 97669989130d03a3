//! Step 6: the middleware stack. Read «The middleware stack».
//! Each test wraps a small router of its own in `with_middleware`, so that it can have
//! a route that is slow, one that panics, one that waits at a gate.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use frameworks::{AppState, HttpConfig, app, with_middleware};

use super::support::{
    Logs, gated_router, get as get_request, post_json, post_streamed_json, request, send,
    status_of_endless_post, streamed,
};

const SECTION: &str = "The middleware stack (book/01-frameworks/middleware.md)";

fn config() -> HttpConfig {
    HttpConfig { request_timeout: Duration::from_secs(5), body_limit_bytes: 1024, max_in_flight: 2 }
}

fn plain_routes() -> Router {
    Router::new()
        .route("/ok", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                "too late"
            }),
        )
        .route(
            "/panic",
            // `resume_unwind` panics like `panic!("...")`, with the same kind of payload (a
            // `&str`), but skips the panic hook: no message, and no backtrace captured under
            // RUST_BACKTRACE=1 (100 ms in a debug build), for a panic the test wants.
            get(|| async {
                if true {
                    std::panic::resume_unwind(Box::new("secret-token-123 was not in the cache"));
                }
                "unreachable"
            }),
        )
        .route(
            "/panic-formatted",
            // `panic!("{x}")` with arguments carries a `String`, not a `&str`.
            get(|| async {
                if true {
                    std::panic::resume_unwind(Box::new(format!("order {} was not in the cache", 42)));
                }
                "unreachable"
            }),
        )
        .route("/echo", post(|body: Bytes| async move { body.len().to_string() }))
}

#[tokio::test]
async fn a_request_id_is_generated() {
    let reply = send(&with_middleware(plain_routes(), &config()), get_request("/ok")).await;
    let id = reply.header("x-request-id").unwrap_or_default();
    assert!(
        !id.is_empty(),
        "every response carries an `x-request-id`, made up when the request had none. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn each_request_gets_its_own_id() {
    let router = with_middleware(plain_routes(), &config());
    let first = send(&router, get_request("/ok")).await;
    let second = send(&router, get_request("/ok")).await;
    assert_ne!(
        first.header("x-request-id"),
        second.header("x-request-id"),
        "two requests got the same x-request-id: an id that is not unique ties unrelated log lines together. Read «{SECTION}»."
    );
}

// ANCHOR: logs
#[tokio::test]
async fn request_logs_carry_the_request_id_and_no_credentials() {
    let logs = Logs::capture();
    let request = axum::http::Request::get("/ok")
        .header(header::AUTHORIZATION, "Bearer secret-credential-77")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let reply = send(&with_middleware(plain_routes(), &config()), request).await;
    let Some(id) = reply.header("x-request-id") else {
        panic!(
            "the response carries no x-request-id, so nobody can find its log lines: the request-id layers set \
             it on the request and copy it onto the response. Read «{SECTION}»."
        )
    };
    assert!(
        logs.text().contains(id),
        "the log lines of a request name its generated request id ({id}), so that a client's id leads to them: \
         the trace span needs the id, so the id must be set before the span opens. The log was {:?}. Read «{SECTION}».",
        logs.text()
    );
    assert!(
        !logs.text().contains("secret-credential-77"),
        "the request's Authorization header reached the log: record the request id, not the headers. Read «{SECTION}»."
    );
}
// ANCHOR_END: logs

#[tokio::test]
async fn a_request_id_is_propagated() {
    let request = axum::http::Request::get("/ok")
        .header("x-request-id", "trace-me-42")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let reply = send(&with_middleware(plain_routes(), &config()), request).await;
    assert_eq!(
        reply.header("x-request-id"),
        Some("trace-me-42"),
        "a request id sent by the client comes back unchanged, so logs on both sides line up. Read «{SECTION}»."
    );
}

// ANCHOR: slow
// Paused time: the 60-second handler and the 5-second timeout take no real time.
#[tokio::test(start_paused = true)]
async fn a_slow_request_times_out_with_503() {
    let reply = send(&with_middleware(plain_routes(), &config()), get_request("/slow")).await;
    assert_eq!(
        reply.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a handler slower than `request_timeout` is cut off with 503 (the server was slow, not the client: not 408). Read «{SECTION}»."
    );
    let problem = reply.problem(StatusCode::SERVICE_UNAVAILABLE, SECTION);
    assert_detail_mentions(&problem, "again");
}
// ANCHOR_END: slow

fn echo(body: Body) -> axum::http::Request<Body> {
    request("POST", "/echo", body)
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let big = vec![b'x'; 4096];
    let request = axum::http::Request::post("/echo")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big))
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let reply = send(&with_middleware(plain_routes(), &config()), request).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a 4096-byte body over a 1024-byte `body_limit_bytes` is refused with 413. Read «{SECTION}»."
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "the body-limit layer answers a too-large Content-Length itself, in plain text ({:?}); the API promises \
         problem documents for every error, so give that answer the API's format on its way out. Read «{SECTION}».",
        reply.text()
    );
    let problem = reply.problem(StatusCode::PAYLOAD_TOO_LARGE, SECTION);
    assert_detail_mentions(&problem, "larger");
}

/// A problem made from a layer's bare answer still tells the client what to do (the
/// lab's `bare_error_as_problem` writes these details).
fn assert_detail_mentions(problem: &serde_json::Value, word: &str) {
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(word),
        "this problem's `detail` should tell the client what to do (mentioning {word:?}); got {problem}. \
         Is the answer made by bare_error_as_problem? Read «{SECTION}»."
    );
}

// ANCHOR: limits
#[tokio::test]
async fn a_body_over_the_limit_is_413_however_it_is_sent() {
    let router = with_middleware(plain_routes(), &config());
    // A Content-Length that lies (a small number, then 4096 bytes) and no Content-Length at all:
    // a check of the header alone lets both through.
    let lying = axum::http::Request::post("/echo")
        .header(header::CONTENT_LENGTH, 10)
        .body(Body::from(vec![b'x'; 4096]))
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let cases = [
        ("streamed with no Content-Length", echo(streamed(vec![b'x'; 4096]))),
        ("one byte over, streamed", echo(streamed(vec![b'x'; 1025]))),
        ("with a Content-Length of 10", lying),
    ];
    for (how, request) in cases {
        let reply = send(&router, request).await;
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "a body over the 1024-byte limit, {how}, must be refused with 413 as it is read; got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        reply.problem(StatusCode::PAYLOAD_TOO_LARGE, SECTION);
    }
}
// ANCHOR_END: limits

#[tokio::test]
async fn an_endless_body_gets_413_not_a_hang() {
    let router = with_middleware(plain_routes(), &config());
    let status = status_of_endless_post(router, "/echo", Duration::from_secs(3)).await;
    assert_eq!(
        status,
        Some(413),
        "a chunked body that never ends must get a 413 as soon as it passes the 1024-byte limit; got {status:?} \
         (None: no answer in 3 seconds, the body was read without a limit). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_body_at_the_limit_passes() {
    let router = with_middleware(plain_routes(), &config());
    for (how, body) in
        [("in one piece", Body::from(vec![b'x'; 1024])), ("streamed", streamed(vec![b'x'; 1024]))]
    {
        let reply = send(&router, echo(body)).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "1024 bytes, {how}, is exactly the 1024-byte limit and must pass; got {:?}. Read «{SECTION}».",
            reply.text()
        );
        assert_eq!(reply.text(), "1024");
    }
}

#[tokio::test]
async fn a_wrong_method_through_the_stack_is_a_problem_document() {
    // These routes have no 405 handler of their own: the stack gives axum's bare 405 the API's format.
    let reply = send(&with_middleware(plain_routes(), &config()), request("PUT", "/ok", Body::empty())).await;
    let problem = reply.problem(StatusCode::METHOD_NOT_ALLOWED, SECTION);
    assert_detail_mentions(&problem, "Allow");
    assert_eq!(
        reply.header("allow"),
        Some("GET,HEAD"),
        "the 405 keeps its `Allow` header. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_panic_becomes_a_500_problem_and_the_server_keeps_serving() {
    let router = with_middleware(plain_routes(), &config());
    let reply = send(&router, get_request("/panic")).await;
    reply.problem(StatusCode::INTERNAL_SERVER_ERROR, SECTION);
    assert!(
        reply.header("x-request-id").is_some(),
        "the 500 for a panic still carries an x-request-id, so the client can quote it to you. Read «{SECTION}»."
    );
    assert!(
        !reply.text().contains("secret-token-123"),
        "the panic message is for the logs; the client got {:?}. Read «{SECTION}».",
        reply.text()
    );
    let after = send(&router, get_request("/ok")).await;
    assert_eq!(after.status, StatusCode::OK, "after a panic, the next request is served. Read «{SECTION}».");
}

#[tokio::test]
async fn a_panic_is_logged_with_its_message() {
    let logs = Logs::capture();
    let _ = send(&with_middleware(plain_routes(), &config()), get_request("/panic")).await;
    assert!(
        logs.text().contains("secret-token-123 was not in the cache"),
        "the client learns nothing about a panic, so the log must say what it said (tracing::error!); the log \
         was {:?}. Read «{SECTION}».",
        logs.text()
    );
}

#[tokio::test]
async fn a_formatted_panic_is_logged_with_its_message() {
    let logs = Logs::capture();
    let _ = send(&with_middleware(plain_routes(), &config()), get_request("/panic-formatted")).await;
    assert!(
        logs.text().contains("order 42 was not in the cache"),
        "a panic with arguments, such as panic!(\"order {{id}} ...\"), carries a String, not a &str: downcast the \
         payload to both before giving up on its message. The log was {:?}. Read «{SECTION}».",
        logs.text()
    );
}

// Paused time: if the third request is queued instead of refused, the one-second
// timeout below fires at once instead of after a real second.
#[tokio::test(start_paused = true)]
async fn requests_over_the_concurrency_limit_are_shed_with_503() {
    // ANCHOR: gate
    // Requests to /gate wait until the test opens the gate, so the test decides how
    // many are in flight at once.
    let (gated, mut entered, gate) = gated_router();
    // Two different routes: a limit per route would let both through.
    let router = with_middleware(gated.merge(plain_routes()), &config());

    let first = tokio::spawn({
        let router = router.clone();
        async move { send(&router, get_request("/gate")).await.status }
    });
    let second = tokio::spawn({
        let router = router.clone();
        async move { send(&router, get_request("/gate")).await.status }
    });
    for _ in 0..2 {
        entered.recv().await;
    }
    // ANCHOR_END: gate

    let Ok(third) = tokio::time::timeout(Duration::from_secs(1), send(&router, get_request("/ok"))).await
    else {
        panic!(
            "with max_in_flight = 2 and two requests in flight, a third request waited in a queue: \
             it must be refused at once with 503 (load shedding). Read «{SECTION}»."
        );
    };
    assert_eq!(
        third.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "with max_in_flight = 2 and two requests in flight on /gate, a third, on /ok, is refused at once with 503 \
         (not queued, not served). A 200 means /ok had permits of its own: Router::layer wraps each route \
         separately, so the limit must be one semaphore shared by all of them. Read «{SECTION}»."
    );
    third.problem(StatusCode::SERVICE_UNAVAILABLE, SECTION);
    assert!(
        third.header("retry-after").is_some(),
        "a shed request is told when to come back (Retry-After). Read «{SECTION}»."
    );
    assert!(
        third.header("x-request-id").is_some(),
        "even a shed request's answer carries its x-request-id: the request-id layers sit outside the rest. Read «{SECTION}»."
    );

    let _ = gate.send(true);
    for handle in [first, second] {
        let status = handle.await.unwrap_or_else(|e| panic!("a gated request panicked: {e}"));
        assert_eq!(status, StatusCode::OK, "the requests in flight finish normally. Read «{SECTION}».");
    }
    let after = send(&router, get_request("/ok")).await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "once the load is gone, requests are served again. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn app_puts_the_routes_inside_the_stack() {
    let reply = send(&app(AppState::in_memory()), get_request("/health")).await;
    assert_eq!(reply.status, StatusCode::OK, "app() serves the routes. Read «{SECTION}».");
    assert!(
        reply.header("x-request-id").is_some(),
        "app() wraps the routes in with_middleware(). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn app_uses_the_limits_in_its_state() {
    let mut state = AppState::in_memory();
    state.http.body_limit_bytes = 16;
    let body = r#"{"title": "a title longer than sixteen bytes"}"#;
    let reply = send(&app(state), post_json("/tasks", body)).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "app(state) applies state.http, here a 16-byte body limit, not HttpConfig::default(). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn app_refuses_a_streamed_body_over_its_limit() {
    let mut state = AppState::in_memory();
    state.http.body_limit_bytes = 16;
    let body = br#"{"title": "a title longer than sixteen bytes"}"#.to_vec();
    let reply = send(&app(state), post_streamed_json("/tasks", streamed(body))).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "POST /tasks with a streamed body over the 16-byte limit: the limit stops it inside ValidJson, which must \
         answer 413; got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    reply.problem(StatusCode::PAYLOAD_TOO_LARGE, SECTION);
}
