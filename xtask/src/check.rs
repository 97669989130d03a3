//! `cargo xtask check [LAB]`: build each lab's test binary, run its tests with a time
//! limit each, and show the learner where they stand, step by step.

use std::path::Path;

use anyhow::Result;

use crate::cargo::{self, Build, BuildOptions};
use crate::lab::{self, Lab};
use crate::progress::Progress;
use crate::style::Style;
use crate::testrun::{self, Outcome, TestResult};

/// Where a lab stands after a check.
pub enum Standing {
    AllPassed,
    /// The first step that did not pass, by index.
    FailingAt(usize),
    /// The lab could not be built or its tests could not be run.
    Broken,
}

pub fn run(root: &Path, query: Option<&str>, style: &Style) -> Result<bool> {
    let dirs = match query {
        Some(q) => vec![lab::resolve(root, q)?],
        None => lab::lab_dirs(root)?,
    };
    let mut progress = Progress::load(root);
    let mut all_passed = true;
    for dir in &dirs {
        let standing = match lab::load(dir) {
            Ok(lab) => check_lab(root, &lab, style, &mut progress),
            Err(error) => {
                println!("{} {error:#}\n", style.red("✘"));
                println!(
                    "  The lab's lab.toml must be fixed before its tests can run. If you did not edit it, `git checkout -- {}` restores it.\n",
                    dir.join("lab.toml").strip_prefix(root).unwrap_or(dir).display()
                );
                Standing::Broken
            }
        };
        all_passed &= matches!(standing, Standing::AllPassed);
    }
    // Losing the hint bookkeeping is no reason to fail a check.
    if let Err(error) = progress.save(root) {
        eprintln!("{} {error:#}", style.yellow("warning:"));
    }
    if dirs.len() > 1 {
        println!(
            "{}",
            if all_passed {
                style.green("Every lab passes.")
            } else {
                style.bold("Not every lab passes yet: see above.")
            }
        );
    }
    Ok(all_passed)
}

fn check_lab(root: &Path, lab: &Lab, style: &Style, progress: &mut Progress) -> Standing {
    eprintln!("{} {} ({})", style.cyan("Building"), lab.name, lab.manifest.title);
    let options = BuildOptions::lab(root, &lab.package, style.color(), true);
    let mut results = match build_and_run(lab, &options, style) {
        Ok(results) => results,
        Err(()) => return Standing::Broken,
    };
    if lab.has_loom() {
        let loom_target = cargo::target_dir(root).join("loom");
        eprintln!(
            "{} the loom tests of {} (release, {}, in {}; the first build takes a few minutes)",
            style.cyan("Building"),
            lab.name,
            cargo::LOOM_CFG,
            loom_target.display()
        );
        let options = BuildOptions::loom(root, &lab.package, &loom_target, style.color(), true);
        match build_and_run(lab, &options, style) {
            Ok(loom_results) => results.extend(loom_results),
            // The error is printed above; the other steps' results still count, and each
            // loom step shows as failing rather than the whole lab as broken.
            Err(()) => results.extend(lab.manifest.steps.iter().filter(|s| s.loom).map(|step| TestResult {
                name: format!("{}::(build)", step.tests),
                outcome: Outcome::Crashed(
                    "its loom tests do not compile; the compiler error is above".to_owned(),
                ),
                output: String::new(),
            })),
        }
    }
    let standing = report(lab, &results, style);
    match &standing {
        Standing::FailingAt(i) => {
            progress.first_failing_step.insert(lab.name.clone(), lab.manifest.steps[*i].id.clone());
        }
        _ => {
            progress.first_failing_step.remove(&lab.name);
        }
    }
    standing
}

/// Builds one test target and runs its tests; a build that fails is reported here.
fn build_and_run(lab: &Lab, options: &BuildOptions<'_>, style: &Style) -> Result<Vec<TestResult>, ()> {
    let build = cargo::build_test(options).unwrap_or_else(|error| Build::CargoFailed(format!("{error:#}")));
    let binary = match build {
        Build::Ready(binary) => binary,
        Build::CompileError { first, count } => {
            let what = if options.rustflags.is_some() {
                "has loom tests that do not compile"
            } else {
                "does not compile"
            };
            print_header(lab, style, &style.red(what));
            println!("{first}\n");
            let more = if count > 1 { format!(" ({} more after it)", count - 1) } else { String::new() };
            println!(
                "  This is the first compiler error{more}. Fix it, then run `cargo xtask check {}` again.",
                lab.number()
            );
            println!("  Plain cargo shows them all: `{}`.\n", plain_cargo_command(options));
            return Err(());
        }
        Build::CargoFailed(message) => {
            print_header(lab, style, &style.red("cannot be built"));
            println!("{message}\n");
            return Err(());
        }
    };
    let names = testrun::list_tests(&binary).map_err(|error| {
        print_header(lab, style, &style.red("cannot list its tests"));
        println!("{error:#}\n");
    })?;
    Ok(testrun::run_tests(&binary, &lab.dir, &names, lab.test_timeout(), testrun::default_jobs()))
}

