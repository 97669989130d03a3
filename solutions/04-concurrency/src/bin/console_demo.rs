//! A service with two bugs for tokio-console to find: a task stuck waiting for a
//! message nobody sends, and a task that busy-loops without ever yielding.
//! Run it with `cargo xtask console 04`, then `tokio-console` in another terminal.

use std::time::Duration;

use tokio::sync::oneshot;

#[tokio::main]
async fn main() {
    console_subscriber::init();
    println!(
        "console demo running; connect with `tokio-console` (default http://127.0.0.1:6669). Ctrl-C stops it."
    );

    // Healthy: wakes up every 100 ms and does a little work.
    tokio::task::Builder::new()
        .name("heartbeat")
        .spawn(async {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
            }
        })
        .ok();

    // Stuck: waits on a channel whose sender is kept but never used. The console shows
    // it idle forever, with zero polls after the first.
    let (never_sent, never_received) = oneshot::channel::<()>();
    tokio::task::Builder::new()
        .name("stuck-waiter")
        .spawn(async move {
            let _ = never_received.await;
        })
        .ok();

    // Busy: spins without an `.await`, so its first poll never ends and a worker is lost.
    tokio::task::Builder::new()
        .name("busy-loop")
        .spawn(async {
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(3_600) {
                std::hint::spin_loop();
            }
        })
        .ok();

    let _ = tokio::signal::ctrl_c().await;
    drop(never_sent);
    // Leave at once: dropping the runtime would wait for the busy loop, which never yields.
    std::process::exit(0);
}
