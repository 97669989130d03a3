//! `cargo xtask reset LAB [STEP]`: the starter back as shipped, for a whole lab or for
//! the files one step edits, after a backup of what the learner had; `--restore` brings
//! the last backup back. Nothing a learner wrote is ever lost: every file the command
//! overwrites or removes is copied first into `.xtask-backups/` at the workbook's root
//! (git-ignored, and outside `target/`, so `cargo clean` keeps it).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::lab::{self, Lab};
use crate::shipped::Shipped;
use crate::style::Style;

/// The backups' folder, relative to the workbook's root.
const BACKUPS: &str = ".xtask-backups";

pub struct Request<'a> {
    pub lab: &'a str,
    pub step: Option<&'a str>,
    pub yes: bool,
    pub restore: bool,
    pub from: Option<&'a str>,
}

pub fn run(root: &Path, request: &Request<'_>, style: &Style) -> Result<bool> {
    let lab = lab::load(&lab::resolve(root, request.lab)?)?;
    if request.restore {
        return restore(root, &lab, style);
    }
    let shipped = Shipped::find(root, request.from)?;
    let files = files_to_reset(root, &lab, &shipped, request.step)?;
    let mut changed = Vec::new();
    for file in files {
        let shipped_bytes = shipped.read(&file)?;
        let current = fs::read(root.join(&file)).ok();
        if current != shipped_bytes {
            changed.push((file, shipped_bytes));
        }
    }
    let step_number = request.step.map(|query| lab.find_step(query)).transpose()?.map(|index| index + 1);
    let what = match request.step {
        Some(step) => format!("step {step} of {}", lab.name),
        None => lab.name.clone(),
    };
    if changed.is_empty() {
        println!("{} is already as shipped ({}): nothing to reset.", what, shipped.describe());
        return Ok(true);
    }
    if !request.yes {
        println!(
            "{} These files of {what} differ from the starter as shipped ({}):",
            style.yellow("Not reset."),
            shipped.describe()
        );
        for (file, _) in &changed {
            println!("  {file}{}", also_holds(&shipped, file, step_number)?);
        }
        let step = request.step.map(|s| format!(" {s}")).unwrap_or_default();
        println!(
            "\n`cargo xtask reset {}{step} --yes` copies them to {BACKUPS}/ first, then puts the starter back.",
            lab.handle
        );
        return Ok(false);
    }
    let paths: Vec<&str> = changed.iter().map(|(file, _)| file.as_str()).collect();
    let backup = back_up(root, &lab, &paths)?;
    for (file, shipped_bytes) in &changed {
        let path = root.join(file);
        match shipped_bytes {
            Some(bytes) => write(&path, bytes)?,
            // A file the learner added, which the starter does not have.
            None => fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?,
        }
    }
    println!(
        "{} {} of {what} to the starter as shipped ({}).",
        style.green("Reset"),
        count_files(changed.len()),
        shipped.describe()
    );
    for (file, _) in &changed {
        println!("  {file}{}", also_holds(&shipped, file, step_number)?);
    }
    println!(
        "Your version is in {}; `cargo xtask reset {} --restore` brings it back.",
        relative(root, &backup),
        lab.handle
    );
    Ok(true)
}

/// For a step's reset, what else a file holds: resetting `src/service.rs` for step 1 also
/// undoes steps 3 and 4 when their `todo!()`s are in it, and the learner should know.
fn also_holds(shipped: &Shipped, file: &str, step: Option<usize>) -> Result<String> {
    let Some(step) = step else { return Ok(String::new()) };
    let others = shipped.other_steps_in(file, step)?;
    Ok(match others.as_slice() {
        [] => String::new(),
        [one] => format!(" (it also holds step {one}: resetting it undoes your work on that step too)"),
        _ => {
            let list: Vec<String> = others.iter().map(ToString::to_string).collect();
            format!(" (it also holds steps {}: resetting it undoes your work on those too)", list.join(", "))
        }
    })
}

/// "1 file", "2 files".
fn count_files(count: usize) -> String {
    if count == 1 { "1 file".to_owned() } else { format!("{count} files") }
}

