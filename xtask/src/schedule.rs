//! `cargo xtask schedule [--write | --check]`: the workshop's timed days, computed from
//! the one source of truth, the `minutes` of every step in every `lab.toml`.
//!
//! `book/workshop.md` holds the plans as generated tables between marker comments,
//! `<!-- schedule:begin NAME -->` and `<!-- schedule:end -->`; `--write` regenerates
//! them, and `verify` fails when they disagree with the labs (see [`verdict`]).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::lab::{self, Lab};
use crate::style::Style;

/// A plan: its marker name, its heading, and the labs it covers, by number.
struct Plan {
    name: &'static str,
    title: &'static str,
    labs: &'static [&'static str],
}

/// The plans a facilitator picks from. `every-chapter` takes every lab that is not a draft.
const PLANS: &[Plan] = &[
    Plan { name: "one-day", title: "One day: chapter 01", labs: &["01"] },
    Plan { name: "two-days", title: "Two days: chapters 01, 04 and 05", labs: &["01", "04", "05"] },
    Plan { name: "every-chapter", title: "Every chapter", labs: &[] },
];

/// The plans `book/workshop.md` must contain: every day a facilitator is offered is timed.
const REQUIRED: &[&str] = &["one-day", "two-days"];

/// Talk time, in minutes: the problem and the mechanism, before the room codes.
const TALK_PER_CHAPTER: u32 = 15;
const TALK_PER_STEP: u32 = 10;
const WELCOME: u32 = 30;
const RECAP: u32 = 15;
const DAY_REVIEW: u32 = 15;
const RETROSPECTIVE: u32 = 30;

/// The shape of a day: 09:00 to 17:00, a break before a session passes 105 minutes,
/// lunch at the first break from 11:45.
const DAY_START: u32 = 9 * 60;
const DAY_END: u32 = 17 * 60;
const SESSION: u32 = 105;
const BREAK: u32 = 15;
const LUNCH: u32 = 60;
const LUNCH_FROM: u32 = 11 * 60 + 45;

const BEGIN: &str = "<!-- schedule:begin ";
const END: &str = "<!-- schedule:end -->";

/// One block of a day: a talk, then the lab loop.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Block {
    title: String,
    talk: u32,
    lab: u32,
}

impl Block {
    fn new(title: impl Into<String>, talk: u32, lab: u32) -> Self {
        Self { title: title.into(), talk, lab }
    }

    fn minutes(&self) -> u32 {
        self.talk + self.lab
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Row {
    Block(u32, Block),
    Pause(u32, &'static str),
    Close(u32),
}

pub fn run(root: &Path, write: bool, check: bool, style: &Style) -> Result<bool> {
    let labs = load_labs(root)?;
    if write {
        let path = workshop_page(root);
        let text = fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let updated = regenerate(&text, &labs)?;
        if updated == text {
            println!("{} is up to date.", path.display());
        } else {
            fs::write(&path, updated).with_context(|| format!("cannot write {}", path.display()))?;
            println!("{} rewrote the schedule tables in {}.", style.green("Done:"), path.display());
        }
        return Ok(true);
    }
    if check {
        return match verdict(root) {
            Ok(detail) => {
                println!("{} {detail}", style.green("ok"));
                Ok(true)
            }
            Err(why) => {
                println!("{} {why}", style.red("stale:"));
                Ok(false)
            }
        };
    }
    for plan in PLANS {
        println!("{}\n", style.bold(&format!("## {} (<!-- schedule:begin {} -->)", plan.title, plan.name)));
        println!("{}", render(plan, &labs));
    }
    let drafts: Vec<&str> = labs.iter().filter(|l| l.manifest.draft).map(|l| l.name.as_str()).collect();
    if !drafts.is_empty() {
        println!("Not scheduled, drafts: {}.", drafts.join(", "));
    }
    println!(
        "Talk time is a model: {TALK_PER_CHAPTER} min per chapter and {TALK_PER_STEP} per step; lab time is each step's `minutes`."
    );
    Ok(true)
}

/// The check `verify` runs: every plan in `book/workshop.md` matches the labs'
/// minutes, and the plans a facilitator is offered are there.
pub fn verdict(root: &Path) -> crate::verify::Verdict {
    let labs = load_labs(root).map_err(|e| format!("{e:#}"))?;
    let path = workshop_page(root);
    let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let regions = regions(&text).map_err(|e| format!("{e:#}"))?;
    let names: Vec<&str> = regions.iter().map(|r| r.name).collect();
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|n| !names.contains(n)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "book/workshop.md has no timed plan {}: add `{BEGIN}NAME -->` and `{END}` lines for each, \
             then run `cargo xtask schedule --write`",
            missing.join(", ")
        ));
    }
    let stale: Vec<&str> = regions
        .iter()
        .filter(|r| plan(r.name).is_none_or(|p| render(p, &labs) != text[r.body.clone()]))
        .map(|r| r.name)
        .collect();
    if stale.is_empty() {
        Ok(format!("{} plans match the labs' minutes", regions.len()))
    } else {
        Err(format!(
            "book/workshop.md's schedule {} disagree(s) with the minutes in lab.toml: run `cargo xtask schedule --write`",
            stale.join(", ")
        ))
    }
}

