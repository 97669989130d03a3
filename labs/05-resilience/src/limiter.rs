//! A rate limiter per client key, with GCRA (the generic cell rate algorithm): one
//! timestamp per key, no background refill, exact `Retry-After` answers.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

// ANCHOR: quota
/// How much a key may do: `per_second` requests a second on average, and up to `burst`
/// at once after a quiet period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub per_second: u32,
    pub burst: u32,
}

impl Quota {
    /// The time one request "costs": the spacing of requests at the average rate.
    pub fn emission_interval(&self) -> Duration {
        Duration::from_secs(1) / self.per_second.max(1)
    }
}
// ANCHOR_END: quota

/// A refused request, and when the same key may try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

#[derive(Debug)]
pub struct RateLimiter {
    quota: Quota,
    /// Per key, the theoretical arrival time (TAT): where the key's schedule stands. Once
    /// it is no later than now, the key's whole burst is available again.
    tat: Mutex<HashMap<String, Instant>>,
}

// ANCHOR: check
impl RateLimiter {
    pub fn new(quota: Quota) -> Self {
        Self { quota, tat: Mutex::new(HashMap::new()) }
    }

    /// Admits or refuses one request of `key` arriving at `now`.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Limited> {
        todo!(
            "step 8: GCRA per key: admit if the key's schedule is within the burst of now; else say how long to wait. Read book/05-resilience/rate-limiting.md"
        )
    }
}
// ANCHOR_END: check
