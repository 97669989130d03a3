//! The chat in a real browser: the page uses the browser's own `WebSocket` and
//! `EventSource` against the reference solution.
//!
//! `cargo run -p real-time-solution --example browser` serves it on http://127.0.0.1:3006
//! for you to open in two windows. With `-- --check`, it drives two headless Chromium
//! pages instead and proves two things: a message sent by one page arrives in the other
//! (over its WebSocket and its EventSource), and the SSE page resumes from its
//! `Last-Event-ID` after the server restarts. It exits with an error if either fails,
//! and prints "skipped: no Chromium" (exit 0) when no browser is installed.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Json, Router};
use real_time_solution::shutdown::terminate_signal;
use real_time_solution::{AppState, Config, app};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const PAGE: &str = include_str!("browser_page.html");

/// How long the check waits for any one thing a page should report.
const PATIENCE: Duration = Duration::from_secs(20);

/// What a page saw, as it reported it to `POST /report`.
#[derive(Clone, Debug, Deserialize)]
struct Report {
    role: String,
    what: String,
    detail: String,
}

#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<Report>>>);

impl Reports {
    fn any(&self, role: &str, what: &str, detail: impl Fn(&str) -> bool) -> bool {
        let reports = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        reports.iter().any(|r| r.role == role && r.what == what && detail(&r.detail))
    }

    fn dump(&self) -> String {
        let reports = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        reports.iter().map(|r| format!("  {} {} {}\n", r.role, r.what, r.detail)).collect()
    }
}

async fn page() -> Html<&'static str> {
    Html(PAGE)
}

async fn report(State(reports): State<Reports>, Json(report): Json<Report>) {
    reports.0.lock().unwrap_or_else(PoisonError::into_inner).push(report);
}

/// The service for pages served from `addr`: the page's own origin is the one allowed.
fn config(addr: SocketAddr) -> Config {
    let tokens = [("demo-token", "demo"), ("alice-token", "alice"), ("bob-token", "bob")];
    Config {
        tokens: tokens.iter().map(|(t, u)| ((*t).to_owned(), (*u).to_owned())).collect::<HashMap<_, _>>(),
        allowed_origins: vec![format!("http://{addr}")],
        sse_retry: Duration::from_millis(300),
        ..Config::default()
    }
}

/// Serves the chat and the page until `state.shutdown` is cancelled.
fn start(listener: TcpListener, state: AppState, reports: Reports) -> JoinHandle<std::io::Result<()>> {
    let extra = Router::new().route("/", get(page)).route("/report", post(report)).with_state(reports);
    let router = app(state.clone()).merge(extra);
    let server =
        axum::serve(listener, router).with_graceful_shutdown(state.shutdown.clone().cancelled_owned());
    tokio::spawn(server.into_future())
}

/// Stops the server: every stream says goodbye, then the registry empties.
async fn stop(state: &AppState, server: JoinHandle<std::io::Result<()>>) {
    state.shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = server.await;
        state.registry.wait_idle().await;
    })
    .await;
}

