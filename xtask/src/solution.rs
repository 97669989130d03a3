//! `cargo xtask solution LAB STEP`: once a step passes, the reference for the files that
//! step edits, as a diff against the learner's own code: what a senior engineer wrote
//! differently. Before the step passes it refuses (the hints come first), unless
//! `--anyway`. The reference comes from `solutions/`, or, where that folder was deleted,
//! from the shipped commit.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::lab::{self, Lab};
use crate::progress::{Progress, state_dir};
use crate::shipped::Shipped;
use crate::style::Style;

pub fn run(root: &Path, lab_query: &str, step_query: &str, anyway: bool, style: &Style) -> Result<bool> {
    let lab = lab::load(&lab::resolve(root, lab_query)?)?;
    let index = lab.find_step(step_query)?;
    let number = index + 1;
    if !anyway && !passed(root, &lab, index) {
        println!(
            "{} Step {number} of {} has not passed at your last `cargo xtask check {}`.",
            style.yellow("Not yet."),
            lab.name,
            lab.handle
        );
        println!(
            "Its hints come first: `cargo xtask hint {} {number}`. To see the reference now anyway: \
             `cargo xtask solution {} {number} --anyway`.",
            lab.handle, lab.handle
        );
        return Ok(false);
    }
    let shipped = Shipped::find(root, None).ok();
    let files = step_files(root, &lab, shipped.as_ref(), number)?;
    if files.is_empty() {
        bail!(
            "no starter file of {} holds a `todo!(\"step {number}: ...\")`, so the runner cannot tell which files \
             step {number} edits: compare labs/{}/src with solutions/{}/src yourself",
            lab.name,
            lab.name,
            lab.name
        );
    }
    println!(
        "{} step {number} of {}: `-` lines are yours, `+` lines the reference's. \
         The files may hold other steps' code too.\n",
        style.bold("The reference for"),
        lab.name
    );
    for file in &files {
        let reference = reference(root, &lab, shipped.as_ref(), file)?;
        show_diff(root, &root.join("labs").join(&lab.name).join(file), &reference, style)?;
    }
    Ok(true)
}

/// Whether the last check saw step `index` pass: the whole lab passed, or the first
/// failing step came after it.
fn passed(root: &Path, lab: &Lab, index: usize) -> bool {
    let progress = Progress::load(root);
    if progress.passed.contains(&lab.name) {
        return true;
    }
    progress
        .first_failing_step
        .get(&lab.name)
        .and_then(|id| lab.find_step(id).ok())
        .is_some_and(|first_failing| first_failing > index)
}

/// The files step `number` edits, relative to the lab's folder (`src/store.rs`): those
/// whose shipped starter holds the step's `todo!()`; without git, every source file.
fn step_files(root: &Path, lab: &Lab, shipped: Option<&Shipped>, number: usize) -> Result<Vec<String>> {
    let prefix = format!("labs/{}/", lab.name);
    if let Some(shipped) = shipped {
        let files = shipped.step_files(lab, number)?;
        return Ok(files.iter().filter_map(|f| f.strip_prefix(&prefix).map(str::to_owned)).collect());
    }
    let src = root.join("solutions").join(&lab.name).join("src");
    let mut files: Vec<String> = fs::read_dir(&src)
        .with_context(|| format!("cannot read {}", src.display()))?
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| format!("src/{}", e.file_name().to_string_lossy()))
        .collect();
    files.sort();
    Ok(files)
}

/// The reference version of `file` (relative to the lab's folder): from `solutions/`,
/// else from the shipped commit, copied where `git diff` can read it.
fn reference(root: &Path, lab: &Lab, shipped: Option<&Shipped>, file: &str) -> Result<PathBuf> {
    let on_disk = root.join("solutions").join(&lab.name).join(file);
    if on_disk.is_file() {
        return Ok(on_disk);
    }
    let from_git = match shipped {
        Some(shipped) => shipped.read(&format!("solutions/{}/{file}", lab.name))?,
        None => None,
    };
    let Some(bytes) = from_git else {
        bail!(
            "solutions/{}/{file} is not in this folder, nor in a shipped commit git knows: \
             `git checkout origin/main -- solutions/{}` brings the solutions back",
            lab.name,
            lab.name
        );
    };
    let copy = state_dir(root).join("solution").join(&lab.name).join(file);
    if let Some(dir) = copy.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(&copy, bytes).with_context(|| format!("cannot write {}", copy.display()))?;
    Ok(copy)
}

/// `git diff --no-index` of the learner's file against the reference, paths relative to
/// the root so that they are clickable.
fn show_diff(root: &Path, mine: &Path, reference: &Path, style: &Style) -> Result<()> {
    let color = if style.color() { "--color=always" } else { "--color=never" };
    let output = Command::new("git")
        .current_dir(root)
        .args(["diff", "--no-index", color, "--"])
        .arg(mine.strip_prefix(root).unwrap_or(mine))
        .arg(reference.strip_prefix(root).unwrap_or(reference))
        .output()
        .context("cannot run git to show the difference: is it installed?")?;
    // git diff exits 1 when the files differ, and 2 or more when it could not compare.
    match output.status.code() {
        Some(0) => {
            println!("{}: the same as the reference.\n", mine.strip_prefix(root).unwrap_or(mine).display())
        }
        Some(1) => println!("{}", String::from_utf8_lossy(&output.stdout)),
        _ => bail!("git could not compare the files: {}", String::from_utf8_lossy(&output.stderr).trim()),
    }
    Ok(())
}
