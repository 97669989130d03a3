//! The lab's specification: which tests each step must have, and a fingerprint of
//! every test file. It lives in `labs/NN-name/tests/spec.toml`, is written by
//! `cargo xtask spec` (a maintainer's command) and kept true by `verify`. `check`
//! compares the lab against it, so a deleted, renamed or edited test is reported
//! instead of turning its step green.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::cargo::{self, Build, BuildOptions};
use crate::lab::{self, Lab};
use crate::style::Style;
use crate::testrun;

#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    /// Per file under `tests/` (with `/` separators): its fingerprint.
    pub files: BTreeMap<String, String>,
    /// Per step (its `tests` module): the names of its tests.
    pub steps: BTreeMap<String, Vec<String>>,
}

/// Something in the lab that differs from its specification.
#[derive(Debug, PartialEq, Eq)]
pub struct Difference {
    /// The step it concerns; `None` for a file every step shares (`main.rs`, `support.rs`).
    pub step: Option<usize>,
    pub what: String,
    /// The file to restore, relative to the workbook's root.
    pub restore: String,
}

const HEADER: &str = "# The lab's specification: the tests of each step and a fingerprint of each test file.\n\
# `cargo xtask check` reports a test that is missing or a file that differs from this record.\n\
# Written by `cargo xtask spec LAB` after a deliberate change to the tests; `cargo xtask verify` checks it.\n\n";

pub fn path(lab: &Lab) -> PathBuf {
    lab.dir.join("tests").join("spec.toml")
}

/// The lab's recorded specification, if it has one.
pub fn read(lab: &Lab) -> Result<Option<Spec>> {
    let path = path(lab);
    if !path.is_file() {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text)
        .map(Some)
        .with_context(|| format!("{} is not a valid specification", path.display()))
}

/// The specification of the lab as it is on disk, given the names of its tests.
pub fn current(lab: &Lab, tests: &[String]) -> Result<Spec> {
    let mut steps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for test in tests {
        if let Some(i) = lab.step_of(test) {
            steps.entry(lab.manifest.steps[i].tests.clone()).or_default().push(test.clone());
        }
    }
    for names in steps.values_mut() {
        names.sort();
    }
    Ok(Spec { files: fingerprints(&lab.dir.join("tests"))?, steps })
}

/// Where the lab differs from `spec`. `tests` are the names the lab's binaries list;
/// `unbuilt` are steps whose tests could not be listed (their build failed).
pub fn differences(lab: &Lab, spec: &Spec, tests: &[String], unbuilt: &[usize]) -> Vec<Difference> {
    let tests_dir = lab.dir.join("tests");
    let relative = |file: &str| format!("{}/tests/{file}", lab_path(lab));
    let mut found = Vec::new();
    let on_disk = fingerprints(&tests_dir).unwrap_or_default();
    for (file, print) in &spec.files {
        let step = step_of_file(lab, file);
        match on_disk.get(file) {
            Some(now) if now == print => {}
            Some(_) => found.push(Difference {
                step,
                what: format!("tests/{file} differs from the lab's own"),
                restore: relative(file),
            }),
            None => found.push(Difference {
                step,
                what: format!("tests/{file} is missing"),
                restore: relative(file),
            }),
        }
    }
    for (module, names) in &spec.steps {
        let Some(step) = lab.manifest.steps.iter().position(|s| &s.tests == module) else { continue };
        if unbuilt.contains(&step) {
            continue;
        }
        for name in names.iter().filter(|n| !tests.contains(n)) {
            found.push(Difference {
                step: Some(step),
                what: format!("the test {name} is missing (deleted, renamed, or its `mod` commented out)"),
                restore: format!("{}/tests", lab_path(lab)),
            });
        }
    }
    found
}

/// `labs/NN-name`, with `/` on every platform (it is shown in a git command).
fn lab_path(lab: &Lab) -> String {
    format!("labs/{}", lab.name)
}

/// The step a test file belongs to: `lab/step3_routes.rs` or `lab/step3_routes/…` is
/// step 3's; the loom target's files belong to the (first) loom step.
fn step_of_file(lab: &Lab, file: &str) -> Option<usize> {
    let steps = &lab.manifest.steps;
    if file.starts_with("loom/") {
        return steps.iter().position(|s| s.loom);
    }
    let modules: Vec<&str> = file.split('/').map(|part| part.strip_suffix(".rs").unwrap_or(part)).collect();
    steps.iter().position(|s| modules.contains(&s.tests.as_str()))
}

/// The fingerprint of every `.rs` file under `dir`, keyed by its path below `dir`.
fn fingerprints(dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut prints = BTreeMap::new();
    collect(dir, dir, &mut prints)?;
    Ok(prints)
}

fn collect(base: &Path, dir: &Path, prints: &mut BTreeMap<String, String>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, prints)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let key: Vec<String> = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            prints.insert(key.join("/"), fingerprint(&bytes));
        }
    }
    Ok(())
}

/// FNV-1a over the text with line endings normalised, so that a checkout with
/// `core.autocrlf` is not an edit. It detects changes, not adversaries.
fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes.iter().filter(|&&b| b != b'\r') {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("fnv1a64:{hash:016x}")
}

pub fn to_text(spec: &Spec) -> Result<String> {
    Ok(format!("{HEADER}{}", toml::to_string_pretty(spec).context("cannot write the specification")?))
}

/// The names of every test of the lab (its `lab` target, and `loom` if it has one).
pub fn list_all_tests(root: &Path, lab: &Lab, package: &str) -> Result<Vec<String>> {
    let mut options = vec![BuildOptions::lab(root, package, false, true)];
    if lab.has_loom() {
        options.push(BuildOptions::loom(root, package, false, true));
    }
    let mut tests = Vec::new();
    for option in &options {
        let binary = match cargo::build_test(option)? {
            Build::Ready(binary) => binary,
            Build::CompileError { first, .. } => {
                bail!("{package} (test {}) does not compile:\n{first}", option.test)
            }
            Build::CargoFailed(message) => bail!("cargo failed on {package}:\n{message}"),
        };
        tests.extend(testrun::list_tests(&binary)?);
    }
    Ok(tests)
}

/// `cargo xtask spec [LAB]`: records the lab's tests as its specification.
pub fn run(root: &Path, query: Option<&str>, style: &Style) -> Result<bool> {
    let dirs = match query {
        Some(q) => vec![lab::resolve(root, q)?],
        None => lab::lab_dirs(root)?,
    };
    for dir in dirs {
        let lab = lab::load(&dir)?;
        let tests = list_all_tests(root, &lab, &lab.package)?;
        let spec = current(&lab, &tests)?;
        let path = path(&lab);
        fs::write(&path, to_text(&spec)?).with_context(|| format!("cannot write {}", path.display()))?;
        println!(
            "{} {} ({} tests)",
            style.green("Wrote"),
            path.strip_prefix(root).unwrap_or(&path).display(),
            tests.len()
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn line_endings_do_not_change_a_fingerprint() {
        assert_eq!(fingerprint(b"a\r\nb\r\n"), fingerprint(b"a\nb\n"));
        assert_ne!(fingerprint(b"assert!(x)"), fingerprint(b"assert!(!x)"));
    }
}
