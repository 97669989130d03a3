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

use crate::cargo::{self, Build, BuildOptions};
use crate::lab::{self, Lab};
use crate::progress::state_dir;
use crate::testrun::{self, Outcome};

use super::Verdict;
use super::honesty::as_lab_test;

/// What a patch's header says about it.
struct Mistake {
    path: PathBuf,
    caught_by: CaughtBy,
}

/// Who rejects the mistake: a test (`Caught-by: step3_x::name`), or for mistakes the
/// type system forbids, the compiler (`Caught-by: compiler: <words of its error>`).
enum CaughtBy {
    Test(String),
    Compiler(String),
}

impl CaughtBy {
    fn parse(text: &str) -> Self {
        let text = text.trim();
        match text.strip_prefix("compiler:") {
            Some(error) => Self::Compiler(error.trim().to_owned()),
            None => Self::Test(text.to_owned()),
        }
    }
}

pub fn all_caught(root: &Path, lab: &Lab, solution_dir: &Path) -> Verdict {
    let mistakes = read_mistakes(&solution_dir.join("mistakes"))?;
    if mistakes.is_empty() {
        return Err(format!(
            "solutions/{}/mistakes/ holds no *.patch: add the wrong solutions the tests must catch",
            lab.name
        ));
    }
    let package = lab::package_name(&solution_dir.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?;
    let scratch = state_dir(root).join("mistakes");
    copy_workspace(root, &scratch)?;
    let solution_in_scratch = scratch.join("solutions").join(&lab.name);

    let mut problems = Vec::new();
    for mistake in &mistakes {
        let name = mistake.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Start every mistake from the pristine solution.
        copy_dir(solution_dir, &solution_in_scratch)?;
        rename_package(&solution_in_scratch.join("Cargo.toml"), &package)?;
        if let Err(why) = caught(root, &scratch, &scratch_package(&package), lab, mistake) {
            problems.push(format!("{name}: {why}"));
        }
    }
    if problems.is_empty() { Ok(format!("{} mistakes", mistakes.len())) } else { Err(problems.join("\n")) }
}

fn caught(root: &Path, scratch: &Path, package: &str, lab: &Lab, mistake: &Mistake) -> Result<(), String> {
    apply(scratch, &mistake.path)?;
    // The copy shares the real target folders, so dependencies are not compiled again;
    // the patched crate has its own package name, so its artifacts are its own.
    let target = cargo::target_dir(root);
    let loom_target = target.join("loom");
    let in_loom = match &mistake.caught_by {
        CaughtBy::Test(test) => lab.step_of(test).is_some_and(|i| lab.manifest.steps[i].loom),
        CaughtBy::Compiler(_) => false,
    };
    let options = if in_loom {
        BuildOptions::loom(scratch, package, &loom_target, false, false)
    } else {
        BuildOptions { target_dir: Some(&target), ..BuildOptions::lab(scratch, package, false, false) }
    };
    let build = cargo::build_test(&options).map_err(|e| format!("{e:#}"))?;
    let test = match (&mistake.caught_by, build) {
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
        (CaughtBy::Test(test), Build::Ready(binary)) => (test, binary),
        (CaughtBy::Test(_), Build::CompileError { first, .. }) => {
            return Err(format!("the patched solution does not compile:\n{first}"));
        }
        (CaughtBy::Test(_), Build::CargoFailed(message)) => return Err(format!("cargo failed:\n{message}")),
    };
    let (name, binary) = test;
    let tests = testrun::list_tests(&binary).map_err(|e| format!("{e:#}"))?;
    let Some(test) = tests.iter().find(|t| as_lab_test(t) == name) else {
        return Err(format!("its header names the test {name:?}, which does not exist"));
    };
    let cwd = scratch.join("solutions").join(&lab.name);
    let result = testrun::run_tests(&binary, &cwd, std::slice::from_ref(test), lab.test_timeout(), 1);
    match result.first().map(|r| &r.outcome) {
        Some(Outcome::Passed) => Err(format!("{name} still passes: the test does not catch this mistake")),
        Some(_) => Ok(()),
        None => Err("the test did not run".to_owned()),
    }
}

/// The name the solution gets in the scratch copy. Cargo names build outputs after the
/// package name and its path *relative to the workspace*, which the copy shares: under
/// its own name, the patched crate can never overwrite the real solution's artifacts.
fn scratch_package(package: &str) -> String {
    format!("{package}-with-mistake")
}

/// Renames the copied solution's package, keeping its library name (the lab's tests
/// refer to it by that name).
fn rename_package(cargo_toml: &Path, package: &str) -> Result<(), String> {
    let text =
        fs::read_to_string(cargo_toml).map_err(|e| format!("cannot read {}: {e}", cargo_toml.display()))?;
    let old = format!("name = \"{package}\"");
    if !text.contains(&old) {
        return Err(format!("{} has no line `{old}`", cargo_toml.display()));
    }
    let mut renamed = text.replacen(&old, &format!("name = \"{}\"", scratch_package(package)), 1);
    if !renamed.contains("[lib]") {
        renamed.push_str(&format!("\n[lib]\nname = \"{}\"\n", package.replace('-', "_")));
    }
    fs::write(cargo_toml, renamed).map_err(|e| format!("cannot write {}: {e}", cargo_toml.display()))
}

fn read_mistakes(dir: &Path) -> Result<Vec<Mistake>, String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "patch"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text =
                fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let caught_by = text
                .lines()
                .take_while(|l| !l.starts_with("diff --git"))
                .find_map(|l| l.strip_prefix("Caught-by:"))
                .map(CaughtBy::parse)
                .ok_or_else(|| {
                    format!("{} has no `Caught-by: <test path>` line in its header", path.display())
                })?;
            Ok(Mistake { path, caught_by })
        })
        .collect()
}

/// Applies a patch with `git apply`, treating `dir` as a plain folder: the ceiling stops
/// git from finding the real repository above it and patching the real files.
fn apply(dir: &Path, patch: &Path) -> Result<(), String> {
    let ceiling = dir.parent().unwrap_or(dir);
    let output = Command::new("git")
        .current_dir(dir)
        .env("GIT_CEILING_DIRECTORIES", ceiling)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .args(["apply", "--whitespace=nowarn"])
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

/// Copies what a build needs (manifests, the lockfile, labs, solutions, the runner) into `scratch`.
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
    for dir in ["labs", "solutions", "xtask"] {
        copy_dir(&root.join(dir), &scratch.join(dir))?;
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
        }
    }
    Ok(())
}
