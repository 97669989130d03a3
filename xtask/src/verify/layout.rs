//! The shape of the workbook, as cargo sees it: nothing under `labs/` or `solutions/`
//! is skipped without a word. Every workspace member under `labs/` has a `lab.toml`,
//! every solution has its lab, and lab folders follow the naming rule that keeps the
//! runner's suggested commands unambiguous.

use std::path::{Path, PathBuf};

use crate::cargo;
use crate::lab::{self, Lab};

use super::Verdict;

pub fn check(root: &Path) -> Verdict {
    let workspace =
        cargo::workspace(root).as_ref().map_err(|e| format!("cargo cannot load the workspace:\n{e}"))?;
    // cargo reports canonical paths; compare like with like.
    let canonical = |dir: PathBuf| std::fs::canonicalize(&dir).unwrap_or(dir);
    let labs_dir = canonical(root.join("labs"));
    let solutions_dir = canonical(root.join("solutions"));
    let members_under = |dir: &Path| -> Vec<PathBuf> {
        // Both sides canonical: on Windows, canonicalize gives `\\?\C:\…`, cargo `C:\…`.
        let mut members: Vec<PathBuf> = workspace
            .member_dirs
            .iter()
            .filter(|m| m.parent().map(|p| canonical(p.to_path_buf())).as_deref() == Some(dir))
            .cloned()
            .collect();
        members.sort();
        members
    };
    let mut problems = Vec::new();
    let labs = members_under(&labs_dir);
    let lab_folders = lab::lab_dirs(root).map_err(|e| format!("{e:#}"))?;
    if labs.is_empty() && !lab_folders.is_empty() {
        return Err(format!(
            "cargo lists no workspace member under {}, yet it holds labs: is `labs/*` in the workspace's members?",
            labs_dir.display()
        ));
    }
    for member in &labs {
        if !member.join("lab.toml").is_file() {
            problems.push(format!(
                "labs/{} is a workspace member without a lab.toml: add one (with `draft = true` while it is written)",
                name(member)
            ));
        }
    }
    for member in members_under(&solutions_dir) {
        if !labs_dir.join(name(&member)).join("lab.toml").is_file() {
            problems.push(format!(
                "solutions/{} has no lab: there is no labs/{}/lab.toml",
                name(&member),
                name(&member)
            ));
        }
    }
    for lab in lab_folders {
        let draft = lab::load(&lab).is_ok_and(|l| l.manifest.draft);
        if !draft && !solutions_dir.join(name(&lab)).join("Cargo.toml").is_file() {
            problems.push(format!(
                "labs/{} has no solutions/{}/Cargo.toml (declare the lab `draft = true` while it has none)",
                name(&lab),
                name(&lab)
            ));
        }
    }
    problems.extend(lab::naming_problems(&labs));
    if problems.is_empty() { Ok(format!("{} labs", labs.len())) } else { Err(problems.join("\n")) }
}

/// Every step has a `todo!("step N: ...")` in the starter: that is how `reset LAB STEP`
/// and `solution LAB STEP` know which files a step edits.
pub fn steps_are_marked(lab: &Lab) -> Verdict {
    let mut sources = Vec::new();
    rust_files(&lab.dir.join("src"), &mut sources)
        .map_err(|e| format!("cannot read labs/{}/src: {e}", lab.name))?;
    let texts: Vec<String> = sources.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
    let mut problems = Vec::new();
    for (i, step) in lab.manifest.steps.iter().enumerate() {
        let number = i + 1;
        for file in step.files.iter().filter(|f| !lab.dir.join(f).is_file()) {
            problems.push(format!(
                "step {number} names `{file}` in lab.toml's `files`, and there is no such file"
            ));
        }
        if step.files.is_empty() && !texts.iter().any(|t| crate::shipped::holds_step(t, number)) {
            problems.push(format!(
                "no file under labs/{}/src holds a `todo!(\"step {number}: ...\")`: `reset` and `solution` find \
                 a step's files by it (or list them in the step's `files` in lab.toml)",
                lab.name
            ));
        }
    }
    if problems.is_empty() { Ok(String::new()) } else { Err(problems.join("\n")) }
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

fn name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
