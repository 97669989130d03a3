//! What a connection costs, measured: `cargo run --release -p real-time-solution --example
//! scale`. It starts the reference server as a child process (so that its resident
//! memory is its own), opens 10 000 idle SSE streams, reads how much the server's RSS
//! grew, broadcasts one message and times its delivery to every stream, closes them, and
//! does the same with 10 000 idle WebSockets. `--connections N` changes the count;
//! `--default-buffers` runs the server with tungstenite's default 128 KiB buffers instead
//! of the lab's 4 KiB, to show what that setting is worth.
//!
//! The two kinds are measured one after the other: 20 000 sockets at once would need
//! more file descriptors than many machines allow a process (this one: 20 000).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use real_time_solution::{AppState, Config, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "bench";

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    if args.iter().any(|a| a == "--server") {
        return runtime.block_on(server(args.iter().any(|a| a == "--default-buffers")));
    }
    let connections = args
        .iter()
        .position(|a| a == "--connections")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    runtime.block_on(drive(connections, args.iter().any(|a| a == "--default-buffers")))
}

/// The server process: the reference app on 127.0.0.1, its port on the first line.
async fn server(default_buffers: bool) -> Result<(), String> {
    let mut config =
        Config { tokens: HashMap::from([(TOKEN.to_owned(), "bench".to_owned())]), ..Config::default() };
    if default_buffers {
        config.ws_read_buffer = 128 * 1024;
        config.ws_write_buffer = 128 * 1024;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    println!("port {}", listener.local_addr().map_err(|e| e.to_string())?.port());
    axum::serve(listener, app(AppState::new(config))).await.map_err(|e| e.to_string())
}

/// Kills the server process when the benchmark ends, however it ends.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn drive(connections: usize, default_buffers: bool) -> Result<(), String> {
    let fd_limit = open_files_limit();
    if fd_limit.is_some_and(|limit| limit < connections as u64 + 100) {
        return Err(format!(
            "the open-files limit ({fd_limit:?}) is below {connections} + 100: raise it (ulimit -n)"
        ));
    }
    let buffers = if default_buffers { "tungstenite's defaults, 128 KiB + 128 KiB" } else { "4 KiB + 4 KiB" };
    println!("WebSocket buffers: {buffers}; {connections} connections of each kind, a fresh server for each");
    for kind in [Kind::Sse, Kind::WebSocket] {
        // A fresh server per kind: memory freed by one kind would be reused by the next,
        // and its RSS would not grow.
        let (server, port) = start_server(default_buffers)?;
        let result = phase(kind, port, server.0.id(), connections).await?;
        println!(
            "{:<10} {:>6} idle: server RSS +{:>7.1} MiB = {:>5.1} KiB per connection; broadcast to all: p50 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms",
            kind.name(),
            connections,
            result.rss_growth_kib as f64 / 1024.0,
            result.rss_growth_kib as f64 / connections as f64,
            result.p50.as_secs_f64() * 1000.0,
            result.p99.as_secs_f64() * 1000.0,
            result.max.as_secs_f64() * 1000.0,
        );
    }
    Ok(())
}

/// Starts this program again as the server, and reads its port.
fn start_server(default_buffers: bool) -> Result<(ServerProcess, u16), String> {
    let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    command.arg("--server").stdout(Stdio::piped());
    if default_buffers {
        command.arg("--default-buffers");
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start the server: {e}"))?;
    let stdout = child.stdout.take().ok_or("the server has no stdout")?;
    let server = ServerProcess(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).map_err(|e| e.to_string())?;
    let port =
        first.trim().trim_start_matches("port ").parse().map_err(|_| format!("bad first line {first:?}"))?;
    Ok((server, port))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sse,
    WebSocket,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sse => "SSE",
            Kind::WebSocket => "WebSocket",
        }
    }
}

