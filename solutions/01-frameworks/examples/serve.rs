//! Runs the reference task API: `cargo run -p frameworks-solution --example serve`.
//! Everything worth testing lives in the library; this file only wires it to a socket,
//! a logger and the process's signals. (It is an example rather than `src/main.rs` so
//! that the solution's `src/` can be copied over the lab's as it is.)

use std::time::Duration;

use frameworks_solution::{AppState, Drained, app, serve, shutdown::terminate_signal};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

// ANCHOR: main
#[tokio::main]
async fn main() -> std::io::Result<()> {
    // The trace layer logs each request and its response at debug level, under the
    // `tower_http` target: without that directive the default shows no request at all.
    let default_filter = || EnvFilter::new("info,tower_http=debug");
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter()))
        .init();
    // Loopback by default: exposing a server to the network is a decision, not a default.
    let addr = std::env::var("TASKS_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    match serve(listener, app(AppState::in_memory()), terminate_signal(), Duration::from_secs(10)).await? {
        Drained::Gracefully => tracing::info!("stopped"),
        Drained::DeadlineExceeded => tracing::warn!("stopped with requests still running"),
    }
    Ok(())
}
// ANCHOR_END: main
