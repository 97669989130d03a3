//! How many streams are open right now: a gauge that must come back to zero when the
//! clients leave, however they leave.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::state::AppState;

/// The open connections of one instance (WebSockets, SSE streams, long polls).
#[derive(Debug)]
pub struct Registry {
    open: watch::Sender<usize>,
}

/// One open connection. The count goes down when this is dropped.
#[derive(Debug)]
pub struct ConnectionGuard {
    registry: Arc<Registry>,
}

impl Registry {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { open: watch::Sender::new(0) })
    }

    /// The gauge: how many connections are open now.
    pub fn open(&self) -> usize {
        *self.open.borrow()
    }

    // ANCHOR: registry
    /// Counts a connection as open until the returned guard is dropped.
    pub fn enter(self: &Arc<Self>) -> ConnectionGuard {
        self.open.send_modify(|open| *open += 1);
        ConnectionGuard { registry: self.clone() }
    }

    /// Returns once no connection is open.
    pub async fn wait_idle(&self) {
        // `wait_for` looks at the current value first, so a registry that is already
        // idle returns at once, and a decrement between two looks is never missed.
        let _ = self.open.subscribe().wait_for(|open| *open == 0).await;
    }
}

impl Drop for ConnectionGuard {
    // Drop runs on every way out: a return, a `?`, a panic, a task that is cancelled.
    fn drop(&mut self) {
        self.registry.open.send_modify(|open| *open = open.saturating_sub(1));
    }
}
// ANCHOR_END: registry

/// `GET /metrics`: the gauge, for dashboards and for the tests.
pub async fn metrics_handler(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "open_connections": state.registry.open() }))
}
