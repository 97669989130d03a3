//! The runner, tested on small fixture workbooks: one per way a learner's lab can go
//! wrong. Each test copies its fixture into a scratch folder, runs the real `xtask`
//! binary on it, and reads what a learner would read.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Copies `fixtures/<name>` to a scratch folder of its own for the test `test`.
fn workbook(name: &str, test: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let to = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures").join(test);
    if to.exists() {
        fs::remove_dir_all(&to).unwrap_or_else(|e| panic!("cannot clear {}: {e}", to.display()));
    }
    copy(&from, &to);
    to
}

fn copy(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    for entry in
        fs::read_dir(from).unwrap_or_else(|e| panic!("cannot read {}: {e}", from.display())).flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            copy(&path, &to.join(entry.file_name()));
        } else {
            fs::copy(&path, to.join(entry.file_name()))
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", path.display()));
        }
    }
}

fn xtask(root: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run xtask: {e}"));
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

impl Run {
    fn says(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "expected the output to contain {text:?}; it was:\n{}\n--- stderr ---\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Every file under `dir` with its contents, to prove a command changed nothing there.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.push((path.clone(), fs::read(&path).unwrap_or_default()));
        }
    }
    files.sort();
    files
}

#[test]
fn a_passing_lab_is_green_and_exits_zero() {
    let root = workbook("passing", "a_passing_lab_is_green_and_exits_zero");
    let run = xtask(&root, &["check"]);
    run.says("all steps pass").says("Well done");
    assert_eq!(run.code, Some(0), "{}", run.stdout);
}

#[test]
fn a_partial_lab_points_at_its_first_failing_step() {
    let root = workbook("partial", "a_partial_lab_points_at_its_first_failing_step");
    let labs_before = snapshot(&root.join("labs"));
    let run = xtask(&root, &["check", "demo"]);
    run.says("1/2 tests pass")
        .says("← you are here")
        .says("step2::adds_zero")
        .says("expected 5 + 0 = 5, read the fixture book")
        .says("book/demo.md#second")
        .says("cargo xtask hint 01 2");
    assert_eq!(run.code, Some(1));
    assert_eq!(snapshot(&root.join("labs")), labs_before, "check must never write into labs/");
}

#[test]
fn hints_come_one_tier_at_a_time_for_the_failing_step() {
    let root = workbook("partial", "hints_come_one_tier_at_a_time_for_the_failing_step");
    xtask(&root, &["check", "01"]);
    let first = xtask(&root, &["hint", "01"]);
    first.says("step 2").says("Hint 1/2: Gentle hint for step 2.");
    assert!(!first.stdout.contains("Stronger"), "only the first tier is shown first:\n{}", first.stdout);
    xtask(&root, &["hint", "01"]).says("Hint 2/2: Stronger hint for step 2.").says("last hint");
    xtask(&root, &["hint", "01", "first", "--all"]).says("Hint 2/2: Stronger hint for step 1.");
}

#[test]
fn a_lab_that_does_not_compile_shows_the_first_error_and_the_others_still_run() {
    let root = workbook(
        "compile-error",
        "a_lab_that_does_not_compile_shows_the_first_error_and_the_others_still_run",
    );
    let run = xtask(&root, &["check"]);
    run.says("01-broken")
        .says("does not compile")
        .says("error[E0308]")
        .says("02-fine")
        .says("all steps pass");
    assert_eq!(run.code, Some(1));
}

#[test]
fn a_hanging_test_is_stopped_and_called_a_probable_deadlock() {
    let root = workbook("hang", "a_hanging_test_is_stopped_and_called_a_probable_deadlock");
    let run = xtask(&root, &["check", "01"]);
    run.says("step2::waits_forever").says("probable deadlock").says("cargo xtask hint 01 2");
    assert_eq!(run.code, Some(1));
    // One second of limit plus a build: far from the forever the test asks for.
    assert!(run.took < Duration::from_secs(60), "check took {:?}", run.took);
}

#[test]
fn a_test_that_prints_megabytes_is_cut() {
    let root = workbook("flood", "a_test_that_prints_megabytes_is_cut");
    let run = xtask(&root, &["check", "01"]);
    run.says("the flood is over").says("bytes of its output were cut");
    assert!(run.stdout.len() < 64 * 1024, "the runner printed {} bytes", run.stdout.len());
}

#[test]
fn a_broken_lab_toml_names_the_file_and_the_field() {
    let root = workbook("bad-manifest", "a_broken_lab_toml_names_the_file_and_the_field");
    let run = xtask(&root, &["check"]);
    run.says("labs/01-typo/lab.toml").says("minutes");
    assert_ne!(run.code, Some(0));
}

#[test]
fn an_unknown_lab_lists_the_labs() {
    let root = workbook("passing", "an_unknown_lab_lists_the_labs");
    let run = xtask(&root, &["check", "nope"]);
    assert!(
        run.stderr.contains("there is no lab \"nope\"") && run.stderr.contains("01-demo"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(2));
}
