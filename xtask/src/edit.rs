//! `cargo xtask check --edit`: opens the spot where the first failure was reported (a
//! `todo!()` in your code, or the assertion in the test) in your editor.
//!
//! The editor is `XTASK_EDITOR`, else `VISUAL`, else `EDITOR`. Known editors get the
//! line and column the way they take them (`code -g file:line:col`, `vim +line file`,
//! JetBrains' `--line`); any other can say where they go with `{file}`, `{line}` and
//! `{col}`, as in `XTASK_EDITOR="myeditor --goto {file}:{line}"`.

use std::path::Path;
use std::process::Command;

use crate::style::Style;

/// A place in a file, as a panic reports it: `labs/01-frameworks/src/store.rs:60:9`.
#[derive(Debug, PartialEq, Eq)]
pub struct Spot<'a> {
    pub file: &'a str,
    pub line: &'a str,
    pub col: &'a str,
}

impl<'a> Spot<'a> {
    pub fn parse(text: &'a str) -> Option<Self> {
        let (rest, col) = text.rsplit_once(':')?;
        let (file, line) = rest.rsplit_once(':')?;
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (numeric(line) && numeric(col) && !file.is_empty()).then_some(Self { file, line, col })
    }
}

/// Opens `spot` (relative to `root`) in the learner's editor, and waits for it to return
/// (a terminal editor takes the terminal; a graphical one returns at once).
pub fn open(root: &Path, spot: &Spot<'_>, style: &Style) {
    let Some(editor) = ["XTASK_EDITOR", "VISUAL", "EDITOR"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    else {
        eprintln!(
            "{} no editor to open {}:{}:{} in: set XTASK_EDITOR (for example `code -g`, `vim`, `idea`).",
            style.yellow("--edit:"),
            spot.file,
            spot.line,
            spot.col
        );
        return;
    };
    let file = root.join(spot.file).display().to_string();
    let words = arguments(&editor, &file, spot);
    let Some((program, args)) = words.split_first() else { return };
    match Command::new(program).args(args).current_dir(root).status() {
        Ok(status) if status.success() => {}
        Ok(status) => eprintln!("{} `{}` ended with {status}", style.yellow("--edit:"), words.join(" ")),
        Err(error) => eprintln!("{} cannot run `{program}`: {error}", style.yellow("--edit:")),
    }
}

/// The command line that opens `file` at the spot, for the editor named in `editor`.
fn arguments(editor: &str, file: &str, spot: &Spot<'_>) -> Vec<String> {
    let mut words: Vec<String> = editor.split_whitespace().map(str::to_owned).collect();
    if editor.contains("{file}") {
        return words
            .iter()
            .map(|w| w.replace("{file}", file).replace("{line}", spot.line).replace("{col}", spot.col))
            .collect();
    }
    let program = words.first().map(|w| program_name(w)).unwrap_or_default();
    let (line, col) = (spot.line, spot.col);
    let mut extra = match program.as_str() {
        "code" | "code-insiders" | "codium" | "cursor" | "windsurf" => {
            let goto =
                if words.iter().any(|w| w == "-g" || w == "--goto") { None } else { Some("-g".to_owned()) };
            goto.into_iter().chain([format!("{file}:{line}:{col}")]).collect()
        }
        "vim" | "nvim" | "vi" | "gvim" | "kak" => vec![format!("+{line}"), file.to_owned()],
        "nano" => vec![format!("+{line},{col}"), file.to_owned()],
        "emacs" | "emacsclient" => vec![format!("+{line}:{col}"), file.to_owned()],
        "hx" | "helix" | "zed" | "subl" | "sublime_text" | "micro" => vec![format!("{file}:{line}:{col}")],
        "idea" | "clion" | "rustrover" | "webstorm" | "pycharm" => {
            vec!["--line".to_owned(), line.to_owned(), "--column".to_owned(), col.to_owned(), file.to_owned()]
        }
        // An editor we do not know may take `file:line` as a file name: give it the file.
        _ => vec![file.to_owned()],
    };
    words.append(&mut extra);
    words
}

/// `code` for `/usr/bin/code`, `code.cmd` or `C:\...\Code.exe`.
fn program_name(word: &str) -> String {
    let name = Path::new(word).file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    name.trim_end_matches("64").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPOT: Spot<'static> = Spot { file: "labs/01-x/src/lib.rs", line: "60", col: "9" };

    #[test]
    fn a_spot_is_read_from_the_right_so_a_windows_drive_survives() {
        assert_eq!(Spot::parse("labs/01-x/src/lib.rs:60:9"), Some(SPOT));
        let windows = Spot::parse(r"C:\w\lib.rs:3:1").map(|s| s.file);
        assert_eq!(windows, Some(r"C:\w\lib.rs"));
        assert_eq!(Spot::parse("src/lib.rs:60"), None);
        assert_eq!(Spot::parse("no spot"), None);
    }

    #[test]
    fn each_known_editor_gets_the_line_its_own_way() {
        let args = |editor: &str| arguments(editor, "/w/lib.rs", &SPOT).join(" ");
        assert_eq!(args("code"), "code -g /w/lib.rs:60:9");
        assert_eq!(args("code --wait -g"), "code --wait -g /w/lib.rs:60:9");
        assert_eq!(args("nvim"), "nvim +60 /w/lib.rs");
        assert_eq!(args("emacsclient -t"), "emacsclient -t +60:9 /w/lib.rs");
        assert_eq!(args("idea64"), "idea64 --line 60 --column 9 /w/lib.rs");
        assert_eq!(args("gedit"), "gedit /w/lib.rs");
        assert_eq!(args("my-editor --at {file}@{line}"), "my-editor --at /w/lib.rs@60");
    }
}
