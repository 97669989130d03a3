//! `cargo xtask`: the workbook's runner.
//!
//! One enum of commands and a `match`. Learners use `check` and `hint`; everyone
//! uses `book`; maintainers and CI use `verify`. Each command lives in its own module.

mod book;
mod cargo;
mod check;
mod console;
mod hint;
mod lab;
mod loop_bench;
mod progress;
mod style;
mod testrun;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::style::Style;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The workbook's runner: check your labs, get hints, read the book.")]
struct Cli {
    /// The workbook's root folder (default: the one this runner was built from).
    #[arg(long, global = true, hide = true)]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a lab's tests and show, step by step, where you stand.
    Check {
        /// A lab: its folder (01-frameworks), number (01) or short name (frameworks). All labs if omitted.
        lab: Option<String>,
    },
    /// Show the next hint for a step, one tier at a time.
    Hint {
        /// The lab: folder, number or short name.
        lab: String,
        /// The step: number (3) or id (routes). Default: the first failing step of the last check.
        step: Option<String>,
        /// Show every tier at once.
        #[arg(long)]
        all: bool,
        /// Hide this step's hints again.
        #[arg(long, conflicts_with = "all")]
        reset: bool,
    },
    /// Run a lab's tokio-console demo (with --cfg tokio_unstable), then watch it with `tokio-console`.
    Console {
        /// The lab: folder, number or short name.
        lab: String,
    },
    /// Build the book into target/book.
    Book {
        /// Open it in the browser afterwards.
        #[arg(long)]
        open: bool,
    },
    /// Prove the workbook is honest: everything CI checks, in one command.
    Verify,
    /// Time the learner's loop (touch a source file, run check) against plain cargo test.
    LoopBench {
        /// The lab to time.
        #[arg(default_value = "01")]
        lab: String,
        /// Timed runs of each command.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(default_root);
    let style = Style::detect();
    let result = match cli.command {
        Command::Check { lab } => check::run(&root, lab.as_deref(), &style),
        Command::Hint { lab, step, all, reset } => {
            hint::run(&root, &lab, step.as_deref(), hint::Reveal::from_flags(all, reset), &style)
        }
        Command::Console { lab } => console::run(&root, &lab, &style),
        Command::Book { open } => book::run(&root, open, &style),
        Command::Verify => verify::run(&root, &style),
        Command::LoopBench { lab, runs } => loop_bench::run(&root, &lab, runs, &style),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("{} {error:#}", style.red("error:"));
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the folder above this crate's manifest.
fn default_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}
