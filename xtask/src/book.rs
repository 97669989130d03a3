//! `cargo xtask book [--open]`: builds the book with mdBook's own library, so there is
//! nothing to install. The builder is a program of its own (`xtask/book/`), compiled the
//! first time the book is built: `check` never waits for mdBook to compile.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow};

use crate::cargo::cargo;
use crate::style::Style;

pub fn run(root: &Path, open: bool, style: &Style) -> Result<bool> {
    let index = build(root, true)?;
    println!("{} {}", style.green("Built the book:"), index.display());
    if open {
        open_in_browser(&index)?;
    } else {
        println!("Open it with `cargo xtask book --open`.");
    }
    Ok(true)
}

/// Builds the book into the folder `book.toml` names, and returns its `index.html`.
/// `show_progress` lets cargo's progress through while the builder compiles.
pub fn build(root: &Path, show_progress: bool) -> Result<PathBuf> {
    let manifest = root.join("xtask").join("book").join("Cargo.toml");
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .arg("--")
        .arg(root)
        .stdin(Stdio::null())
        .stderr(if show_progress { Stdio::inherit() } else { Stdio::piped() })
        .output()
        .context("cannot start cargo: is Rust installed (https://rustup.rs)?")?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(anyhow!("the book builder ({}) failed: {}", manifest.display(), why.trim()));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let index = stdout.lines().last().map(PathBuf::from).unwrap_or_default();
    if !index.is_file() {
        return Err(anyhow!("the book builder finished but named no index.html (it printed {stdout:?})"));
    }
    Ok(index)
}

fn open_in_browser(page: &Path) -> Result<()> {
    let (program, args): (&str, Vec<&std::ffi::OsStr>) = if cfg!(target_os = "macos") {
        ("open", vec![page.as_os_str()])
    } else if cfg!(windows) {
        ("cmd", vec!["/C".as_ref(), "start".as_ref(), "".as_ref(), page.as_os_str()])
    } else {
        ("xdg-open", vec![page.as_os_str()])
    };
    Command::new(program).args(args).spawn().with_context(|| {
        format!("cannot start `{program}` to open the book; open {} yourself", page.display())
    })?;
    Ok(())
}
