//! Step 3: a `std::sync::Mutex` in async code. Read «Locks and .await».

use std::sync::Arc;
use std::time::Duration;

use concurrency::stats::Stats;
use tokio::sync::mpsc;

use super::support::Rendezvous;

const SECTION: &str = "Locks and .await (book/04-concurrency/locks.md)";

fn stats(capacity: usize) -> (Arc<Stats>, mpsc::Receiver<String>) {
    let (audit, trail) = mpsc::channel(capacity);
    (Arc::new(Stats::new(audit)), trail)
}

// ANCHOR: assert_send
/// Compiles only if the future can move between threads: what `tokio::spawn` on a
/// multi-thread runtime and every axum handler require. A std guard held across an
/// `.await` makes this line a compile error ("cannot be sent between threads safely").
fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test]
async fn visits_are_counted_and_audited() {
    let (stats, mut trail) = stats(16);
    for expected in 1..=3 {
        let count = assert_send(stats.record_visit("/home")).await;
        assert_eq!(count, expected, "record_visit returns the new count. Read «{SECTION}».");
    }
    assert_eq!(stats.visits("/home"), 3, "three visits to /home are counted. Read «{SECTION}».");
    let audited: Vec<String> = std::iter::from_fn(|| trail.try_recv().ok()).collect();
    assert_eq!(
        audited,
        ["/home 1", "/home 2", "/home 3"],
        "each visit is sent to the audit trail as \"<page> <count>\". Read «{SECTION}»."
    );
}
// ANCHOR_END: assert_send

// ANCHOR: forced_race
#[test]
fn concurrent_visits_are_all_counted() {
    // The lock holds each visit's thread right after it releases the lock, until both
    // threads have released it once: a count read under one lock and written under
    // another is caught with both visits between the two, every time.
    let rendezvous = Rendezvous::new(2);
    let (audit, mut trail) = mpsc::channel(16);
    let stats = Stats::with_unlock_hook(audit, rendezvous.hook());
    rendezvous.arm();
    let mut counts = std::thread::scope(|scope| {
        let visits: Vec<_> = (0..2).map(|_| scope.spawn(|| visit_on_this_thread(&stats, "/busy"))).collect();
        visits
            .into_iter()
            .map(|visit| visit.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Vec<u64>>()
    });
    assert!(
        rendezvous.releases() >= 2,
        "the lock's unlock hook ran {} times: take the lock with `self.visits.lock()`, or this test proves nothing. \
         Read «{SECTION}».",
        rendezvous.releases()
    );
    counts.sort_unstable();
    assert_eq!(
        counts,
        [1, 2],
        "two visits to /busy at once get the counts 1 and 2. Equal counts mean both read the same old count: it \
         was read under one lock and written under another, and the other visit got in between. Read and write \
         under one guard. Read «{SECTION}»."
    );
    assert_eq!(stats.visits("/busy"), 2, "two visits to /busy are counted. Read «{SECTION}».");
    let mut audited: Vec<String> = std::iter::from_fn(|| trail.try_recv().ok()).collect();
    audited.sort_unstable();
    assert_eq!(
        audited,
        ["/busy 1", "/busy 2"],
        "each visit is audited once, with the count it returned. Read «{SECTION}»."
    );
}
// ANCHOR_END: forced_race

/// Runs one visit to the end on the calling thread, so that the lock's hook can hold
/// that thread (and no other visit) in the gap.
fn visit_on_this_thread(stats: &Stats, page: &str) -> u64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|e| panic!("could not build a runtime for a visit: {e}"));
    runtime.block_on(stats.record_visit(page))
}

// ANCHOR: slow_await
#[tokio::test(start_paused = true)]
async fn a_visit_waiting_for_the_audit_does_not_hold_up_the_next() {
    // Room for one audit line, and the test reads none yet: the channel is the gate.
    let (stats, mut trail) = stats(1);
    assert_eq!(
        stats.record_visit("/warm").await,
        1,
        "a first visit is counted and audited. Read «{SECTION}»."
    );
    let first = {
        let stats = stats.clone();
        tokio::spawn(async move { stats.record_visit("/a").await })
    };
    let second = {
        let stats = stats.clone();
        tokio::spawn(async move { stats.record_visit("/b").await })
    };
    // Let both run as far as they can: /a now waits for room in the audit channel.
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    let counted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stats.visits("/b")));
    assert!(
        matches!(counted, Ok(1)),
        "while a visit to /a waits for room in the audit channel, a visit to /b must still be counted (visits(\"/b\") \
         gave {counted:?}, where Err is a panic). The lock was held across the `.await` on the channel: any lock that \
         allows that, tokio's Mutex included, makes every visit wait for the slowest. Read «{SECTION}»."
    );
    // Open the gate: read the trail, and both visits finish.
    // (On paused time, a line that never comes costs no real second.)
    let mut audited = Vec::new();
    while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(1), trail.recv()).await {
        audited.push(line);
    }
    audited.sort_unstable();
    assert_eq!(
        audited,
        ["/a 1", "/b 1", "/warm 1"],
        "every visit is audited once the channel has room: a line dropped because the channel was full is lost \
         for good. Wait for room, once the lock is gone. Read «{SECTION}»."
    );
    assert_eq!(
        (first.await.ok(), second.await.ok()),
        (Some(1), Some(1)),
        "and each returns its count. Read «{SECTION}»."
    );
}
// ANCHOR_END: slow_await
