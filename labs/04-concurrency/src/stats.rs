//! Shared counters behind a `std::sync::Mutex`, updated from async code. The guard
//! must be gone before the next `.await`.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio::sync::mpsc;

/// Page visits, and an audit trail of each one sent to another task.
pub struct Stats {
    visits: Mutex<HashMap<String, u64>>,
    audit: mpsc::Sender<String>,
}

impl Stats {
    pub fn new(audit: mpsc::Sender<String>) -> Self {
        Self { visits: Mutex::new(HashMap::new()), audit }
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
        self.visits.lock().unwrap_or_else(PoisonError::into_inner).get(page).copied().unwrap_or(0)
    }
}
