//! `cargo xtask check [LAB]`: build each lab's test binary, run its tests with a time
//! limit each, and show the learner where they stand, step by step.

mod json;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;

use crate::cargo::{self, Build, BuildOptions};
use crate::edit::Spot;
use crate::lab::{self, Lab};
use crate::progress::Progress;
use crate::spec::{self, Difference};
use crate::style::Style;
use crate::testrun::{self, Outcome, TestResult};

use self::json::{Document, LabReport, Status, StepReport};

/// With `--json`, stdout carries the JSON document alone and the human report goes to
/// stderr, where a terminal still shows it.
static JSON: AtomicBool = AtomicBool::new(false);

/// `println!` for the human report: to stdout, or to stderr under `--json`.
macro_rules! say {
    ($($arg:tt)*) => {
        if JSON.load(Ordering::Relaxed) { eprintln!($($arg)*) } else { println!($($arg)*) }
    };
}

/// Where a lab stands after a check.
pub enum Standing {
    AllPassed,
    /// The first step that did not pass, by index.
    FailingAt(usize),
    /// The lab could not be built or its tests could not be run.
    Broken,
}

/// Checks the lab named by `query` (every lab without one). With `json`, the report is
/// also one JSON document on stdout; with `edit`, the first failure's spot opens in the
/// learner's editor.
pub fn run(root: &Path, query: Option<&str>, json: bool, edit: bool, style: &Style) -> Result<bool> {
    JSON.store(json, Ordering::Relaxed);
    let dirs = match query {
        Some(q) => vec![lab::resolve(root, q)?],
        None => lab::lab_dirs(root)?,
    };
    // Cargo loads every lab of the workspace to build any one of them: a broken
    // Cargo.toml anywhere stops them all. Say so once, and name the culprit per lab.
    let workspace_problem = cargo::workspace_problem(root);
    if let Some(problem) = &workspace_problem {
        say!("{} cargo cannot load the workspace in {}:\n\n{problem}\n", style.red("✘"), root.display());
    }
    let mut standings = Vec::new();
    let mut reports = Vec::new();
    for dir in &dirs {
        if testrun::interrupted() {
            break;
        }
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (standing, report) = match lab::load(dir) {
            Err(_) if workspace_problem.as_deref().is_some_and(|p| mentions(p, dir)) => {
                let message = broken_manifest(root, dir, style);
                (Standing::Broken, LabReport::error(&name, "", message))
            }
            Err(error) => {
                say!("{} {error:#}\n", style.red("✘"));
                say!(
                    "  The lab's lab.toml must be fixed before its tests can run. If you did not edit it, `git checkout -- {}` restores it.\n",
                    relative(root, &dir.join("lab.toml"))
                );
                (Standing::Broken, LabReport::error(&name, "", format!("lab.toml: {error:#}")))
            }
            Ok(lab) => match &workspace_problem {
                Some(problem) => {
                    let message = blocked(root, &lab, problem, style);
                    (Standing::Broken, LabReport::error(&lab.name, &lab.manifest.title, message))
                }
                None => check_lab(root, &lab, style),
            },
        };
        standings.push((dir.clone(), standing));
        reports.push(report);
    }
    if testrun::interrupted() {
        say!("{}", style.yellow("Interrupted: the running tests were stopped."));
        std::process::exit(130);
    }
    remember(root, &standings, style);
    if edit {
        let spot = reports.iter().find_map(|r| r.first_failure_at.as_deref()).and_then(Spot::parse);
        match spot {
            Some(spot) => crate::edit::open(root, &spot, style),
            None => eprintln!("{} no failure with a place in the code to open.", style.dim("--edit:")),
        }
    }
    let all_passed = standings.iter().all(|(_, s)| matches!(s, Standing::AllPassed));
    if json {
        print_json(reports);
    }
    if dirs.len() > 1 {
        say!(
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

/// The JSON document on stdout: one line, so that a reader can take it whole.
fn print_json(labs: Vec<LabReport>) {
    let status = if labs.iter().any(|l| l.status == Status::Error) {
        Status::Error
    } else if labs.iter().all(|l| l.status == Status::Pass) {
        Status::Pass
    } else {
        Status::Fail
    };
    let document = Document { version: json::VERSION, status, labs };
    match serde_json::to_string(&document) {
        Ok(text) => println!("{text}"),
        Err(error) => eprintln!("cannot write the JSON report: {error}"),
    }
}

/// Records where each lab stands, for `hint`. Losing it is no reason to fail a check.
fn remember(root: &Path, standings: &[(std::path::PathBuf, Standing)], style: &Style) {
    let result = Progress::update(root, |progress| {
        for (dir, standing) in standings {
            let Ok(lab) = lab::load(dir) else { continue };
            match standing {
                Standing::FailingAt(i) => {
                    progress.passed.remove(&lab.name);
                    progress.first_failing_step.insert(lab.name.clone(), lab.manifest.steps[*i].id.clone());
                }
                Standing::AllPassed => {
                    progress.first_failing_step.remove(&lab.name);
                    progress.passed.insert(lab.name.clone());
                }
                Standing::Broken => {}
            }
        }
    });
    if let Err(error) = result {
        eprintln!("{} {error:#}", style.yellow("warning:"));
    }
}

/// A lab that cannot be built because cargo cannot load the workspace.
/// Whether cargo's complaint is about the lab in `dir` (and not one whose name it
/// starts with: `03-state` is not `03-state-machine`).
fn mentions(problem: &str, dir: &Path) -> bool {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let full = dir.display().to_string();
    ["`", "/", "\\"].iter().any(|end| problem.contains(&format!("{full}{end}")))
        || problem.contains(&format!("labs/{name}/"))
        || problem.contains(&format!("labs\\{name}\\"))
}

/// Says why the lab cannot be checked, and returns that reason in a line.
fn blocked(root: &Path, lab: &Lab, problem: &str, style: &Style) -> String {
    if mentions(problem, &lab.dir) {
        return broken_manifest(root, &lab.dir, style);
    }
    print_header(lab, style, &style.yellow("not checked: cargo cannot load the workspace (above)"));
    say!("\n  It is checked again once the manifest named above is fixed.\n");
    format!("not checked: cargo cannot load the workspace: {problem}")
}

/// Says that the lab's own Cargo.toml is broken, and returns that in a line.
fn broken_manifest(root: &Path, dir: &Path, style: &Style) -> String {
    let manifest = relative(root, &dir.join("Cargo.toml"));
    say!(
        "\n{}  {}\n\n  Fix {manifest}, or restore it with `git checkout -- {manifest}`.\n",
        style.bold(&relative(root, dir)),
        style.red("cannot be built: its Cargo.toml is the one cargo cannot load (above)")
    );
    format!("cannot be built: cargo cannot load {manifest}")
}

fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    // Shown in a command: `/` works in git on every platform.
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn check_lab(root: &Path, lab: &Lab, style: &Style) -> (Standing, LabReport) {
    eprintln!("{} {} ({})", style.cyan("Building"), lab.name, lab.manifest.title);
    let options = BuildOptions::lab(root, &lab.package, style.color(), true);
    let broken =
        |message: String| (Standing::Broken, LabReport::error(&lab.name, &lab.manifest.title, message));
    let mut results = match build_and_run(lab, &options, style) {
        Ok(results) => results,
        Err(message) => return broken(message),
    };
    let mut unbuilt = Vec::new();
    if testrun::interrupted() {
        return broken("interrupted".to_owned());
    }
    if lab.has_loom() {
        eprintln!("{} the loom tests of {} (with its `loom` feature)", style.cyan("Building"), lab.name);
        let options = BuildOptions::loom(root, &lab.package, style.color(), true);
        match build_and_run(lab, &options, style) {
            Ok(loom_results) => results.extend(loom_results),
            // The error is printed above; the other steps' results still count, and each
            // loom step shows as failing rather than the whole lab as broken.
            Err(_) => {
                for (i, step) in lab.manifest.steps.iter().enumerate().filter(|(_, s)| s.loom) {
                    unbuilt.push(i);
                    results.push(TestResult::crashed(
                        &format!("{}::(build)", step.tests),
                        "its loom tests do not compile; the compiler error is above".to_owned(),
                    ));
                }
            }
        }
    }
    if testrun::interrupted() {
        return broken("interrupted".to_owned());
    }
    let differences = match spec::read(lab) {
        Ok(Some(spec)) => {
            let names: Vec<String> = results.iter().map(|r| r.name.clone()).collect();
            spec::differences(lab, &spec, &names, &unbuilt)
        }
        // A lab with a reference solution always has a recorded specification.
        Ok(None) if lab.solution_dir(root).is_some() && !lab.manifest.draft => vec![Difference {
            step: None,
            what: "tests/spec.toml is missing".to_owned(),
            restore: format!("labs/{}/tests/spec.toml", lab.name),
        }],
        Ok(None) => Vec::new(),
        Err(error) => vec![Difference {
            step: None,
            what: format!("{error:#}"),
            restore: format!("labs/{}/tests/spec.toml", lab.name),
        }],
    };
    report(lab, &results, &differences, style)
}

/// Builds one test target and runs its tests; a build that fails is reported here.
/// A build that fails is reported here, and its error comes back for the JSON report.
fn build_and_run(lab: &Lab, options: &BuildOptions<'_>, style: &Style) -> Result<Vec<TestResult>, String> {
    let build = cargo::build_test(options).unwrap_or_else(|error| Build::CargoFailed(format!("{error:#}")));
    let binary = match build {
        Build::Ready(binary) => binary,
        Build::CompileError { first, count } => {
            let what = if options.feature.is_some() {
                "has loom tests that do not compile"
            } else {
                "does not compile"
            };
            print_header(lab, style, &style.red(what));
            say!("{first}\n");
            let more = if count > 1 { format!(" ({} more after it)", count - 1) } else { String::new() };
            say!(
                "  This is the first compiler error{more}. Fix it, then run `cargo xtask check {}` again.",
                lab.handle
            );
            if let Some((number, step)) = step_of_error(lab, &first) {
                say!(
                    "  The code it points at is used by the tests of step {number}, «{}»: read book/{}.",
                    step.title,
                    step.section
                );
            }
            say!("  Plain cargo shows them all:\n{}\n", cargo::plain_command(options));
            return Err(format!("{what}:\n{first}"));
        }
        Build::CargoFailed(_) if testrun::interrupted() => return Err("interrupted".to_owned()),
        Build::CargoFailed(message) => {
            print_header(lab, style, &style.red("cannot be built"));
            say!("{message}\n");
            return Err(format!("cannot be built: {message}"));
        }
    };
    let names = testrun::list_tests(&binary).map_err(|error| {
        print_header(lab, style, &style.red("cannot list its tests"));
        say!("{error:#}\n");
        format!("cannot list its tests: {error:#}")
    })?;
    Ok(testrun::run_lab_tests(&binary, &lab.dir, &names, lab.test_timeout(), testrun::default_jobs()))
}

fn print_header(lab: &Lab, style: &Style, status: &str) {
    say!("\n{} {}  {}", style.bold(&lab.name), lab.manifest.title, status);
}

/// What the table shows for one step.
struct StepState<'a> {
    tests: Vec<&'a TestResult>,
    differences: Vec<&'a Difference>,
}

impl StepState<'_> {
    fn done(&self) -> bool {
        !self.tests.is_empty() && self.tests.iter().all(|t| t.passed()) && self.differences.is_empty()
    }
}

/// Prints the step table and, for the first step that is not done, what to do next.
fn report(
    lab: &Lab,
    results: &[TestResult],
    differences: &[Difference],
    style: &Style,
) -> (Standing, LabReport) {
    let steps = &lab.manifest.steps;
    let mut states: Vec<StepState<'_>> =
        steps.iter().map(|_| StepState { tests: Vec::new(), differences: Vec::new() }).collect();
    let mut unassigned = Vec::new();
    for result in results {
        match lab.step_of(&result.name) {
            Some(i) => states[i].tests.push(result),
            None => unassigned.push(result),
        }
    }
    let shared: Vec<&Difference> = differences.iter().filter(|d| d.step.is_none()).collect();
    for difference in differences {
        if let Some(i) = difference.step {
            states[i].differences.push(difference);
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let first_undone = states.iter().position(|s| !s.done());
    let stray_failures: Vec<&TestResult> = unassigned.iter().copied().filter(|t| !t.passed()).collect();
    let all_done = first_undone.is_none() && stray_failures.is_empty() && shared.is_empty();
    let status = if all_done {
        style.green("all steps pass")
    } else if passed == 0 {
        style.yellow("not started")
    } else {
        format!("{passed}/{} tests pass", results.len())
    };
    print_header(lab, style, &status);
    print_table(lab, &states, first_undone, style);
    if !unassigned.is_empty() {
        say!(
            "  {} {} test(s) in no step of lab.toml, {} failing: {}",
            style.yellow("!"),
            unassigned.len(),
            stray_failures.len(),
            unassigned.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    say!();

    let steps_json: Vec<StepReport> =
        states.iter().enumerate().map(|(i, s)| StepReport::new(lab, i, &s.tests, s.done())).collect();
    // The failure the text explains: the first in teaching order of the first step not done.
    let first_failure_at = first_undone
        .and_then(|i| first_in_teaching_order(lab, i, &states[i].tests))
        .and_then(|failing| {
            failing.why().rsplit_once("(at ").map(|(_, at)| at.trim_end_matches(')').to_owned())
        })
        .filter(|at| Spot::parse(at).is_some());
    let lab_json = |status: Status, message: Option<String>| LabReport {
        lab: lab.name.clone(),
        title: lab.manifest.title.clone(),
        status,
        message,
        first_failing_step: first_undone.map(|i| i + 1),
        first_failure_at,
        steps: steps_json,
    };
    let changed = (!shared.is_empty() || states.iter().any(|s| !s.differences.is_empty()))
        .then(|| "the tests were changed: `git checkout` restores them (see the text report)".to_owned());
    if !shared.is_empty() {
        print_differences(&shared, style);
    }
    if let Some(i) = first_undone {
        explain_step(lab, i, &states[i], passed, style);
        return (Standing::FailingAt(i), lab_json(Status::Fail, changed));
    }
    if let Some(failing) = stray_failures.first() {
        say!(
            "  Every step passes, but a test outside the steps fails. The lab is not done until it passes (or is removed)."
        );
        print_failure(lab, None, failing, style);
        let message = format!("{} is in no step and fails: {}", failing.name, failing.why());
        return (Standing::Broken, lab_json(Status::Fail, Some(message)));
    }
    if !shared.is_empty() {
        return (Standing::Broken, lab_json(Status::Fail, changed));
    }
    say!(
        "  {} Every test of this lab passes. Compare with solutions/{} when you like, then go on to the next chapter.\n",
        style.green("Well done."),
        lab.name
    );
    (Standing::AllPassed, lab_json(Status::Pass, None))
}

fn print_table(lab: &Lab, states: &[StepState<'_>], first_undone: Option<usize>, style: &Style) {
    let width = lab.manifest.steps.iter().map(|s| s.title.chars().count()).max().unwrap_or(0);
    for (i, (step, state)) in lab.manifest.steps.iter().zip(states).enumerate() {
        let ok = state.tests.iter().filter(|t| t.passed()).count();
        let here = Some(i) == first_undone;
        let mark = if state.tests.is_empty() || !state.differences.is_empty() {
            style.red("?")
        } else if state.done() {
            style.green("✔")
        } else if here {
            style.red("✘")
        } else {
            style.dim("·")
        };
        let pointer = if here { style.yellow("  ← you are here") } else { String::new() };
        say!(
            "  {mark} {:>2}  {:<width$}  {ok:>2}/{:<2} {}{pointer}",
            i + 1,
            step.title,
            state.tests.len(),
            style.dim(&format!("{} min", step.minutes))
        );
    }
}

fn explain_step(lab: &Lab, i: usize, state: &StepState<'_>, passed: usize, style: &Style) {
    let step = &lab.manifest.steps[i];
    if passed == 0 {
        say!(
            "  Start with step 1, «{}»: read the section, then write the code its first test asks for.",
            lab.manifest.steps[0].title
        );
    }
    if !state.differences.is_empty() {
        print_differences(&state.differences, style);
    } else if let Some(failing) = first_in_teaching_order(lab, i, &state.tests) {
        print_failure(lab, Some(i), failing, style);
        print_others(failing, &state.tests, style);
    } else {
        say!("  {}", missing_module(lab, i));
    }
    say!("  {}  book/{}   (cargo xtask book --open)", style.bold("Read:"), step.section);
    say!("  {}  cargo xtask hint {} {}\n", style.bold("Hint:"), lab.handle, i + 1);
}

fn print_differences(differences: &[&Difference], style: &Style) {
    say!("  {} The tests are the specification, and they were changed:", style.red("Changed tests."));
    for difference in differences {
        say!("    - {}", difference.what);
    }
    let mut restore: Vec<&str> = differences.iter().map(|d| d.restore.as_str()).collect();
    restore.dedup();
    say!(
        "  A step is not done while its tests differ. `git checkout -- {}` restores them.\n",
        restore.join(" ")
    );
}

/// Why a step has no tests at all: its file is missing, or `main.rs` does not mount it.
fn missing_module(lab: &Lab, i: usize) -> String {
    let step = &lab.manifest.steps[i];
    let folder = if step.loom { "loom" } else { "lab" };
    let file = lab.dir.join("tests").join(folder).join(format!("{}.rs", step.tests));
    if file.is_file() {
        format!(
            "Step {} has no tests: tests/{folder}/{}.rs exists, but tests/{folder}/main.rs does not declare `mod {};` (is it commented out?).",
            i + 1,
            step.tests,
            step.tests
        )
    } else {
        format!(
            "Step {} has no tests: its test module `{}` is missing from tests/{folder}/.",
            i + 1,
            step.tests
        )
    }
}

/// The step's first failing test in the order its file defines them: the simplest
/// first, as the step was written to be read (libtest lists tests alphabetically).
fn first_in_teaching_order<'a>(lab: &Lab, i: usize, tests: &[&'a TestResult]) -> Option<&'a TestResult> {
    let step = &lab.manifest.steps[i];
    let folder = if step.loom { "loom" } else { "lab" };
    let dir = lab.dir.join("tests").join(folder);
    let source = fs::read_to_string(dir.join(format!("{}.rs", step.tests)))
        .or_else(|_| fs::read_to_string(dir.join("main.rs")))
        .unwrap_or_default();
    let position = |test: &TestResult| {
        let function = test.name.rsplit("::").next().unwrap_or(&test.name);
        source.find(&format!("fn {function}(")).unwrap_or(usize::MAX)
    };
    tests.iter().copied().filter(|t| !t.passed()).min_by_key(|t| position(t))
}

/// The step's other failing tests, by name: which of its rules still fail, at a glance.
fn print_others(shown: &TestResult, tests: &[&TestResult], style: &Style) {
    let others: Vec<&str> = tests
        .iter()
        .filter(|t| !t.passed() && t.name != shown.name)
        .map(|t| t.name.rsplit("::").next().unwrap_or(&t.name))
        .collect();
    if others.is_empty() {
        return;
    }
    say!(
        "  {} {}
",
        style.dim(&format!("Also failing in this step ({}):", others.len())),
        others.join(", ")
    );
}

/// The step whose test file a compiler error passes through (`tests/lab/step3_locks.rs`):
/// an error in the learner's code often shows only where a test uses it, as when a
/// future that is not `Send` meets a test that spawns it.
fn step_of_error<'l>(lab: &'l Lab, error: &str) -> Option<(usize, &'l crate::lab::Step)> {
    let modules = test_modules_in(error);
    lab.manifest
        .steps
        .iter()
        .enumerate()
        .find(|(_, step)| modules.contains(&step.tests.as_str()))
        .map(|(i, step)| (i + 1, step))
}

/// The test files a compiler error names (`step3_locks` for `tests/lab/step3_locks.rs:30:33`).
fn test_modules_in(error: &str) -> Vec<&str> {
    error
        .split("tests/lab/")
        .skip(1)
        .filter_map(|rest| rest.split(|c: char| c == ':' || c.is_whitespace()).next()?.strip_suffix(".rs"))
        .collect()
}

/// When a step's test panics in a later step's `todo!()`, the panic names the wrong step:
/// a step's tests need only the steps before it, so the learner's code for this step let
/// through something the test expected it to stop (a refusal, a validation).
fn later_todo(step: usize, panic: &str) -> Option<String> {
    let rest = panic.strip_prefix("not yet implemented: step ")?;
    let later: usize = rest.split_once(':')?.0.parse().ok()?;
    (later > step).then(|| {
        format!(
            "Note: this is step {later}'s todo!(), reached from a step {step} test. A step's tests need \
             only the steps before it, so usually your step {step} code let through a case it should \
             stop before step {later}'s code (a refusal, a validation): look at what the test sends, \
             and where your code lets it through."
        )
    })
}

fn print_failure(lab: &Lab, step: Option<usize>, failing: &TestResult, style: &Style) {
    let which = step.map_or_else(String::new, |i| format!(" step {}:", i + 1));
    say!("  {}{which} {}", style.red("First failing test,"), style.bold(&failing.name));
    let panic = failing.panic_message();
    let message = match &failing.outcome {
        // A timed-out test that panicked first (a `todo!` in a worker thread the test
        // waits for) is explained by the panic, not by the wait.
        Outcome::TimedOut => match &panic {
            Some(panic) => format!(
                "It was stopped after {} s, but first a thread panicked, which is why it waited forever:\n\n{panic}",
                lab.test_timeout().as_secs()
            ),
            None => format!(
                "It was still running after {} s and was stopped: a probable deadlock, an infinite loop, \
                 or a wait for something that never comes (a lock held across .await, a channel nobody sends on, \
                 a real sleep where the test pauses time).",
                lab.test_timeout().as_secs()
            ),
        },
        Outcome::Ignored => "It is marked #[ignore], so it never ran. Remove the #[ignore] line: a skipped test has not passed.".to_owned(),
        Outcome::Interrupted => "It was stopped by Ctrl-C.".to_owned(),
        Outcome::Crashed(how) if failing.name.ends_with("::(build)") => format!("{how}."),
        Outcome::Crashed(how) => match &panic {
            Some(panic) => format!("It panicked, and the panic ended its process ({how}); the panic is the cause:\n\n{panic}"),
            None => format!("The test process crashed: {how}."),
        },
        Outcome::Failed | Outcome::Passed => {
            panic.clone().unwrap_or_else(|| "It failed without a panic message; its output is below.".to_owned())
        }
    };
    say!();
    for line in message.lines() {
        say!("    {line}");
    }
    say!();
    if let Some(note) = step.zip(panic.as_deref()).and_then(|(i, panic)| later_todo(i + 1, panic)) {
        say!("    {}\n", style.yellow(&note));
    }
    if panic.as_deref().is_some_and(|p| p.starts_with("deadlock;")) {
        say!(
            "    {}\n",
            style.yellow(
                "Note: loom found an order of events in which every thread is blocked: a thread asleep \
                 that nothing will wake (a condition checked under one lock and waited for under \
                 another, or a notify that wakes only one of the waiters)."
            )
        );
    }
    if let Some(cut) = testrun::bytes_cut(&failing.output) {
        say!(
            "    {}\n",
            style.dim(&format!("(the test printed too much: {cut} bytes of its output were cut)"))
        );
    }
    if panic.is_none() && !failing.output.trim().is_empty() {
        let tail: Vec<&str> = failing.output.lines().rev().take(20).collect();
        for line in tail.into_iter().rev() {
            say!("    {}", style.dim(line));
        }
        say!();
    }
}

#[cfg(test)]
mod tests {
    use super::{later_todo, test_modules_in};

    #[test]
    fn a_compile_error_names_the_test_files_it_passes_through() {
        let error = "error[E0277]: `MutexGuard<'_, u64>` cannot be sent between threads safely\n  --> solutions/04-concurrency/tests/../../../labs/04-concurrency/tests/lab/step3_locks.rs:30:33\n  --> solutions/04-concurrency/src/stats.rs:31:52\n";
        assert_eq!(test_modules_in(error), vec!["step3_locks"]);
        assert!(test_modules_in("error: expected `;`\n --> src/lib.rs:3:4").is_empty());
    }

    #[test]
    fn a_later_steps_todo_is_explained_and_the_steps_own_is_not() {
        let panic = "not yet implemented: step 4: load the customer. Read book/x.md\n(at src/loader.rs:46:5)";
        let note = later_todo(3, panic).expect("step 4's todo in a step 3 test is explained");
        assert!(note.contains("step 4's todo!()") && note.contains("step 3 code"), "{note}");
        assert_eq!(later_todo(4, panic), None, "a step's own todo needs no note");
        assert_eq!(later_todo(5, panic), None, "nor an earlier step's");
        assert_eq!(later_todo(3, "assertion failed"), None);
    }
}
