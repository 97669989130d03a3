//! Step 8: primitives checked with loom, which runs each test body under every
//! interleaving of its threads that the memory model allows. Built only with the
//! `loom` feature; `cargo xtask check 04` does that for you. Read «Model checking with loom».

mod step8_loom {
    use concurrency::counter::VisitCounter;
    use concurrency::latch::Latch;
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicBool, Ordering};
    use loom::thread;

    const SECTION: &str = "Model checking with loom (book/04-concurrency/loom.md)";

    // ANCHOR: increments
    #[test]
    fn concurrent_increments_are_all_counted() {
        loom::model(|| {
            let counter = Arc::new(VisitCounter::new());
            let other = {
                let counter = counter.clone();
                thread::spawn(move || counter.increment())
            };
            let mine = counter.increment();
            let theirs = other.join().unwrap_or(0);
            assert_eq!(
                counter.get(),
                2,
                "two threads incremented once each, the count is {}: an increment was lost between a load and a store. Read «{SECTION}».",
                counter.get()
            );
            let mut totals = [mine, theirs];
            totals.sort_unstable();
            assert_eq!(
                totals,
                [1, 2],
                "the two increments returned {mine} and {theirs}: each returns the new total, so one sees 1 and the other 2. \
                 The same total twice is a lost increment; 0 and 1 is the total before the increment. Read «{SECTION}»."
            );
        });
    }
    // ANCHOR_END: increments

    // ANCHOR: waiter
    #[test]
    fn a_waiter_is_always_woken() {
        loom::model(|| {
            let latch = Arc::new(Latch::new());
            let releaser = {
                let latch = latch.clone();
                thread::spawn(move || latch.release())
            };
            // If the release can slip between checking the flag and starting to wait,
            // loom finds that order and reports a deadlock.
            latch.wait();
            let _ = releaser.join();
        });
    }
    // ANCHOR_END: waiter

    #[test]
    fn a_waiter_waits_for_the_release() {
        loom::model(|| {
            let latch = Arc::new(Latch::new());
            let warmed_up = Arc::new(AtomicBool::new(false));
            let releaser = {
                let (latch, warmed_up) = (latch.clone(), warmed_up.clone());
                thread::spawn(move || {
                    warmed_up.store(true, Ordering::Relaxed);
                    latch.release();
                })
            };
            // The release is the only thing that may let `wait` return, and the latch's
            // lock makes the store before it visible here.
            latch.wait();
            let released_first = warmed_up.load(Ordering::Relaxed);
            // Joined before asserting: a panic with the thread still running would end in
            // loom's own error instead of this message.
            let _ = releaser.join();
            assert!(
                released_first,
                "wait returned before the latch was released: a waiter must block until release, \
                 or return at once only if the latch is already open. Read «{SECTION}»."
            );
        });
    }

    #[test]
    fn every_waiter_is_woken() {
        loom::model(|| {
            let latch = Arc::new(Latch::new());
            let waiters: Vec<_> = (0..2)
                .map(|_| {
                    let latch = latch.clone();
                    thread::spawn(move || latch.wait())
                })
                .collect();
            // One release must wake both: a notify_one leaves a waiter asleep forever,
            // and loom reports the deadlock.
            latch.release();
            for waiter in waiters {
                let _ = waiter.join();
            }
        });
    }
}
