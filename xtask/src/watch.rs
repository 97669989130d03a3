//! `cargo xtask watch [LAB]`: a check on every save. The lab's files are watched (the
//! `notify` crate: inotify, FSEvents, ReadDirectoryChangesW, or polling where events do
//! not arrive, as on WSL's `/mnt` drives); saves are gathered for 200 ms, then one check
//! runs. A save during a check is never lost, and never starts a second check beside
//! it: it is queued, and one more check follows when this one ends. Without a lab, it
//! follows the first lab that is not yet green.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use crate::lab::{self, Lab};
use crate::progress::Progress;
use crate::style::Style;

/// How long the files must stay quiet before a check starts: an editor's save is often
/// several writes (a temporary file, a rename, a formatter's second pass).
const DEBOUNCE: Duration = Duration::from_millis(200);

/// How often the polling watcher looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

enum Signal {
    Saved,
    Hint,
    Quit,
}

pub fn run(root: &Path, query: Option<&str>, poll: bool, style: &Style) -> Result<bool> {
    let fixed = query.map(|q| lab::resolve(root, q)).transpose()?;
    let (sender, signals) = mpsc::channel();
    let checking = Arc::new(AtomicBool::new(false));
    // Whether this check has said that a save arrived during it.
    let told = Arc::new(AtomicBool::new(false));
    let poll = poll || on_wsl_drive(root);
    let flags = (Arc::clone(&checking), Arc::clone(&told));
    let _watcher = watch_labs(root, fixed.clone(), poll, sender.clone(), flags)?;
    read_keys(sender);
    if poll {
        println!("{}", style.dim("(watching by polling the files every half second)"));
    }
    loop {
        let lab = match &fixed {
            Some(dir) => lab::load(dir)?,
            None => match first_not_green(root)? {
                Some(lab) => lab,
                None => {
                    println!("{}", style.green("Every lab passes: nothing left to watch."));
                    return Ok(true);
                }
            },
        };
        told.store(false, Ordering::SeqCst);
        checking.store(true, Ordering::SeqCst);
        clear_screen(style);
        println!("{} {} …", style.cyan("Checking"), lab.name);
        let passed = crate::check::run(root, Some(&lab.name), false, false, style)?;
        checking.store(false, Ordering::SeqCst);
        if passed && fixed.is_none() {
            // Follow the learner to the next lab that is not green.
            continue;
        }
        println!(
            "{}",
            style.dim(&format!("Watching labs/{}: save a file to check again. Type h and Enter for a hint, q and Enter to quit.", lab.name))
        );
        match next_signal(&signals)? {
            Signal::Saved => continue,
            Signal::Hint => {
                crate::hint::run(root, &lab.name, None, crate::hint::Reveal::Next, style)?;
                // Wait for a save or another key, with the hint on screen.
                loop {
                    match next_signal(&signals)? {
                        Signal::Saved => break,
                        Signal::Hint => {
                            crate::hint::run(root, &lab.name, None, crate::hint::Reveal::Next, style)?;
                        }
                        Signal::Quit => return Ok(passed),
                    }
                }
            }
            Signal::Quit => return Ok(passed),
        }
    }
}

/// Waits for a save (then for the files to be quiet for `DEBOUNCE`) or a key. Ctrl-C
/// ends the wait too: the runner's handler only sets a flag.
fn next_signal(signals: &Receiver<Signal>) -> Result<Signal> {
    let first = loop {
        if crate::testrun::interrupted() {
            std::process::exit(130);
        }
        match signals.recv_timeout(Duration::from_millis(100)) {
            Ok(signal) => break signal,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => anyhow::bail!("the file watcher stopped"),
        }
    };
    if !matches!(first, Signal::Saved) {
        return Ok(first);
    }
    // Gather the rest of the save; a key pressed meanwhile wins.
    loop {
        match signals.recv_timeout(DEBOUNCE) {
            Ok(Signal::Saved) => {}
            Ok(other) => return Ok(other),
            Err(_) => return Ok(Signal::Saved),
        }
    }
}

/// Watches `labs/` (or one lab) and turns every change to a source or test file into a
/// `Saved`. A save while a check runs is queued and said once, so the learner knows it counts.
fn watch_labs(
    root: &Path,
    only: Option<PathBuf>,
    poll: bool,
    sender: Sender<Signal>,
    (checking, told): (Arc<AtomicBool>, Arc<AtomicBool>),
) -> Result<Box<dyn Watcher>> {
    let target = crate::cargo::target_dir(root);
    let handler = move |event: notify::Result<Event>| {
        let Ok(event) = event else { return };
        if !matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)) {
            return;
        }
        if !event.paths.iter().any(|p| is_lab_source(p, &target)) {
            return;
        }
        if checking.load(Ordering::SeqCst) && !told.swap(true, Ordering::SeqCst) {
            println!("(saved during the check: it runs again when this one ends)");
        }
        let _ = sender.send(Signal::Saved);
    };
    let mut watcher: Box<dyn Watcher> = if poll {
        let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
        Box::new(notify::PollWatcher::new(handler, config).context("cannot start the polling watcher")?)
    } else {
        Box::new(notify::recommended_watcher(handler).context("cannot watch the files; try --poll")?)
    };
    let dir = only.unwrap_or_else(|| root.join("labs"));
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}; try --poll", dir.display()))?;
    Ok(watcher)
}

/// A file whose change can change a verdict: Rust sources, manifests, test data; not
/// an editor's swap or backup file, nor a build output.
fn is_lab_source(path: &Path, target: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let noise =
        name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp");
    !noise && !path.starts_with(target)
}

/// Keys arrive as lines (no raw terminal mode, so it works in every terminal and pipe).
fn read_keys(sender: Sender<Signal>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let signal = match line.trim() {
                "q" | "quit" => Signal::Quit,
                "h" | "hint" => Signal::Hint,
                _ => continue,
            };
            if sender.send(signal).is_err() {
                break;
            }
        }
    });
}

/// The first lab, in order, that did not pass at its last check.
fn first_not_green(root: &Path) -> Result<Option<Lab>> {
    let progress = Progress::load(root);
    for dir in lab::lab_dirs(root)? {
        let lab = lab::load(&dir)?;
        if !progress.passed.contains(&lab.name) {
            return Ok(Some(lab));
        }
    }
    Ok(None)
}

/// WSL's Windows drives (`/mnt/c/...`) deliver no inotify events for edits made from Windows.
fn on_wsl_drive(root: &Path) -> bool {
    let wsl = std::fs::read_to_string("/proc/version").is_ok_and(|v| v.to_lowercase().contains("microsoft"));
    wsl && root.starts_with("/mnt/")
}

fn clear_screen(style: &Style) {
    if style.color() {
        print!("\x1b[2J\x1b[H");
    }
}
