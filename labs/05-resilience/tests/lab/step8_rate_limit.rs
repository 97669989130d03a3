//! Step 8: a rate limiter per client key, its properties over time, and its 429.
//! Read «Rate limiting».

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use proptest::prelude::*;
use resilience::limiter::{Quota, RateLimiter};
use wiremock::MockServer;

use super::support::{GatedUpstream, get, rate, service, service_at, upstream_answers};

const SECTION: &str = "Rate limiting (book/05-resilience/rate-limiting.md)";

const QUOTA: Quota = Quota { per_second: 10, burst: 3 };

#[test]
fn a_burst_is_admitted_then_refused() {
    let limiter = RateLimiter::new(QUOTA);
    let now = Instant::now();
    for n in 1..=3 {
        assert!(
            limiter.check("alice", now).is_ok(),
            "request {n} of a burst of 3 is admitted. Read «{SECTION}»."
        );
    }
    let refused = limiter.check("alice", now);
    assert!(
        refused.is_err(),
        "the 4th request at the same instant is over the burst of 3. Read «{SECTION}»."
    );
}

#[test]
fn retry_after_is_exact() {
    let limiter = RateLimiter::new(QUOTA);
    let now = Instant::now();
    for _ in 0..3 {
        let _ = limiter.check("alice", now);
    }
    let Err(limited) = limiter.check("alice", now) else {
        panic!("the 4th request of a burst of 3 must be refused. Read «{SECTION}».");
    };
    assert_eq!(
        limited.retry_after,
        Duration::from_millis(100),
        "at 10/s the next slot opens in 100 ms. Read «{SECTION}»."
    );
    assert!(
        limiter.check("alice", now + limited.retry_after - Duration::from_millis(1)).is_err(),
        "1 ms before `retry_after` the request must still be refused, but the limiter admitted it before the \
         retry_after it gave: admit only when tat − now ≤ τ. Read «{SECTION}»."
    );
    assert!(
        limiter.check("alice", now + limited.retry_after).is_ok(),
        "at exactly `retry_after`, the request is admitted; a refusal must leave the key's TAT alone, or a client \
         that keeps asking pushes its own schedule out. Read «{SECTION}»."
    );
}

#[test]
fn keys_are_limited_separately() {
    let limiter = RateLimiter::new(QUOTA);
    let now = Instant::now();
    for _ in 0..4 {
        let _ = limiter.check("noisy", now);
    }
    assert!(
        limiter.check("quiet", now).is_ok(),
        "one client's burst must not use up another client's quota: keep one bucket per key. Read «{SECTION}»."
    );
}

#[test]
fn idle_time_is_not_banked() {
    let limiter = RateLimiter::new(QUOTA);
    let start = Instant::now();
    let _ = limiter.check("alice", start);
    let later = start + Duration::from_secs(3_600);
    let admitted = (0..10).filter(|_| limiter.check("alice", later).is_ok()).count();
    assert_eq!(
        admitted, 3,
        "after an hour of quiet, a client gets its burst (3), not an hour of saved-up requests. Read «{SECTION}»."
    );
}

// ANCHOR: properties
proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// In any one-second window, a key gets at most its burst plus a second's worth.
    #[test]
    fn no_window_admits_more_than_the_quota(mut offsets_ms in prop::collection::vec(0u64..5_000, 1..200)) {
        offsets_ms.sort_unstable();
        let limiter = RateLimiter::new(QUOTA);
        let start = Instant::now();
        let admitted: Vec<u64> = offsets_ms.iter().copied().filter(|ms| limiter.check("k", start + Duration::from_millis(*ms)).is_ok()).collect();
        let bound = (QUOTA.burst + QUOTA.per_second) as usize;
        for (i, first) in admitted.iter().enumerate() {
            let in_window = admitted[i..].iter().take_while(|t| **t < first + 1_000).count();
            prop_assert!(in_window <= bound, "{in_window} admitted in the second from {first} ms; the quota allows {bound}. Read «{SECTION}».");
        }
    }

    /// Whatever happened before, a refused client that waits `retry_after` is admitted.
    #[test]
    fn waiting_out_retry_after_always_works(mut offsets_ms in prop::collection::vec(0u64..2_000, 1..100)) {
        offsets_ms.sort_unstable();
        let limiter = RateLimiter::new(QUOTA);
        let start = Instant::now();
        let mut last = start;
        for ms in offsets_ms {
            last = start + Duration::from_millis(ms);
            let _ = limiter.check("k", last);
        }
        if let Err(limited) = limiter.check("k", last) {
            prop_assert!(limiter.check("k", last + limited.retry_after).is_ok(), "waited {:?} as told and was refused again. Read «{SECTION}».", limited.retry_after);
        }
    }
}
// ANCHOR_END: properties

