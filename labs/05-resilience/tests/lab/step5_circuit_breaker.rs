//! Step 5: a circuit breaker on an injected clock. Read «Circuit breakers».

use std::sync::{Arc, Barrier};
use std::time::Duration;

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
                panic!("the breaker refused a call before it had seen {times} failures. Read «{SECTION}».")
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
    assert!(probe.is_ok(), "after the cool-down, one call goes through as a probe. Read «{SECTION}».");
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
#[test]
fn concurrent_callers_get_exactly_one_probe() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    let breaker = Arc::new(breaker);
    let start = Arc::new(Barrier::new(16));
    let admitted: usize = (0..16)
        .map(|_| {
            let (breaker, start) = (breaker.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                // Hold the permit until every thread has asked.
                let permit = breaker.try_acquire();
                start.wait();
                usize::from(permit.is_ok())
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap_or(0))
        .sum();
    assert_eq!(
        admitted, 1,
        "16 callers arrived together after the cool-down; {admitted} were admitted, not 1. Read «{SECTION}»."
    );
}
// ANCHOR_END: concurrent

#[test]
fn a_successful_probe_closes_it() {
    let (breaker, clock) = opened();
    clock.advance(CONFIG.open_for);
    if let Ok(probe) = breaker.try_acquire() {
        probe.succeeded();
    }
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
    if let Ok(probe) = breaker.try_acquire() {
        probe.failed();
    }
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
