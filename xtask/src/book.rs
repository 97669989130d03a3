//! `cargo xtask book [--open]`: builds the book with mdBook's own library, so there is
//! nothing to install.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, anyhow};
use mdbook_driver::MDBook;

use crate::diagram::Diagrams;
use crate::style::Style;

pub fn run(root: &Path, open: bool, style: &Style) -> Result<bool> {
    let index = build(root)?;
    println!("{} {}", style.green("Built the book:"), index.display());
    if open {
        open_in_browser(&index)?;
    } else {
        println!("Open it with `cargo xtask book --open`.");
    }
    Ok(true)
}

/// Builds the book into the folder `book.toml` names, and returns its `index.html`.
pub fn build(root: &Path) -> Result<PathBuf> {
    let mut book = MDBook::load(root)
        .map_err(|e| anyhow!("cannot load the book from {}: {e:#}", root.join("book.toml").display()))?;
    book.with_preprocessor(Diagrams);
    book.build().map_err(|e| anyhow!("the book does not build: {e:#}"))?;
    let index = book.build_dir_for("html").join("index.html");
    if !index.is_file() {
        return Err(anyhow!("the build finished but wrote no {}", index.display()));
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
