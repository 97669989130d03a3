//! The server: the Orders service behind its interceptor, and the health service, on a
//! listener the caller has bound (port 0 in tests).

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::interceptors::{self, AuthToken};
use crate::pb::orders_server::OrdersServer;
use crate::service::OrdersService;
use crate::store::OrderStore;
use crate::warehouse::Warehouse;

#[derive(Debug, Clone)]
pub struct Config {
    /// The longest a call may take: its deadline when the caller sets none, and the cap
    /// on a caller's own.
    pub deadline_limit: Duration,
    /// The token callers must present; `None` turns authentication off (steps 1 to 5).
    pub auth: Option<AuthToken>,
}

impl Default for Config {
    fn default() -> Self {
        Self { deadline_limit: Duration::from_secs(5), auth: None }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<OrderStore>,
    pub warehouse: Arc<dyn Warehouse>,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(config: Config, warehouse: Arc<dyn Warehouse>) -> Self {
        Self { store: Arc::new(OrderStore::new()), warehouse, config: Arc::new(config) }
    }
}

// ANCHOR: serve
/// Serves until the listener fails. The health service is outside the interceptor: a
/// load balancer's probe carries no token.
pub async fn serve(listener: TcpListener, state: AppState) -> Result<(), tonic::transport::Error> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_serving::<OrdersServer<OrdersService>>().await;
    let token = state.config.auth.clone();
    let orders = OrdersServer::with_interceptor(OrdersService::new(state), move |request| match &token {
        Some(token) => interceptors::authenticate(token, request),
        None => Ok(request),
    });
    Server::builder()
        .add_service(health)
        .add_service(orders)
        .serve_with_incoming(TcpIncoming::from(listener))
        .await
}
// ANCHOR_END: serve