struct PhaseResult {
    rss_growth_kib: u64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// Opens `n` idle connections of one kind, measures, broadcasts, closes them.
async fn phase(kind: Kind, port: u16, pid: u32, n: usize) -> Result<PhaseResult, String> {
    let before = rss_kib(pid)?;
    let close = CancellationToken::new();
    let sent_at = Arc::new(OnceLock::<Instant>::new());
    let (latencies, mut received) = mpsc::unbounded_channel::<Duration>();
    // At most 200 handshakes at a time: the listen backlog is finite.
    let handshakes = Arc::new(Semaphore::new(200));
    for _ in 0..n {
        let permit = handshakes.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let (close, sent_at, latencies) = (close.clone(), sent_at.clone(), latencies.clone());
        tokio::spawn(async move {
            let _ = match kind {
                Kind::Sse => sse_client(port, permit, close, sent_at, latencies).await,
                Kind::WebSocket => ws_client(port, permit, close, sent_at, latencies).await,
            };
        });
    }
    wait_for_open(port, n).await?;
    // Let the allocator and the kernel settle before reading the RSS.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(pid)?;

    let mut sender = ws_connect(port).await?;
    wait_for_open(port, n + 1).await?;
    let _ = sent_at.set(Instant::now());
    sender.send(Message::text("probe")).await.map_err(|e| e.to_string())?;
    let mut all = Vec::with_capacity(n);
    let deadline = Instant::now() + Duration::from_secs(60);
    while all.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, received.recv()).await {
            Ok(Some(latency)) => all.push(latency),
            _ => {
                return Err(format!(
                    "only {} of {n} {} clients received the broadcast",
                    all.len(),
                    kind.name()
                ));
            }
        }
    }
    close.cancel();
    drop(sender);
    wait_for_open(port, 0).await?;
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok(PhaseResult {
        rss_growth_kib: after.saturating_sub(before),
        p50: at(0.50),
        p99: at(0.99),
        max: at(1.0),
    })
}

/// An idle SSE client on a raw socket: headers, the `ready` event, then it waits.
async fn sse_client(
    port: u16,
    permit: tokio::sync::OwnedSemaphorePermit,
    close: CancellationToken,
    sent_at: Arc<OnceLock<Instant>>,
    latencies: mpsc::UnboundedSender<Duration>,
) -> Result<(), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| e.to_string())?;
    let request = format!("GET /events?access_token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut seen = Vec::new();
    let mut buffer = [0u8; 1024];
    let mut ready = false;
    let mut permit = Some(permit);
    loop {
        let read = tokio::select! {
            () = close.cancelled() => return Ok(()),
            read = stream.read(&mut buffer) => read.map_err(|e| e.to_string())?,
        };
        if read == 0 {
            return Err("closed".to_owned());
        }
        seen.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&seen);
        if !ready && text.contains("event: ready") {
            ready = true;
            permit.take();
        }
        if text.contains("probe") {
            if let Some(at) = sent_at.get() {
                let _ = latencies.send(at.elapsed());
            }
            seen.clear();
            close.cancelled().await;
            return Ok(());
        }
    }
}

async fn ws_connect(
    port: u16,
) -> Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>, String> {
    let request = format!("ws://127.0.0.1:{port}/ws?access_token={TOKEN}")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    // Small client buffers too: the client's memory is not what is measured, but 10 000
    // clients with 128 KiB each would need more memory than the server.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(4096);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false)
        .await
        .map_err(|e| e.to_string())?;
    Ok(socket)
}

/// An idle WebSocket client: it answers pings (by reading) and waits for the probe.
async fn ws_client(
    port: u16,
    permit: tokio::sync::OwnedSemaphorePermit,
    close: CancellationToken,
    sent_at: Arc<OnceLock<Instant>>,
    latencies: mpsc::UnboundedSender<Duration>,
) -> Result<(), String> {
    let mut socket = ws_connect(port).await?;
    drop(permit);
    loop {
        let next = tokio::select! {
            () = close.cancelled() => return Ok(()),
            next = socket.next() => next,
        };
        match next {
            Some(Ok(Message::Text(text))) if text.contains("probe") => {
                if let Some(at) = sent_at.get() {
                    let _ = latencies.send(at.elapsed());
                }
            }
            Some(Ok(_)) => {}
            _ => return Err("closed".to_owned()),
        }
    }
}

/// Waits until the server's gauge says `n` connections are open.
async fn wait_for_open(port: u16, n: usize) -> Result<(), String> {
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/metrics");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open = match client.get(&url).send().await {
            Ok(response) => {
                response.json::<serde_json::Value>().await.ok().and_then(|v| v["open_connections"].as_u64())
            }
            Err(_) => None,
        };
        if open == Some(n as u64) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the server has {open:?} connections open, not {n}, after 120 s"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The resident memory of process `pid`, in KiB (Linux).
fn rss_kib(pid: u32) -> Result<u64, String> {
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| format!("no /proc: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/PID/status".to_owned())
}

/// The soft limit on open files, from /proc/self/limits (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}
