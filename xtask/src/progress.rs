//! What the runner remembers between runs: the last check of each lab and the hint
//! tiers already shown. It lives in `.xtask/` at the workbook's root (git-ignored),
//! never in `labs/`: `cargo clean` keeps it, two clones sharing one target folder
//! (a global `CARGO_TARGET_DIR`) keep theirs apart, and deleting `.xtask/` forgets it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Per lab: the id of the first step that did not pass in the last check.
    #[serde(default)]
    pub first_failing_step: BTreeMap<String, String>,
    /// Per `lab/step`: how many hint tiers have been shown.
    #[serde(default)]
    pub hints_shown: BTreeMap<String, usize>,
    /// The labs whose every step passed in the last check.
    #[serde(default)]
    pub passed: BTreeSet<String>,
}

/// The folder for the runner's builds and caches, which `cargo clean` may remove:
/// `$CARGO_TARGET_DIR/xtask` or `target/xtask`.
pub fn state_dir(root: &Path) -> PathBuf {
    crate::cargo::target_dir(root).join("xtask")
}

/// The folder for what the runner remembers about this learner in this workbook.
pub fn learner_dir(root: &Path) -> PathBuf {
    root.join(".xtask")
}

fn path(root: &Path) -> PathBuf {
    learner_dir(root).join("progress.json")
}

impl Progress {
    /// The saved progress; a missing file is a fresh start. A file the runner cannot
    /// read (damaged, or written by an incompatible runner) is set aside with a warning,
    /// never a crash: progress is a convenience, and `check` rebuilds it.
    pub fn load(root: &Path) -> Self {
        let path = path(root);
        let Ok(text) = fs::read_to_string(&path) else {
            return Self::default();
        };
        match serde_json::from_str(&text) {
            Ok(progress) => progress,
            Err(error) => {
                let aside = path.with_extension("json.unreadable");
                let moved = fs::rename(&path, &aside).is_ok();
                eprintln!(
                    "warning: {} is unreadable ({error}); {}starting afresh (your labs are untouched)",
                    path.display(),
                    if moved { format!("set aside as {}, ", aside.display()) } else { String::new() }
                );
                Self::default()
            }
        }
    }

    /// Reads the file afresh, applies `change`, and writes it back, so that a `hint`
    /// given while a long `check` ran is not overwritten by the check's older copy.
    pub fn update(root: &Path, change: impl FnOnce(&mut Self)) -> Result<Self> {
        let mut progress = Self::load(root);
        change(&mut progress);
        progress.save(root)?;
        Ok(progress)
    }

    /// Writes to a temporary file and renames it over the old one: a reader never sees
    /// half a file, and an interrupted write leaves the old one intact.
    fn save(&self, root: &Path) -> Result<()> {
        let path = path(root);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self)?;
        let temporary = path.with_extension(format!("json.{}", std::process::id()));
        fs::write(&temporary, text).with_context(|| format!("cannot write {}", temporary.display()))?;
        fs::rename(&temporary, &path).with_context(|| format!("cannot replace {}", path.display()))
    }
}
