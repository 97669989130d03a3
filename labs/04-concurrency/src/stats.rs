//! Shared counters behind a `std::sync::Mutex`, updated from async code. The guard
//! must be gone before the next `.await`.

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::seam::{Lock, UnlockHook};

/// Page visits, and an audit trail of each one sent to another task.
pub struct Stats {
    /// A `std::sync::Mutex` in a test seam: see `seam`.
    visits: Lock<HashMap<String, u64>>,
    audit: mpsc::Sender<String>,
}

impl Stats {
    pub fn new(audit: mpsc::Sender<String>) -> Self {
        Self { visits: Lock::new(HashMap::new(), None), audit }
    }

    /// Stats whose lock calls `after_unlock` each time it is released, so that a test
    /// can hold a visit's thread between two uses of the lock. Nothing in a server
    /// sets one.
    pub fn with_unlock_hook(audit: mpsc::Sender<String>, after_unlock: UnlockHook) -> Self {
        Self { visits: Lock::new(HashMap::new(), Some(after_unlock)), audit }
    }

    // ANCHOR: record_visit
    /// Counts a visit to `page`, then tells the audit task. Returns the new count.
    pub async fn record_visit(&self, page: &str) -> u64 {
        todo!(
            "step 3: count the visit and audit it as \"<page> <count>\"; no visit may wait for another one's audit. Read book/04-concurrency/locks.md"
        )
    }
    // ANCHOR_END: record_visit

    pub fn visits(&self, page: &str) -> u64 {
        self.visits.lock().get(page).copied().unwrap_or(0)
    }
}
