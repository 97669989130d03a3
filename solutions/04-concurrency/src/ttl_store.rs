//! A key-value store whose entries expire. Time is passed in, so a property test can
//! drive it through thousands of steps against a simple model.

use std::collections::HashMap;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct TtlStore {
    entries: HashMap<String, (String, Instant)>,
}

// ANCHOR: ttl_store
impl TtlStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` under `key` until `now + ttl`, replacing any earlier value.
    pub fn insert(&mut self, key: &str, value: &str, ttl: Duration, now: Instant) {
        self.entries.insert(key.to_owned(), (value.to_owned(), now + ttl));
    }

    /// The value, if it has not expired. An entry expires at its deadline exactly.
    pub fn get(&self, key: &str, now: Instant) -> Option<&str> {
        self.entries.get(key).filter(|(_, expires)| now < *expires).map(|(value, _)| value.as_str())
    }

    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.entries.remove(key).map(|(value, _)| value)
    }

    /// Drops expired entries, so memory does not grow with keys nobody reads again.
    pub fn purge_expired(&mut self, now: Instant) {
        self.entries.retain(|_, (_, expires)| now < *expires);
    }

    /// Entries held, expired or not (until purged).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
// ANCHOR_END: ttl_store
