//! Each `solutions/NN-name/mistakes/*.patch` is a wrong solution learners really
//! write. Applied to the reference, it must make the test its header names fail:
//! that is how the workbook proves its tests test the lesson, not the happy path.
//!
//! Patches are applied to a scratch copy of the workspace under `target/xtask/`, never
//! to the maintainer's files; the copy shares the real target folder, so only the
//! patched crate is compiled again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cargo::{self, Build, BuildOptions, Member};
use crate::lab::{self, Lab};
use crate::progress::state_dir;
use crate::testrun::{self, Outcome, TestResult};

use super::Verdict;
use super::honesty::as_lab_test;

/// What a patch's header says about it.
struct Mistake {
    path: PathBuf,
    caught_by: CaughtBy,
}

/// Who rejects the mistake: a test (`Caught-by: step3_x::name`, or `step3_x::name (times
/// out)` for a mistake that hangs the test), or for mistakes the type system forbids, the
/// compiler (`Caught-by: compiler: <words of its error>`).
enum CaughtBy {
    Test { name: String, times_out: bool },
    Compiler(String),
}

impl CaughtBy {
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some(error) = text.strip_prefix("compiler:") {
            let error = error.trim();
            if error.is_empty() {
                return Err("`Caught-by: compiler:` needs words from the error it expects".to_owned());
            }
            return Ok(Self::Compiler(error.to_owned()));
        }
        let (name, times_out) = match text.strip_suffix("(times out)") {
            Some(name) => (name.trim(), true),
            None => (text, false),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("`Caught-by: {text}` does not name a test"));
        }
        Ok(Self::Test { name: name.to_owned(), times_out })
    }

    fn test(&self) -> Option<&str> {
        match self {
            Self::Test { name, .. } => Some(name),
            Self::Compiler(_) => None,
        }
    }
}

/// How many patched copies one cargo command builds. Cargo compiles them side by side,
/// on every core, where one patch at a time would leave all but one core idle while
/// each small crate compiles and links; the slots are reused from batch to batch, so
/// the disk holds this many patched builds per lab, not one per mistake.
const SLOTS: usize = 8;

pub fn all_caught(root: &Path, lab: &Lab, solution_dir: &Path) -> Verdict {
    let mistakes = read_mistakes(&solution_dir.join("mistakes"))?;
    if mistakes.is_empty() {
        return Err(format!(
            "solutions/{}/mistakes/ holds no *.patch: add the wrong solutions the tests must catch",
            lab.name
        ));
    }
    let package = lab::package_name(&solution_dir.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
    // One scratch copy per lab, so that two labs can be verified at once.
    let scratch = state_dir(root).join("mistakes").join(&lab.name);
    copy_workspace(root, &scratch)?;

    // A named test must pass on the unpatched copy, or it would "catch" every patch. The
    // unpatched copy is built with the first batch of each target, by the same cargo command.
    let solution_in_scratch = scratch.join("solutions").join(&lab.name);
    copy_dir(solution_dir, &solution_in_scratch)?;
    let pristine_package = scratch_package(&package);
    rename_package(&solution_in_scratch.join("Cargo.toml"), &package, &pristine_package)?;

    let mut problems = Vec::new();
    for loom in [false, true] {
        let mut group: Vec<&Mistake> =
            mistakes.iter().filter(|m| m.caught_by.test().is_some_and(|t| in_loom(lab, t)) == loom).collect();
        // A slot builds its mistakes one after another, each with the tests of one step
        // (see `narrow`): when a slot's mistakes are of the same step, one after another,
        // the compiler reuses most of the slot's last build. So each slot takes a run of
        // the mistakes sorted by step, and batch k is the k-th mistake of every run.
        group.sort_by_key(|m| m.caught_by.test().map(|t| t.split("::").next().unwrap_or(t).to_owned()));
        let per_slot = group.len().div_ceil(SLOTS);
        let batches: Vec<Vec<&Mistake>> = (0..per_slot)
            .map(|k| group.chunks(per_slot).filter_map(|run| run.get(k).copied()).collect())
            .collect();
        let mut names: Vec<&str> = group.iter().filter_map(|m| m.caught_by.test()).collect();
        names.sort_unstable();
        names.dedup();
        for (i, batch) in batches.iter().enumerate() {
            if crate::testrun::interrupted() {
                return Err("interrupted".to_owned());
            }
            let context = Batch { root, scratch: &scratch, solution_dir, package: &package, lab, loom };
            let pristine = (i == 0 && !names.is_empty()).then_some(Pristine {
                package: &pristine_package,
                dir: &solution_in_scratch,
                tests: &names,
            });
            problems.extend(context.judge(batch, pristine)?);
        }
    }
    if problems.is_empty() { Ok(format!("{} mistakes", mistakes.len())) } else { Err(problems.join("\n")) }
}

/// Up to `SLOTS` mistakes, each applied to its own fresh copy of the solution
/// (`slots/N/` in the scratch workspace), built by one cargo command, then judged one by one.
struct Batch<'a> {
    root: &'a Path,
    scratch: &'a Path,
    solution_dir: &'a Path,
    package: &'a str,
    lab: &'a Lab,
    loom: bool,
}