/// The files a reset covers: for a step, the shipped starter files holding its
/// `todo!()`; for the lab, every shipped file of it and whatever the learner added to `src/`.
fn files_to_reset(root: &Path, lab: &Lab, shipped: &Shipped, step: Option<&str>) -> Result<Vec<String>> {
    if let Some(query) = step {
        let number = lab.find_step(query)? + 1;
        let files = shipped.step_files(lab, number)?;
        if files.is_empty() {
            bail!(
                "no starter file of {} as shipped ({}) holds a `todo!(\"step {number}: ...\")`",
                lab.name,
                shipped.describe()
            );
        }
        return Ok(files);
    }
    let mut files = shipped.files_under(&format!("labs/{}", lab.name))?;
    for added in files_in(root, &lab.dir.join("src"))? {
        if !files.contains(&added) {
            files.push(added);
        }
    }
    Ok(files)
}

/// Every file under `dir`, as a `/`-separated path relative to `root`.
fn files_in(root: &Path, dir: &Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_in(root, &path)?);
        } else {
            found.push(relative(root, &path));
        }
    }
    Ok(found)
}

/// Copies `files` (relative to the root) into a new dated folder under the backups, and
/// returns that folder. A file that does not exist is skipped.
fn back_up(root: &Path, lab: &Lab, files: &[&str]) -> Result<PathBuf> {
    let base = root.join(BACKUPS).join(&lab.name);
    let stamp = timestamp();
    // Two backups in the same second get a suffix, never the same folder.
    let folder = (0..)
        .map(|n| if n == 0 { base.join(&stamp) } else { base.join(format!("{stamp}-{n}")) })
        .find(|f| !f.exists())
        .unwrap_or_else(|| base.join(&stamp));
    for file in files {
        let from = root.join(file);
        if from.is_file() {
            let to = folder.join(file);
            let bytes = fs::read(&from).with_context(|| format!("cannot read {}", from.display()))?;
            write(&to, &bytes)?;
        }
    }
    fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    Ok(folder)
}

/// Puts the files of the lab's latest backup back, after backing up what they replace.
fn restore(root: &Path, lab: &Lab, style: &Style) -> Result<bool> {
    let base = root.join(BACKUPS).join(&lab.name);
    let latest = fs::read_dir(&base)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .max_by(|a, b| backup_order(a).cmp(&backup_order(b)));
    let Some(latest) = latest else {
        println!("There is no backup of {} in {BACKUPS}/ to restore.", lab.name);
        return Ok(false);
    };
    let files = files_in(&latest, &latest)?;
    let paths: Vec<&str> = files.iter().map(String::as_str).collect();
    let backup = back_up(root, lab, &paths)?;
    for file in &files {
        let bytes =
            fs::read(latest.join(file)).with_context(|| format!("cannot read {file} in the backup"))?;
        write(&root.join(file), &bytes)?;
    }
    println!(
        "{} {} of {} from {}.",
        style.green("Restored"),
        count_files(files.len()),
        lab.name,
        relative(root, &latest)
    );
    println!("What they replaced is in {}.", relative(root, &backup));
    Ok(true)
}

/// Backups sort by their stamp, then by the suffix a second backup in the same second got.
fn backup_order(folder: &Path) -> (String, u32) {
    let name = folder.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.rsplit_once('-') {
        Some((stamp, n)) if stamp.len() == 15 => (stamp.to_owned(), n.parse().unwrap_or(0)),
        _ => (name, 0),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The time now in UTC as `YYYYMMDD-HHMMSS`: sortable, and readable in a file manager.
fn timestamp() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, of_day) = (seconds / 86_400, seconds % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}{month:02}{day:02}-{:02}{:02}{:02}", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_come_out_as_the_calendar_says() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        // 2026-11-30 and a leap day.
        assert_eq!(civil_from_days(20_787), (2026, 11, 30));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn a_second_backup_in_the_same_second_sorts_after_the_first() {
        let first = backup_order(Path::new("20261130-101500"));
        let second = backup_order(Path::new("20261130-101500-1"));
        let later = backup_order(Path::new("20261130-101501"));
        assert!(first < second && second < later);
    }
}
