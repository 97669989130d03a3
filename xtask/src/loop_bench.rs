//! `cargo xtask loop-bench [LAB]`: how long the learner's loop takes. Each run touches
//! a source file of the lab (as an edit would) and times `cargo xtask check LAB`, then
//! the same edit with plain `cargo test`, in turn, and prints the medians.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};

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
    let medians: Vec<Duration> = times.iter_mut().map(|t| median(t)).collect();
    for ((name, _), (median, runs)) in commands.iter().zip(medians.iter().zip(&times)) {
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
