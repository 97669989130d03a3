//! Step 5: a circuit breaker on an injected clock. Read «Circuit breakers».

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use resilience::breaker::{BreakerConfig, BreakerState, CircuitBreaker};
use resilience::clock::ManualClock;

const SECTION: &str = "Circuit breakers (book/05-resilience/circuit-breaker.md)";

const CONFIG: BreakerConfig = BreakerConfig { failure_threshold: 3, open_for: Duration::from_secs(30) };

fn breaker() -> (CircuitBreaker, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    (CircuitBreaker::new(CONFIG, clock.clone()), clock)
}

fn fail(breaker: &CircuitBreaker, times: u32) {
    for _ in 0..times {
        match breaker.try_acquire() {
            Ok(permit) => permit.failed(),
            Err(_) => {
                panic!(
                    "the breaker refused a call while it was still meant to be closed (fewer than {} failures in a row). Read «{SECTION}».",
                    CONFIG.failure_threshold
                )
            }
        }
    }
}

/// A breaker that has just opened, and the clock it runs on.
fn opened() -> (CircuitBreaker, Arc<ManualClock>) {
    let (breaker, clock) = breaker();
    fail(&breaker, 3);
    (breaker, clock)
}

#[test]
fn a_closed_breaker_lets_calls_through() {
    let (breaker, _) = breaker();
    assert_eq!(breaker.state(), BreakerState::Closed);
    let permit = breaker.try_acquire();
    assert!(permit.is_ok(), "a new breaker is closed: calls go through. Read «{SECTION}».");
    if let Ok(permit) = permit {
        permit.succeeded();
    }
}

#[test]
fn consecutive_failures_open_it() {
    let (breaker, _) = opened();
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "3 consecutive failures (the threshold) open the breaker. Read «{SECTION}»."
    );
    assert!(breaker.try_acquire().is_err(), "an open breaker refuses calls at once. Read «{SECTION}».");
}

#[test]
fn a_success_resets_the_count() {
    let (breaker, _) = breaker();
    fail(&breaker, 2);
    if let Ok(permit) = breaker.try_acquire() {
        permit.succeeded();
    }
    fail(&breaker, 2);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "failures must be consecutive: 2, a success, 2 more is not 3 in a row. Read «{SECTION}»."
    );
}

#[test]
fn it_stays_open_for_the_cool_down() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for - Duration::from_millis(1));
    assert!(
        breaker.try_acquire().is_err(),
        "1 ms before the cool-down ends, the breaker still refuses. Read «{SECTION}»."
    );
}

#[test]
fn half_open_lets_exactly_one_probe_through() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    let probe = breaker.try_acquire();
    assert!(
        probe.is_ok(),
        "at exactly `until` (open_for after the failure that opened it) the cool-down is over: this caller is the \
         probe (`now >= until`). Read «{SECTION}»."
    );
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    for caller in 2..=5 {
        assert!(
            breaker.try_acquire().is_err(),
            "caller {caller} was let through while the probe was in flight: half-open admits exactly one. Read «{SECTION}»."
        );
    }
    drop(probe);
}

// ANCHOR: concurrent
const CALLERS: usize = 16;

/// Forces the race instead of hoping for it. Installed as the breaker's unlock hook
/// (`resilience::seam`) and armed, it holds every thread that releases the breaker's lock
/// until `CALLERS` releases have happened: code that checks under one lock and switches
/// under another is then caught with every caller between the two, on every run. Code
/// that does both under one lock is not affected. A deadline, 3 s after `arm` (never
/// reached by a working breaker), keeps a broken one from hanging the test.
#[derive(Default)]
struct Rendezvous {
    /// When it was armed, and how many releases it has seen since.
    state: Mutex<(Option<Instant>, usize)>,
    changed: Condvar,
}

impl Rendezvous {
    fn arm(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = Some(Instant::now());
    }

    fn released(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(armed_at) = state.0 else {
            return;
        };
        state.1 += 1;
        self.changed.notify_all();
        let left = (armed_at + Duration::from_secs(3)).saturating_duration_since(Instant::now());
        let _held = self.changed.wait_timeout_while(state, left, |state| state.1 < CALLERS);
    }
}

