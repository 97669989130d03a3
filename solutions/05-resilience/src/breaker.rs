//! A circuit breaker: after enough consecutive failures it stops calling the upstream
//! for a cool-down, then lets exactly one probe through to see whether it recovered.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::seam::{Guard, Lock, UnlockHook};

#[derive(Clone, Copy, Debug)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub failure_threshold: u32,
    /// How long it stays open before it lets a probe through.
    pub open_for: Duration,
}

/// The breaker's state, as the outside sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    /// The cool-down is over and one probe is in flight.
    HalfOpen,
}

/// The answer to a caller while the breaker is open (or probing): do not call.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the circuit is open: the upstream is not being called")]
pub struct Rejected;

#[derive(Debug)]
enum State {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen,
}

/// What the lock guards: the state, and how many times the breaker has opened.
#[derive(Debug)]
struct Shared {
    state: State,
    /// Bumped each time the breaker opens. A permit remembers the epoch it was issued in,
    /// so that a slow call's result cannot be mistaken for news about a later period.
    epoch: u64,
}

pub struct CircuitBreaker {
    config: BreakerConfig,
    clock: Arc<dyn Clock>,
    shared: Lock<Shared>,
}

// ANCHOR: permit
/// Permission for one call. Report how it went with `succeeded` or `failed`. A probe
/// dropped without a report counts as a failure (it proved nothing, and the breaker
/// must not stay half-open forever); any other permit dropped without a report is
/// ignored: a client that went away says nothing about the upstream.
#[must_use = "report the call's outcome with succeeded() or failed()"]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    /// The breaker's epoch when this permit was issued.
    epoch: u64,
    reported: bool,
}

impl Permit<'_> {
    pub fn succeeded(mut self) {
        self.reported = true;
        self.breaker.on_result(self.epoch, self.probe, true);
    }

    pub fn failed(mut self) {
        self.reported = true;
        self.breaker.on_result(self.epoch, self.probe, false);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.reported && self.probe {
            self.breaker.on_result(self.epoch, true, false);
        }
    }
}
// ANCHOR_END: permit

impl CircuitBreaker {
    pub fn new(config: BreakerConfig, clock: Arc<dyn Clock>) -> Self {
        Self::with_lock(config, clock, None)
    }

    /// A breaker that calls `after_unlock` each time its lock is released: a test seam
    /// (see [`crate::seam`]) that lets a test hold a caller between two critical sections.
    pub fn with_unlock_hook(config: BreakerConfig, clock: Arc<dyn Clock>, after_unlock: UnlockHook) -> Self {
        Self::with_lock(config, clock, Some(after_unlock))
    }

    fn with_lock(config: BreakerConfig, clock: Arc<dyn Clock>, after_unlock: Option<UnlockHook>) -> Self {
        let shared = Shared { state: State::Closed { failures: 0 }, epoch: 0 };
        Self { config, clock, shared: Lock::new(shared, after_unlock) }
    }

    pub fn state(&self) -> BreakerState {
        match self.lock().state {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen => BreakerState::HalfOpen,
        }
    }

    // ANCHOR: try_acquire
    /// Asks to call the upstream. The check and the change of state happen under one
    /// lock, so among callers that arrive together after the cool-down exactly one
    /// becomes the probe.
    pub fn try_acquire(&self) -> Result<Permit<'_>, Rejected> {
        let mut shared = self.lock();
        let probe = match shared.state {
            State::Closed { .. } => false,
            State::Open { until } if self.clock.now() >= until => {
                shared.state = State::HalfOpen;
                true
            }
            State::Open { .. } | State::HalfOpen => return Err(Rejected),
        };
        Ok(Permit { breaker: self, probe, epoch: shared.epoch, reported: false })
    }

    fn on_result(&self, epoch: u64, probe: bool, success: bool) {
        let mut shared = self.lock();
        // A call that started before the breaker last opened says nothing about now: its
        // failure must not count against a breaker that has closed again since, and its
        // success must not close one that is open.
        if epoch != shared.epoch {
            return;
        }
        let next = match (&shared.state, probe, success) {
            // The probe decides: the upstream is back, or it is not.
            (State::HalfOpen, true, true) => State::Closed { failures: 0 },
            (State::Closed { .. }, false, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false, false) if failures + 1 < self.config.failure_threshold => {
                State::Closed { failures: failures + 1 }
            }
            (State::HalfOpen, true, false) | (State::Closed { .. }, false, false) => {
                State::Open { until: self.clock.now() + self.config.open_for }
            }
            // A result of this epoch that fits no state: leave everything as it is.
            _ => return,
        };
        if matches!(next, State::Open { .. }) {
            shared.epoch += 1;
        }
        shared.state = next;
    }
    // ANCHOR_END: try_acquire

    fn lock(&self) -> Guard<'_, Shared> {
        // The state is always whole (each change is a single assignment), so a panic
        // elsewhere while holding the lock cannot have left it half-written: the seam's
        // lock ignores poisoning.
        self.shared.lock()
    }
}
