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
    // Everything that can refuse is decided here, while an HTTP status can still say
    // why: after the 101, the only way to refuse is to close. Who and from where come
    // first, before any detail of the handshake is judged.
    let user = match authorize(&headers, query.access_token.as_deref(), &state.config) {
        Ok(user) => user,
        Err(refusal) => return refusal.into_response(),
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let config = &state.config;
    upgrade
        // tungstenite refuses a larger message before buffering it whole.
        .max_message_size(config.max_message_bytes)
        .max_frame_size(config.max_message_bytes)
        .read_buffer_size(config.ws_read_buffer)
        .write_buffer_size(config.ws_write_buffer)
        .on_upgrade(move |socket| run_connection(socket, state, user))
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
    let _open = state.registry.enter();
    let config = state.config.clone();
    let mut events = state.hub.subscribe();
    let mut limit = RateLimit::new(config.quota);
    let mut heartbeat = Heartbeat::new(Instant::now(), config.heartbeat_timeout);
    let start = tokio::time::Instant::now() + config.heartbeat_interval;
    let mut ticks = tokio::time::interval_at(start, config.heartbeat_interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);

    let close = loop {
        let next = tokio::select! {
            // Shutdown first: a busy room must not keep a stopping server waiting.
            biased;
            () = state.shutdown.cancelled() => Next::Close(close_frame(close_code::AWAY, "server shutting down")),
            incoming = socket.recv() => match incoming {
                Some(Ok(message)) => {
                    heartbeat.heard(Instant::now());
                    on_message(&state, &user, &mut limit, message)
                }
                // tungstenite refused the frame: too large, or not WebSocket at all.
                Some(Err(error)) => Next::Close(close_for_read_error(&error)),
                None => Next::Close(None),
            },
            event = events.recv() => match event {
                Ok(event) => send_or_close(&mut socket, Message::text(event.to_json()), config.write_timeout).await,
                // Fallen behind: the events it missed are gone from the channel. Say so
                // and close, so the client reconnects and reloads, instead of leaving a
                // hole in its view of the room that nobody notices.
                Err(RecvError::Lagged(missed)) => Next::Close(close_frame(
                    close_code::AGAIN,
                    &format!("too slow: missed {missed} events; reconnect to resync"),
                )),
                Err(RecvError::Closed) => Next::Close(close_frame(close_code::AWAY, "server shutting down")),
            },
            _ = ticks.tick() => match heartbeat.tick(Instant::now()) {
                Beat::Ping => send_or_close(&mut socket, Message::Ping(Default::default()), config.write_timeout).await,
                Beat::Dead => Next::Close(close_frame(close_code::AWAY, "heartbeat timeout")),
            },
        };
        if let Next::Close(frame) = next {
            break frame;
        }
    };
    if let Some(frame) = close {
        // Bounded: a peer that reads nothing must not hold this task forever.
        let _ = tokio::time::timeout(config.write_timeout, socket.send(Message::Close(Some(frame)))).await;
    }
}
// ANCHOR_END: run_connection

// ANCHOR: on_message
/// Handles one message from the client.
fn on_message(state: &AppState, user: &User, limit: &mut RateLimit, message: Message) -> Next {
    match message {
        Message::Text(text) => {
            if !limit.allow(Instant::now()) {
                return Next::Close(close_frame(close_code::POLICY, "rate limit exceeded"));
            }
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
