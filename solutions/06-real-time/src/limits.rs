//! A per-connection rate limit. One client on one socket can send thousands of frames a
//! second; the limit is per connection because the connection is what it abuses.

use std::time::{Duration, Instant};

/// `burst` messages at once, then one more every `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub burst: u32,
    pub per: Duration,
}

/// The limit of one connection. It reads no clock: the caller passes `now`, so the
/// tests can pass any instant they like.
#[derive(Debug)]
pub struct RateLimit {
    quota: Quota,
    /// The theoretical arrival time of the next message (GCRA, as in chapter 05).
    tat: Option<Instant>,
}

impl RateLimit {
    pub fn new(quota: Quota) -> Self {
        Self { quota, tat: None }
    }

    // ANCHOR: allow
    /// Whether a message that arrives at `now` is within the quota. A refused message
    /// costs nothing.
    pub fn allow(&mut self, now: Instant) -> bool {
        let tolerance = self.quota.per * self.quota.burst.saturating_sub(1);
        // A quiet connection starts from now: idle time is not banked as credit.
        let tat = self.tat.map_or(now, |tat| tat.max(now));
        if tat.saturating_duration_since(now) > tolerance || self.quota.burst == 0 {
            return false;
        }
        self.tat = Some(tat + self.quota.per);
        true
    }
    // ANCHOR_END: allow
}