#[tokio::main]
async fn main() -> Result<(), String> {
    if std::env::args().any(|arg| arg == "--check") {
        return check().await;
    }
    let addr = std::env::var("CHAT_ADDR").unwrap_or_else(|_| "127.0.0.1:3006".to_owned());
    let listener = TcpListener::bind(&addr).await.map_err(|e| format!("cannot bind {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let state = AppState::new(config(local));
    let server = start(listener, state.clone(), Reports::default());
    println!("open http://{local}/?token=alice-token and http://{local}/?token=bob-token; Ctrl-C stops");
    terminate_signal().await;
    stop(&state, server).await;
    Ok(())
}

/// The maintainer's check: two headless Chromium pages, one message, one restart.
async fn check() -> Result<(), String> {
    let Some(chromium) = find_chromium() else {
        println!("skipped: no Chromium (install chromium, or set CHROMIUM to its path)");
        return Ok(());
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| format!("cannot bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let reports = Reports::default();
    let first = AppState::new(config(addr));
    let server = start(listener, first.clone(), reports.clone());

    let url = |role: &str, say: &str| format!("http://{addr}/?role={role}&token={role}-token&say={say}");
    let _bob = Browser::open(&chromium, &url("bob", ""))?;
    wait_for(&reports, "bob's WebSocket opens", |r| r.any("bob", "ws-open", |_| true)).await?;
    wait_for(&reports, "bob's EventSource is ready", |r| r.any("bob", "sse-ready", |_| true)).await?;
    let _alice = Browser::open(&chromium, &url("alice", "hello%20from%20alice"))?;
    wait_for(&reports, "bob's WebSocket receives alice's message", |r| {
        r.any("bob", "ws-message", |d| d == "hello from alice")
    })
    .await?;
    wait_for(&reports, "bob's EventSource receives alice's message", |r| {
        r.any("bob", "sse-message", |d| d.starts_with("hello from alice #"))
    })
    .await?;
    println!("ok: a message sent by one page arrived in another, over WebSocket and EventSource");

    // A restart: the streams are told, the server stops, an event is published while it
    // is down (as another instance would), and a new server takes the same port with the
    // same history.
    stop(&first, server).await;
    let missed = first.hub.publish("server", "while you were away");
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("cannot bind {addr} again: {e}"))?;
    let second = AppState { hub: first.hub.clone(), ..AppState::new(config(addr)) };
    let server = start(listener, second.clone(), reports.clone());
    // The pages report through the server, so what they saw at the stop arrives now.
    wait_for(&reports, "bob's WebSocket is closed with 1001", |r| {
        r.any("bob", "ws-close", |d| d.starts_with("1001"))
    })
    .await?;
    wait_for(&reports, "bob's EventSource gets the final shutdown event", |r| {
        r.any("bob", "sse-shutdown", |_| true)
    })
    .await?;
    let expected = format!("while you were away #{}", missed.id);
    wait_for(&reports, "bob's EventSource resumes with the event it missed", |r| {
        r.any("bob", "sse-message", |d| d == expected)
    })
    .await?;
    println!("ok: the SSE page resumed from Last-Event-ID after the server restarted");
    stop(&second, server).await;
    Ok(())
}

/// Waits until `condition` holds, `PATIENCE` at most, polling what the pages reported.
async fn wait_for(reports: &Reports, what: &str, condition: impl Fn(&Reports) -> bool) -> Result<(), String> {
    let start = Instant::now();
    while !condition(reports) {
        if start.elapsed() > PATIENCE {
            return Err(format!(
                "FAILED: {what} (waited {PATIENCE:?}); the pages reported:\n{}",
                reports.dump()
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// `CHROMIUM`, or the first of the usual names on the PATH.
fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.map(|name| dir.join(name))).find(|p| p.is_file())
}

/// A headless Chromium showing one page, with a profile of its own; killed on drop.
struct Browser {
    child: Child,
    profile: PathBuf,
}

impl Browser {
    fn open(chromium: &Path, url: &str) -> Result<Self, String> {
        // A fresh profile per browser: no cache, no cookies, no state from earlier runs.
        static OPENED: AtomicUsize = AtomicUsize::new(0);
        let n = OPENED.fetch_add(1, Ordering::Relaxed);
        let profile = std::env::temp_dir().join(format!("lab06-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that the browser and its helpers can be found and
        // ended together.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        // LAB06_BROWSER_LOG=1 shows the browser's log, the pages' console included.
        if std::env::var_os("LAB06_BROWSER_LOG").is_some() {
            command.arg("--enable-logging=stderr").stderr(Stdio::inherit());
        }
        let child = command.spawn().map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        Ok(Self { child, profile })
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The launcher's process may hand over to a browser process of the same group and
        // exit. SIGTERM to the browser processes (not their helpers) lets Chromium close
        // its pages and end its helpers itself; whatever is left after two seconds is
        // killed with the group.
        let group = self.child.id();
        for pid in browser_processes(group) {
            let _ = Command::new("kill").args(["-s", "TERM", "--", &pid.to_string()]).status();
        }
        for _ in 0..40 {
            if group_members(group).is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if !group_members(group).is_empty() {
            // `-s KILL --`, never `-KILL -<group>`: procps' kill reads `-<group>` as more
            // options and calls kill(-1, SIGKILL), which ends every process the user may
            // signal (it took the maintainers' shells and a CI run with it).
            let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{group}")]).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Its helpers may still be writing to the profile for a moment after the signal.
        for _ in 0..40 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The processes of process group `group`, with their command lines (Linux `/proc`).
fn group_members(group: u32) -> Vec<(u32, String)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // After the command name in parentheses: state, parent, process group.
            let fields = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or_default();
            fields.split_whitespace().nth(2).and_then(|g| g.parse::<u32>().ok()) == Some(group)
        })
        .map(|pid| (pid, std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default()))
        .collect()
}

/// The browser processes of a group: those that are not one of Chromium's helpers.
fn browser_processes(group: u32) -> Vec<u32> {
    group_members(group)
        .into_iter()
        .filter(|(_, cmdline)| !cmdline.contains("--type="))
        .map(|(pid, _)| pid)
        .collect()
}
