//! Every lab's tests ask for the same features of the crates they share. Cargo compiles a
//! crate once per set of features, and every crate above it once per set below, so two
//! labs that disagree about tokio's features compile axum twice; `workspace-hack/` holds
//! the union that keeps them in agreement, and this check keeps it current.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::cargo::cargo;
use crate::lab::{self, Lab};

use super::Verdict;

/// A crate as `cargo tree` names it (`tokio v1.54.1`), and the features it gets.
type Features = BTreeSet<String>;

pub fn agree(root: &Path, labs: &[Lab]) -> Verdict {
    // crate -> feature set -> the packages whose tests ask for it
    let mut seen: BTreeMap<String, BTreeMap<Features, Vec<String>>> = BTreeMap::new();
    let mut packages = Vec::new();
    for lab in labs {
        packages.push(lab.package.clone());
        if let Some(solution) = lab.solution_dir(root) {
            packages.push(lab::package_name(&solution.join("Cargo.toml")).map_err(|e| format!("{e:#}"))?);
        }
    }
    for package in &packages {
        for (name, features) in target_features(root, package)? {
            let users = seen.entry(name).or_default().entry(features).or_default();
            if !users.contains(package) {
                users.push(package.clone());
            }
        }
    }
    let problems: Vec<String> =
        seen.iter().filter(|(_, sets)| sets.len() > 1).map(|(name, sets)| disagreement(name, sets)).collect();
    if problems.is_empty() {
        return Ok(format!("{} crates, {} packages", seen.len(), packages.len()));
    }
    Err(format!(
        "{}\nEach set is a second build of the crate and of everything above it. Add the union to \
         workspace-hack/Cargo.toml's [dependencies] (its comment says why).",
        problems.join("\n")
    ))
}

/// The crates a package's tests compile for the target (procedural macros and build
/// scripts resolve their features apart), with their features, from `cargo tree`.
fn target_features(root: &Path, package: &str) -> Result<BTreeMap<String, Features>, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["tree", "--quiet", "--package", package, "--edges", "normal,dev,no-proc-macro"])
        .args(["--prefix", "none", "--format", "{p}|{f}"])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo tree -p {package} failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let mut crates = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let line = line.trim_end_matches(" (*)");
        let Some((name, features)) = line.split_once('|') else { continue };
        // Path packages (the labs themselves, workspace-hack) are ours, not shared builds.
        if name.contains(" (") {
            continue;
        }
        let features = features.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect();
        crates.insert(name.to_owned(), features);
    }
    Ok(crates)
}

/// One crate whose features differ between packages, and the line that fixes it.
fn disagreement(name: &str, sets: &BTreeMap<Features, Vec<String>>) -> String {
    let mut text = format!("{name} is compiled {} ways:", sets.len());
    for (features, users) in sets {
        let list: Vec<&str> = features.iter().map(String::as_str).collect();
        text.push_str(&format!("\n    [{}] for {}", list.join(", "), users.join(", ")));
    }
    let union: BTreeSet<&str> = sets.keys().flatten().map(String::as_str).collect();
    let (crate_name, version) = name.split_once(" v").unwrap_or((name, "*"));
    let default = union.contains("default");
    let listed: Vec<String> = union.iter().filter(|f| **f != "default").map(|f| format!("\"{f}\"")).collect();
    text.push_str(&format!(
        "\n  fix: {crate_name} = {{ version = \"{version}\", {}features = [{}] }}",
        if default { "" } else { "default-features = false, " },
        listed.join(", ")
    ));
    text
}