#[test]
fn concurrent_callers_get_exactly_one_probe() {
    let rendezvous = Arc::new(Rendezvous::default());
    let hook = Arc::clone(&rendezvous);
    let clock = Arc::new(ManualClock::new());
    let breaker = CircuitBreaker::with_unlock_hook(CONFIG, clock.clone(), Arc::new(move || hook.released()));
    fail(&breaker, 3);
    clock.advance(CONFIG.open_for);
    rendezvous.arm();
    // No caller gets past its first release of the lock before every caller has released
    // it once: every one of them has asked before any permit is dropped.
    let admitted = std::thread::scope(|scope| {
        let callers: Vec<_> = (0..CALLERS).map(|_| scope.spawn(|| breaker.try_acquire().is_ok())).collect();
        callers
            .into_iter()
            .map(|caller| {
                caller.join().unwrap_or_else(|_| {
                    panic!("try_acquire panicked in a concurrent caller (see above). Read «{SECTION}».")
                })
            })
            .filter(|&admitted| admitted)
            .count()
    });
    assert_eq!(
        admitted, 1,
        "{CALLERS} callers arrived together after the cool-down; {admitted} were admitted, not 1: deciding that \
         the cool-down is over and switching to half-open must be one critical section. Read «{SECTION}»."
    );
}
// ANCHOR_END: concurrent

#[test]
fn a_successful_probe_closes_it() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    let probe = breaker
        .try_acquire()
        .unwrap_or_else(|_| panic!("after the cool-down a probe is admitted. Read «{SECTION}»."));
    probe.succeeded();
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "the probe succeeded: the upstream is back, close. Read «{SECTION}»."
    );
}

#[test]
fn a_failed_probe_opens_it_for_another_cool_down() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    let probe = breaker
        .try_acquire()
        .unwrap_or_else(|_| panic!("after the cool-down a probe is admitted. Read «{SECTION}»."));
    probe.failed();
    assert_eq!(breaker.state(), BreakerState::Open, "the probe failed: open again. Read «{SECTION}».");
    clock.advance(CONFIG.open_for - Duration::from_millis(1));
    assert!(
        breaker.try_acquire().is_err(),
        "a full new cool-down starts at the failed probe. Read «{SECTION}»."
    );
}

#[test]
fn a_probe_dropped_without_a_result_counts_as_a_failure() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    let probe = breaker.try_acquire();
    assert!(probe.is_ok());
    drop(probe);
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "a probe whose caller was cancelled proved nothing: treat it as a failure, or the breaker stays half-open forever. Read «{SECTION}»."
    );
}

#[test]
fn a_caller_that_goes_away_is_not_a_failure() {
    let (breaker, _) = breaker();
    for _ in 0..5 {
        let permit = breaker.try_acquire();
        assert!(permit.is_ok(), "a closed breaker lets calls through");
        // The caller was cancelled (a client disconnected) before the call finished.
        drop(permit);
    }
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "callers that went away said nothing about the upstream: five of them must not open the breaker. Read «{SECTION}»."
    );
}

#[test]
fn a_late_failure_does_not_count_against_a_breaker_that_closed_again() {
    let (breaker, clock) = breaker();
    // A slow call starts while the breaker is closed...
    let slow = breaker.try_acquire().unwrap_or_else(|_| panic!("a new breaker is closed. Read «{SECTION}»."));
    // ...and while it runs, three other calls fail, the breaker opens, and a probe closes it.
    fail(&breaker, 3);
    clock.advance(CONFIG.open_for);
    match breaker.try_acquire() {
        Ok(probe) => probe.succeeded(),
        Err(_) => panic!("after the cool-down a probe is admitted. Read «{SECTION}»."),
    }
    slow.failed();
    fail(&breaker, 2);
    assert_eq!(
        breaker.state(),
        BreakerState::Closed,
        "the slow call started before the breaker opened and failed after it closed again: its failure is old news. \
         Counted against the fresh closed state, it makes 2 new failures open the breaker (threshold 3). Read «{SECTION}»."
    );
}

#[test]
fn a_late_success_does_not_close_an_open_breaker() {
    let (breaker, clock) = breaker();
    let slow = breaker.try_acquire().unwrap_or_else(|_| panic!("a new breaker is closed. Read «{SECTION}»."));
    let slower =
        breaker.try_acquire().unwrap_or_else(|_| panic!("a new breaker is closed. Read «{SECTION}»."));
    fail(&breaker, 3);
    slow.succeeded();
    assert_eq!(
        breaker.state(),
        BreakerState::Open,
        "a call that started before the breaker opened succeeded afterwards: it says nothing about the upstream now, \
         and must not close the breaker. Read «{SECTION}»."
    );
    clock.advance(CONFIG.open_for);
    let probe = breaker.try_acquire();
    assert!(probe.is_ok(), "after the cool-down a probe is admitted. Read «{SECTION}».");
    slower.succeeded();
    assert_eq!(
        breaker.state(),
        BreakerState::HalfOpen,
        "only the probe decides a half-open breaker; a late success from before the breaker opened does not. Read «{SECTION}»."
    );
    assert!(
        breaker.try_acquire().is_err(),
        "the probe is still out: other callers are still refused. Read «{SECTION}»."
    );
    if let Ok(probe) = probe {
        probe.failed();
    }
    assert_eq!(breaker.state(), BreakerState::Open, "the probe failed: open again. Read «{SECTION}».");
}
