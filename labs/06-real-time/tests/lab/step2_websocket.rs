//! Step 2: a WebSocket endpoint, tested with a real client over a real socket. Read
//! «A WebSocket endpoint».

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, Version};
use real_time::{AppState, app};
use tokio_tungstenite::tungstenite;
use tower::ServiceExt;

use super::support::{ALICE, BOB, CHAT_ORIGIN, config, spawn_app, try_ws, ws};

const SECTION: &str = "A WebSocket endpoint (book/06-real-time/websocket.md)";

fn refused_status(result: Result<super::support::Socket, tungstenite::Error>) -> Option<StatusCode> {
    match result {
        Err(tungstenite::Error::Http(response)) => Some(response.status()),
        _ => None,
    }
}

#[tokio::test]
async fn a_message_reaches_every_connected_client() {
    let app = spawn_app(|_| {}).await;
    let mut alice = ws(app.addr, ALICE).await;
    let mut bob = ws(app.addr, BOB).await;
    alice.say("hello, room").await;

    for (who, client) in [("bob", &mut bob), ("alice", &mut alice)] {
        let message = client.message(&format!("{who} waits for alice's message")).await;
        assert_eq!(
            message,
            serde_json::json!({ "type": "message", "id": 1, "from": "alice", "text": "hello, room" }),
            "every client in the room, the sender too, receives `Event::to_json` of what alice said. \
             Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn events_arrive_in_order() {
    let app = spawn_app(|_| {}).await;
    let mut bob = ws(app.addr, BOB).await;
    let mut alice = ws(app.addr, ALICE).await;
    for n in 1..=4 {
        alice.say(&format!("line {n}")).await;
    }
    for n in 1..=4 {
        let message = bob.message("bob reads alice's lines").await;
        assert_eq!(message["id"], n, "ids count up from 1, in order; got {message}. Read «{SECTION}».");
        assert_eq!(message["text"], format!("line {n}"), "got {message}. Read «{SECTION}».");
    }
}

#[tokio::test]
async fn a_handshake_from_a_foreign_page_gets_403() {
    let app = spawn_app(|_| {}).await;
    let status = refused_status(try_ws(app.addr, Some(ALICE), Some("https://evil.example")).await);
    assert_eq!(
        status,
        Some(StatusCode::FORBIDDEN),
        "a handshake from https://evil.example must be refused with 403 before the upgrade (axum checks no \
         Origin: `authorize` must run in the handler). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_handshake_without_credentials_gets_401() {
    let app = spawn_app(|_| {}).await;
    let status = refused_status(try_ws(app.addr, None, Some(CHAT_ORIGIN)).await);
    assert_eq!(
        status,
        Some(StatusCode::UNAUTHORIZED),
        "a handshake without a token must be refused with 401 before the upgrade. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_http2_handshake_reaches_the_handler() {
    // Over HTTP/2 a WebSocket starts with CONNECT (RFC 8441), not GET. Sent in-process:
    // the workbook's server speaks HTTP/1.1 only, but the router must not refuse it, and
    // the handler must judge it like any other handshake.
    let request = Request::builder()
        .method(Method::CONNECT)
        .version(Version::HTTP_2)
        .uri("/ws")
        .header("origin", "https://evil.example")
        .header("sec-websocket-version", "13")
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let response = match app(AppState::new(config())).oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "an HTTP/2 handshake (CONNECT /ws) from https://evil.example must be refused with 403 like any other: \
         /ws is routed with `any` (a `get` route answers 405), and the handler decides who and from where \
         before it looks at the handshake itself. Read «{SECTION}»."
    );
}
