//! `cargo xtask console LAB`: runs a lab's tokio-console demo with what
//! console-subscriber needs: `--cfg tokio_unstable`, tokio's `tracing` feature (the
//! lab's `console` feature turns it on), and a target folder of its own, so that the
//! different flags do not rebuild the ordinary artifacts.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cargo::{self, cargo};
use crate::lab;
use crate::style::Style;

pub const TOKIO_UNSTABLE: &str = "--cfg tokio_unstable";

pub fn run(root: &Path, query: &str, style: &Style) -> Result<bool> {
    let lab = lab::load(&lab::resolve(root, query)?)?;
    let Some(bin) = lab.manifest.console.as_deref() else {
        bail!("lab {} has no tokio-console demo (its lab.toml has no `console = \"<binary>\"`)", lab.name);
    };
    println!("{} the console demo of {} ({bin}).", style.cyan("Starting"), lab.name);
    println!(
        "In another terminal, run `tokio-console` (install it once with `cargo install --locked tokio-console`)."
    );
    println!("Stop the demo with Ctrl-C.\n");
    let status = demo_command(root, &lab.package, bin, "run").status().context("cannot run cargo")?;
    Ok(status.success())
}

/// `cargo <verb>` (build or run) of the demo binary, with the console's flags.
pub fn demo_command(root: &Path, package: &str, bin: &str, verb: &str) -> Command {
    let mut command = Command::new(cargo());
    command
        .current_dir(root)
        .args([verb, "--package", package, "--features", "console", "--bin", bin])
        .env("CARGO_TARGET_DIR", cargo::target_dir(root).join("console"));
    cargo::add_rustflags(&mut command, TOKIO_UNSTABLE);
    command
}
