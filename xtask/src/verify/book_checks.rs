//! The book's side of the contract: listings come from files that exist, every step
//! has a section, every chapter links its lab, and the book builds with search.

use std::fs;
use std::path::{Path, PathBuf};

use crate::lab::Lab;

use super::Verdict;

/// Every `{{#include path}}` and `{{#include path:anchor}}` in the book points at a
/// file that exists and, for a named anchor, holds both its ANCHOR and ANCHOR_END lines.
/// (mdBook only logs a broken include and builds anyway.)
pub fn includes_resolve(root: &Path) -> Verdict {
    let pages = markdown_files(&root.join("book"));
    let mut count = 0;
    let mut problems = Vec::new();
    for page in &pages {
        let Ok(text) = fs::read_to_string(page) else {
            continue;
        };
        for include in includes(&text) {
            count += 1;
            if let Err(why) = resolve(page, &include) {
                problems.push(format!(
                    "{}: {{{{#include {include}}}}}: {why}",
                    page.strip_prefix(root).unwrap_or(page).display()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(format!("{count} includes in {} pages", pages.len()))
    } else {
        Err(problems.join("\n"))
    }
}

/// The arguments of the include directives in a page.
fn includes(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for directive in ["{{#include ", "{{#rustdoc_include "] {
        let mut rest = text;
        while let Some(start) = rest.find(directive) {
            let after = &rest[start + directive.len()..];
            let Some(end) = after.find("}}") else { break };
            found.push(after[..end].trim().to_owned());
            rest = &after[end..];
        }
    }
    found
}

fn resolve(page: &Path, include: &str) -> Result<(), String> {
    let (path, anchor) = match include.split_once(':') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (include, None),
    };
    let file = page.parent().unwrap_or(page).join(path);
    let text = fs::read_to_string(&file).map_err(|_| format!("no file {}", file.display()))?;
    // Line ranges (`:10:20`) need no anchor; a name does.
    let Some(name) = anchor.filter(|a| !a.starts_with(|c: char| c.is_ascii_digit())) else {
        return Ok(());
    };
    // After the comment marker of the file's language: `//` in Rust, `#` in TOML.
    let has = |marker: &str| {
        text.lines()
            .any(|l| l.trim_start().trim_start_matches(['/', '#']).trim() == format!("{marker}: {name}"))
    };
    if has("ANCHOR") && has("ANCHOR_END") {
        Ok(())
    } else {
        Err(format!("{} has no `ANCHOR: {name}` … `ANCHOR_END: {name}` pair", file.display()))
    }
}

/// The widest plain-text block that fits the book's column at mdBook's default font size.
const COLUMN_CHARACTERS: usize = 76;

/// The fence's info string that the book builder draws as an SVG (`xtask/book/src/diagram.rs`).
const DIAGRAM_FENCE: &str = "diagram";

/// No ```` ```text ```` block is wider than the column (it would be cut off): a wide
/// picture is a ```` ```diagram ````, which the build draws as an SVG that scales down.
pub fn text_fits_column(root: &Path) -> Verdict {
    let mut problems = Vec::new();
    let mut diagrams = 0;
    for page in markdown_files(&root.join("book")) {
        let Ok(text) = fs::read_to_string(&page) else { continue };
        let mut fence: Option<(String, usize)> = None;
        for (n, line) in text.lines().enumerate() {
            match &fence {
                None if line.starts_with("```") => {
                    let info = line.trim_start_matches('`').trim().to_owned();
                    diagrams += usize::from(info == DIAGRAM_FENCE);
                    fence = Some((info, n + 1));
                }
                Some(_) if line.starts_with("```") => fence = None,
                Some((info, start)) if info == "text" && line.chars().count() > COLUMN_CHARACTERS => {
                    problems.push(format!(
                        "{}:{start}: a text block {} characters wide is cut off in the book: make it a ```{} (drawn as SVG) or narrower",
                        page.strip_prefix(root).unwrap_or(&page).display(),
                        line.chars().count(),
                        DIAGRAM_FENCE
                    ));
                    fence = Some((String::new(), *start));
                }
                _ => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(format!("{diagrams} diagrams drawn as SVG"))
    } else {
        Err(problems.join("\n"))
    }
}

/// Builds the book and checks that the search index was written.
pub fn builds_with_search(root: &Path) -> Verdict {
    let index = crate::book::build(root, false).map_err(|e| format!("{e:#}"))?;
    let out = index.parent().unwrap_or(root);
    let search = fs::read_dir(out)
        .map_err(|e| e.to_string())?
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("searchindex"));
    if !search {
        return Err(format!(
            "no searchindex file in {}: is mdbook-driver's `search` feature on?",
            out.display()
        ));
    }
    let pages = markdown_files(&root.join("book")).len();
    Ok(format!("{pages} pages into {}", out.display()))
}

/// A lab's manifest agrees with the book: sections exist and are in SUMMARY.md, hints
/// come in tiers, and the chapter links the lab's folder.
pub fn lab_is_documented(root: &Path, lab: &Lab) -> Verdict {
    let book = root.join("book");
    let summary =
        fs::read_to_string(book.join("SUMMARY.md")).map_err(|_| "book/SUMMARY.md is missing".to_owned())?;
    let mut problems = Vec::new();
    let chapter = &lab.manifest.chapter;
    match fs::read_to_string(book.join(chapter)) {
        Ok(text) if text.contains(&format!("labs/{}", lab.name)) => {}
        Ok(_) => problems.push(format!("the chapter book/{chapter} never mentions labs/{}", lab.name)),
        Err(_) => problems.push(format!("lab.toml names the chapter book/{chapter}, which does not exist")),
    }
    if !summary.contains(&format!("({chapter})")) {
        problems.push(format!("book/SUMMARY.md does not list {chapter}"));
    }
    for (i, step) in lab.manifest.steps.iter().enumerate() {
        let n = i + 1;
        if step.hints.len() < 2 {
            problems.push(format!(
                "step {n} ({}) has {} hint(s): give two or three tiers, gentlest first",
                step.id,
                step.hints.len()
            ));
        }
        let (page, anchor) =
            step.section.split_once('#').map_or((step.section.as_str(), None), |(p, a)| (p, Some(a)));
        match fs::read_to_string(book.join(page)) {
            Ok(text) => {
                if let Some(anchor) = anchor.filter(|a| !headings(&text).iter().any(|h| h == a)) {
                    problems.push(format!("step {n}: book/{page} has no heading with the id #{anchor}"));
                }
            }
            Err(_) => {
                problems.push(format!("step {n} ({}): its section book/{page} does not exist", step.id))
            }
        }
        if !summary.contains(&format!("({page})")) {
            problems.push(format!("step {n}: book/SUMMARY.md does not list {page}"));
        }
    }
    if problems.is_empty() {
        Ok(format!("{} steps", lab.manifest.steps.len()))
    } else {
        Err(problems.join("\n"))
    }
}

/// The ids mdBook gives a page's headings: lowercase, spaces to dashes, punctuation dropped.
fn headings(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('#'))
        .map(|l| {
            l.trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(markdown_files(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_includes_with_and_without_anchors() {
        let text = "a\n{{#include ../x.rs:stack}}\nb {{#include y.rs}} {{#rustdoc_include z.rs:1:5}}";
        assert_eq!(includes(text), ["../x.rs:stack", "y.rs", "z.rs:1:5"]);
    }

    #[test]
    fn anchors_are_found_after_rust_and_toml_comments() {
        let dir = std::env::temp_dir().join(format!("book-checks-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("scratch folder");
        fs::write(dir.join("a.rs"), "// ANCHOR: code\nfn f() {}\n// ANCHOR_END: code\n").expect("write");
        fs::write(dir.join("b.toml"), "# ANCHOR: feature\nloom = []\n# ANCHOR_END: feature\n")
            .expect("write");
        let page = dir.join("page.md");
        assert_eq!(resolve(&page, "a.rs:code"), Ok(()));
        assert_eq!(resolve(&page, "b.toml:feature"), Ok(()));
        assert!(resolve(&page, "b.toml:other").is_err());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn heading_ids_follow_mdbook() {
        assert_eq!(
            headings("# Set-up\n## The lab loop\n### What `check` prints?"),
            ["set-up", "the-lab-loop", "what-check-prints"]
        );
    }
}
