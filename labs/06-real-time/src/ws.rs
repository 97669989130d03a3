//! The WebSocket endpoint: the handshake is checked before the upgrade, and then one task
//! per connection reads what the client says, forwards what the room says, and keeps the
//! heartbeat.

use std::time::{Duration, Instant};

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::MissedTickBehavior;

use crate::handshake::{TokenQuery, User, authorize};
use crate::heartbeat::{Beat, Heartbeat};
use crate::limits::RateLimit;
use crate::state::AppState;

// ANCHOR: ws_handler
/// `GET /ws` (or `CONNECT /ws` over HTTP/2): checks the caller, then upgrades.
pub async fn ws_handler(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    todo!(
        "step 2: authorize before upgrading (a refusal is its own response), then upgrade (step 3 adds the size limits). Read book/06-real-time/websocket.md"
    )
}
// ANCHOR_END: ws_handler

/// What the connection does after handling one message from the client.
enum Next {
    Continue,
    /// End the connection, with this close frame if there is one to send.
    Close(Option<CloseFrame>),
}

// ANCHOR: run_connection
/// One connection, from the upgrade to the close.
pub async fn run_connection(mut socket: WebSocket, state: AppState, user: User) {
    todo!(
        "step 2: forward the room's events to the socket and publish what the client says, until either side ends; steps 3, 4, 5 and 8 come back here. Read book/06-real-time/websocket.md"
    )
}
// ANCHOR_END: run_connection

// ANCHOR: on_message
/// Handles one message from the client.
fn on_message(state: &AppState, user: &User, limit: &mut RateLimit, message: Message) -> Next {
    match message {
        Message::Text(text) => {
            // TODO step 3: ask `limit` first; a message over the quota closes the connection
            // (1008) and is not posted. Read book/06-real-time/limits.md
            state.post(user, text.as_str());
            Next::Continue
        }
        Message::Binary(_) => Next::Close(close_frame(close_code::UNSUPPORTED, "text messages only")),
        // tungstenite answers pings itself; a pong only proves the peer is alive.
        Message::Ping(_) | Message::Pong(_) => Next::Continue,
        // tungstenite has already answered the close frame.
        Message::Close(_) => Next::Close(None),
    }
}
// ANCHOR_END: on_message

/// Sends `message`, or gives up on a peer that takes longer than `timeout` to take it.
async fn send_or_close(socket: &mut WebSocket, message: Message, timeout: Duration) -> Next {
    match tokio::time::timeout(timeout, socket.send(message)).await {
        Ok(Ok(())) => Next::Continue,
        Ok(Err(_)) | Err(_) => Next::Close(None),
    }
}

/// The close frame for a read that failed.
fn close_for_read_error(error: &axum::Error) -> Option<CloseFrame> {
    // axum does not expose tungstenite's error type; its message names the capacity error.
    let text = error.to_string();
    if text.contains("too long") || text.contains("Space limit") {
        close_frame(close_code::SIZE, "message too large")
    } else {
        close_frame(close_code::PROTOCOL, "protocol error")
    }
}

/// A close frame with a code and a reason the client can show or log.
pub fn close_frame(code: u16, reason: &str) -> Option<CloseFrame> {
    Some(CloseFrame { code, reason: Utf8Bytes::from(reason) })
}
