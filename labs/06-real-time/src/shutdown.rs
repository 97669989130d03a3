//! Stopping a server whose connections never end by themselves.

use std::future::{Future, IntoFuture};
use std::io;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::app;
use crate::state::AppState;

/// How a shutdown ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drained {
    /// Every connection said goodbye and closed.
    Gracefully,
    /// The deadline passed with connections still open; they were abandoned.
    DeadlineExceeded,
}

// ANCHOR: serve
/// Serves `state` on `listener` until `signal` completes, then closes every stream and
/// waits for them, `deadline` at most.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    signal: impl Future<Output = ()> + Send + 'static,
    deadline: Duration,
) -> io::Result<Drained> {
    todo!(
        "step 8: serve until the signal, then tell every stream to close and wait for them (upgraded ones too), `deadline` at most. Read book/06-real-time/lifecycle.md"
    )
}
// ANCHOR_END: serve

/// Completes on Ctrl-C (and, on Unix, on SIGTERM, which is what orchestrators send).
pub async fn terminate_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