/// The unpatched copy of the solution, and the tests it must pass.
struct Pristine<'a> {
    package: &'a str,
    dir: &'a Path,
    tests: &'a [&'a str],
}

impl Batch<'_> {
    /// What is wrong with each mistake of the batch: nothing, when the test it names
    /// catches it. With `pristine`, the unpatched copy is built alongside and its tests
    /// must pass first: when one does not, no mistake can be judged (the `Err`).
    fn judge(&self, batch: &[&Mistake], pristine: Option<Pristine<'_>>) -> Result<Vec<String>, String> {
        let mut problems = Vec::new();
        let mut ready = Vec::new();
        for (slot, mistake) in batch.iter().enumerate() {
            match self.prepare(slot, mistake) {
                Ok(dir) => ready.push((slot, *mistake, dir)),
                Err(why) => problems.push(format!("{}: {why}", mistake.name())),
            }
        }
        // Only now: cargo refuses a member glob that matches no folder.
        add_slots_to_workspace(self.scratch, self.package)?;
        let names: Vec<String> = ready.iter().map(|(slot, ..)| slot_package(self.package, *slot)).collect();
        let mut members: Vec<Member<'_>> = ready
            .iter()
            .zip(&names)
            .map(|((_, _, dir), name)| Member { package: name, dir: Some(dir) })
            .collect();
        if let Some(pristine) = &pristine {
            members.insert(0, Member { package: pristine.package, dir: Some(pristine.dir) });
        }
        let mut builds = match build(self.root, self.scratch, &members, self.loom) {
            Ok(builds) => builds,
            Err(why) => {
                return Ok(ready
                    .iter()
                    .map(|(_, m, _)| format!("{}: {why}", m.name()))
                    .chain(problems)
                    .collect());
            }
        };
        if let Some(pristine) = &pristine {
            let build = if builds.is_empty() { None } else { Some(builds.remove(0)) };
            pristine_passes(build, pristine, self.lab)?;
        }
        for ((slot, mistake, dir), build) in ready.iter().zip(builds) {
            // A narrowed test crate that does not compile may need a step it left out:
            // the whole test crate decides.
            let build = match build {
                Build::CompileError { .. } if mistake.caught_by.test().is_some() && self.widen(dir) => {
                    let name = slot_package(self.package, *slot);
                    let member = Member { package: &name, dir: Some(dir) };
                    match build_one(self.root, self.scratch, member, self.loom) {
                        Ok(build) => build,
                        Err(why) => {
                            problems.push(format!("{}: {why}", mistake.name()));
                            continue;
                        }
                    }
                }
                other => other,
            };
            if let Err(why) = caught(dir, self.lab, mistake, build) {
                problems.push(format!("{}: {why}", mistake.name()));
            }
        }
        Ok(problems)
    }

    /// Compiles only the step whose test catches the mistake: the slot's test crate
    /// mounts a copy of the lab's tests whose `main.rs` declares that step's module and
    /// none of the others'. Most of a mistake's build is the test crate, and most of
    /// that is the other steps. Returns whether it narrowed (a test crate of another
    /// shape is left whole).
    fn narrow(&self, dir: &Path, step_module: &str) -> Result<bool, String> {
        let tests_rs = dir.join("tests").join("lab.rs");
        let Ok(text) = fs::read_to_string(&tests_rs) else { return Ok(false) };
        let mounted = format!("\"../../../labs/{}/tests/lab/main.rs\"", self.lab.name);
        if !text.contains(&mounted) {
            return Ok(false);
        }
        let subset = dir.join(SUBSET);
        copy_dir(&self.lab.dir.join("tests").join("lab"), &subset)?;
        let main = subset.join("main.rs");
        let source = fs::read_to_string(&main).map_err(|e| format!("cannot read {}: {e}", main.display()))?;
        let kept: Vec<&str> = source.lines().filter(|line| !declares_other_step(line, step_module)).collect();
        fs::write(&main, kept.join("\n") + "\n")
            .map_err(|e| format!("cannot write {}: {e}", main.display()))?;
        let narrowed = text.replace(&mounted, &format!("\"../{SUBSET}/main.rs\""));
        fs::write(&tests_rs, narrowed).map_err(|e| format!("cannot write {}: {e}", tests_rs.display()))?;
        Ok(true)
    }

    /// Puts the whole test crate back in a narrowed slot; false if it was not narrowed.
    fn widen(&self, dir: &Path) -> bool {
        if !dir.join(SUBSET).exists() {
            return false;
        }
        let original = self.solution_dir.join("tests").join("lab.rs");
        fs::copy(&original, dir.join("tests").join("lab.rs")).is_ok()
            && fs::remove_dir_all(dir.join(SUBSET)).is_ok()
    }

    /// A fresh copy of the solution in slot `slot`, under the slot's package name, with
    /// the mistake applied.
    fn prepare(&self, slot: usize, mistake: &Mistake) -> Result<PathBuf, String> {
        let dir = self.scratch.join("slots").join(slot.to_string());
        copy_dir(self.solution_dir, &dir)?;
        rename_package(&dir.join("Cargo.toml"), self.package, &slot_package(self.package, slot))?;
        apply(&dir, &mistake.path)?;
        if let (Some(test), false) = (mistake.caught_by.test(), self.loom) {
            let step_module = test.split("::").next().unwrap_or(test);
            self.narrow(&dir, step_module)?;
        }
        Ok(dir)
    }
}