/// The cargo command a learner can run by hand to see every error of this build.
fn plain_cargo_command(options: &BuildOptions<'_>) -> String {
    let mut command = String::new();
    if let Some(flags) = options.rustflags {
        command.push_str(&format!("RUSTFLAGS=\"{flags}\" "));
    }
    if let Some(dir) = options.target_dir {
        command.push_str(&format!("CARGO_TARGET_DIR={} ", dir.display()));
    }
    command.push_str(&format!("cargo test -p {} --test {} --no-run", options.package, options.test));
    if options.release {
        command.push_str(" --release");
    }
    command
}

fn print_header(lab: &Lab, style: &Style, status: &str) {
    println!("\n{} {}  {}", style.bold(&lab.name), lab.manifest.title, status);
}

/// Prints the step table and, for the first failing step, what to do next.
fn report(lab: &Lab, results: &[TestResult], style: &Style) -> Standing {
    let steps = &lab.manifest.steps;
    let mut per_step: Vec<Vec<&TestResult>> = vec![Vec::new(); steps.len()];
    let mut unassigned = Vec::new();
    for result in results {
        match lab.step_of(&result.name) {
            Some(i) => per_step[i].push(result),
            None => unassigned.push(result),
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let status = if passed == results.len() && !results.is_empty() {
        style.green("all steps pass")
    } else if passed == 0 {
        style.yellow("not started")
    } else {
        format!("{passed}/{} tests pass", results.len())
    };
    print_header(lab, style, &status);

    let first_failing =
        per_step.iter().position(|tests| tests.is_empty() || tests.iter().any(|t| !t.passed()));
    let width = steps.iter().map(|s| s.title.len()).max().unwrap_or(0);
    for (i, (step, tests)) in steps.iter().zip(&per_step).enumerate() {
        let ok = tests.iter().filter(|t| t.passed()).count();
        let mark = if tests.is_empty() {
            style.red("?")
        } else if ok == tests.len() {
            style.green("✔")
        } else if Some(i) == first_failing {
            style.red("✘")
        } else {
            style.dim("·")
        };
        let here = if Some(i) == first_failing { style.yellow("  ← you are here") } else { String::new() };
        println!(
            "  {mark} {:>2}  {:<width$}  {ok:>2}/{:<2} {}{here}",
            i + 1,
            step.title,
            tests.len(),
            style.dim(&format!("{} min", step.minutes))
        );
    }
    if !unassigned.is_empty() {
        println!(
            "  {} tests in no step of lab.toml: {}",
            style.yellow("!"),
            unassigned.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    println!();

    let Some(i) = first_failing else {
        println!(
            "  {} Every test of this lab passes. Compare with solutions/{} when you like, then go on to the next chapter.\n",
            style.green("Well done."),
            lab.name
        );
        return Standing::AllPassed;
    };
    let step = &steps[i];
    if passed == 0 {
        println!(
            "  Start with step 1, «{}»: read the section, then write the code its first test asks for.",
            steps[0].title
        );
    }
    match per_step[i].iter().find(|t| !t.passed()) {
        Some(failing) => print_failure(lab, i, failing, style),
        None => println!(
            "  Step {} has no tests: its test module `{}` is missing from tests/lab/.",
            i + 1,
            step.tests
        ),
    }
    println!("  {}  book/{}   (cargo xtask book --open)", style.bold("Read:"), step.section);
    println!("  {}  cargo xtask hint {} {}\n", style.bold("Hint:"), lab.number(), i + 1);
    Standing::FailingAt(i)
}

fn print_failure(lab: &Lab, step: usize, failing: &TestResult, style: &Style) {
    println!("  {} step {}: {}", style.red("First failing test,"), step + 1, style.bold(&failing.name));
    let message = match &failing.outcome {
        Outcome::TimedOut => format!(
            "It was still running after {} s and was stopped: a probable deadlock, an infinite loop, \
             or a wait for something that never comes (a lock held across .await, a channel nobody sends on, \
             a real sleep where the test pauses time).",
            lab.test_timeout().as_secs()
        ),
        Outcome::Crashed(how) if failing.name.ends_with("::(build)") => format!("Step {}: {how}.", step + 1),
        Outcome::Crashed(how) => format!("The test process crashed: {how}."),
        Outcome::Failed | Outcome::Passed => failing
            .panic_message()
            .unwrap_or_else(|| "It failed without a panic message; its output is below.".to_owned()),
    };
    println!();
    for line in message.lines() {
        println!("    {line}");
    }
    println!();
    if let Some(cut) = testrun::bytes_cut(&failing.output) {
        println!(
            "    {}\n",
            style.dim(&format!("(the test printed too much: {cut} bytes of its output were cut)"))
        );
    }
    if failing.panic_message().is_none() && !failing.output.trim().is_empty() {
        let tail: Vec<&str> = failing.output.lines().rev().take(20).collect();
        for line in tail.into_iter().rev() {
            println!("    {}", style.dim(line));
        }
        println!();
    }
}
