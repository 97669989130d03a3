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
use crate::shipped::{self, Shipped};
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
            "If it passes now, run `cargo xtask check {}` first. Otherwise its hints come first: \
             `cargo xtask hint {} {number}`. To see the reference now anyway: \
             `cargo xtask solution {} {number} --anyway`.",
            lab.handle, lab.handle, lab.handle
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
        "{} step {number} of {}: `-` lines are yours, `+` lines the reference's.\n",
        style.bold("The reference for"),
        lab.name
    );
    // Another step's code in the same file stays hidden until that step passes too.
    let unpassed: Vec<usize> =
        (1..=lab.manifest.steps.len()).filter(|&s| s != number && !passed(root, &lab, s - 1)).collect();
    for file in &files {
        let reference = reference(root, &lab, shipped.as_ref(), file)?;
        let mine = root.join("labs").join(&lab.name).join(file);
        show_diff(root, &mine, &reference, &unpassed, &lab.handle, style)?;
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
/// the root so that they are clickable. A part of the diff that replaces one of the
/// learner's `todo!()`s of a step in `hidden` (one that has not passed) is left out, and
/// said to be.
fn show_diff(
    root: &Path,
    mine: &Path,
    reference: &Path,
    hidden: &[usize],
    handle: &str,
    style: &Style,
) -> Result<()> {
    let output = Command::new("git")
        .current_dir(root)
        .args(["diff", "--no-index", "--color=never", "--"])
        .arg(mine.strip_prefix(root).unwrap_or(mine))
        .arg(reference.strip_prefix(root).unwrap_or(reference))
        .output()
        .context("cannot run git to show the difference: is it installed?")?;
    // git diff exits 1 when the files differ, and 2 or more when it could not compare.
    match output.status.code() {
        Some(0) => {
            println!("{}: the same as the reference.\n", mine.strip_prefix(root).unwrap_or(mine).display())
        }
        Some(1) => print_diff(&String::from_utf8_lossy(&output.stdout), hidden, handle, style),
        _ => bail!("git could not compare the files: {}", String::from_utf8_lossy(&output.stderr).trim()),
    }
    Ok(())
}

/// Prints a unified diff part by part (`@@` hunks), in colour on a terminal, leaving out
/// the parts that would give away a step in `hidden`.
fn print_diff(diff: &str, hidden: &[usize], handle: &str, style: &Style) {
    let (header, hunks) = split_hunks(diff);
    let hidden_step =
        |hunk: &[&str]| shipped::steps_held(&removed_lines(hunk)).into_iter().find(|s| hidden.contains(s));
    if hunks.iter().all(|hunk| hidden_step(hunk).is_some()) {
        let file = header.iter().find_map(|line| line.strip_prefix("--- a/")).unwrap_or("this file");
        println!("{file}: {}\n", style.dim("it differs only in other steps' parts, hidden until they pass."));
        return;
    }
    for line in header {
        println!("{}", style.bold(line));
    }
    for hunk in hunks {
        if let Some(step) = hidden_step(&hunk) {
            println!(
                "{}",
                style.dim(&format!(
                    "@@ [a part for step {step} is hidden until that step passes; \
                     `cargo xtask solution {handle} {step} --anyway` shows it now] @@"
                ))
            );
            continue;
        }
        for line in hunk {
            let shown = match line.chars().next() {
                Some('+') => style.green(line),
                Some('-') => style.red(line),
                Some('@') => style.cyan(line),
                _ => line.to_owned(),
            };
            println!("{shown}");
        }
    }
    println!();
}

/// A diff's header lines, and its hunks, each starting at its `@@` line.
fn split_hunks(diff: &str) -> (Vec<&str>, Vec<Vec<&str>>) {
    let mut header = Vec::new();
    let mut hunks: Vec<Vec<&str>> = Vec::new();
    for line in diff.lines() {
        match hunks.last_mut() {
            _ if line.starts_with("@@") => hunks.push(vec![line]),
            Some(hunk) => hunk.push(line),
            None => header.push(line),
        }
    }
    (header, hunks)
}

/// The learner's side of a hunk (its `-` lines), as text: a `todo!(` wrapped by rustfmt
/// spans two of them.
fn removed_lines(hunk: &[&str]) -> String {
    hunk.iter().filter_map(|line| line.strip_prefix('-')).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_splits_into_its_header_and_hunks() {
        let diff = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n@@ -9 +9 @@\n-    todo!(\n-        \"step 3: c\"\n+d\n";
        let (header, hunks) = split_hunks(diff);
        assert_eq!(header.len(), 3);
        assert_eq!(hunks.len(), 2);
        assert_eq!(shipped::steps_held(&removed_lines(&hunks[1])), vec![3]);
        assert!(shipped::steps_held(&removed_lines(&hunks[0])).is_empty());
    }
}
