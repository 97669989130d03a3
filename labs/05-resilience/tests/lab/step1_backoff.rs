//! Step 1: exponential backoff with full jitter, a pure function.
//! Read «Backoff with jitter».

use std::time::Duration;

use proptest::prelude::*;
use resilience::backoff::Backoff;

use super::support::BACKOFF;

const SECTION: &str = "Backoff with jitter (book/05-resilience/backoff.md)";

const MS: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn the_envelope_doubles_from_the_base() {
    let envelopes: Vec<Duration> = (0..4).map(|attempt| BACKOFF.envelope(attempt)).collect();
    assert_eq!(
        envelopes,
        [MS(100), MS(200), MS(400), MS(800)],
        "with base 100 ms the envelope is 100, 200, 400, 800 ms for retries 0..4. Read «{SECTION}»."
    );
}

#[test]
fn the_envelope_is_capped() {
    assert_eq!(
        BACKOFF.envelope(5),
        Duration::from_secs(2),
        "100 ms × 2^5 = 3.2 s is over the 2 s cap. Read «{SECTION}»."
    );
    // A panic (`2u32.pow(1000)` or `Duration * u32` overflowing) is caught here, so that
    // this test says what was expected instead of the standard library's "attempt to
    // multiply with overflow".
    let far = std::panic::catch_unwind(|| BACKOFF.envelope(1_000));
    assert!(
        far.is_ok(),
        "envelope(1000) panicked: 2^1000 fits in no integer type, so compute it with \
         overflow-aware arithmetic (`checked_pow`, `checked_mul`), where too big means the cap. Read «{SECTION}»."
    );
    assert_eq!(
        far.ok(),
        Some(Duration::from_secs(2)),
        "retry 1000 must not overflow (or panic): it is simply capped. Read «{SECTION}»."
    );
}

#[test]
fn the_delay_is_full_jitter() {
    let envelope = BACKOFF.envelope(3);
    assert_eq!(
        BACKOFF.delay(3, 0.0),
        Duration::ZERO,
        "a sample of 0.0 waits 0: full jitter starts at zero. Read «{SECTION}»."
    );
    assert_eq!(
        BACKOFF.delay(3, 0.5),
        envelope / 2,
        "a sample of 0.5 waits half the envelope. Read «{SECTION}»."
    );
    assert!(BACKOFF.delay(3, 0.99) < envelope, "a sample below 1.0 waits less than the envelope");
}

#[test]
fn clients_that_failed_together_do_not_retry_together() {
    assert_ne!(
        BACKOFF.delay(2, 0.1),
        BACKOFF.delay(2, 0.9),
        "two clients with different random samples must wait different times; without jitter they retry in lockstep and hit the upstream together. Read «{SECTION}»."
    );
}

// ANCHOR: properties
proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_delay_is_within_the_envelope(attempt in 0u32..200, random in 0.0f64..1.0, base_ms in 1u64..1_000, cap_ms in 1u64..60_000) {
        let backoff = Backoff { base: MS(base_ms), cap: MS(cap_ms) };
        let delay = backoff.delay(attempt, random);
        prop_assert!(delay <= backoff.envelope(attempt), "delay {delay:?} above the envelope {:?}. Read «{SECTION}».", backoff.envelope(attempt));
        prop_assert!(backoff.envelope(attempt) <= backoff.cap, "envelope {:?} above the cap {cap_ms} ms. Read «{SECTION}».", backoff.envelope(attempt));
    }

    #[test]
    fn the_envelope_grows_until_the_cap(attempt in 0u32..200, base_ms in 1u64..1_000, cap_ms in 1u64..60_000) {
        let backoff = Backoff { base: MS(base_ms), cap: MS(cap_ms) };
        let (now, next) = (backoff.envelope(attempt), backoff.envelope(attempt + 1));
        prop_assert!(next >= now, "the envelope shrank from {now:?} to {next:?}. Read «{SECTION}».");
        prop_assert!(next == backoff.cap || next == now * 2, "after {now:?} comes double or the cap, not {next:?}. Read «{SECTION}».");
    }
}
// ANCHOR_END: properties
