//! `cargo xtask hint LAB [STEP]`: one more tier of hints each time it is asked.

use std::path::Path;

use anyhow::Result;

use crate::lab;
use crate::progress::Progress;
use crate::style::Style;

pub enum Reveal {
    /// One more tier than last time.
    Next,
    All,
    Reset,
}

impl Reveal {
    pub fn from_flags(all: bool, reset: bool) -> Self {
        match (all, reset) {
            (true, _) => Self::All,
            (_, true) => Self::Reset,
            _ => Self::Next,
        }
    }
}

pub fn run(
    root: &Path,
    lab_query: &str,
    step_query: Option<&str>,
    reveal: Reveal,
    style: &Style,
) -> Result<bool> {
    let lab = lab::load(&lab::resolve(root, lab_query)?)?;
    let progress = Progress::load(root);
    let index = match step_query {
        Some(query) => lab.find_step(query)?,
        None if progress.passed.contains(&lab.name) => {
            println!(
                "Every step of {} passed at your last check, so there is no step to hint at. \
                 Name one to see its hints again: `cargo xtask hint {} 3`.",
                lab.name, lab.handle
            );
            return Ok(true);
        }
        // Where the last check stopped; step 1 if there was none.
        None => progress.first_failing_step.get(&lab.name).and_then(|id| lab.find_step(id).ok()).unwrap_or(0),
    };
    let step = &lab.manifest.steps[index];
    let key = format!("{}/{}", lab.name, step.id);
    let total = step.hints.len();
    let shown = progress.hints_shown.get(&key).copied().unwrap_or(0);
    let now = match reveal {
        Reveal::Next => (shown + 1).min(total),
        Reveal::All => total,
        Reveal::Reset => 0,
    };
    show(&lab, index, now, style);
    // The hint is on screen already: failing to remember it is only a warning.
    if let Err(error) = Progress::update(root, |p| {
        p.hints_shown.insert(key, now);
    }) {
        eprintln!("{} {error:#}", style.yellow("warning:"));
    }
    Ok(true)
}

fn show(lab: &lab::Lab, index: usize, now: usize, style: &Style) {
    let step = &lab.manifest.steps[index];
    let total = step.hints.len();
    println!(
        "{} step {}, «{}»  (book/{})\n",
        style.bold(&format!("Lab {}", lab.name)),
        index + 1,
        step.title,
        step.section
    );
    if now == 0 {
        println!(
            "  This step's hints are hidden again. `cargo xtask hint {} {}` shows the first one.",
            lab.handle,
            index + 1
        );
        return;
    }
    for (tier, hint) in step.hints.iter().enumerate().take(now) {
        println!("  {} {hint}\n", style.cyan(&format!("Hint {}/{total}:", tier + 1)));
    }
    if now < total {
        println!("  {}", style.dim(&format!("Run the same command again for hint {}/{total}.", now + 1)));
    } else {
        println!(
            "  {}",
            style.dim(&format!(
                "That was the last hint. Still stuck? Compare with solutions/{}, or ask.",
                lab.name
            ))
        );
    }
}
