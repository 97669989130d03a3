//! `xtask-book ROOT`: builds the book of the workbook at ROOT into the folder its
//! `book.toml` names, with the diagrams drawn, and prints the path of its `index.html`.
//! The runner starts it (`cargo xtask book`, `cargo xtask verify`); nothing else needs it.

mod diagram;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow};
use mdbook_driver::MDBook;

use crate::diagram::Diagrams;

fn main() -> ExitCode {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: xtask-book ROOT (run by `cargo xtask book`)");
        return ExitCode::from(2);
    };
    match build(&root) {
        Ok(index) => {
            println!("{}", index.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the book into the folder `book.toml` names, and returns its `index.html`.
fn build(root: &Path) -> Result<PathBuf> {
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
