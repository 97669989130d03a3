//! `cargo xtask verify`: everything CI checks, in one command. Each check prints one
//! line; the last line is the summary `N passed, N failed`.

mod book_checks;
mod features;
mod honesty;
mod layout;
mod mistakes;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::Result;

use crate::cargo::cargo;
use crate::lab::{self, Lab};
use crate::style::Style;

/// The verdict of one check: `Ok(detail)` or `Err(what is wrong and how to fix it)`.
pub type Verdict = std::result::Result<String, String>;

struct Report<'a> {
    style: &'a Style,
    passed: usize,
    failed: usize,
}

impl Report<'_> {
    fn run(&mut self, name: &str, check: impl FnOnce() -> Verdict) {
        if crate::testrun::interrupted() {
            println!("{}", self.style.yellow("Interrupted."));
            std::process::exit(130);
        }
        eprintln!("{} {name}", self.style.dim("checking"));
        let started = Instant::now();
        let verdict = check();
        let seconds = started.elapsed().as_secs_f64();
        match verdict {
            Ok(detail) => {
                self.passed += 1;
                let detail = if detail.is_empty() { String::new() } else { format!(": {detail}") };
                println!(
                    "{}  {name}{detail} {}",
                    self.style.green("ok  "),
                    self.style.dim(&format!("({seconds:.1} s)"))
                );
            }
            Err(why) => {
                self.failed += 1;
                println!(
                    "{}  {name} {}",
                    self.style.red("FAIL"),
                    self.style.dim(&format!("({seconds:.1} s)"))
                );
                for line in why.lines() {
                    println!("        {line}");
                }
            }
        }
    }
}