impl Mistake {
    fn name(&self) -> String {
        self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }
}

/// Where a slot keeps its narrowed copy of the lab's tests: outside `tests/`, where
/// cargo would take a `main.rs` for a test target of its own.
const SUBSET: &str = "lab-subset";

/// Whether a line of the tests' `main.rs` declares a step module other than `keep`.
fn declares_other_step(line: &str, keep: &str) -> bool {
    let line = line.trim();
    let declared =
        line.strip_prefix("pub ").unwrap_or(line).strip_prefix("mod ").and_then(|r| r.strip_suffix(';'));
    declared.is_some_and(|module| module.starts_with("step") && module != keep)
}

/// Builds one slot alone (a narrowed build that had to be widened).
fn build_one(root: &Path, scratch: &Path, member: Member<'_>, loom: bool) -> Result<Build, String> {
    build(root, scratch, &[member], loom)?.pop().ok_or_else(|| "cargo reported no build".to_owned())
}

/// Whether a test runs in the lab's loom target.
fn in_loom(lab: &Lab, test: &str) -> bool {
    lab.step_of(test).is_some_and(|i| lab.manifest.steps[i].loom)
}

/// Builds, for each member of the scratch workspace, the test target that holds the
/// tests in question: the loom one or the ordinary one.
fn build(root: &Path, scratch: &Path, members: &[Member<'_>], loom: bool) -> Result<Vec<Build>, String> {
    // The copy shares the real target folders, so dependencies are not compiled again;
    // the patched crate has its own package name, so its artifacts are its own.
    let target = cargo::target_dir(root);
    let package = members.first().map_or("", |m| m.package);
    let options = if loom {
        BuildOptions::loom(scratch, package, false, false)
    } else {
        BuildOptions::lab(scratch, package, false, false)
    };
    let options = BuildOptions { target_dir: Some(&target), ..options };
    cargo::build_tests(&options, members).map_err(|e| format!("{e:#}"))
}

/// Runs the one test `name` of a built binary, in the folder of the package it tests.
fn run_named(binary: &Path, package_dir: &Path, lab: &Lab, name: &str) -> Result<TestResult, String> {
    let tests = testrun::list_tests(binary).map_err(|e| format!("{e:#}"))?;
    let Some(test) = tests.iter().find(|t| as_lab_test(t) == name) else {
        return Err(format!("its header names the test {name:?}, which does not exist"));
    };
    let result = testrun::run_tests(binary, package_dir, std::slice::from_ref(test), lab.test_timeout(), 1);
    result.into_iter().next().ok_or_else(|| "the test did not run".to_owned())
}

/// The unpatched copy compiled and each named test passes on it.
fn pristine_passes(build: Option<Build>, pristine: &Pristine<'_>, lab: &Lab) -> Result<(), String> {
    let binary = match build {
        Some(Build::Ready(binary)) => binary,
        Some(Build::CompileError { first, .. }) => {
            return Err(format!("the unpatched copy does not compile:\n{first}"));
        }
        Some(Build::CargoFailed(message)) => {
            return Err(format!("cargo failed on the unpatched copy:\n{message}"));
        }
        None => return Err("cargo reported no build of the unpatched copy".to_owned()),
    };
    let mut problems = Vec::new();
    for name in pristine.tests {
        match run_named(&binary, pristine.dir, lab, name)?.outcome {
            Outcome::Passed => {}
            other => problems.push(format!(
                "{name} does not pass on the unpatched solution in the scratch copy ({other:?}), so it cannot prove a mistake caught"
            )),
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
}

/// Whether the built (or not built) patched copy in `package_dir` is rejected as the
/// mistake's header says.
fn caught(package_dir: &Path, lab: &Lab, mistake: &Mistake, build: Build) -> Result<(), String> {
    let (name, times_out, binary) = match (&mistake.caught_by, build) {
        (CaughtBy::Compiler(expected), Build::CompileError { first, .. }) => {
            return if first.to_lowercase().contains(&expected.to_lowercase()) {
                Ok(())
            } else {
                Err(format!("it does not compile, but not with {expected:?}:\n{first}"))
            };
        }
        (CaughtBy::Compiler(expected), _) => {
            return Err(format!(
                "it compiles, but its header says the compiler rejects it with {expected:?}"
            ));
        }
        (CaughtBy::Test { name, times_out }, Build::Ready(binary)) => (name, *times_out, binary),
        (CaughtBy::Test { .. }, Build::CompileError { first, .. }) => {
            return Err(format!("the patched solution does not compile:\n{first}"));
        }
        (CaughtBy::Test { .. }, Build::CargoFailed(message)) => {
            return Err(format!("cargo failed:\n{message}"));
        }
    };
    // A catch that depends on luck (a HashMap's order, threads that happen to meet) is
    // no catch: `XTASK_MISTAKE_RUNS=5 cargo xtask verify` runs each test five times.
    let runs = mistake_runs();
    for run in 1..=runs {
        let result = run_named(&binary, package_dir, lab, name)?;
        judged(&result, name, times_out).map_err(|why| match runs {
            1 => why,
            _ => format!("{why} (run {run} of {runs})"),
        })?;
    }
    Ok(())
}

/// How many times each mistake's test runs: `XTASK_MISTAKE_RUNS`, else once.
fn mistake_runs() -> usize {
    std::env::var("XTASK_MISTAKE_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(1).max(1)
}

/// Whether one run of the named test rejected the mistake as its header says. Only the
/// verdict the header promises counts: a crash or a timeout is not a failing assertion,
/// and would hide a test that no longer checks anything.
fn judged(result: &TestResult, name: &str, times_out: bool) -> Result<(), String> {
    // A panic that ends in an abort (loom reports a deadlock so, and panics again while
    // unwinding) is an assertion that fired: it counts as a failure.
    let panicked_then_crashed =
        matches!(result.outcome, Outcome::Crashed(_)) && result.panic_message().is_some();
    match &result.outcome {
        Outcome::Crashed(_) if panicked_then_crashed && !times_out => Ok(()),
        Outcome::Failed if times_out => Err(format!("{name} failed, but the header says it times out")),
        Outcome::Failed => Ok(()),
        Outcome::TimedOut if times_out => Ok(()),
        Outcome::Passed => Err(format!("{name} still passes: the test does not catch this mistake")),
        Outcome::TimedOut => Err(format!(
            "{name} timed out instead of failing; if hanging is how this mistake shows, say `(times out)` after the test's name"
        )),
        other => Err(format!("{name} did not fail, it ended with {other:?}")),
    }
}

/// The name the solution gets in the scratch copy. Cargo names build outputs after the
/// package name and its path *relative to the workspace*, which the copy shares: under
/// its own name, the patched crate can never overwrite the real solution's artifacts.
/// The name must also never have lived in another scratch folder: the fingerprint of a
/// crate inside the target folder records its files relative to that folder, so a
/// name once built at `target/xtask/mistakes/` (before each lab had its own folder)
/// would be judged fresh against that folder's old files.
fn scratch_package(package: &str) -> String {
    format!("{package}-as-mistake")
}

/// The package name of a patched copy in slot `slot` (the same rule as `scratch_package`).
fn slot_package(package: &str, slot: usize) -> String {
    format!("{package}-as-mistake-{slot}")
}

/// Renames the copied solution's package, keeping its library name (the lab's tests
/// refer to it by that name).
fn rename_package(cargo_toml: &Path, package: &str, new_name: &str) -> Result<(), String> {
    let text =
        fs::read_to_string(cargo_toml).map_err(|e| format!("cannot read {}: {e}", cargo_toml.display()))?;
    let old = format!("name = \"{package}\"");
    if !text.contains(&old) {
        return Err(format!("{} has no line `{old}`", cargo_toml.display()));
    }
    let mut renamed = text.replacen(&old, &format!("name = \"{new_name}\""), 1);
    if !renamed.contains("[lib]") {
        renamed.push_str(&format!("\n[lib]\nname = \"{}\"\n", package.replace('-', "_")));
    }
    fs::write(cargo_toml, renamed).map_err(|e| format!("cannot write {}: {e}", cargo_toml.display()))
}

/// A patch may change its own solution and nothing else: one that edits the lab's tests
/// could make its named test fail by itself.
fn touches_only(text: &str, solution: &str) -> Result<(), String> {
    for line in text.lines().filter(|l| l.starts_with("diff --git ")) {
        let ok = line
            .split_whitespace()
            .skip(2)
            .all(|path| path.split_once('/').is_some_and(|(_, p)| p.starts_with(&format!("{solution}/"))));
        if !ok {
            return Err(format!(
                "it changes a file outside {solution}/ ({line}): a mistake patches the solution only"
            ));
        }
    }
    Ok(())
}

fn read_mistakes(dir: &Path) -> Result<Vec<Mistake>, String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut mistakes = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match read_mistake(&path) {
            Ok(mistake) => mistakes.push(mistake),
            Err(why) => problems.push(format!("{}: {why}", path.display())),
        }
    }
    if problems.is_empty() { Ok(mistakes) } else { Err(problems.join("\n")) }
}

fn read_mistake(path: &Path) -> Result<Mistake, String> {
    if path.extension().is_none_or(|e| e != "patch") {
        return Err("only *.patch files belong in mistakes/ (rename it, or move it out)".to_owned());
    }
    let bytes = fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.contains(&0) {
        return Err("it is UTF-16 (PowerShell's `>` writes that): write it with `git diff --output=<file>`"
            .to_owned());
    }
    let text = String::from_utf8_lossy(&bytes);
    let lab = path
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    touches_only(&text, &format!("solutions/{}", lab.unwrap_or_default()))?;
    let headers: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("diff --git"))
        .filter_map(|l| l.strip_prefix("Caught-by:"))
        .collect();
    match headers[..] {
        [one] => Ok(Mistake { path: path.to_owned(), caught_by: CaughtBy::parse(one)? }),
        [] => Err("no `Caught-by: <test path>` line in its header".to_owned()),
        _ => Err("more than one `Caught-by:` line: one mistake, one test that catches it".to_owned()),
    }
}

/// Applies a patch to the copy of the solution in `dir` with `git apply`, treating `dir`
/// as a plain folder: the ceiling stops git from finding the real repository above it
/// and patching the real files. The patch's paths start `a/solutions/<lab>/` (checked
/// by `touches_only`): three components to strip.
fn apply(dir: &Path, patch: &Path) -> Result<(), String> {
    let ceiling = dir.parent().unwrap_or(dir);
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", ceiling)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args(["apply", "-p3", "--whitespace=nowarn"])
        .arg(patch)
        .output()
        .map_err(|e| format!("cannot run git to apply the patch: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the patch does not apply to the solution any more; regenerate it:\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// Makes the scratch copy's `slots/*` folders members of its workspace: that is where
/// the patched copies are built.
fn add_slots_to_workspace(scratch: &Path, package: &str) -> Result<(), String> {
    let manifest = scratch.join("Cargo.toml");
    let text =
        fs::read_to_string(&manifest).map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    if text.contains("\"slots/*\"") {
        return Ok(());
    }
    if !text.contains("members = [") {
        return Err("the root Cargo.toml has no `members = [` line to add the scratch slots to".to_owned());
    }
    let mut with_slots = text.replacen("members = [", "members = [\"slots/*\", ", 1);
    // A patched copy is compiled once, run once and thrown away: no debug info to write
    // and link (a panic's message and location need none).
    for slot in 0..SLOTS {
        with_slots.push_str(&format!(
            "\n[profile.dev.package.\"{}\"]\ndebug = false\n",
            slot_package(package, slot)
        ));
    }
    fs::write(&manifest, with_slots).map_err(|e| format!("cannot write {}: {e}", manifest.display()))
}

/// Copies what a build needs (manifests, the lockfile, labs, solutions, the book) into `scratch`.
fn copy_workspace(root: &Path, scratch: &Path) -> Result<(), String> {
    if scratch.exists() {
        fs::remove_dir_all(scratch).map_err(|e| format!("cannot clear {}: {e}", scratch.display()))?;
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        let from = root.join(file);
        if from.exists() {
            fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
            fs::copy(&from, scratch.join(file))
                .map_err(|e| format!("cannot copy {}: {e}", from.display()))?;
        }
    }
    // Everything a test may read at run time comes along (the book, cargo's config), so
    // that the copy behaves as the real workbook does.
    for file in ["book.toml"] {
        if root.join(file).is_file() {
            fs::copy(root.join(file), scratch.join(file)).map_err(|e| format!("cannot copy {file}: {e}"))?;
        }
    }
    for dir in ["labs", "solutions", "book", ".cargo", "workspace-hack"] {
        if root.join(dir).is_dir() {
            copy_dir(&root.join(dir), &scratch.join(dir))?;
        }
    }
    Ok(())
}

/// Copies a folder's tree, skipping build output.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| format!("cannot clear {}: {e}", to.display()))?;
    }
    fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let dest = to.join(&name);
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else {
            fs::copy(&path, &dest).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
            // A copy is a new file to cargo: macOS and Windows keep the original's time,
            // which would let cargo reuse the build of the previous (patched) copy.
            fs::File::options()
                .append(true)
                .open(&dest)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()))
                .map_err(|e| format!("cannot touch {}: {e}", dest.display()))?;
        }
    }
    Ok(())
}
