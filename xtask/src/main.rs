//! `cargo xtask`: the workbook's runner.
//!
//! One enum of commands and a `match`. Learners use `check` and `hint`; everyone
//! uses `book`; maintainers and CI use `verify`. Each command lives in its own module.

mod board;
mod book;
mod cargo;
mod check;
mod console;
mod doctor;
mod edit;
mod hint;
mod lab;
mod loop_bench;
mod mutants;
mod prefetch;
mod progress;
mod report;
mod reset;
mod schedule;
mod shipped;
mod solution;
mod spec;
mod style;
mod testrun;
mod verify;
mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};

use crate::style::Style;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The workbook's runner: check your labs, get hints, read the book.")]
struct Cli {
    /// The workbook's root folder (default: found at run time, see `find_root`).
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
        /// Print one JSON document on stdout (the report goes to stderr): for editors, CI and facilitators.
        #[arg(long)]
        json: bool,
        /// Open the first failure's spot in your editor (XTASK_EDITOR, VISUAL or EDITOR).
        #[arg(long)]
        edit: bool,
        /// Also send step ids and pass counts (never code) to the facilitator's board, http://HOST:PORT (or XTASK_REPORT).
        #[arg(long, value_name = "URL")]
        report: Option<String>,
        /// The name the board shows for you (remembered per board; or XTASK_NAME).
        #[arg(long)]
        name: Option<String>,
    },
    /// Check on every save: the lab's step table and first failure, again each time you save.
    Watch {
        /// A lab: folder, number or short name. Default: the first lab that is not green yet.
        lab: Option<String>,
        /// Poll the files instead of waiting for the system's events (automatic on WSL's /mnt drives).
        #[arg(long)]
        poll: bool,
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
    /// Put a lab's starter back as shipped (or only the files of one step), after a backup of your files.
    Reset {
        /// The lab: folder, number or short name.
        lab: String,
        /// Only the files this step edits: number (3) or id (routes).
        step: Option<String>,
        /// Reset even though your files differ from the starter (they are backed up first).
        #[arg(long)]
        yes: bool,
        /// Bring back the files of the lab's latest backup instead.
        #[arg(long, conflicts_with_all = ["step", "yes"])]
        restore: bool,
        /// The commit that counts as shipped (default: the clone's upstream, origin/main).
        #[arg(long)]
        from: Option<String>,
    },
    /// Show the reference solution of a step you have passed, as a diff against your code.
    Solution {
        /// The lab: folder, number or short name.
        lab: String,
        /// The step: number (3) or id (routes).
        step: String,
        /// Show it even though the step has not passed yet.
        #[arg(long)]
        anyway: bool,
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
    Verify {
        /// Verify only this lab (its tests, solution and mistakes), not the whole workbook.
        lab: Option<String>,
    },
    /// Mutation testing: cargo-mutants on a lab's solution, judged by the lab's tests (minutes per lab).
    Mutants {
        /// The lab: folder, number or short name. All labs if omitted.
        lab: Option<String>,
    },
    /// Record a lab's tests as its specification (tests/spec.toml), after changing them on purpose.
    Spec {
        /// The lab: folder, number or short name. All labs if omitted.
        lab: Option<String>,
    },
    /// Time the learner's loop (touch a source file, run check) against plain cargo test.
    LoopBench {
        /// The lab to time.
        #[arg(default_value = "01")]
        lab: String,
        /// Timed runs of each command.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// The facilitator's live progress board: a page with a row per participant, fed by `check --report`.
    Board {
        /// The port to listen on, on every network interface.
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// Check the board's page in headless Chromium instead, and exit.
        #[arg(long)]
        check: bool,
    },
    /// Is this laptop ready for the workshop? One line per check; exit 0 only when ready.
    Doctor,
    /// Download and build everything the workshop needs, so that the labs work without the network.
    Prefetch {
        /// Do not build the book (it compiles mdBook, the runner's heaviest dependency).
        #[arg(long)]
        skip_book: bool,
    },
    /// Print the workshop's timed days, computed from the minutes in every lab.toml.
    Schedule {
        /// Rewrite the generated tables in book/workshop.md.
        #[arg(long)]
        write: bool,
        /// Exit 1 when book/workshop.md's tables disagree with the labs' minutes.
        #[arg(long, conflicts_with = "write")]
        check: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = Style::detect();
    // Tests run in process groups of their own, which a terminal's Ctrl-C does not
    // reach: the runner stops them itself. A second Ctrl-C ends the runner at once.
    let _ = ctrlc::set_handler(|| {
        if testrun::interrupted() {
            std::process::exit(130);
        }
        testrun::interrupt();
    });
    let root = match cli.root.map_or_else(find_root, Ok) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("{} {error:#}", style.red("error:"));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Check { lab, json, edit, report, name } => match report::url(report) {
            Some(url) => report::run(&root, lab.as_deref(), json, &url, name.as_deref(), &style),
            None => check::run(&root, lab.as_deref(), json, edit, &style),
        },
        Command::Hint { lab, step, all, reset } => {
            hint::run(&root, &lab, step.as_deref(), hint::Reveal::from_flags(all, reset), &style)
        }
        Command::Watch { lab, poll } => watch::run(&root, lab.as_deref(), poll, &style),
        Command::Reset { lab, step, yes, restore, from } => {
            let request =
                reset::Request { lab: &lab, step: step.as_deref(), yes, restore, from: from.as_deref() };
            reset::run(&root, &request, &style)
        }
        Command::Solution { lab, step, anyway } => solution::run(&root, &lab, &step, anyway, &style),
        Command::Console { lab } => console::run(&root, &lab, &style),
        Command::Book { open } => book::run(&root, open, &style),
        Command::Verify { lab } => verify::run(&root, lab.as_deref(), &style),
        Command::Mutants { lab } => mutants::run(&root, lab.as_deref(), &style),
        Command::Spec { lab } => spec::run(&root, lab.as_deref(), &style),
        Command::LoopBench { lab, runs } => loop_bench::run(&root, &lab, runs, &style),
        Command::Board { port, check } => board::run(&root, port, check, &style),
        Command::Doctor => doctor::run(&root, &style),
        Command::Prefetch { skip_book } => prefetch::run(&root, skip_book, &style),
        Command::Schedule { write, check } => schedule::run(&root, write, check, &style),
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

/// The workbook this runner works on, found at run time, never baked in at compile
/// time: a binary built for one clone must not check another (a shared
/// `CARGO_TARGET_DIR`, a copied or moved folder). `cargo run` tells the runner where its
/// own manifest is (`xtask/`, whose parent is the workbook); run any other way, the
/// runner looks upwards from the current folder.
fn find_root() -> Result<PathBuf> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    if let Some(root) = manifest_dir.as_deref().and_then(Path::parent).filter(|dir| is_workbook(dir)) {
        return Ok(root.to_path_buf());
    }
    let here = std::env::current_dir()?;
    match here.ancestors().find(|dir| is_workbook(dir)) {
        Some(root) => Ok(root.to_path_buf()),
        None => bail!(
            "cannot find the workbook: neither {} nor a folder above it holds a Cargo.toml beside a labs/ folder. \
             Run `cargo xtask` inside the workbook's folder.",
            here.display()
        ),
    }
}

fn is_workbook(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file() && dir.join("labs").is_dir()
}
