//! Step 1: building the runtime on purpose: workers, the blocking pool, thread names.
//! Read «How tokio runs your code».

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use concurrency::runtime::{RuntimeConfig, build_runtime};

const SECTION: &str = "How tokio runs your code (book/04-concurrency/scheduler.md)";

fn runtime(workers: usize, max_blocking: usize) -> tokio::runtime::Runtime {
    build_runtime(RuntimeConfig { workers, max_blocking })
        .unwrap_or_else(|e| panic!("build_runtime failed: {e}. Read «{SECTION}»."))
}

#[test]
fn the_runtime_has_the_configured_workers() {
    // One more than the machine's cores: tokio's default would be exactly the cores.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) + 1;
    let runtime = runtime(workers, 2);
    assert_eq!(
        runtime.metrics().num_workers(),
        workers,
        "RuntimeConfig {{ workers: {workers} }} gives {workers} worker threads, not tokio's default of one per core. Read «{SECTION}»."
    );
    // Timers (and sockets) work only if the runtime's drivers are on.
    let timer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async { tokio::time::sleep(Duration::from_millis(1)).await });
    }));
    assert!(
        timer.is_ok(),
        "a tokio timer panicked on this runtime: turn the time and I/O drivers on (enable_all). Read «{SECTION}»."
    );
}

#[test]
fn worker_threads_are_named() {
    let runtime = runtime(2, 2);
    let name = runtime
        .block_on(async { tokio::spawn(async { std::thread::current().name().map(str::to_owned) }).await })
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        name.starts_with("lab-"),
        "a task ran on a thread named {name:?}: name the runtime's threads `lab-…` so a debugger or `top -H` tells them apart. Read «{SECTION}»."
    );
}

// ANCHOR: bounded_pool
#[test]
fn the_blocking_pool_is_bounded() {
    let runtime = runtime(1, 2);
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    runtime.block_on(async {
        let jobs: Vec<_> = (0..6)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::task::spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Wait (a second at most) until two jobs run together, so that a slow
                    // machine cannot make the pool look smaller than it is.
                    let waiting = std::time::Instant::now();
                    while most.load(Ordering::SeqCst) < 2 && waiting.elapsed() < Duration::from_secs(1) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    // Blocking work, as a hash or a file read is: this thread is busy. This is
                    // the one real-time wait in the lab's tests, and it cannot be paused away:
                    // it runs on a pool thread, not on tokio's clock, and proving that a third
                    // job did *not* start needs a moment in which it could have.
                    std::thread::sleep(Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for job in jobs {
            let _ = job.await;
        }
    });
    assert_eq!(
        most.load(Ordering::SeqCst),
        2,
        "6 blocking jobs with max_blocking = 2: at most 2 run at once, the rest wait their turn. Read «{SECTION}»."
    );
}
// ANCHOR_END: bounded_pool
