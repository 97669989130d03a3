//! Exponential backoff with full jitter, as a pure function: no clock, no randomness
//! of its own. The caller passes the random sample, so the rule can be tested exactly.

use std::time::Duration;

/// Delays between retries: an envelope that doubles from `base` up to `cap`, and a
/// delay drawn uniformly from zero to the envelope ("full jitter").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

// ANCHOR: backoff
impl Backoff {
    /// The longest delay before retry number `attempt` (0 is the first retry):
    /// `base * 2^attempt`, never more than `cap`, and never an overflow.
    pub fn envelope(&self, attempt: u32) -> Duration {
        todo!(
            "step 1: base * 2^attempt, capped at `cap`, without overflowing. Read book/05-resilience/backoff.md"
        )
    }

    /// The delay before retry number `attempt`, given `random`, a sample from [0, 1).
    /// Full jitter spreads clients that failed together over the whole envelope, so
    /// they do not come back together.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        todo!(
            "step 1: full jitter: a delay between zero and the envelope, picked by `random`. Read book/05-resilience/backoff.md"
        )
    }
}
// ANCHOR_END: backoff
