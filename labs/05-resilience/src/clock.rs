//! Time as a dependency. Everything in this crate that waits or reads the time asks a
//! [`Clock`], so tests can run hours of backoff and cool-downs in microseconds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ANCHOR: clock
/// A future that sleeps, boxed so that `Clock` can be used as `dyn Clock`.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
    fn sleep(&self, duration: Duration) -> Sleep;
}

/// The real clock: the system's monotonic time and tokio's timer.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}
// ANCHOR_END: clock

/// A clock for tests: time moves only when told to, and every sleep returns at once
/// after moving time forward by its duration. It remembers the sleeps it was asked for.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    state: Mutex<ManualState>,
}

#[derive(Debug, Default)]
struct ManualState {
    elapsed: Duration,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self { start: Instant::now(), state: Mutex::new(ManualState::default()) }
    }

    /// Moves time forward, as if `by` had passed.
    pub fn advance(&self, by: Duration) {
        self.with_state(|s| s.elapsed += by);
    }

    /// Every sleep asked for so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.with_state(|s| s.sleeps.clone())
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut ManualState) -> T) -> T {
        // A test clock: a poisoned lock only follows a panic that already failed the test.
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state)
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: manual_clock
impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.with_state(|s| s.elapsed)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        self.with_state(|s| {
            s.sleeps.push(duration);
            s.elapsed += duration;
        });
        Box::pin(std::future::ready(()))
    }
}
// ANCHOR_END: manual_clock
