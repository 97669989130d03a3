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
    let mut progress = Progress::load(root);
    let index = match step_query {
        Some(query) => lab.find_step(query)?,
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
    progress.hints_shown.insert(key, now);
    progress.save(root)?;

    println!(
        "{} step {}, «{}»  (book/{})\n",
        style.bold(&format!("Lab {}", lab.name)),
        index + 1,
        step.title,
        step.section
    );
    if now == 0 {
        println!(
            "  Hints hidden again. `cargo xtask hint {} {}` shows the first one.",
            lab.number(),
            index + 1
        );
        return Ok(true);
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
    Ok(true)
}
