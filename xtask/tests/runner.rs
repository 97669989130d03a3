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
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--root").arg(root).args(args).env("CARGO_TARGET_DIR", root.join("target"));
    run(command)
}

/// The runner as a learner starts it: no `--root`, from a folder of their choosing.
fn xtask_in(cwd: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(cwd).args(args).env_remove("CARGO_MANIFEST_DIR").env_remove("CARGO_TARGET_DIR");
    command
}

fn run(mut command: Command) -> Run {
    let started = Instant::now();
    let output = command.env("NO_COLOR", "1").output().unwrap_or_else(|e| panic!("cannot run xtask: {e}"));
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
fn slow_tests_give_up_their_place_so_a_step_of_deadlocks_ends_in_one_limit() {
    // Ten tests that pass only if all ten are running at the same moment: with a fixed
    // number at a time (one per core) they would each wait out the five-second limit.
    let root = workbook("meeting", "slow_tests_give_up_their_place_so_a_step_of_deadlocks_ends_in_one_limit");
    let run = xtask(&root, &["check", "01"]);
    run.says("all steps pass");
    assert_eq!(run.code, Some(0), "every guest should have met the others:\n{}", run.stdout);
}

#[test]
fn a_panic_inside_the_standard_library_names_the_learners_function() {
    let root = workbook("std-panic", "a_panic_inside_the_standard_library_names_the_learners_function");
    let run = xtask(&root, &["check", "01"]);
    run.says("attempt to multiply with overflow").says("called from `grow::doublings`");
    assert_eq!(run.code, Some(1));
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
    run.says(&Path::new("labs").join("01-typo").join("lab.toml").display().to_string()).says("minutes");
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

// Fault 1: the workbook is found at run time, never baked in when the runner was built.

#[test]
fn the_workbook_is_the_one_the_learner_stands_in() {
    let root = workbook("passing", "the_workbook_is_the_one_the_learner_stands_in");
    let mut command = xtask_in(&root.join("labs").join("01-demo").join("src"), &["check"]);
    // Fixtures live inside this repository's target folder; their own target folder
    // keeps them from sharing artifacts with each other through the repository's config.
    command.env("CARGO_TARGET_DIR", root.join("target"));
    run(command).says("01-demo").says("all steps pass");
    assert!(root.join(".xtask").join("progress.json").is_file(), "progress is kept in this workbook");
}

#[test]
fn cargo_run_names_the_workbook_through_the_runners_manifest_folder() {
    let root = workbook("partial", "cargo_run_names_the_workbook_through_the_runners_manifest_folder");
    fs::create_dir_all(root.join("xtask")).expect("xtask folder");
    let mut command = xtask_in(&std::env::temp_dir(), &["check"]);
    command.env("CARGO_MANIFEST_DIR", root.join("xtask")).env("CARGO_TARGET_DIR", root.join("target"));
    run(command).says("01-demo").says("1/2 tests pass");
}

#[test]
fn outside_a_workbook_the_error_names_the_folder() {
    // Outside this repository: a folder above it would be found by walking up.
    let outside = std::env::temp_dir().join(format!("not-a-workbook-{}", std::process::id()));
    fs::create_dir_all(&outside).expect("scratch folder");
    let run = run(xtask_in(&outside, &["check"]));
    assert!(
        run.stderr.contains("cannot find the workbook") && run.stderr.contains("not-a-workbook"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(2));
}

// Fault 2: a lab's broken Cargo.toml does not stop the runner.

#[test]
fn a_broken_cargo_toml_is_reported_for_its_lab_and_hint_still_works() {
    let root = workbook("broken-cargo", "a_broken_cargo_toml_is_reported_for_its_lab_and_hint_still_works");
    let run = xtask(&root, &["check"]);
    run.says("cargo cannot load the workspace")
        .says("01-typo")
        .says("its Cargo.toml is the one cargo cannot load")
        .says("02-fine")
        .says("not checked");
    assert_eq!(run.code, Some(1));
    xtask(&root, &["hint", "02"]).says("Hint 1/2: Gentle hint for first.");
}

// Fault 3: only libtest's own verdict is a pass.

#[test]
fn an_exit_before_the_assertion_and_an_ignored_test_do_not_pass() {
    let root = workbook("not-passed", "an_exit_before_the_assertion_and_an_ignored_test_do_not_pass");
    let run = xtask(&root, &["check", "01"]);
    run.says("1/3 tests pass").says("step1::exits_before_its_assertion").says("process::exit");
    assert_eq!(run.code, Some(1));
    let fixed = fs::read_to_string(root.join("labs/01-exits/tests/lab/main.rs"))
        .expect("test file")
        .replace("!= 3", "!= 2")
        .replace(
            "exits::add(1, 1), 3);\n    }\n}\n\nmod step2",
            "exits::add(1, 1), 2);\n    }\n}\n\nmod step2",
        );
    fs::write(root.join("labs/01-exits/tests/lab/main.rs"), fixed).expect("write test file");
    xtask(&root, &["check", "01"]).says("step2::is_ignored").says("#[ignore]");
}

// Fault 8: a failing test in no step keeps the lab from being done.

#[test]
fn a_failing_test_outside_the_steps_is_counted() {
    let root = workbook("not-passed", "a_failing_test_outside_the_steps_is_counted");
    let run = xtask(&root, &["check", "02"]);
    run.says("1/2 tests pass").says("my_experiments::fails").says("my own test fails");
    assert!(!run.stdout.contains("Well done"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
}

// Faults 4 and 5: a test's processes go with it, and a panic explains a hang.

#[cfg(unix)]
#[test]
fn processes_started_by_a_test_neither_delay_check_nor_survive_it() {
    let root = workbook("children", "processes_started_by_a_test_neither_delay_check_nor_survive_it");
    let run = xtask(&root, &["check", "01"]);
    run.says("step2::hangs_with_a_child").says("probable deadlock");
    assert!(run.took < Duration::from_secs(25), "check waited for the children: {:?}", run.took);
    assert!(!running("sleep 31.5") && !running("sleep 32.5"), "children outlived check");
}

#[cfg(unix)]
#[test]
fn a_hang_caused_by_a_panic_shows_the_panic() {
    let root = workbook("children", "a_hang_caused_by_a_panic_shows_the_panic");
    own_sleeps(&root, "4");
    let run = xtask(&root, &["check", "01"]);
    assert!(run.stdout.contains("2/3") || run.stdout.contains("1/3"), "{}", run.stdout);
    // Step 2 hangs without a panic; make it pass to reach step 3.
    let tests = root.join("labs/01-spawns/tests/lab/main.rs");
    let text = fs::read_to_string(&tests)
        .expect("test file")
        .replace("loop {\n            std::thread::park();\n        }", "drop(_child);");
    fs::write(&tests, text).expect("write test file");
    let run = xtask(&root, &["check", "01"]);
    run.says("step3::waits_for_a_worker_that_panicked")
        .says("first a thread panicked")
        .says("not yet implemented: step 3: write the worker");
}

// Fault 7: labs that share a number are never confused.

#[test]
fn a_shared_number_lists_the_labs_and_every_suggestion_names_one_lab() {
    let root = workbook("shared-number", "a_shared_number_lists_the_labs_and_every_suggestion_names_one_lab");
    let run = xtask(&root, &["check", "02"]);
    assert!(
        run.stderr.contains("fits several labs")
            && run.stderr.contains("02-api-graphql")
            && run.stderr.contains("02-api-rest"),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, Some(2));
    // Each suggestion is the command the learner typed, with one lab named in it.
    let run = xtask(&root, &["hint", "02", "1"]);
    assert!(
        run.stderr.contains("`cargo xtask hint api-rest 1`")
            && run.stderr.contains("`cargo xtask hint api-graphql 1`"),
        "{}",
        run.stderr
    );
    let run = xtask(&root, &["check", "rest"]);
    run.says("02-api-rest").says("expected the rest lab to fail").says("cargo xtask hint api-rest 1");
    assert!(!run.stdout.contains("graphql"), "{}", run.stdout);
    xtask(&root, &["hint", "api-rest"]).says("Lab 02-api-rest");
}

// Fault 9: a deleted or edited test is reported, and its step is not green.

#[test]
fn a_deleted_or_edited_test_is_reported_with_the_command_that_restores_it() {
    let root = workbook("spec", "a_deleted_or_edited_test_is_reported_with_the_command_that_restores_it");
    let step2 = root.join("labs/01-guarded/tests/lab/step2.rs");
    // The learner makes step 2 pass by deleting its tests.
    xtask(&root, &["spec", "01"]);
    fs::write(&step2, "// gone\n").expect("write step2.rs");
    let run = xtask(&root, &["check", "01"]);
    run.says("Changed tests")
        .says("step2::zz_simplest_first is missing")
        .says("tests/lab/step2.rs differs")
        .says("git checkout -- labs/01-guarded/tests/lab/step2.rs");
    assert_eq!(run.code, Some(1));
}

// Fault 10: the first failing test shown is the first in the file, and a missing `mod` is named.

#[test]
fn the_first_failure_shown_is_the_first_in_the_file() {
    let root = workbook("spec", "the_first_failure_shown_is_the_first_in_the_file");
    let run = xtask(&root, &["check", "01"]);
    run.says("step2::zz_simplest_first").says("read this one first");
    assert!(!run.stdout.contains("a harder case"), "{}", run.stdout);
}

#[test]
fn a_commented_out_mod_is_named_and_the_lab_is_not_all_green() {
    let root = workbook("spec", "a_commented_out_mod_is_named_and_the_lab_is_not_all_green");
    let step2 = root.join("labs/01-guarded/tests/lab/step2.rs");
    fs::write(&step2, "#[test]\nfn zz_simplest_first() {}\n\n#[test]\nfn aa_harder_case() {}\n")
        .expect("write");
    let run = xtask(&root, &["check", "01"]);
    run.says("does not declare `mod step3;`");
    assert!(!run.stdout.contains("all steps pass"), "{}", run.stdout);
    assert_eq!(run.code, Some(1));
}

// Fault 13: the learner's cargo config is respected.

#[test]
fn the_learners_target_dir_and_rustflags_are_kept_for_loom_builds() {
    let root = workbook("learner-config", "the_learners_target_dir_and_rustflags_are_kept_for_loom_builds");
    let mut command = xtask_in(&root, &["check", "01"]);
    command.arg("--root").arg(&root);
    let run = run(command);
    run.says("all steps pass");
    assert!(root.join("elsewhere").join("debug").is_dir(), "builds go to the learner's target-dir");
    assert!(
        root.join(".xtask").join("progress.json").is_file(),
        "progress stays with the workbook, whatever the target-dir: two clones that share one keep theirs apart"
    );
}

#[test]
fn a_hint_is_shown_even_when_it_cannot_be_remembered() {
    let root = workbook("partial", "a_hint_is_shown_even_when_it_cannot_be_remembered");
    fs::write(root.join(".xtask"), "a file where a folder should be").expect("block the state folder");
    let run = xtask(&root, &["hint", "01", "2"]);
    run.says("Hint 1/2: Gentle hint for step 2.");
    assert!(run.stderr.contains("warning"), "{}", run.stderr);
}

// Faults 11 and 12: verify proves a mistake caught only by a failure, and skips nothing silently.

#[test]
fn verify_accepts_only_real_catches_and_names_what_it_cannot_verify() {
    let root = workbook("mistakes", "verify_accepts_only_real_catches_and_names_what_it_cannot_verify");
    let run = xtask(&root, &["verify"]);
    run.says("step1::adds does not pass on the unpatched solution")
        .says("step1::adds timed out instead of failing")
        .says("needs words from the error")
        .says("more than one `Caught-by:`")
        .says("only *.patch files")
        .says("changes a file outside solutions/03-headers/")
        .says("labs/04-unfinished is a workspace member without a lab.toml")
        .says("solutions/05-orphan has no lab");
    assert_eq!(run.code, Some(1));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_running_tests_and_what_they_started() {
    let root = workbook("children", "ctrl_c_stops_the_running_tests_and_what_they_started");
    own_sleeps(&root, "5");
    // A limit long enough that only Ctrl-C can end the hanging test in time.
    let manifest = root.join("labs/01-spawns/lab.toml");
    let text = fs::read_to_string(&manifest)
        .expect("lab.toml")
        .replace("test_timeout_secs = 1", "test_timeout_secs = 120");
    fs::write(&manifest, text).expect("write lab.toml");
    let mut runner = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(&root)
        .args(["check", "01"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("xtask starts");
    // Wait for the condition (the hanging test's child is running), never for a fixed time.
    let started = Instant::now();
    while !running("sleep 52.5") {
        assert!(started.elapsed() < Duration::from_secs(60), "the hanging test never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let interrupted = Instant::now();
    Command::new("kill").args(["-INT", &runner.id().to_string()]).status().expect("kill runs");
    let status = runner.wait().expect("xtask ends");
    assert!(interrupted.elapsed() < Duration::from_secs(10), "Ctrl-C took {:?}", interrupted.elapsed());
    assert_eq!(status.code(), Some(130), "an interrupted check exits with 130");
    assert!(!running("sleep 52.5"), "the test's child outlived Ctrl-C");
}

#[cfg(unix)]
fn running(pattern: &str) -> bool {
    Command::new("pgrep").args(["-f", pattern]).output().is_ok_and(|o| !o.stdout.is_empty())
}

/// Tests of the `children` fixture run at once and look for their children by their
/// command line: each gives its children durations of its own (`sleep 41.5`, ...).
#[cfg(unix)]
fn own_sleeps(root: &Path, tens: &str) {
    let tests = root.join("labs/01-spawns/tests/lab/main.rs");
    let text = fs::read_to_string(&tests)
        .expect("test file")
        .replace("\"31.5\"", &format!("\"{tens}1.5\""))
        .replace("\"32.5\"", &format!("\"{tens}2.5\""));
    fs::write(&tests, text).expect("write test file");
}

// The learner's second half: reset, solution, and a state file that cannot be read.

/// Makes the fixture a clone: one shipped commit, which `origin/main` names.
fn clone_of(root: &Path) {
    git_in(root, &["init", "--quiet"]);
    git_in(root, &["add", "--all"]);
    git_in(root, &["commit", "--quiet", "--message", "shipped"]);
    git_in(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
}

fn git_in(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(root)
        .args(["-c", "user.name=Learner", "-c", "user.email=learner@example.invalid"])
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("cannot run git: {e}"));
    assert!(status.success(), "git {args:?} failed");
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn reset_backs_up_the_learners_files_and_restore_brings_them_back() {
    let root = workbook("shipped", "reset_backs_up_the_learners_files_and_restore_brings_them_back");
    clone_of(&root);
    let lib = root.join("labs/01-demo/src/lib.rs");
    let shipped = read(&lib);
    let mine = "pub mod double;\n\n// mine\npub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";
    fs::write(&lib, mine).expect("the learner writes");
    // The learner's own commit does not change what "as shipped" means.
    git_in(&root, &["commit", "--quiet", "--all", "--message", "my step 1"]);

    let refused = xtask(&root, &["reset", "01"]);
    refused.says("differ from the starter as shipped").says("labs/01-demo/src/lib.rs").says("--yes");
    assert_eq!(refused.code, Some(1));
    assert_eq!(read(&lib), mine, "without --yes, nothing is touched");

    let reset = xtask(&root, &["reset", "01", "--yes"]);
    reset.says("Reset 1 file of 01-demo").says(".xtask-backups/01-demo/").says("--restore");
    assert_eq!(reset.code, Some(0));
    assert_eq!(read(&lib), shipped, "the starter is back as shipped");
    let backups: Vec<PathBuf> = fs::read_dir(root.join(".xtask-backups/01-demo"))
        .expect("a backup folder")
        .flatten()
        .map(|e| e.path().join("labs/01-demo/src/lib.rs"))
        .collect();
    assert_eq!(backups.len(), 1, "one dated backup");
    assert_eq!(read(&backups[0]), mine, "the backup holds the learner's file");

    let restored = xtask(&root, &["reset", "01", "--restore"]);
    restored.says("Restored 1 file of 01-demo");
    assert_eq!(read(&lib), mine, "--restore brings the learner's file back");
}

#[test]
fn resetting_a_step_resets_only_the_files_that_step_edits() {
    let root = workbook("shipped", "resetting_a_step_resets_only_the_files_that_step_edits");
    clone_of(&root);
    let lib = root.join("labs/01-demo/src/lib.rs");
    let double = root.join("labs/01-demo/src/double.rs");
    let shipped_double = read(&double);
    fs::write(&lib, "pub mod double;\npub fn add(a: u32, b: u32) -> u32 { a + b }\n").expect("write");
    fs::write(&double, "pub fn double(x: u32) -> u32 { x + x }\n").expect("write");
    let reset = xtask(&root, &["reset", "01", "double", "--yes"]);
    assert_eq!(reset.code, Some(0), "{}{}", reset.stdout, reset.stderr);
    assert_eq!(read(&double), shipped_double, "step 2's file is back as shipped");
    assert!(read(&lib).contains("a + b"), "step 1's file is the learner's still");
    // Step 1's file holds step 3 too: resetting it would undo step 3's work, and says so.
    xtask(&root, &["reset", "01", "1"]).says(
        "labs/01-demo/src/lib.rs (it also holds step 3: resetting it undoes your work on that step too)",
    );
}

#[test]
fn the_solution_waits_for_the_step_to_pass_and_then_shows_a_diff() {
    let root = workbook("shipped", "the_solution_waits_for_the_step_to_pass_and_then_shows_a_diff");
    clone_of(&root);
    let refused = xtask(&root, &["solution", "01", "1"]);
    refused.says("has not passed").says("cargo xtask hint 01 1").says("--anyway");
    assert_eq!(refused.code, Some(1));

    let lib = root.join("labs/01-demo/src/lib.rs");
    fs::write(&lib, read(&lib).replace("todo!(\"step 1: add a and b\")", "b + a")).expect("write");
    let check = xtask(&root, &["check", "01"]);
    assert_eq!(check.code, Some(1), "steps 2 and 3 still fail:\n{}", check.stdout);
    let shown = xtask(&root, &["solution", "01", "1"]);
    assert_eq!(shown.code, Some(0), "{}{}", shown.stdout, shown.stderr);
    shown.says("-    b + a").says("+    a + b").says("labs/01-demo/src/lib.rs");
    assert!(!shown.stdout.contains("saturating_mul(2)"), "only step 1's files:\n{}", shown.stdout);
    // Step 3 is in the same file, and has not passed: its reference stays hidden.
    shown.says("a part for step 3 is hidden until that step passes");
    assert!(!shown.stdout.contains("saturating_mul(3)"), "step 3's reference is shown:\n{}", shown.stdout);

    let not_yet = xtask(&root, &["solution", "01", "2"]);
    assert_eq!(not_yet.code, Some(1));
    xtask(&root, &["solution", "01", "2", "--anyway"]).says("+    x.saturating_mul(2)");
    xtask(&root, &["solution", "01", "3", "--anyway"]).says("+    x.saturating_mul(3)");
}

#[test]
fn an_unreadable_state_file_is_set_aside_with_a_warning() {
    let root = workbook("partial", "an_unreadable_state_file_is_set_aside_with_a_warning");
    let state = root.join(".xtask");
    fs::create_dir_all(&state).expect("state folder");
    fs::write(state.join("progress.json"), "{ half a file").expect("write");
    let run = xtask(&root, &["hint", "01", "1"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    run.says("Hint 1/2");
    assert!(run.stderr.contains("unreadable"), "a warning says so: {}", run.stderr);
    assert!(state.join("progress.json.unreadable").is_file(), "the old file is kept aside");
}

#[test]
fn check_json_is_one_document_that_says_what_the_text_says() {
    let root = workbook("partial", "check_json_is_one_document_that_says_what_the_text_says");
    let text = xtask(&root, &["check", "01"]);
    let json = xtask(&root, &["check", "01", "--json"]);
    assert_eq!(json.code, text.code, "the same exit status");
    let document: serde_json::Value = serde_json::from_str(json.stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}):\n{}", json.stdout));
    assert_eq!(document["version"], 1);
    assert_eq!(document["status"], "fail");
    let lab = &document["labs"][0];
    assert_eq!(lab["lab"], "01-demo");
    assert_eq!(lab["first_failing_step"], 2, "the text's «you are here»: {}", text.stdout);
    assert_eq!(lab["steps"][0]["status"], "pass");
    assert_eq!(lab["steps"][1]["status"], "fail");
    assert_eq!(lab["steps"][1]["section"], "demo.md#second");
    let message = lab["steps"][1]["tests"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("expected 5 + 0 = 5"), "the test's own message: {message}");
    assert!(text.stdout.contains("expected 5 + 0 = 5"), "the text says it too");
    assert!(json.stderr.contains("you are here"), "the human report goes to stderr:\n{}", json.stderr);
    let at = lab["first_failure_at"].as_str().unwrap_or_default();
    assert!(at.starts_with("labs/01-demo/") && at.matches(':').count() == 2, "path:line:col: {at:?}");
    assert!(text.stdout.contains(&format!("(at {at})")), "the spot the text shows:\n{}", text.stdout);
}

#[cfg(unix)]
#[test]
fn check_edit_opens_the_first_failure_in_the_learners_editor() {
    use std::os::unix::fs::PermissionsExt;
    let root = workbook("partial", "check_edit_opens_the_first_failure_in_the_learners_editor");
    let editor = root.join("fake-editor.sh");
    fs::write(&editor, "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/opened.txt\"\n")
        .expect("write the editor");
    fs::set_permissions(&editor, fs::Permissions::from_mode(0o755)).expect("make it runnable");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("--root")
        .arg(&root)
        .args(["check", "01", "--edit"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("XTASK_EDITOR", format!("{} {{file}} {{line}} {{col}}", editor.display()));
    let run = run(command);
    let opened = fs::read_to_string(root.join("opened.txt")).unwrap_or_else(|e| {
        panic!("the editor was not started ({e}):\n{}\n--- stderr ---\n{}", run.stdout, run.stderr)
    });
    let words: Vec<&str> = opened.split_whitespace().collect();
    assert_eq!(words.len(), 3, "file, line, column: {opened}");
    assert!(Path::new(words[0]).is_file(), "an existing file, by its full path: {opened}");
    assert!(
        run.stdout.contains(&format!(":{}:{})", words[1], words[2])),
        "the spot the text shows: {opened}"
    );
}

#[test]
fn check_json_reports_a_lab_that_does_not_compile_as_an_error() {
    let root = workbook("compile-error", "check_json_reports_a_lab_that_does_not_compile_as_an_error");
    let json = xtask(&root, &["check", "--json"]);
    let document: serde_json::Value = serde_json::from_str(json.stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}):\n{}", json.stdout));
    assert_eq!(document["status"], "error");
    let message = document["labs"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("does not compile"), "the compiler's verdict: {message}");
}

/// Waits for `condition`, checking every 20 ms, for at most `limit`; says what it waited for.
fn wait_for(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(started.elapsed() < limit, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn watch_runs_once_more_for_a_save_during_a_check_and_never_two_at_once() {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::{Arc, Mutex};

    let root = workbook("watch", "watch_runs_once_more_for_a_save_during_a_check_and_never_two_at_once");
    let mut watch = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--root")
        .arg(&root)
        .args(["watch", "01"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("xtask starts");
    let seen = Arc::new(Mutex::new(String::new()));
    let stdout = watch.stdout.take().expect("stdout");
    let sink = Arc::clone(&seen);
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let mut seen = sink.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.push_str(&line);
            seen.push('\n');
        }
    });
    let starts = || fs::read_to_string(root.join("started.log")).unwrap_or_default().lines().count();
    let said =
        |text: &str| seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).matches(text).count();

    wait_for("the first check to reach its test", Duration::from_secs(120), || starts() == 1);
    // A save while that check runs.
    let lib = root.join("labs/01-demo/src/lib.rs");
    let mut source = read(&lib);
    source.push_str("// saved during the check\n");
    fs::write(&lib, source).expect("save");
    wait_for("watch to say the save counts", Duration::from_secs(30), || said("saved during the check") == 1);
    fs::write(root.join("gate"), "open").expect("open the gate");
    wait_for("a second check, after the first", Duration::from_secs(120), || said("all steps pass") == 2);
    assert_eq!(
        starts(),
        2,
        "exactly one more check for the save:\n{}",
        seen.lock().map(|s| s.clone()).unwrap_or_default()
    );

    watch.stdin.take().expect("stdin").write_all(b"q\n").expect("quit");
    wait_for("watch to quit on q", Duration::from_secs(30), || matches!(watch.try_wait(), Ok(Some(_))));
    assert_eq!(starts(), 2, "no check after the last save");
}

#[test]
fn schedule_tables_are_checked_against_the_labs_minutes_and_rewritten() {
    let root = workbook("workshop", "schedule_tables_are_checked_against_the_labs_minutes_and_rewritten");
    let stale = xtask(&root, &["schedule", "--check"]);
    stale.says("one-day, two-days").says("cargo xtask schedule --write");
    assert_eq!(stale.code, Some(1), "a stale table fails the check");

    let written = xtask(&root, &["schedule", "--write"]);
    assert_eq!(written.code, Some(0), "{}{}", written.stdout, written.stderr);
    let page = read(&root.join("book/workshop.md"));
    assert!(page.starts_with("# Running a workshop\n\nBefore the tables.\n"), "the prose is kept:\n{page}");
    assert!(page.contains("Between the tables.") && page.ends_with("After the tables.\n"), "{page}");
    assert!(!page.contains("hand-edited"), "the old table is gone:\n{page}");
    assert!(page.contains("| 01 step 1: The first step"), "a row per step:\n{page}");
    assert!(page.contains("Not in this workbook yet: lab 04, 05."), "missing labs are named:\n{page}");
    xtask(&root, &["schedule", "--check"]).says("2 plans match");

    // One minute more in a lab.toml, and the page is stale again.
    let manifest = root.join("labs/01-demo/lab.toml");
    let toml = read(&manifest).replacen("minutes = 5", "minutes = 6", 1);
    fs::write(&manifest, toml).expect("edit lab.toml");
    assert_eq!(xtask(&root, &["schedule", "--check"]).code, Some(1));
}

#[test]
fn doctor_names_a_rust_older_than_the_workspace_needs_and_exits_non_zero() {
    let root = workbook("doctor", "doctor_names_a_rust_older_than_the_workspace_needs_and_exits_non_zero");
    let run = xtask(&root, &["doctor"]);
    run.says("FAIL  Rust:")
        .says("older than the workspace's rust-version 99.0")
        .says("rustup update stable")
        .says("ok    loopback")
        .says("ok    01-demo built")
        .says("1 check(s) failed");
    assert_eq!(run.code, Some(1), "{}", run.stdout);
}

#[test]
fn check_report_sends_ids_and_counts_to_the_board_and_keeps_the_token() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    let root = workbook("partial", "check_report_sends_ids_and_counts_to_the_board_and_keeps_the_token");
    // A stand-in for the board: it answers two reports, the first with a token.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let board = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for answer in [
            r#"{"token":"0123456789abcdef0123456789abcdef"}"#,
            r#"{"token":"0123456789abcdef0123456789abcdef"}"#,
        ] {
            let (stream, _) = listener.accept().expect("a report");
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("a header");
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().expect("a length");
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("the body");
            bodies.push(String::from_utf8(body).expect("UTF-8"));
            let response = format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                answer.len()
            );
            reader.get_mut().write_all(response.as_bytes()).expect("answer");
        }
        bodies
    });

    let first = xtask(&root, &["check", "01", "--report", &url, "--name", "Ada"]);
    assert_eq!(first.code, Some(1), "the check's own verdict: step 2 fails\n{}", first.stderr);
    assert!(first.stderr.contains("reported as \"Ada\""), "{}", first.stderr);
    assert!(first.stderr.contains("← you are here"), "the learner still sees the report:\n{}", first.stderr);
    // The second time, the name and token come from what the runner remembered, and the
    // board's address from the environment.
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("--root")
        .arg(&root)
        .args(["check", "01"])
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("XTASK_REPORT", &url);
    let second = run(command);
    assert!(second.stderr.contains("reported as \"Ada\""), "{}", second.stderr);

    let bodies = board.join().expect("the board thread");
    let first: serde_json::Value = serde_json::from_str(&bodies[0]).expect("JSON");
    assert_eq!(first["name"], "Ada");
    assert!(first.get("token").is_none(), "no token before the board hands one out: {first}");
    assert_eq!(
        first["labs"],
        serde_json::json!([{ "lab": "01-demo", "steps": [
            { "id": "first", "passed": 1, "total": 1 },
            { "id": "second", "passed": 0, "total": 1 }
        ]}])
    );
    assert!(!bodies[0].contains("expected 5 + 0"), "no test output leaves the laptop: {}", bodies[0]);
    let second: serde_json::Value = serde_json::from_str(&bodies[1]).expect("JSON");
    assert_eq!(second["token"], "0123456789abcdef0123456789abcdef", "the token comes back");
}

#[test]
fn after_prefetch_doctor_is_green_and_check_runs_offline() {
    let root = workbook("passing", "after_prefetch_doctor_is_green_and_check_runs_offline");
    let prefetch = xtask(&root, &["prefetch", "--skip-book"]);
    prefetch.says("ok    01-demo: tests built").says("Everything is downloaded and built");
    assert_eq!(prefetch.code, Some(0), "{}{}", prefetch.stdout, prefetch.stderr);

    let doctor = xtask(&root, &["doctor"]);
    doctor.says("ok    01-demo built").says("This laptop is ready");
    assert_eq!(doctor.code, Some(0), "{}", doctor.stdout);

    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("--root")
        .arg(&root)
        .arg("check")
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("CARGO_NET_OFFLINE", "true");
    let check = run(command);
    check.says("all steps pass");
    assert_eq!(check.code, Some(0), "{}", check.stderr);
}