#[tokio::test]
async fn over_quota_answers_429_with_retry_after() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    // Two a second: the next slot opens 500 ms after a refused burst.
    let (router, state, _) =
        service(&server, 0, |config, _| config.quota = Quota { per_second: 2, burst: 2 });
    for _ in 0..2 {
        let ok = get(&router, "/rates/EUR", "alice").await;
        assert_eq!(ok.status, StatusCode::OK, "within the quota: {:?}", ok.text());
    }
    let refused = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the 3rd request over a burst of 2 gets 429. Read «{SECTION}»."
    );
    assert_eq!(
        refused.header("retry-after"),
        Some("1"),
        "the next slot opens in 500 ms, and Retry-After counts whole seconds (RFC 9110 §10.2.3): rounded up, `1`. \
         `0` would send the client straight back to be refused again. Read «{SECTION}»."
    );
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json"),
        "the 429 is an RFC 9457 problem, like every error this service writes; got {:?} with body {:?}. Read «{SECTION}».",
        refused.header("content-type"),
        refused.text()
    );
    assert_eq!(
        get(&router, "/rates/EUR", "bob").await.status,
        StatusCode::OK,
        "bob has his own quota. Read «{SECTION}»."
    );
    assert_eq!(
        state.metrics.snapshot().rate_limited,
        1,
        "the refusal is counted in the metrics (`state.metrics.rate_limited()`). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_limit_runs_on_the_services_clock() {
    let server = MockServer::start().await;
    upstream_answers(&server, "EUR", rate("EUR", 1.08), None).await;
    // One a second, no burst: after a refusal, the next slot is one second away.
    let (router, _, clock) =
        service(&server, 0, |config, _| config.quota = Quota { per_second: 1, burst: 1 });
    let first = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(first.status, StatusCode::OK, "the first request is within the quota: {:?}", first.text());
    let refused = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "at one request a second with no burst, a second request at the same instant gets 429. Read «{SECTION}»."
    );
    clock.advance(Duration::from_secs(1));
    let later = get(&router, "/rates/EUR", "alice").await;
    assert_eq!(
        later.status,
        StatusCode::OK,
        "the service's clock moved on by the second the 429 asked for, and real time hardly did: the limiter must \
         read the time from the injected clock (`state.clock.now()`), not from `Instant::now()`. Got {:?}. Read \
         «{SECTION}».",
        later.text()
    );
}

#[tokio::test]
async fn the_quota_is_checked_before_a_slot_is_taken() {
    let upstream = GatedUpstream::start().await;
    let (router, _, _) = service_at(&upstream.url(), 0, |config, _| {
        config.quota = Quota { per_second: 1, burst: 1 };
        config.max_in_flight = 1;
    });
    let busy = {
        let router = router.clone();
        tokio::spawn(async move { get(&router, "/rates/EUR", "alice").await.status })
    };
    let reached = tokio::time::timeout(Duration::from_secs(2), async {
        while upstream.calls() < 1 && !busy.is_finished() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(
        reached.is_ok() && !busy.is_finished(),
        "alice's first request should be in flight. Read «{SECTION}»."
    );
    // Alice is over her quota, and the service is full: she must hear about her quota.
    let queued =
        format!("a client over its quota gets 429 at once, never a place in a queue. Read «{SECTION}».");
    let second = upstream.get_while_closed(&router, "/rates/EUR", "alice", &queued).await;
    assert_eq!(
        second.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a client over its quota gets 429 even when the service is also full: the rate limit sits outside load \
         shedding, so a client's own excess never takes (or is blamed on) a shared slot. Read «{SECTION}»."
    );
    upstream.open();
    let _ = busy.await;
}
