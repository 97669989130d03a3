//! `cargo xtask board [--port N]`: the facilitator's live progress board. The server
//! is a program of its own (`xtask/board/`, axum and tokio), compiled the first time
//! the board starts: `check` never compiles a web server. Its state is saved in the
//! target folder's `xtask/board.json`, so a restarted board has every row back.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::verify::Verdict;

use crate::cargo::cargo;
use crate::style::Style;

pub fn run(root: &Path, port: u16, check: bool, style: &Style) -> Result<bool> {
    if check {
        return Ok(match browser_check(root) {
            Ok(line) => {
                println!("{} {line}", style.green("ok"));
                true
            }
            Err(why) => {
                println!("{} {why}", style.red("FAIL"));
                false
            }
        });
    }
    let manifest = root.join("xtask").join("board").join("Cargo.toml");
    let state = crate::progress::state_dir(root).join("board.json");
    println!(
        "{} the board (the first time, this compiles axum; participants need nothing new).",
        style.cyan("Starting")
    );
    let status = Command::new(cargo())
        .current_dir(root)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--")
        .arg(&state)
        .arg(format!("0.0.0.0:{port}"))
        .status()
        .context("cannot start cargo: is Rust installed (https://rustup.rs)?")?;
    Ok(status.success())
}

/// The board's page in headless Chromium: the board's `browser` example reports a
/// participant and reads the page's DOM. Where no Chromium is installed the line says
/// so: a skip is never silent.
pub fn browser_check(root: &Path) -> Verdict {
    let manifest = root.join("xtask").join("board").join("Cargo.toml");
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .args(["--example", "browser", "--", "--check"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().unwrap_or_default().trim();
    let line = first.strip_prefix("ok: ").unwrap_or(first).to_owned();
    if output.status.success() {
        Ok(line)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
        Err(format!("{stdout}{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")))
    }
}
