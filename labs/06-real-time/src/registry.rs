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
        todo!(
            "step 8: count one more open connection, until the guard is dropped. Read book/06-real-time/lifecycle.md"
        )
    }

    /// Returns once no connection is open.
    pub async fn wait_idle(&self) {
        todo!(
            "step 8: return once the gauge is 0 (at once if it already is). Read book/06-real-time/lifecycle.md"
        )
    }
}

impl Drop for ConnectionGuard {
    // Drop runs on every way out: a return, a `?`, a panic, a task that is cancelled.
    fn drop(&mut self) {
        todo!("step 8: one connection fewer, on every way out. Read book/06-real-time/lifecycle.md")
    }
}
// ANCHOR_END: registry

/// `GET /metrics`: the gauge, for dashboards and for the tests.
pub async fn metrics_handler(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "open_connections": state.registry.open() }))
}
