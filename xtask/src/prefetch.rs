//! `cargo xtask prefetch`: downloads and builds everything the workshop needs, with
//! the same commands and flags `check`, `console` and `book` use, so that their
//! artifacts are the ones those commands look for. Afterwards the labs need no network:
//! `CARGO_NET_OFFLINE=true cargo xtask check` builds nothing new from the internet.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Result;

use crate::cargo::{self, Build, BuildOptions, cargo};
use crate::lab::{self, Lab};
use crate::style::Style;

pub fn run(root: &Path, skip_book: bool, style: &Style) -> Result<bool> {
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut step = |name: String, result: std::result::Result<(), String>| match result {
        Ok(()) => println!("{}  {name}", style.green("ok  ")),
        Err(why) => {
            println!("{}  {name}: {why}", style.red("FAIL"));
            failed.push(name);
        }
    };
    // Every crate of both lock files, for every platform: a laptop that could not
    // build everything still has the sources, and cargo can build them offline later.
    step("download the labs' dependencies (cargo fetch)".to_owned(), fetch(root, None));
    if root.join("xtask/Cargo.toml").is_file() {
        step(
            "download the runner's dependencies (cargo fetch --manifest-path xtask/Cargo.toml)".to_owned(),
            fetch(root, Some("xtask/Cargo.toml")),
        );
    }
    let labs: Vec<Lab> = lab::lab_dirs(root)?.iter().filter_map(|dir| lab::load(dir).ok()).collect();
    for lab in &labs {
        eprintln!("{} {} in test mode", style.cyan("Building"), lab.name);
        let options = BuildOptions::lab(root, &lab.package, style.color(), true);
        step(format!("{}: tests built", lab.name), build(&options));
        if lab.has_loom() {
            eprintln!("{} the loom tests of {}", style.cyan("Building"), lab.name);
            let options = BuildOptions::loom(root, &lab.package, style.color(), true);
            step(format!("{}: loom tests built", lab.name), build(&options));
        }
        if let Some(bin) = lab.manifest.console.as_deref() {
            eprintln!("{} the console demo of {}", style.cyan("Building"), lab.name);
            let status = crate::console::demo_command(root, &lab.package, bin, "build").status();
            step(format!("{}: console demo built", lab.name), succeeded(status));
        }
    }
    if !skip_book {
        eprintln!("{} the book (the first time, this compiles mdBook)", style.cyan("Building"));
        step(
            "the book built".to_owned(),
            crate::book::build(root, true).map(|_| ()).map_err(|e| format!("{e:#}")),
        );
    }
    println!();
    let minutes = started.elapsed().as_secs() / 60;
    if failed.is_empty() {
        println!(
            "{} in {minutes} min. Check it with `cargo xtask doctor`; the labs now work without the network.",
            style.green("Everything is downloaded and built")
        );
    } else {
        println!("{} {}", style.red("Not everything could be prepared:"), failed.join("; "));
    }
    Ok(failed.is_empty())
}

fn fetch(root: &Path, manifest: Option<&str>) -> std::result::Result<(), String> {
    let mut command = Command::new(cargo());
    command.current_dir(root).arg("fetch");
    if let Some(manifest) = manifest {
        command.args(["--manifest-path", manifest]);
    }
    succeeded(command.status())
}

fn succeeded(status: std::io::Result<std::process::ExitStatus>) -> std::result::Result<(), String> {
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("cargo failed ({status}); its messages are above")),
        Err(error) => Err(format!("cannot run cargo: {error}")),
    }
}

/// The build `check` runs. A starter that does not compile is not prefetch's problem
/// as long as its dependencies were built: the error is the learner's to fix.
fn build(options: &BuildOptions<'_>) -> std::result::Result<(), String> {
    match cargo::build_test(options) {
        Ok(Build::Ready(_)) => Ok(()),
        Ok(Build::CompileError { first, .. }) => {
            Err(format!("the lab's own code does not compile (its dependencies are built):\n{first}"))
        }
        Ok(Build::CargoFailed(message)) => Err(message),
        Err(error) => Err(format!("{error:#}")),
    }
}
