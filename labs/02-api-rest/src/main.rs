//! Runs the orders API on 127.0.0.1:3000 (or `ORDERS_ADDR`). Everything worth testing
//! lives in the library; this file only wires it to a socket and a logger.

use std::sync::Arc;

use api_rest::clock::SystemClock;
use api_rest::cursor::CursorKey;
use api_rest::{AppState, Config, app};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().init();
    // A real deployment reads the key from its secret store; a fixed one would let
    // anyone who read this file forge cursors.
    let secret = std::env::var("CURSOR_KEY").unwrap_or_else(|_| format!("dev-{}", std::process::id()));
    let state = AppState::new(Config::new(CursorKey::new(secret.into_bytes())), Arc::new(SystemClock));
    let addr = std::env::var("ORDERS_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{}, contract at /openapi.json", listener.local_addr()?);
    axum::serve(listener, app(state)).await
}
