//! Runs the orders service on 127.0.0.1:50051 (or `ORDERS_ADDR`). Everything worth
//! testing lives in the library; this file only wires it to a socket and a logger.

use std::sync::Arc;

use api_grpc::interceptors::AuthToken;
use api_grpc::warehouse::AlwaysInStock;
use api_grpc::{AppState, Config, serve};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    // A real deployment reads the token from its secret store; without one, calls
    // need no token (the health service never does).
    let auth = std::env::var("ORDERS_TOKEN").ok().map(|token| AuthToken::new(&token));
    let state = AppState::new(Config { auth, ..Config::default() }, Arc::new(AlwaysInStock));
    for item in ["green tea", "oolong", "sencha"] {
        state.store.insert(item, 1);
    }
    let addr = std::env::var("ORDERS_ADDR").unwrap_or_else(|_| "127.0.0.1:50051".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    tracing::info!("gRPC on http://{} (orders.v1.Orders, grpc.health.v1.Health)", listener.local_addr()?);
    serve(listener, state).await?;
    Ok(())
}