fn workshop_page(root: &Path) -> std::path::PathBuf {
    root.join("book").join("workshop.md")
}

fn load_labs(root: &Path) -> Result<Vec<Lab>> {
    lab::lab_dirs(root)?.iter().map(|dir| lab::load(dir)).collect()
}

fn plan(name: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.name == name)
}

/// A generated region of the page: its plan's name and the byte range between its markers.
struct Region<'a> {
    name: &'a str,
    body: std::ops::Range<usize>,
}

fn regions(text: &str) -> Result<Vec<Region<'_>>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = text[at..].find(BEGIN).map(|i| i + at) {
        let name_start = start + BEGIN.len();
        let Some(name_end) = text[name_start..].find(" -->").map(|i| i + name_start) else {
            bail!("book/workshop.md: a `{BEGIN}` marker is not closed with ` -->`");
        };
        let name = text[name_start..name_end].trim();
        if plan(name).is_none() {
            let known: Vec<&str> = PLANS.iter().map(|p| p.name).collect();
            bail!("book/workshop.md: there is no schedule {name:?}; the plans are {}", known.join(", "));
        }
        let body_start = text[name_end..].find('\n').map_or(text.len(), |i| i + name_end + 1);
        let Some(body_end) = text[body_start..].find(END).map(|i| i + body_start) else {
            bail!("book/workshop.md: the schedule {name:?} has no `{END}` line");
        };
        found.push(Region { name, body: body_start..body_end });
        at = body_end + END.len();
    }
    Ok(found)
}

/// The page with every region regenerated.
fn regenerate(text: &str, labs: &[Lab]) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for region in regions(text)? {
        out.push_str(&text[at..region.body.start]);
        if let Some(plan) = plan(region.name) {
            out.push_str(&render(plan, labs));
        }
        at = region.body.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The labs a plan covers, in order, drafts left out.
fn labs_of<'a>(plan: &Plan, labs: &'a [Lab]) -> (Vec<&'a Lab>, Vec<&'static str>) {
    if plan.labs.is_empty() {
        return (labs.iter().filter(|l| !l.manifest.draft).collect(), Vec::new());
    }
    let mut chosen = Vec::new();
    let mut absent = Vec::new();
    for number in plan.labs {
        match labs.iter().find(|l| l.name.split('-').next() == Some(number) && !l.manifest.draft) {
            Some(lab) => chosen.push(lab),
            None => absent.push(*number),
        }
    }
    (chosen, absent)
}

/// The blocks of a plan: the chapter's talk, then each step's talk and lab.
fn blocks(labs: &[&Lab]) -> Vec<Block> {
    let mut blocks = Vec::new();
    for lab in labs {
        let number = lab.name.split('-').next().unwrap_or_default();
        blocks.push(Block::new(format!("Chapter {number}: {}", lab.manifest.title), TALK_PER_CHAPTER, 0));
        for (i, step) in lab.manifest.steps.iter().enumerate() {
            blocks.push(Block::new(
                format!("{number} step {}: {}", i + 1, step.title),
                TALK_PER_STEP,
                step.minutes,
            ));
        }
    }
    blocks
}

/// Lays blocks out over days: breaks before a session grows too long, lunch once a
/// day, a review at the end of each day and a retrospective on the last.
fn lay_out(content: Vec<Block>) -> Vec<Vec<Row>> {
    let mut queue = content.into_iter().peekable();
    let mut days = Vec::new();
    loop {
        let first = days.is_empty();
        let mut rows = Vec::new();
        let mut now = DAY_START;
        let mut session = 0;
        let mut lunch = false;
        let mut placed = 0;
        let opening = if first {
            Block::new("Welcome: `cargo xtask doctor`, then `cargo xtask check`", WELCOME, 0)
        } else {
            Block::new("Recap; everyone runs `cargo xtask check`", RECAP, 0)
        };
        rows.push(Row::Block(now, opening.clone()));
        now += opening.minutes();
        session += opening.minutes();
        while let Some(block) = queue.peek() {
            let length = block.minutes();
            if session > 0 && session + length > SESSION {
                let (name, pause) =
                    if !lunch && now >= LUNCH_FROM { ("Lunch", LUNCH) } else { ("Break", BREAK) };
                if placed > 0 && now + pause + length + RETROSPECTIVE > DAY_END {
                    break;
                }
                lunch |= name == "Lunch";
                rows.push(Row::Pause(now, name));
                now += pause;
                session = 0;
            }
            if placed > 0 && now + length + RETROSPECTIVE > DAY_END {
                break;
            }
            let Some(block) = queue.next() else { break };
            rows.push(Row::Block(now, block));
            now += length;
            session += length;
            placed += 1;
        }
        let last = queue.peek().is_none();
        let closing = if last {
            Block::new("Retrospective, and what to read next", RETROSPECTIVE, 0)
        } else {
            Block::new("Review of the day, questions", DAY_REVIEW, 0)
        };
        rows.push(Row::Block(now, closing.clone()));
        now += closing.minutes();
        rows.push(Row::Close(now));
        days.push(rows);
        if last {
            return days;
        }
    }
}

fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The plan as markdown: a line per day, then its table.
fn render(plan: &Plan, labs: &[Lab]) -> String {
    let (chosen, absent) = labs_of(plan, labs);
    let days = lay_out(blocks(&chosen));
    let mut out = String::new();
    if !absent.is_empty() {
        let _ = writeln!(out, "Not in this workbook yet: lab {}.\n", absent.join(", "));
    }
    for (i, rows) in days.iter().enumerate() {
        let (talk, lab): (u32, u32) = rows
            .iter()
            .filter_map(|r| if let Row::Block(_, b) = r { Some((b.talk, b.lab)) } else { None })
            .fold((0, 0), |(t, l), (bt, bl)| (t + bt, l + bl));
        let _ = writeln!(out, "**Day {}**: {talk} min of talk, {lab} min of lab.\n", i + 1);
        out.push_str(&table(rows));
        out.push('\n');
    }
    out
}

fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|row| match row {
            Row::Block(at, b) => [
                clock(*at),
                b.title.clone(),
                b.talk.to_string(),
                if b.lab == 0 { "-".to_owned() } else { b.lab.to_string() },
            ],
            Row::Pause(at, name) => [clock(*at), (*name).to_owned(), String::new(), String::new()],
            Row::Close(at) => [clock(*at), "Close".to_owned(), String::new(), String::new()],
        })
        .collect();
    let width = cells.iter().map(|c| c[1].chars().count()).max().unwrap_or(0).max(5);
    let mut out = format!("| Time  | {:<width$} | Talk | Lab |\n", "Block");
    let _ = writeln!(out, "|-------|-{}-|-----:|----:|", "-".repeat(width));
    for [time, block, talk, lab] in cells {
        let _ = writeln!(out, "| {time} | {block:<width$} | {talk:>4} | {lab:>3} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(n: u32, minutes: u32) -> Block {
        Block::new(format!("step {n}"), TALK_PER_STEP, minutes)
    }

    fn content_minutes(days: &[Vec<Row>]) -> Vec<Vec<String>> {
        days.iter()
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| match r {
                        Row::Block(_, b) if b.title.starts_with("step") => Some(b.title.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_short_plan_fits_one_day_with_breaks_and_a_lunch() {
        let days = lay_out((1..=7).map(|n| step(n, 25)).collect());
        assert_eq!(days.len(), 1);
        let pauses: Vec<&str> =
            days[0].iter().filter_map(|r| if let Row::Pause(_, n) = r { Some(*n) } else { None }).collect();
        assert!(pauses.contains(&"Lunch"), "a day has a lunch: {pauses:?}");
        assert!(pauses.contains(&"Break"), "a day has a break: {pauses:?}");
        let Some(Row::Close(end)) = days[0].last() else { panic!("a day ends with Close") };
        assert!(*end <= DAY_END, "the day ends by 17:00, not {}", clock(*end));
    }

    #[test]
    fn content_that_does_not_fit_spills_into_another_day_in_order() {
        let days = lay_out((1..=20).map(|n| step(n, 30)).collect());
        assert!(days.len() >= 2);
        let all: Vec<String> = content_minutes(&days).concat();
        let expected: Vec<String> = (1..=20).map(|n| format!("step {n}")).collect();
        assert_eq!(all, expected, "every block once, in order");
        for rows in &days {
            let mut session = 0;
            for row in rows {
                match row {
                    Row::Block(_, b) => session += b.minutes(),
                    Row::Pause(..) | Row::Close(_) => session = 0,
                }
                assert!(session <= SESSION + RETROSPECTIVE, "no session runs {session} minutes");
            }
            let Some(Row::Close(end)) = rows.last() else { panic!("a day ends with Close") };
            assert!(*end <= DAY_END, "the day ends by 17:00, not {}", clock(*end));
        }
    }

    #[test]
    fn regions_are_regenerated_and_the_rest_of_the_page_is_kept() {
        let text = "intro\n<!-- schedule:begin one-day -->\nold\n<!-- schedule:end -->\noutro\n";
        let out = regenerate(text, &[]).expect("regenerates");
        assert!(out.starts_with("intro\n<!-- schedule:begin one-day -->\n"));
        assert!(out.ends_with("<!-- schedule:end -->\noutro\n"));
        assert!(!out.contains("old"));
        assert!(out.contains("Not in this workbook yet: lab 01."));
        assert!(regions("<!-- schedule:begin nine-days -->\n<!-- schedule:end -->").is_err());
        assert!(regions("<!-- schedule:begin one-day -->\n").is_err());
    }
}
