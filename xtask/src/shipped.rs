//! The workbook as it was shipped: the upstream commit of the learner's clone, which
//! their own commits do not change. `reset` puts starter files back from it, and
//! `solution` finds there which files a step edits (the starter's `todo!("step N: ...")`)
//! and, when `solutions/` is gone, the reference itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::lab::Lab;

/// One commit of the workbook's history, read through git.
pub struct Shipped {
    root: PathBuf,
    commit: String,
    /// How the learner would name it: `origin/main`, or what `--from` said.
    name: String,
}

/// Where a clone's upstream lives, in the order git users expect.
const UPSTREAMS: [&str; 3] = ["@{upstream}", "origin/HEAD", "origin/main"];

impl Shipped {
    /// The commit named by `from`, else the upstream of the clone.
    pub fn find(root: &Path, from: Option<&str>) -> Result<Self> {
        if git(root, &["rev-parse", "--git-dir"]).is_err() {
            bail!(
                "{} is not a git clone, so the runner cannot tell what was shipped: \
                 clone the workbook with git to use this command",
                root.display()
            );
        }
        let candidates: Vec<&str> = from.map_or_else(|| UPSTREAMS.to_vec(), |name| vec![name]);
        for name in &candidates {
            let spec = format!("{name}^{{commit}}");
            if let Ok(commit) = git(root, &["rev-parse", "--verify", "--quiet", &spec]) {
                let name = if *name == "@{upstream}" {
                    git(root, &["rev-parse", "--abbrev-ref", "@{upstream}"])
                        .map(|upstream| upstream.trim().to_owned())
                        .unwrap_or_else(|_| (*name).to_owned())
                } else {
                    (*name).to_owned()
                };
                return Ok(Self { root: root.to_owned(), commit: commit.trim().to_owned(), name });
            }
        }
        match from {
            Some(name) => bail!("git knows no commit {name:?}"),
            None => bail!(
                "this clone has no upstream branch (tried {}), so the runner cannot tell what was shipped: \
                 name the commit with `--from <commit>` (for instance the first commit you cloned)",
                UPSTREAMS.join(", ")
            ),
        }
    }

    /// `origin/main (1a2b3c4)`.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.name, &self.commit[..self.commit.len().min(7)])
    }

    /// The files under `dir` (relative to the root, `/`-separated) in the shipped commit.
    pub fn files_under(&self, dir: &str) -> Result<Vec<String>> {
        let listing = git(&self.root, &["ls-tree", "-r", "--name-only", &self.commit, "--", dir])?;
        Ok(listing.lines().map(str::to_owned).collect())
    }

    /// A file's shipped contents, or `None` if the shipped commit has no such file.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let output = Command::new("git")
            .current_dir(&self.root)
            .args(["show", &format!("{}:{path}", self.commit)])
            .output()
            .context("cannot run git: is it installed?")?;
        Ok(output.status.success().then_some(output.stdout))
    }

    /// The files the learner edits for step `number` of `lab` (from the root): the shipped
    /// starter files that hold its `todo!()`, and those its lab.toml entry names.
    pub fn step_files(&self, lab: &Lab, number: usize) -> Result<Vec<String>> {
        let mut files = Vec::new();
        for file in self.files_under(&format!("labs/{}/src", lab.name))? {
            let text = self.read(&file)?.unwrap_or_default();
            if holds_step(&String::from_utf8_lossy(&text), number) {
                files.push(file);
            }
        }
        if let Some(step) = number.checked_sub(1).and_then(|i| lab.manifest.steps.get(i)) {
            files.extend(step.files.iter().map(|f| format!("labs/{}/{f}", lab.name)));
        }
        files.sort();
        files.dedup();
        Ok(files)
    }

    /// The other steps whose `todo!()` the shipped starter `file` holds besides step
    /// `number`: resetting the file undoes them too, and its reference shows them.
    pub fn other_steps_in(&self, file: &str, number: usize) -> Result<Vec<usize>> {
        let text = self.read(file)?.unwrap_or_default();
        Ok(steps_held(&String::from_utf8_lossy(&text)).into_iter().filter(|&s| s != number).collect())
    }
}

/// Whether a starter file holds a `todo!("step N: ...")` of step `number`, however
/// rustfmt wrapped it (`todo!(` at the end of a line, the message on the next).
pub fn holds_step(text: &str, number: usize) -> bool {
    steps_held(text).contains(&number)
}

/// The steps whose `todo!("step N: ...")` a text holds, in order, each once.
pub fn steps_held(text: &str) -> Vec<usize> {
    let mut steps: Vec<usize> = text
        .match_indices("todo!(")
        .filter_map(|(at, call)| {
            let message = text[at + call.len()..].trim_start().strip_prefix("\"step ")?;
            let (number, _) = message.split_once(':')?;
            number.parse().ok()
        })
        .collect();
    steps.sort_unstable();
    steps.dedup();
    steps
}

/// Runs git in `root` and returns what it printed, or why it failed.
fn git(root: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .context("cannot run git: is it installed?")?;
    if !output.status.success() {
        bail!("`git {}` failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::{holds_step, steps_held};

    #[test]
    fn a_step_is_found_on_one_line_or_wrapped_by_rustfmt() {
        assert!(holds_step("fn a() { todo!(\"step 2: do it\") }", 2));
        assert!(holds_step("fn a() {\n    todo!(\n        \"step 2: do it. Read book/x.md\"\n    )\n}", 2));
        assert!(!holds_step("fn a() { todo!(\"step 12: not 1\") }", 1));
        assert!(!holds_step("// step 2: only a comment", 2));
    }

    #[test]
    fn every_step_of_a_file_is_found_once() {
        let text =
            "todo!(\"step 3: a\")\ntodo!(\n    \"step 1: b\"\n)\ntodo!(\"step 3: c\") todo!(\"later\")";
        assert_eq!(steps_held(text), vec![1, 3]);
    }
}
