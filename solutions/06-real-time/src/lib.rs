//! Lab 06: a chat room that stays connected. One room, three ways to listen (WebSocket,
//! Server-Sent Events, long polling), and everything a connection that lasts for hours
//! needs: a handshake that checks who is calling and from which page, limits, heartbeats,
//! a policy for slow consumers, a gauge, a shutdown that says goodbye, and a bus so that
//! two instances share one room.

pub mod bus;
pub mod config;
pub mod event;
pub mod handshake;
pub mod heartbeat;
pub mod hub;
pub mod limits;
pub mod poll;
pub mod problem;
pub mod registry;
pub mod shutdown;
pub mod sse;
pub mod state;
pub mod ws;

use axum::Router;
use axum::routing::{any, get};

pub use config::Config;
pub use shutdown::{Drained, serve};
pub use state::AppState;

// ANCHOR: app
/// The service's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        // `any`, not `get`: an HTTP/1.1 handshake is a GET, but a WebSocket over HTTP/2
        // (RFC 8441) is a CONNECT, and a `get` route would answer it 405.
        .route("/ws", any(ws::ws_handler))
        .route("/events", get(sse::sse_handler))
        .route("/poll", get(poll::poll_handler))
        .route("/metrics", get(registry::metrics_handler))
        .with_state(state)
}
// ANCHOR_END: app
