//! Step 3: limits on what one connection may send: size and rate. Read «Limits on a
//! connection».

use std::time::{Duration, Instant};

use real_time::limits::{Quota, RateLimit};

use super::support::{ALICE, BOB, spawn_app, ws};

const SECTION: &str = "Limits on a connection (book/06-real-time/limits.md)";

const QUOTA: Quota = Quota { burst: 3, per: Duration::from_secs(1) };

#[test]
fn a_burst_is_allowed_then_one_message_per_interval() {
    let start = Instant::now();
    let mut limit = RateLimit::new(QUOTA);
    for n in 1..=3 {
        assert!(limit.allow(start), "message {n} of a burst of 3 is allowed. Read «{SECTION}».");
    }
    assert!(
        !limit.allow(start),
        "the 4th message at the same instant exceeds the burst of 3. Read «{SECTION}»."
    );
    assert!(
        !limit.allow(start + Duration::from_millis(999)),
        "999 ms later the next message is not yet due (one per second). Read «{SECTION}»."
    );
    assert!(limit.allow(start + QUOTA.per), "one second later, one more is allowed. Read «{SECTION}».");
    assert!(!limit.allow(start + QUOTA.per), "but only one. Read «{SECTION}».");
}

#[test]
fn a_quiet_connection_does_not_bank_credit() {
    let start = Instant::now();
    let mut limit = RateLimit::new(QUOTA);
    assert!(limit.allow(start), "the first message is allowed. Read «{SECTION}».");
    let later = start + Duration::from_secs(3600);
    let allowed = (0..10).filter(|_| limit.allow(later)).count();
    assert_eq!(
        allowed, 3,
        "after an hour of silence, a burst is still at most 3 messages; got {allowed}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_flooding_client_is_closed_with_1008() {
    let app = spawn_app(|_| {}).await; // burst 5, then one a minute
    let mut alice = ws(app.addr, ALICE).await;
    for n in 1..=6 {
        alice.say(&format!("flood {n}")).await;
    }
    let (code, reason) = alice.close_frame("the sixth message in a burst of five").await;
    assert_eq!(
        code, 1008,
        "over its rate limit, the connection is closed with 1008 (policy violation) and a reason; got {code} \
         {reason:?}. Read «{SECTION}»."
    );
    assert!(reason.contains("rate"), "the reason says why: got {reason:?}. Read «{SECTION}».");
    assert_eq!(
        app.state.hub.last_id(),
        5,
        "the first five messages are within the burst and published, the sixth is not. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let app = spawn_app(|_| {}).await; // 1024 bytes at most
    let mut bob = ws(app.addr, BOB).await;
    let mut alice = ws(app.addr, ALICE).await;
    alice.say(&"x".repeat(1024)).await;
    alice.say(&"x".repeat(4096)).await;
    let first = bob.message("bob waits for alice's message of exactly 1024 bytes").await;
    assert_eq!(
        first["text"].as_str().map(str::len),
        Some(1024),
        "a message of exactly max_message_bytes is allowed. Read «{SECTION}»."
    );
    let (code, reason) = alice.close_frame("alice sent 4096 bytes with a limit of 1024").await;
    assert_eq!(
        code, 1009,
        "a message over max_message_bytes closes the connection with 1009 (message too big); got {code} \
         {reason:?}. Set the limit on the upgrade (`max_message_size`), so the server never buffers it. \
         Read «{SECTION}»."
    );
    assert_eq!(app.state.hub.last_id(), 1, "the oversized message is not published. Read «{SECTION}».");
}
