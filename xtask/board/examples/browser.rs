//! The board in a real browser: `cargo run --manifest-path xtask/board/Cargo.toml
//! --example browser -- --check` starts a board on a free loopback port, reports one
//! participant, and has headless Chromium load the page and print its DOM as the
//! page's script rendered it. It exits non-zero unless the participant's row is there.
//! Where no Chromium is installed it prints `skipped: no Chromium` and succeeds.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use xtask_board::{Board, app};

/// How long Chromium may take, all told, before it is stopped.
const PATIENCE: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if !std::env::args().any(|a| a == "--check") {
        eprintln!("usage: cargo run --manifest-path xtask/board/Cargo.toml --example browser -- --check");
        return std::process::ExitCode::from(2);
    }
    match check().await {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(why) => {
            println!("FAILED: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn check() -> Result<String, String> {
    let Some(chromium) = find_chromium() else {
        return Ok("skipped: no Chromium (install chromium, or set CHROMIUM to its path)".to_owned());
    };
    let file =
        std::env::temp_dir().join(format!("xtask-board-check-{}", std::process::id())).join("board.json");
    let board = Board::open(&file)?;
    let report = r#"{"name":"Ada L","labs":[{"lab":"01-frameworks","steps":[
        {"id":"domain","passed":3,"total":3},{"id":"store","passed":1,"total":4}]}]}"#;
    let request = Request::post("/report")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(report))
        .map_err(|e| e.to_string())?;
    let answer = app(board.clone()).oneshot(request).await.map_err(|e| e.to_string())?;
    if answer.status() != StatusCode::CREATED {
        return Err(format!("the report was refused: {}", answer.status()));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { axum::serve(listener, app(board)).await });

    let url = format!("http://{address}/");
    let dom =
        tokio::task::spawn_blocking(move || dump_dom(&chromium, &url)).await.map_err(|e| e.to_string())??;
    let _ = std::fs::remove_dir_all(file.parent().unwrap_or(&file));
    let row = ["<td class=\"name\">Ada L</td>", "<td class=\"pass\">✔</td>", "<td class=\"fail\">1/4</td>"];
    if row.iter().all(|cell| dom.contains(cell)) {
        Ok("ok: headless Chromium rendered the reported participant's row".to_owned())
    } else {
        Err(format!("the page does not show Ada L's row; its DOM was:\n{dom}"))
    }
}

/// Chromium's DOM of `url` once the page has loaded (`--timeout` ends a load that
/// the event stream would keep open), as its script left it (`--dump-dom`). The
/// browser runs in a session (so a process group) of its own, killed whole if it
/// outlives `PATIENCE`.
fn dump_dom(chromium: &PathBuf, url: &str) -> Result<String, String> {
    let profile = std::env::temp_dir().join(format!("xtask-board-chromium-{}", std::process::id()));
    // A session of its own (`setsid`, where there is one): Chromium started in the
    // caller's session can take the caller's terminal down with it when it ends.
    let mut command = match find_on_path(&["setsid"]) {
        Some(setsid) => {
            let mut command = Command::new(setsid);
            command.arg(chromium);
            command
        }
        None => Command::new(chromium),
    };
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--timeout=8000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // BOARD_BROWSER_LOG=1 shows the browser's log, the page's console included.
    if std::env::var_os("BOARD_BROWSER_LOG").is_some() {
        command.arg("--enable-logging=stderr").stderr(Stdio::inherit());
    }
    let mut child = command.spawn().map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let finished = loop {
        match child.try_wait() {
            Ok(Some(_)) => break true,
            Ok(None) if started.elapsed() < PATIENCE => std::thread::sleep(Duration::from_millis(50)),
            _ => break false,
        }
    };
    if !finished {
        // Our own group only: the browser and the helpers it started. `-s KILL --`, never
        // `-KILL -<group>`: procps' kill reads `-<group>` as more options, and ends up
        // calling kill(-1, SIGKILL), which ends every process the user may signal.
        #[cfg(unix)]
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", child.id())]).status();
        let _ = child.kill();
        let _ = child.wait();
    }
    let dom = reader.join().unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    if finished { Ok(dom) } else { Err(format!("Chromium did not finish in {PATIENCE:?}")) }
}

/// `CHROMIUM`, or the first of the usual names on the PATH.
fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    find_on_path(&["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"])
}

fn find_on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
}