pub fn run(root: &Path, only: Option<&str>, style: &Style) -> Result<bool> {
    let mut report = Report { style, passed: 0, failed: 0 };
    if let Some(query) = only {
        // A maintainer's quick loop on one lab: its own checks, none of the workbook's.
        let lab = lab::load(&lab::resolve(root, query)?)?;
        verify_lab(root, &lab, &mut report);
        return Ok(summarize(&report));
    }
    let mut labs = Vec::new();
    report.run("the workspace loads, and every lab and solution pairs up", || layout::check(root));
    for dir in lab::lab_dirs(root)? {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        report.run(&format!("{name}: lab.toml is valid"), || match lab::load(&dir) {
            Ok(lab) => {
                labs.push(lab);
                Ok(String::new())
            }
            Err(error) => Err(format!("{error:#}")),
        });
    }
    let runner = ["--manifest-path", "xtask/Cargo.toml"];
    report.run("every lab's tests ask for the same features of a shared crate (workspace-hack)", || {
        features::agree(root, &labs)
    });

    report.run("formatting (cargo fmt --check)", || {
        cargo_succeeds(root, &["fmt", "--all", "--check"])?;
        cargo_succeeds(root, &["fmt", runner[0], runner[1], "--all", "--check"])
    });
    // One clippy over labs and solutions: the starters are held to `-D warnings` too (their
    // manifests allow what a `todo!()` body leaves unused), and one cargo command checks
    // every crate side by side.
    report.run("starters, solutions and runner compile, clippy-clean (-D warnings)", || {
        cargo_succeeds(root, &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"])?;
        cargo_succeeds(
            root,
            &[
                "clippy",
                runner[0],
                runner[1],
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ],
        )
    });
    report.run("the runner's own tests (cargo test --manifest-path xtask/Cargo.toml --workspace)", || {
        cargo_succeeds(root, &["test", runner[0], runner[1], "--workspace", "--quiet"])
    });

    for lab in &labs {
        verify_lab(root, lab, &mut report);
    }

    report.run("book: every {{#include}} resolves, with its anchor", || book_checks::includes_resolve(root));
    report.run("book: no text block is wider than the column", || book_checks::text_fits_column(root));
    report.run("book: the workshop's timed plans match the labs' minutes", || crate::schedule::verdict(root));
    report.run("book: builds with a search index", || book_checks::builds_with_search(root));
    report.run("the board's page works in a real browser (headless Chromium)", || {
        crate::board::browser_check(root)
    });

    Ok(summarize(&report))
}

/// Prints the closing line, `N passed, N failed`, and says whether all passed.
fn summarize(report: &Report<'_>) -> bool {
    println!();
    let summary = format!("{} passed, {} failed", report.passed, report.failed);
    let style = report.style;
    println!("{}", if report.failed == 0 { style.green(&summary) } else { style.red(&summary) });
    report.failed == 0
}

fn verify_lab(root: &Path, lab: &Lab, report: &mut Report<'_>) {
    let name = &lab.name;
    if lab.manifest.draft {
        println!(
            "{}  {name}: a draft (lab.toml says `draft = true`): its tests, solution and mistakes are not verified",
            report.style.yellow("skip")
        );
        return;
    }
    report.run(&format!("{name}: steps have hints and book sections, the chapter links the lab"), || {
        book_checks::lab_is_documented(root, lab)
    });
    report.run(
        &format!("{name}: every step's todo!() marks the files it edits (for reset and solution)"),
        || layout::steps_are_marked(lab),
    );
    let Some(solution) = lab.solution_dir(root) else {
        report.run(&format!("{name}: has a reference solution"), || {
            Err(format!("no solutions/{name}/Cargo.toml"))
        });
        return;
    };
    report.run(&format!("{name}: every test fails on the starter and passes on the solution"), || {
        honesty::lab_is_honest(root, lab, &solution)
    });
    if solution.join("benches").is_dir() {
        // One package per command: a command over several unifies their features, and
        // cargo would rebuild the dependencies for that mix (minutes, measured).
        report.run(&format!("{name}: the solution's benches run once in test mode"), || {
            let package = lab::package_name(&solution.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
            cargo_succeeds(root, &["test", "--package", &package, "--benches", "--quiet"])
        });
    }
    if let Some(bin) = lab.manifest.console.as_deref() {
        // `check`, not `build`: what can rot is the code, and checking it skips the codegen
        // of a second copy of tokio and its tree (built with their own flags).
        report.run(&format!("{name}: the tokio-console demo compiles (--cfg tokio_unstable)"), || {
            let output = crate::console::demo_command(root, &lab.package, bin, "check")
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            if output.status.success() {
                Ok(String::new())
            } else {
                Err(last_lines(&String::from_utf8_lossy(&output.stderr), 30))
            }
        });
    }
    if let Some(example) = lab.manifest.browser_check.as_deref() {
        report.run(&format!("{name}: its page works in a real browser (headless Chromium)"), || {
            browser_check(root, &solution, example)
        });
    }
    report.run(&format!("{name}: every mistake is caught by the test it names"), || {
        mistakes::all_caught(root, lab, &solution)
    });
}

/// Runs the solution's browser example in its check mode. Where no Chromium is
/// installed it says so, and the line says it too: a skip is never silent.
fn browser_check(root: &Path, solution_dir: &Path, example: &str) -> Verdict {
    let package = lab::package_name(&solution_dir.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["run", "--quiet", "--package", &package, "--example", example, "--", "--check"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let mut text = stdout.into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        return Err(last_lines(&text, 40));
    }
    match stdout.lines().find(|l| l.contains("skipped")) {
        Some(line) => Ok(format!("{} (install chromium to run it; CI does)", line.trim())),
        None => {
            Ok(stdout.lines().filter(|l| l.starts_with("ok")).map(str::trim).collect::<Vec<_>>().join("; "))
        }
    }
}

/// Runs cargo with `args` in `root`; its output is shown only when it fails.
fn cargo_succeeds(root: &Path, args: &[&str]) -> Verdict {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        return Ok(String::new());
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Err(format!("`cargo {}` failed:\n{}", args.join(" "), last_lines(&text, 40)))
}

/// The end of a long text: where cargo puts the error that matters.
fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
