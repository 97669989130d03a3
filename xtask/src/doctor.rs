//! `cargo xtask doctor`: is this laptop ready for the workshop? One line per check,
//! each failure with what to do; the exit status is 0 only when every check passes.
//! It changes nothing a participant needs to undo: builds run offline
//! (`CARGO_NET_OFFLINE=true`), and a build that would compile a dependency is stopped
//! at the first one, because that dependency is what `prefetch` is for.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::cargo::{self, BuildOptions, cargo};
use crate::lab::{self, Lab};
use crate::style::Style;

/// Free space the target folder needs to grow into, per lab: its tests, mistakes and
/// demos, with room to spare (a fresh clone's verify of eight labs peaks near 6 GiB).
const DISK_PER_LAB_GIB: u64 = 1;

/// A check's verdict: `Ok(what was found)`, or `Err(what is wrong, and what to do)`.
type Verdict = std::result::Result<String, String>;

pub fn run(root: &Path, style: &Style) -> anyhow::Result<bool> {
    let labs: Vec<Lab> = lab::lab_dirs(root)?.iter().filter_map(|dir| lab::load(dir).ok()).collect();
    let mut failed = 0;
    let mut line = |name: &str, verdict: Verdict| match verdict {
        Ok(detail) => println!("{}  {name}: {detail}", style.green("ok  ")),
        Err(why) => {
            failed += 1;
            println!("{}  {name}: {why}", style.red("FAIL"));
        }
    };
    line("Rust", rust_version(root));
    line("rustfmt", component(root, "fmt", "rustfmt"));
    line("clippy", component(root, "clippy", "clippy"));
    line("disk", disk_space(root, labs.len() as u64 * DISK_PER_LAB_GIB));
    line("loopback", loopback());
    line("tokio-console", tokio_console(&labs));
    if cargo::workspace_problem(root).is_some() {
        line(
            "workspace",
            Err("cargo cannot load the workspace: run `cargo xtask check` to see why".to_owned()),
        );
    }
    for lab in &labs {
        let options = BuildOptions::lab(root, &lab.package, false, false);
        line(&format!("{} built", lab.name), built(test_command(&options)));
        if lab.has_loom() {
            let options = BuildOptions::loom(root, &lab.package, false, false);
            line(&format!("{} loom tests built", lab.name), built(test_command(&options)));
        }
        if let Some(bin) = lab.manifest.console.as_deref() {
            let command = crate::console::demo_command(root, &lab.package, bin, "build");
            line(&format!("{} console demo built", lab.name), built(command));
        }
    }
    println!();
    if failed == 0 {
        println!("{}", style.green("This laptop is ready: every lab builds without the network."));
    } else {
        println!(
            "{}",
            style.red(&format!(
                "{failed} check(s) failed: fix them from the top, then run `cargo xtask doctor` again."
            ))
        );
    }
    Ok(failed == 0)
}

/// The workspace's `rust-version`, from the root Cargo.toml.
fn required_rust(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let from = |t: Option<&toml::Value>| t?.get("rust-version")?.as_str().map(str::to_owned);
    from(table.get("workspace").and_then(|w| w.get("package"))).or_else(|| from(table.get("package")))
}

/// `1.89` or `1.89.0` as numbers, to compare.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

fn rust_version(root: &Path) -> Verdict {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc)
        .current_dir(root)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run rustc ({e}): install Rust with rustup, https://rustup.rs"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // `rustc 1.91.0 (f8297e351 2025-10-28)`, or `rustc 1.92.0-nightly (...)`.
    let found = text.split_whitespace().nth(1).unwrap_or_default();
    let found_number = found.split('-').next().unwrap_or_default();
    let Some(required) = required_rust(root) else {
        return Ok(format!("{found} (the workspace names no rust-version)"));
    };
    match (version(found_number), version(&required)) {
        (Some(have), Some(need)) if have >= need => Ok(format!("{found}, the workspace needs {required}")),
        (Some(_), Some(_)) => Err(format!(
            "rustc {found} is older than the workspace's rust-version {required}: run `rustup update stable`"
        )),
        _ => Err(format!("cannot read rustc's version from {:?}", text.trim())),
    }
}

/// `cargo fmt --version` or `cargo clippy --version`.
fn component(root: &Path, subcommand: &str, name: &str) -> Verdict {
    let output = Command::new(cargo()).current_dir(root).args([subcommand, "--version"]).output();
    match output {
        Ok(output) if output.status.success() => {
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
        }
        _ => Err(format!("missing: run `rustup component add {name}`")),
    }
}

