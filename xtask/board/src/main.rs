//! `xtask-board STATE_FILE [ADDRESS]`: serves the progress board until Ctrl-C.
//! Started by `cargo xtask board`, which names the state file under the target folder.

use std::path::PathBuf;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(file) = args.next().map(PathBuf::from) else {
        eprintln!("usage: xtask-board STATE_FILE [ADDRESS]");
        return std::process::ExitCode::from(2);
    };
    let address = args.next().map_or_else(|| "0.0.0.0:7878".to_owned(), |a| a.to_string_lossy().into_owned());
    match serve(file, &address).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("error: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(file: PathBuf, address: &str) -> Result<(), String> {
    let board = xtask_board::Board::open(&file)?;
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!(
        "The board listens on {local}: open http://127.0.0.1:{}/ here (state in {}). Stop it with Ctrl-C.",
        local.port(),
        file.display()
    );
    let host = lan_address().unwrap_or_else(|| "<this laptop's address>".to_owned());
    println!(
        "Participants run: cargo xtask check --report http://{host}:{} --name <their name>",
        local.port()
    );
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, xtask_board::app(board)).with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
        let _ = stopping.send(());
    });
    // An open page's event stream never ends by itself: after Ctrl-C, reports in flight
    // get a second to finish, then the board stops. Every report is already on disk.
    tokio::select! {
        result = server.into_future() => result.map_err(|e| e.to_string()),
        () = async {
            let _ = stopped.await;
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        } => Ok(()),
    }
}

/// The address the room reaches this laptop at: the local end of a UDP socket
/// "connected" towards a documentation address (connecting UDP sends nothing).
fn lan_address() -> Option<String> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    socket.local_addr().ok().map(|a| a.ip().to_string())
}
