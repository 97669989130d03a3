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
        // One guard for the read and the write: released in between, it would let
        // another visit read the same old count. And it lives only inside this block:
        // holding a std guard across the `.await` below would make this future
        // `!Send` (axum refuses it), and could block a worker thread while another
        // task waits for the lock.
        let count = {
            let mut visits = self.visits.lock();
            let count = visits.entry(page.to_owned()).or_insert(0);
            *count += 1;
            *count
        };
        // A closed audit channel means shutdown is under way: the count still stands.
        let _ = self.audit.send(format!("{page} {count}")).await;
        count
    }
    // ANCHOR_END: record_visit

    pub fn visits(&self, page: &str) -> u64 {
        self.visits.lock().get(page).copied().unwrap_or(0)
    }
}
