//! `cargo xtask loop-bench [LAB]`: how long the learner's loop takes. Each run touches
//! a source file of the lab (as an edit would) and times `cargo xtask check LAB`, then
//! the same edit with plain `cargo test`, in turn; then it starts `cargo xtask watch LAB`
//! and times each save to the verdict on its screen. It prints the medians.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};

use crate::cargo::cargo;
use crate::lab;
use crate::style::Style;

pub fn run(root: &Path, query: &str, runs: usize, style: &Style) -> Result<bool> {
    let lab = lab::load(&lab::resolve(root, query)?)?;
    let edited = lab.dir.join("src").join("lib.rs");
    let commands: [(&str, Vec<&str>); 3] = [
        ("cargo xtask check", vec!["xtask", "check", &lab.handle]),
        ("cargo test -p (whole package)", vec!["test", "--package", &lab.package]),
        ("cargo test -p --test lab", vec!["test", "--package", &lab.package, "--test", "lab"]),
    ];
    println!(
        "Timing the loop on {}: touch {}, then run each command; {runs} runs each, in turn, after one warm-up.",
        lab.name,
        edited.strip_prefix(root).unwrap_or(&edited).display()
    );
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); commands.len()];
    for round in 0..=runs {
        for (i, (_, args)) in commands.iter().enumerate() {
            touch(&edited)?;
            let started = Instant::now();
            Command::new(cargo())
                .current_dir(root)
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .context("cannot run cargo")?;
            if round > 0 {
                times[i].push(started.elapsed());
            }
        }
    }
    times.push(time_watch(root, &lab.handle, &edited, runs)?);
    let names: Vec<&str> =
        commands.iter().map(|(name, _)| *name).chain(["cargo xtask watch (save → verdict)"]).collect();
    let medians: Vec<Duration> = times.iter_mut().map(|t| median(t)).collect();
    for (name, (median, runs)) in names.iter().zip(medians.iter().zip(&times)) {
        let min = runs.iter().min().copied().unwrap_or_default();
        let max = runs.iter().max().copied().unwrap_or_default();
        println!(
            "  {:<32} median {:>6.2} s   (min {:.2}, max {:.2})",
            name,
            median.as_secs_f64(),
            min.as_secs_f64(),
            max.as_secs_f64()
        );
    }
    for (i, name) in [(1, "cargo test -p"), (2, "cargo test -p --test lab")] {
        let ratio = medians[0].as_secs_f64() / medians[i].as_secs_f64().max(f64::EPSILON);
        println!("  {} {ratio:.2}", style.bold(&format!("check / {name}:")));
    }
    Ok(true)
}

/// The time from a save to the end of the verdict on `watch`'s screen: the line that
/// invites the next save, printed once the step table is out. The first check (before
/// any save) is not timed.
fn time_watch(root: &Path, handle: &str, edited: &Path, runs: usize) -> Result<Vec<Duration>> {
    let mut child = Command::new(std::env::current_exe().context("cannot find the runner's own program")?)
        .current_dir(root)
        .args(["watch", handle])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start `cargo xtask watch`")?;
    let stdout = child.stdout.take().context("no output from watch")?;
    let (lines, verdicts) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("Watching ") && lines.send(Instant::now()).is_err() {
                break;
            }
        }
    });
    let limit = Duration::from_secs(600);
    verdicts.recv_timeout(limit).context("watch showed no first verdict")?;
    let mut times = Vec::new();
    for round in 0..=runs {
        touch(edited)?;
        let saved = Instant::now();
        let Ok(shown) = verdicts.recv_timeout(limit) else {
            let _ = child.kill();
            bail!("watch showed no verdict within {} s of a save", limit.as_secs());
        };
        if round > 0 {
            times.push(shown.duration_since(saved));
        }
    }
    if let Some(mut keys) = child.stdin.take() {
        let _ = keys.write_all(b"q\n");
    }
    let _ = child.wait();
    Ok(times)
}

/// Marks a file as changed without changing it, as saving it in an editor would.
fn touch(path: &Path) -> Result<()> {
    let file =
        File::options().append(true).open(path).with_context(|| format!("cannot open {}", path.display()))?;
    file.set_modified(SystemTime::now()).with_context(|| format!("cannot touch {}", path.display()))
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}
