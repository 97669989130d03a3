//! Labs on disk: finding them, naming them, and reading their `lab.toml`.
//!
//! Convention over configuration: a lab is a folder `labs/NN-name` holding a
//! `lab.toml`; its reference solution, if any, is `solutions/NN-name`.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The time a single test may run before the runner stops it, unless `lab.toml` says otherwise.
pub const DEFAULT_TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A lab's `lab.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub title: String,
    /// The chapter's first page, relative to `book/`.
    pub chapter: String,
    /// Seconds a single test may run before it is stopped.
    pub test_timeout_secs: Option<u64>,
    /// The binary of a tokio-console demo, run by `cargo xtask console` (feature `console`).
    pub console: Option<String>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short name, usable in `cargo xtask hint 01 <id>`.
    pub id: String,
    pub title: String,
    /// The test module of this step: its tests are named `<tests>::...`.
    pub tests: String,
    pub minutes: u32,
    /// The book page (and optional `#anchor`) that teaches this step, relative to `book/`.
    pub section: String,
    /// Tiered hints, gentlest first.
    pub hints: Vec<String>,
    /// The step's tests are loom models in the `loom` test target, built with
    /// `--cfg lab_loom` in release mode and their own target folder.
    #[serde(default)]
    pub loom: bool,
}

/// A lab found on disk, with its manifest read and checked.
#[derive(Debug)]
pub struct Lab {
    /// The folder name, `01-frameworks`.
    pub name: String,
    pub dir: PathBuf,
    /// The Cargo package of the lab, `frameworks`.
    pub package: String,
    pub manifest: Manifest,
}

impl Lab {
    /// The number in front of the name: `01`.
    pub fn number(&self) -> &str {
        number_of(&self.name)
    }

    /// The folder of the reference solution, if the lab has one.
    pub fn solution_dir(&self, root: &Path) -> Option<PathBuf> {
        let dir = root.join("solutions").join(&self.name);
        dir.join("Cargo.toml").is_file().then_some(dir)
    }

    pub fn test_timeout(&self) -> Duration {
        self.manifest.test_timeout_secs.map_or(DEFAULT_TEST_TIMEOUT, Duration::from_secs)
    }

    /// Whether any step is checked with loom.
    pub fn has_loom(&self) -> bool {
        self.manifest.steps.iter().any(|s| s.loom)
    }

    /// The step a test belongs to, by its module path.
    pub fn step_of(&self, test: &str) -> Option<usize> {
        self.manifest
            .steps
            .iter()
            .position(|s| test.strip_prefix(&s.tests).is_some_and(|rest| rest.starts_with("::")))
    }

    /// Finds a step by number (`3`) or id (`routes`).
    pub fn find_step(&self, query: &str) -> Result<usize> {
        let steps = &self.manifest.steps;
        if let Ok(n) = query.parse::<usize>() {
            if (1..=steps.len()).contains(&n) {
                return Ok(n - 1);
            }
        } else if let Some(i) = steps.iter().position(|s| s.id == query || s.tests == query) {
            return Ok(i);
        }
        let known: Vec<String> =
            steps.iter().enumerate().map(|(i, s)| format!("{} ({})", i + 1, s.id)).collect();
        bail!("lab {} has no step {query:?}; its steps are: {}", self.name, known.join(", "))
    }
}

fn number_of(name: &str) -> &str {
    name.split_once('-').map_or(name, |(n, _)| n)
}

/// The folders under `labs/` that hold a `lab.toml`, in order.
pub fn lab_dirs(root: &Path) -> Result<Vec<PathBuf>> {
    let labs = root.join("labs");
    let entries = fs::read_dir(&labs).with_context(|| {
        format!("cannot read {}: run the runner from the workbook's folder", labs.display())
    })?;
    let mut dirs: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("lab.toml").is_file()).collect();
    dirs.sort();
    Ok(dirs)
}

/// Resolves what a learner typed (`01-frameworks`, `01`, `1`, `frameworks`) to a lab folder.
pub fn resolve(root: &Path, query: &str) -> Result<PathBuf> {
    let dirs = lab_dirs(root)?;
    let name = |p: &PathBuf| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let query_number = query.parse::<u32>().ok();
    let found = dirs.iter().find(|d| {
        let name = name(d);
        let number = number_of(&name);
        name == query
            || name.split_once('-').is_some_and(|(_, short)| short == query)
            || (query_number.is_some() && number.parse::<u32>().ok() == query_number)
    });
    match found {
        Some(dir) => Ok(dir.clone()),
        None => {
            let names: Vec<String> = dirs.iter().map(name).collect();
            bail!(
                "there is no lab {query:?}. The labs are: {}.\nName one by folder, number or short name, e.g. `cargo xtask check 01`.",
                if names.is_empty() { "(none found under labs/)".to_owned() } else { names.join(", ") }
            )
        }
    }
}

/// Reads and checks a lab folder: its `lab.toml` and its package name.
pub fn load(dir: &Path) -> Result<Lab> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let manifest_path = dir.join("lab.toml");
    let text = fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid lab.toml:\n{e}", manifest_path.display()))?;
    check_manifest(&manifest)
        .with_context(|| format!("{} is not a valid lab.toml", manifest_path.display()))?;
    let package = package_name(&dir.join("Cargo.toml"))?;
    Ok(Lab { name, dir: dir.to_owned(), package, manifest })
}

/// The rules serde cannot express.
fn check_manifest(manifest: &Manifest) -> Result<()> {
    if manifest.steps.is_empty() {
        bail!("field `steps`: a lab needs at least one [[steps]] table");
    }
    let mut ids = HashSet::new();
    let mut modules = HashSet::new();
    for (i, step) in manifest.steps.iter().enumerate() {
        let n = i + 1;
        if !ids.insert(&step.id) {
            bail!("field `steps[{n}].id`: the id {:?} is used twice", step.id);
        }
        if !modules.insert(&step.tests) {
            bail!("field `steps[{n}].tests`: the test module {:?} is used twice", step.tests);
        }
        if step.tests.is_empty() || step.tests.contains(char::is_whitespace) {
            bail!("field `steps[{n}].tests`: {:?} is not a test module name", step.tests);
        }
        if step.hints.is_empty() {
            bail!("field `steps[{n}].hints`: give at least one hint");
        }
    }
    Ok(())
}

/// The `[package] name` of a Cargo manifest.
pub fn package_name(cargo_toml: &Path) -> Result<String> {
    let text =
        fs::read_to_string(cargo_toml).with_context(|| format!("cannot read {}", cargo_toml.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", cargo_toml.display()))?;
    table
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no [package] name", cargo_toml.display()))
}
