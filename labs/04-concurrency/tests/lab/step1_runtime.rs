//! Step 1: building the runtime on purpose: workers, the blocking pool, thread names,
//! and the drivers a server needs.
//! Read «How tokio runs your code».

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use concurrency::runtime::{RuntimeConfig, build_runtime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
        "RuntimeConfig {{ workers: {workers} }} gives {workers} worker threads, not tokio's default of one per core \
         (and not the current-thread flavour's one). Read «{SECTION}»."
    );
}

/// What a panic carried, as text: tokio's "IO is disabled" and "timers are disabled"
/// messages say which driver is missing.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

// ANCHOR: drivers
#[test]
fn the_runtime_drives_sockets_and_timers() {
    let runtime = runtime(2, 2);
    // A server's first two needs: a socket that accepts and answers, and a timer that fires.
    let socket = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?;
            let server = tokio::spawn(async move {
                let (mut connection, _) = listener.accept().await?;
                connection.write_all(b"pong").await
            });
            let mut reply = String::new();
            TcpStream::connect(address).await?.read_to_string(&mut reply).await?;
            server.await.map_err(std::io::Error::other)??;
            Ok::<_, std::io::Error>(reply)
        })
    }));
    match socket {
        Ok(Ok(reply)) => assert_eq!(reply, "pong", "the test's own server answered {reply:?}"),
        Ok(Err(error)) => panic!("a loopback socket failed on this runtime: {error}. Read «{SECTION}»."),
        Err(panic) => panic!(
            "a socket could not even be bound on this runtime ({}): a server needs the I/O driver. \
             Turn on every driver it needs, not only the timer. Read «{SECTION}».",
            panic_text(&*panic)
        ),
    }
    let timer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(5), tokio::time::sleep(Duration::from_millis(1))).await
        })
    }));
    match timer {
        Ok(fired) => {
            assert!(fired.is_ok(), "a 1 ms timer did not fire within 5 s on this runtime. Read «{SECTION}».")
        }
        Err(panic) => panic!(
            "a tokio timer panicked on this runtime ({}): timeouts, sleeps and intervals need the time driver. \
             Turn on every driver a server needs, not only I/O. Read «{SECTION}».",
            panic_text(&*panic)
        ),
    }
}
// ANCHOR_END: drivers

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
    let blocking = runtime
        .block_on(async {
            tokio::task::spawn_blocking(|| std::thread::current().name().map(str::to_owned)).await
        })
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        blocking.starts_with("lab-"),
        "a spawn_blocking job ran on a thread named {blocking:?}: the blocking pool's threads are the runtime's too, \
         and the name is set for all of them at once. Read «{SECTION}»."
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
