//! The core promise of a lab: its tests fail on the starter and pass on the solution,
//! and the two crates run the very same tests.

use std::path::{Path, PathBuf};

use crate::cargo::{self, Build, BuildOptions, Member};
use crate::lab::{self, Lab};
use crate::spec;
use crate::testrun::{self, Outcome, TestResult};

use super::Verdict;

pub fn lab_is_honest(root: &Path, lab: &Lab, solution_dir: &Path) -> Verdict {
    let solution_package =
        lab::package_name(&solution_dir.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
    let mut targets = vec![(
        BuildOptions::lab(root, &lab.package, false, true),
        BuildOptions::lab(root, &solution_package, false, true),
    )];
    if lab.has_loom() {
        targets.push((
            BuildOptions::loom(root, &lab.package, false, true),
            BuildOptions::loom(root, &solution_package, false, true),
        ));
    }

    let mut all_tests = Vec::new();
    let mut problems = Vec::new();
    for (starter_options, solution_options) in &targets {
        if crate::testrun::interrupted() {
            return Err("interrupted".to_owned());
        }
        let (starter, solution) = build_both(starter_options, solution_options, &lab.dir, solution_dir)?;
        let starter_tests = testrun::list_tests(&starter).map_err(|e| format!("{e:#}"))?;
        let solution_tests = testrun::list_tests(&solution).map_err(|e| format!("{e:#}"))?;
        let solution_names: Vec<&str> = solution_tests.iter().map(|t| as_lab_test(t)).collect();
        if starter_tests != solution_names {
            return Err(format!(
                "the starter and the solution do not run the same `{}` tests: does solutions/{}/tests/{}.rs include the lab's tests/{}/main.rs?",
                starter_options.test, lab.name, starter_options.test, starter_options.test
            ));
        }
        let jobs = testrun::default_jobs();
        let on_starter = testrun::run_tests(&starter, &lab.dir, &starter_tests, lab.test_timeout(), jobs);
        let on_solution =
            testrun::run_tests(&solution, solution_dir, &solution_tests, lab.test_timeout(), jobs);
        problems.extend(on_starter.iter().filter_map(starter_problem));
        problems.extend(
            on_solution
                .iter()
                .filter(|r| !r.passed())
                .map(|r| format!("{} fails on the solution: {}", as_lab_test(&r.name), r.why())),
        );
        all_tests.extend(starter_tests);
    }
    check_steps_cover_tests(lab, &all_tests)?;
    check_spec(lab, &all_tests)?;
    if problems.is_empty() { Ok(format!("{} tests", all_tests.len())) } else { Err(problems.join("\n")) }
}

/// A starter test must fail, and fail fast.
fn starter_problem(result: &TestResult) -> Option<String> {
    match result.outcome {
        Outcome::Passed => Some(format!("{} passes on the starter: it teaches nothing", result.name)),
        Outcome::TimedOut => Some(format!(
            "{} hangs on the starter: make it fail fast (a todo!() should panic, not block)",
            result.name
        )),
        Outcome::Ignored => {
            Some(format!("{} is #[ignore]d: the runner never counts it as passed", result.name))
        }
        Outcome::Failed | Outcome::Crashed(_) | Outcome::Interrupted => None,
    }
}

/// The solution's `tests/*.rs` mount the lab's tests as `mod lab`, so its test
/// `lab::step1_x::y` is the lab's `step1_x::y`.
pub fn as_lab_test(solution_test: &str) -> &str {
    solution_test.strip_prefix("lab::").unwrap_or(solution_test)
}

/// The starter's and the solution's test binaries, built by one cargo command so that
/// the two crates compile side by side.
fn build_both(
    starter: &BuildOptions<'_>,
    solution: &BuildOptions<'_>,
    starter_dir: &Path,
    solution_dir: &Path,
) -> Result<(PathBuf, PathBuf), String> {
    let members = [
        Member { package: starter.package, dir: Some(starter_dir) },
        Member { package: solution.package, dir: Some(solution_dir) },
    ];
    let mut builds = cargo::build_tests(starter, &members).map_err(|e| format!("{e:#}"))?.into_iter();
    let mut binary = |package: &str| match builds.next() {
        Some(Build::Ready(binary)) => Ok(binary),
        Some(Build::CompileError { first, .. }) => {
            Err(format!("{package} (test {}) does not compile:\n{first}", starter.test))
        }
        Some(Build::CargoFailed(message)) => Err(format!("cargo failed on {package}:\n{message}")),
        None => Err(format!("cargo reported no build of {package}")),
    };
    Ok((binary(starter.package)?, binary(solution.package)?))
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

/// The recorded specification (tests/spec.toml) is the lab as it is: `check` relies on
/// it to tell a learner that a test was deleted or edited.
fn check_spec(lab: &Lab, tests: &[String]) -> Result<(), String> {
    let fix = format!("after changing the tests on purpose, `cargo xtask spec {}` records them", lab.handle);
    let recorded = spec::read(lab).map_err(|e| format!("{e:#}"))?;
    let Some(recorded) = recorded else {
        return Err(format!("labs/{}/tests/spec.toml is missing: {fix}", lab.name));
    };
    let current = spec::current(lab, tests).map_err(|e| format!("{e:#}"))?;
    if recorded == current {
        return Ok(());
    }
    let mut changed: Vec<String> = Vec::new();
    for (file, print) in &current.files {
        if recorded.files.get(file) != Some(print) {
            changed.push(format!("tests/{file}"));
        }
    }
    changed.extend(
        recorded
            .files
            .keys()
            .filter(|f| !current.files.contains_key(*f))
            .map(|f| format!("tests/{f} (gone)")),
    );
    if recorded.steps != current.steps {
        changed.push("the list of tests".to_owned());
    }
    Err(format!("labs/{}/tests/spec.toml is out of date ({}): {fix}", lab.name, changed.join(", ")))
}
