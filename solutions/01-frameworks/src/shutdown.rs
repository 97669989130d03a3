//! Serving with a graceful shutdown: stop accepting, let in-flight requests finish,
//! and give up after a deadline so a stuck request cannot hold the process hostage.

use std::future::Future;
use std::io;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How `serve` ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drained {
    /// Every in-flight request finished before the deadline.
    Gracefully,
    /// The deadline passed with requests still running; they were abandoned.
    DeadlineExceeded,
}

// ANCHOR: serve
/// Serves `app` on `listener` until `shutdown` completes, then drains: no new
/// connections are accepted, and in-flight requests get `drain_deadline` to finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    drain_deadline: Duration,
) -> io::Result<Drained> {
    let (draining_tx, draining_rx) = oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, draining in-flight requests");
        // The receiver is gone only if `serve` already returned; nothing to tell then.
        let _ = draining_tx.send(());
    });
    let deadline = async move {
        // The clock starts when draining starts, not when the server does. (If the signal
        // task died without sending, axum is draining all the same: start the clock too.)
        let _ = draining_rx.await;
        tokio::time::sleep(drain_deadline).await;
    };
    tokio::select! {
        served = server => served.map(|()| Drained::Gracefully),
        () = deadline => {
            tracing::warn!(?drain_deadline, "drain deadline passed; abandoning in-flight requests");
            Ok(Drained::DeadlineExceeded)
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: terminate_signal
/// Completes on Ctrl-C, or on SIGTERM (what orchestrators send) on Unix.
pub async fn terminate_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
// ANCHOR_END: terminate_signal
