//! The core promise of a lab: its tests fail on the starter and pass on the solution,
//! and the two crates run the very same tests.

use std::path::Path;

use crate::cargo::{self, Build, BuildOptions};
use crate::lab::{self, Lab};
use crate::testrun::{self, Outcome, TestResult};

use super::Verdict;

pub fn lab_is_honest(root: &Path, lab: &Lab, solution_dir: &Path) -> Verdict {
    let solution_package =
        lab::package_name(&solution_dir.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
    let starter = build(root, &lab.package)?;
    let solution = build(root, &solution_package)?;
    let starter_tests = testrun::list_tests(&starter).map_err(|e| format!("{e:#}"))?;
    let solution_tests = testrun::list_tests(&solution).map_err(|e| format!("{e:#}"))?;
    let solution_names: Vec<&str> = solution_tests.iter().map(|t| as_lab_test(t)).collect();
    if starter_tests != solution_names {
        return Err(format!(
            "the starter and the solution do not run the same tests: does solutions/{}/tests/lab.rs include the lab's tests/lab/main.rs?",
            lab.name
        ));
    }
    check_steps_cover_tests(lab, &starter_tests)?;

    let jobs = testrun::default_jobs();
    let on_starter = testrun::run_tests(&starter, &lab.dir, &starter_tests, lab.test_timeout(), jobs);
    let on_solution = testrun::run_tests(&solution, solution_dir, &solution_tests, lab.test_timeout(), jobs);
    let mut problems = Vec::new();
    for result in &on_starter {
        match result.outcome {
            Outcome::Passed => {
                problems.push(format!("{} passes on the starter: it teaches nothing", result.name))
            }
            Outcome::TimedOut => problems.push(format!(
                "{} hangs on the starter: make it fail fast (a todo!() should panic, not block)",
                result.name
            )),
            Outcome::Failed | Outcome::Crashed(_) => {}
        }
    }
    for result in &on_solution {
        if !result.passed() {
            problems.push(format!("{} fails on the solution: {}", result.name, why(result)));
        }
    }
    if problems.is_empty() { Ok(format!("{} tests", starter_tests.len())) } else { Err(problems.join("\n")) }
}

/// The solution's `tests/lab.rs` mounts the lab's tests as `mod lab`, so its test
/// `lab::step1_x::y` is the lab's `step1_x::y`.
pub fn as_lab_test(solution_test: &str) -> &str {
    solution_test.strip_prefix("lab::").unwrap_or(solution_test)
}

fn build(root: &Path, package: &str) -> Result<std::path::PathBuf, String> {
    let options =
        BuildOptions { root, package, test: "lab", color: false, show_progress: true, target_dir: None };
    match cargo::build_test(&options).map_err(|e| format!("{e:#}"))? {
        Build::Ready(binary) => Ok(binary),
        Build::CompileError { first, .. } => Err(format!("{package} does not compile:\n{first}")),
        Build::CargoFailed(message) => Err(format!("cargo failed on {package}:\n{message}")),
    }
}

/// Every step has tests, and every test belongs to a step.
fn check_steps_cover_tests(lab: &Lab, tests: &[String]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (i, step) in lab.manifest.steps.iter().enumerate() {
        if !tests.iter().any(|t| lab.step_of(t) == Some(i)) {
            problems.push(format!(
                "step {} ({}) has no tests: no test is named {}::…",
                i + 1,
                step.id,
                step.tests
            ));
        }
    }
    for test in tests.iter().filter(|t| lab.step_of(t).is_none()) {
        problems.push(format!("{test} belongs to no step of lab.toml"));
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

pub fn why(result: &TestResult) -> String {
    match &result.outcome {
        Outcome::TimedOut => "it timed out".to_owned(),
        Outcome::Crashed(how) => how.clone(),
        _ => result.panic_message().unwrap_or_else(|| "no panic message".to_owned()),
    }
}
