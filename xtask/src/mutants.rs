//! `cargo xtask mutants [LAB]`: cargo-mutants on a lab's reference solution, judged by
//! the lab's own tests (the solution runs them through `tests/lab.rs`). A mutant that
//! survives is a wrong solution the tests let through: a test nobody has written yet.
//!
//! Code that only loom judges (it reaches loom's types through `crate::sync`) is
//! mutated in a second pass that runs the loom tests, with the flags they need.
//! It takes minutes per lab, so it is not part of `verify`; CONTRIBUTING.md says when
//! to run it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::cargo::{self, cargo};
use crate::lab::{self, Lab};
use crate::style::Style;

/// The share of viable mutants a lab's tests must catch.
const TARGET: f64 = 0.9;

/// One run of cargo-mutants: which tests judged, and what came of it.
struct Pass {
    tests: &'static str,
    outcomes: Outcomes,
    missed: Vec<String>,
}

/// The counts cargo-mutants writes to `mutants.out/outcomes.json`.
#[derive(Debug, Default, Deserialize)]
struct Outcomes {
    #[serde(default)]
    caught: usize,
    #[serde(default)]
    missed: usize,
    #[serde(default)]
    timeout: usize,
    #[serde(default)]
    unviable: usize,
}

pub fn run(root: &Path, query: Option<&str>, style: &Style) -> Result<bool> {
    ensure_installed()?;
    let dirs = match query {
        Some(q) => vec![lab::resolve(root, q)?],
        None => lab::lab_dirs(root)?,
    };
    let mut all_met = true;
    for dir in dirs {
        let lab = lab::load(&dir)?;
        let Some(solution) = lab.solution_dir(root) else {
            println!("{} {}: no reference solution to mutate", style.yellow("skip"), lab.name);
            continue;
        };
        all_met &= mutate_lab(root, &lab, &solution, style)?;
    }
    Ok(all_met)
}

fn ensure_installed() -> Result<()> {
    let installed =
        Command::new(cargo()).args(["mutants", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        bail!(
            "cargo-mutants is not installed. Install it (a few minutes of compiling) with\n\n    cargo install --locked cargo-mutants\n\nthen run `cargo xtask mutants` again."
        );
    }
    Ok(())
}

fn mutate_lab(root: &Path, lab: &Lab, solution: &Path, style: &Style) -> Result<bool> {
    let package = lab::package_name(&solution.join("Cargo.toml"))?;
    let out = cargo::target_dir(root).join("mutants").join(&lab.name);
    let loom_files = if lab.has_loom() { files_using_loom(root, solution)? } else { Vec::new() };

    println!(
        "{} {} ({package}): every mutant is built and run against the lab's tests",
        style.cyan("Mutating"),
        lab.name
    );
    let mut command = mutants_command(root, &package, &out.join("tests"));
    for file in &loom_files {
        command.args(["--exclude", file]);
    }
    let mut passes = vec![execute("lab tests", command)?];

    if !loom_files.is_empty() {
        println!(
            "{} the code loom judges ({}), against the loom tests",
            style.cyan("Mutating"),
            loom_files.join(", ")
        );
        let mut command = mutants_command(root, &package, &out.join("loom"));
        for file in &loom_files {
            command.args(["--file", file]);
        }
        command.args(["--features", "loom", "--cargo-test-arg=--test=loom"]);
        passes.push(execute("loom tests", command)?);
    }
    Ok(report(lab, &passes, style))
}

/// cargo-mutants on one package, in a copy of the workbook that starts from a copy of
/// the target folder (so dependencies are not compiled again), never touching the sources.
fn mutants_command(root: &Path, package: &str, output: &Path) -> Command {
    let mut command = Command::new(cargo());
    command.current_dir(root).arg("mutants").args([
        "--package",
        package,
        "--no-shuffle",
        "--copy-target",
        "true",
    ]);
    command.arg("--output").arg(output);
    // The server example, demo binaries and benches are not what the lab teaches.
    for path in ["**/examples/**", "**/benches/**", "**/src/bin/**"] {
        command.args(["--exclude", path]);
    }
    command
}

/// Runs cargo-mutants and reads its counts. cargo-mutants exits non-zero when a mutant
/// survives, which is a result, not an error.
fn execute(tests: &'static str, mut command: Command) -> Result<Pass> {
    let output_dir = output_of(&command).context("the command has no --output")?;
    // cargo-mutants writes `mutants.out/` inside this folder, and wants it to exist.
    fs::create_dir_all(&output_dir).with_context(|| format!("cannot create {}", output_dir.display()))?;
    command.status().context("cannot run cargo mutants")?;
    let folder = output_dir.join("mutants.out");
    let text = fs::read_to_string(folder.join("outcomes.json"))
        .with_context(|| format!("cargo mutants wrote no {}", folder.join("outcomes.json").display()))?;
    let outcomes: Outcomes =
        serde_json::from_str(&text).context("cannot read cargo mutants' outcomes.json")?;
    let missed = fs::read_to_string(folder.join("missed.txt")).unwrap_or_default();
    Ok(Pass { tests, outcomes, missed: missed.lines().map(str::to_owned).collect() })
}

fn output_of(command: &Command) -> Option<PathBuf> {
    let args: Vec<_> = command.get_args().collect();
    args.windows(2).find(|w| w[0] == "--output").map(|w| PathBuf::from(w[1]))
}

fn report(lab: &Lab, passes: &[Pass], style: &Style) -> bool {
    let mut caught = 0;
    let mut viable = 0;
    println!("\n{} {}", style.bold(&lab.name), lab.manifest.title);
    for Pass { tests, outcomes: o, missed } in passes {
        println!(
            "  {tests}: {} caught, {} missed, {} timeouts (counted as caught), {} unviable",
            o.caught, o.missed, o.timeout, o.unviable
        );
        for mutant in missed {
            println!("    {} {mutant}", style.yellow("missed:"));
        }
        caught += o.caught + o.timeout;
        viable += o.caught + o.timeout + o.missed;
    }
    let score = if viable == 0 { 1.0 } else { caught as f64 / viable as f64 };
    let line = format!("  score: {caught} of {viable} viable mutants caught ({:.0} %)", score * 100.0);
    let met = score >= TARGET;
    println!(
        "{}\n",
        if met { style.green(&line) } else { style.red(&format!("{line}, below {:.0} %", TARGET * 100.0)) }
    );
    met
}

/// The solution's source files that reach loom through `crate::sync`: only the loom
/// tests can judge a mutant there.
/// Paths from the workbook's root, with `/`, as cargo-mutants' `--file` wants them.
fn files_using_loom(root: &Path, solution: &Path) -> Result<Vec<String>> {
    let src = solution.join("src");
    let mut files = Vec::new();
    for entry in fs::read_dir(&src).with_context(|| format!("cannot read {}", src.display()))?.flatten() {
        let path = entry.path();
        let text = fs::read_to_string(&path).unwrap_or_default();
        if path.extension().is_some_and(|e| e == "rs") && text.contains("crate::sync") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
            files.push(parts.join("/"));
        }
    }
    files.sort();
    Ok(files)
}
