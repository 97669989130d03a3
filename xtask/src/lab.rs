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
    /// An example of the solution that drives the lab's web page in headless Chromium
    /// (`cargo run -p <solution> --example <name> -- --check`), run by `verify`; it prints
    /// `skipped: no Chromium` and succeeds where no browser is installed.
    pub browser_check: Option<String>,
    /// A lab still being written: `check` runs it, `verify` says it skips it.
    #[serde(default)]
    pub draft: bool,
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
    /// The step's tests are loom models in the `loom` test target, built with the
    /// package's `loom` feature.
    #[serde(default)]
    pub loom: bool,
    /// Files this step edits (relative to the lab's folder) that hold no `todo!("step N:
    /// ...")` of its own: its work goes into a function an earlier step's `todo!()` marks.
    /// `reset` and `solution` find a step's other files by that marker.
    #[serde(default)]
    pub files: Vec<String>,
}

/// A lab found on disk, with its manifest read and checked.
#[derive(Debug)]
pub struct Lab {
    /// The folder name, `01-frameworks`.
    pub name: String,
    pub dir: PathBuf,
    /// The Cargo package of the lab, `frameworks`.
    pub package: String,
    /// How commands name this lab unambiguously: its number (`01`), or its short name
    /// (`api-rest`) when another lab shares the number.
    pub handle: String,
    pub manifest: Manifest,
}

impl Lab {
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
        format!(
            "cannot read {}: the workbook's root is {}, and it has no labs/ folder",
            labs.display(),
            root.display()
        )
    })?;
    let mut dirs: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.join("lab.toml").is_file()).collect();
    dirs.sort();
    Ok(dirs)
}

fn folder_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The part after the number: `api-rest` for `02-api-rest`.
fn short_name(name: &str) -> &str {
    name.split_once('-').map_or(name, |(_, short)| short)
}

/// Resolves what a learner typed (`01-frameworks`, `01`, `1`, `frameworks`, `rest`) to a
/// lab folder. A query that fits several labs (`02` when three labs share it) is an
/// error that lists them: the runner never picks one silently.
pub fn resolve(root: &Path, query: &str) -> Result<PathBuf> {
    let dirs = lab_dirs(root)?;
    let names: Vec<String> = dirs.iter().map(|d| folder_name(d)).collect();
    let query_number = query.parse::<u32>().ok();
    // From the most exact way of naming a lab to the loosest; the first rule that fits
    // any lab decides.
    let rules: [&dyn Fn(&str) -> bool; 4] = [
        &|name| name == query,
        &|name| short_name(name) == query,
        &|name| query_number.is_some() && number_of(name).parse::<u32>().ok() == query_number,
        &|name| !query.is_empty() && short_name(name).split('-').any(|word| word == query),
    ];
    for rule in rules {
        let fits: Vec<usize> = (0..names.len()).filter(|&i| rule(&names[i])).collect();
        match fits[..] {
            [] => continue,
            [one] => return Ok(dirs[one].clone()),
            _ => {
                let candidates: Vec<&str> = fits.iter().map(|&i| names[i].as_str()).collect();
                let commands: Vec<String> =
                    candidates.iter().map(|name| format!("`{}`", retyped(query, short_name(name)))).collect();
                bail!(
                    "{query:?} fits several labs: {}.\nName one by its folder or short name: {}.",
                    candidates.join(", "),
                    commands.join(", ")
                )
            }
        }
    }
    bail!(
        "there is no lab {query:?} in {}. The labs are: {}.\nName one by folder, number or short name, e.g. `cargo xtask check 01`.",
        root.join("labs").display(),
        if names.is_empty() { "(none found under labs/)".to_owned() } else { names.join(", ") }
    )
}

/// The command the learner typed, with the lab named as `lab` instead of `query`:
/// `cargo xtask hint 02 3` becomes `cargo xtask hint api-rest 3`. Options the runner
/// takes before the command (`--root DIR`) are left out.
fn retyped(query: &str, lab: &str) -> String {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--root") {
        args.drain(at..(at + 2).min(args.len()));
    }
    match args.iter().position(|a| a == query) {
        Some(at) => {
            args[at] = lab.to_owned();
            format!("cargo xtask {}", args.join(" "))
        }
        None => format!("cargo xtask check {lab}"),
    }
}

/// How commands should name the lab in `dir`: its number when no other lab shares it.
fn handle_of(dir: &Path) -> String {
    let name = folder_name(dir);
    let shared = dir
        .parent()
        .and_then(|labs| fs::read_dir(labs).ok())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("lab.toml").is_file())
        .filter(|e| number_of(&e.file_name().to_string_lossy()) == number_of(&name))
        .count()
        > 1;
    if shared { short_name(&name).to_owned() } else { number_of(&name).to_owned() }
}

/// The naming rule that keeps every suggested command unambiguous: `NN-short-name`
/// folders, two digits, lower-case short names, each short name used once and never a
/// number of its own.
pub fn naming_problems(dirs: &[PathBuf]) -> Vec<String> {
    let names: Vec<String> = dirs.iter().map(|d| folder_name(d)).collect();
    let mut problems = Vec::new();
    let mut shorts = HashSet::new();
    for name in &names {
        let (number, short) = name.split_once('-').unwrap_or((name, ""));
        let number_ok = number.len() == 2 && number.chars().all(|c| c.is_ascii_digit());
        let short_ok = !short.is_empty()
            && short.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && short.parse::<u32>().is_err();
        if !number_ok || !short_ok {
            problems.push(format!(
                "labs/{name}: a lab folder is named `NN-short-name` (two digits, then lower-case words joined by `-`)"
            ));
        }
        if !shorts.insert(short) {
            problems.push(format!("labs/{name}: another lab has the short name {short:?}"));
        }
    }
    problems
}

/// Reads and checks a lab folder: its `lab.toml` and its package name.
pub fn load(dir: &Path) -> Result<Lab> {
    let name = folder_name(dir);
    let manifest_path = dir.join("lab.toml");
    let text = fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{} is not a valid lab.toml:\n{e}", manifest_path.display()))?;
    check_manifest(&manifest)
        .with_context(|| format!("{} is not a valid lab.toml", manifest_path.display()))?;
    let package = package_name(&dir.join("Cargo.toml"))?;
    Ok(Lab { name, dir: dir.to_owned(), package, handle: handle_of(dir), manifest })
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
