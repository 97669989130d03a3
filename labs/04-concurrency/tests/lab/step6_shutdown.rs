//! Step 6: structured shutdown. The runtime's own count of alive tasks must return to
//! where it started. Paused time: the workers' ticks take no real time.
//! Read «Structured shutdown».

use std::time::Duration;

use concurrency::supervisor::{Stopped, Supervisor};
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::time::Instant;

const SECTION: &str = "Structured shutdown (book/04-concurrency/shutdown.md)";

// ANCHOR: baseline
fn alive() -> usize {
    Handle::current().metrics().num_alive_tasks()
}

/// A worker that ticks until cancelled, then says so.
fn start_workers(supervisor: &Supervisor, n: usize, stopped: &mpsc::UnboundedSender<usize>) {
    for id in 0..n {
        let stopped = stopped.clone();
        supervisor.spawn(move |token| async move {
            loop {
                tokio::select! {
                    () = token.cancelled() => break,
                    () = tokio::time::sleep(Duration::from_millis(10)) => {}
                }
            }
            let _ = stopped.send(id);
        });
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_leaves_no_task_behind() {
    let baseline = alive();
    let supervisor = Supervisor::new();
    let (stopped, mut reports) = mpsc::unbounded_channel();
    start_workers(&supervisor, 5, &stopped);
    assert_eq!(alive(), baseline + 5, "five workers started. Read «{SECTION}».");
    let result = supervisor.shutdown(Duration::from_secs(5)).await;
    let returned = std::iter::from_fn(|| reports.try_recv().ok()).count();
    let why = if returned == 5 {
        "all returned, yet shutdown timed out: TaskTracker::wait completes only once the tracker is close()d and empty"
    } else {
        "stop in time once told: cancel the token each of them was given"
    };
    assert_eq!(result, Stopped::Cleanly, "workers that honour their token {why}. Read «{SECTION}».");
    assert_eq!(
        alive(),
        baseline,
        "after shutdown returns, the runtime has as many alive tasks as before: a task still running was leaked. \
         Spawn through the tracker and wait for it. Read «{SECTION}»."
    );
}
// ANCHOR_END: baseline

#[tokio::test(start_paused = true)]
async fn every_worker_is_told_to_stop() {
    let supervisor = Supervisor::new();
    let (stopped, mut reports) = mpsc::unbounded_channel();
    start_workers(&supervisor, 3, &stopped);
    drop(stopped);
    let _ = supervisor.shutdown(Duration::from_secs(5)).await;
    let mut ids: Vec<usize> = std::iter::from_fn(|| reports.try_recv().ok()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [0, 1, 2],
        "each worker saw its token cancelled and stopped before shutdown returned. Read «{SECTION}»."
    );
}

// ANCHOR: cleanup
#[tokio::test(start_paused = true)]
async fn shutdown_waits_for_the_cleanup_after_cancellation() {
    let supervisor = Supervisor::new();
    let (flushed, mut reports) = mpsc::unbounded_channel();
    for id in 0..3 {
        let flushed = flushed.clone();
        supervisor.spawn(move |token| async move {
            token.cancelled().await;
            // Seeing the token is not the end: flushing a last batch takes a moment.
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = flushed.send(id);
        });
    }
    drop(flushed);
    let started = Instant::now();
    let result = supervisor.shutdown(Duration::from_secs(5)).await;
    let took = started.elapsed();
    let mut ids: Vec<usize> = std::iter::from_fn(|| reports.try_recv().ok()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [0, 1, 2],
        "shutdown returned before the workers finished the cleanup they do after seeing their token: cancelling \
         only asks them to stop. Shutdown is done when every task has returned. Read «{SECTION}»."
    );
    assert_eq!(result, Stopped::Cleanly, "they all finished well within the deadline. Read «{SECTION}».");
    assert!(
        took < Duration::from_secs(1),
        "shutdown took {took:?} although the last worker was done after 200 ms: return when the tasks are done, \
         not at the deadline. Read «{SECTION}»."
    );
}
// ANCHOR_END: cleanup

#[tokio::test(start_paused = true)]
async fn a_task_that_ignores_cancellation_times_out() {
    let supervisor = Supervisor::new();
    supervisor.spawn(|_token| async {
        tokio::time::sleep(Duration::from_secs(3_600)).await;
    });
    let deadline = Duration::from_millis(100);
    let started = Instant::now();
    let result = supervisor.shutdown(deadline).await;
    let took = started.elapsed();
    assert_eq!(
        result,
        Stopped::TimedOut,
        "a task that ignores its token must not hold shutdown hostage: give up at the deadline and say so. Read «{SECTION}»."
    );
    assert!(
        took >= deadline && took < deadline * 2,
        "shutdown gave up after {took:?} with a deadline of {deadline:?}: a task gets the whole deadline to stop, \
         and not much more. Read «{SECTION}»."
    );
}
