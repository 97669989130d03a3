//! Time as a dependency. Token expiry, the JWKS refresh floor and session expiry all ask
//! a [`Clock`], so the tests can move an hour forward in a microsecond, without sleeping.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ANCHOR: clock
/// Wall-clock time: JWT claims are seconds since the Unix epoch, so a monotonic
/// `Instant` would not do here.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;

    /// Seconds since the Unix epoch, the unit of `exp`, `nbf` and `iat` (RFC 7519 §2).
    fn unix_seconds(&self) -> u64 {
        self.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }
}
// ANCHOR_END: clock

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock for tests: time moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<SystemTime>,
}

impl ManualClock {
    /// A clock that reads `unix_seconds` after the epoch.
    pub fn at(unix_seconds: u64) -> Self {
        Self { now: Mutex::new(UNIX_EPOCH + Duration::from_secs(unix_seconds)) }
    }

    /// Moves time forward, as if `by` had passed.
    pub fn advance(&self, by: Duration) {
        // A test clock: a poisoned lock only follows a panic that already failed the test.
        let mut now = self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
