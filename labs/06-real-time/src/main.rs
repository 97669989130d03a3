//! Runs the chat room. Everything worth testing lives in the library; this file only
//! wires it to a socket, a logger and the process's signals.

use std::collections::HashMap;
use std::time::Duration;

use real_time::shutdown::terminate_signal;
use real_time::{AppState, Config, Drained, serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    // Loopback by default: exposing a server to the network is a decision, not a default.
    let addr = std::env::var("CHAT_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    // A demo token; chapter 03 issues real ones.
    let config = Config {
        tokens: HashMap::from([("demo-token".to_owned(), "demo".to_owned())]),
        allowed_origins: vec![format!("http://{local}")],
        ..Config::default()
    };
    tracing::info!("listening on http://{local} (token: demo-token)");
    match serve(listener, AppState::new(config), terminate_signal(), Duration::from_secs(10)).await? {
        Drained::Gracefully => tracing::info!("stopped"),
        Drained::DeadlineExceeded => tracing::warn!("stopped with connections still open"),
    }
    Ok(())
}