/// Whether the target folder has room for `needed` GiB (at least 1) of builds.
fn disk_space(root: &Path, needed: u64) -> Verdict {
    let needed = needed.max(1);
    let target = cargo::target_dir(root);
    let dir = if target.exists() { target } else { root.to_path_buf() };
    let Some(free) = free_kib(&dir) else {
        return Ok(format!("not measured on this system: make sure {needed} GiB are free"));
    };
    let free_gib = free / (1024 * 1024);
    if free_gib >= needed {
        Ok(format!("{free_gib} GiB free for {}", dir.display()))
    } else {
        Err(format!(
            "only {free_gib} GiB free for {}; the labs' builds need about {needed} GiB",
            dir.display()
        ))
    }
}

/// Free space in KiB, from POSIX `df -Pk` (std has no portable call for it).
fn free_kib(dir: &Path) -> Option<u64> {
    let output = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()
}

/// The labs' tests talk to servers on 127.0.0.1 with ports the system picks.
fn loopback() -> Verdict {
    let fail = |e: std::io::Error| {
        format!(
            "cannot use 127.0.0.1 ({e}): a firewall or VPN client blocks loopback; the labs' tests need it"
        )
    };
    let listener = TcpListener::bind("127.0.0.1:0").map_err(fail)?;
    let address = listener.local_addr().map_err(fail)?;
    let mut client = TcpStream::connect(address).map_err(fail)?;
    let (mut server, _) = listener.accept().map_err(fail)?;
    client.write_all(b"ping").map_err(fail)?;
    let mut buffer = [0; 4];
    server.read_exact(&mut buffer).map_err(fail)?;
    Ok(format!("a server on {address} answered"))
}

fn tokio_console(labs: &[Lab]) -> Verdict {
    let needing: Vec<&str> =
        labs.iter().filter(|l| l.manifest.console.is_some()).map(|l| l.name.as_str()).collect();
    if needing.is_empty() {
        return Ok("not needed (no lab has a console demo)".to_owned());
    }
    match Command::new("tokio-console").arg("--version").output() {
        Ok(output) if output.status.success() => {
            Ok(format!("{} (for {})", String::from_utf8_lossy(&output.stdout).trim(), needing.join(", ")))
        }
        _ => Err(format!(
            "not installed; {} need(s) it: run `cargo install --locked tokio-console`",
            needing.join(", ")
        )),
    }
}

/// The build `check` runs for these options, as a command (without its message format).
fn test_command(options: &BuildOptions<'_>) -> Command {
    let mut command = Command::new(cargo());
    if let Some(dir) = options.target_dir {
        command.env("CARGO_TARGET_DIR", dir);
    }
    command.current_dir(options.root).args([
        "test",
        "--no-run",
        "--package",
        options.package,
        "--test",
        options.test,
    ]);
    if let Some(feature) = options.feature {
        command.args(["--features", feature]);
    }
    command
}

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    #[serde(default)]
    package_id: String,
    #[serde(default)]
    fresh: bool,
}

/// Runs the build offline and stops it at the first dependency it would compile:
/// downloaded and built means every dependency's artifact is fresh. The lab's own
/// crates may compile (a participant edits them); they are small.
fn built(mut command: Command) -> Verdict {
    command
        .args(["--message-format", "json"])
        .env("CARGO_NET_OFFLINE", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    });
    let mut stale = None;
    let mut dependencies = 0;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(artifact) = serde_json::from_str::<Artifact>(&line) else { continue };
            let dependency = !artifact.package_id.starts_with("path+");
            if artifact.reason != "compiler-artifact" || !dependency {
                continue;
            }
            dependencies += 1;
            if !artifact.fresh {
                stale = Some(artifact.package_id);
                // Our own child, by its handle: the rest of the build is prefetch's job.
                let _ = child.kill();
                break;
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cargo did not finish: {e}"))?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if let Some(id) = stale {
        return Err(format!(
            "{} is not built yet: run `cargo xtask prefetch` before the workshop",
            crate_of(&id)
        ));
    }
    if status.success() {
        return Ok(format!("{dependencies} dependencies built, no network needed"));
    }
    let offline = ["offline", "network", "download", "no matching package"];
    if offline.iter().any(|word| stderr.contains(word)) {
        return Err("dependencies are not downloaded: run `cargo xtask prefetch` with the network".to_owned());
    }
    let last: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(format!(
        "does not build offline: {}",
        last.iter().rev().take(3).rev().copied().collect::<Vec<_>>().join(" / ")
    ))
}

/// `serde@1.0.219` from `registry+https://...#serde@1.0.219`.
fn crate_of(package_id: &str) -> &str {
    package_id.rsplit('#').next().unwrap_or(package_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_numbers() {
        assert!(version("1.100") > version("1.89"));
        assert!(version("1.89.0") >= version("1.89"));
        assert!(version("1.88.1") < version("1.89"));
        assert_eq!(version("x"), None);
    }

    #[test]
    fn a_dependency_is_named_by_crate_and_version() {
        assert_eq!(
            crate_of("registry+https://github.com/rust-lang/crates.io-index#serde@1.0.219"),
            "serde@1.0.219"
        );
    }
}
