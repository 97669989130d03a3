//! Building a lab's test binary with cargo, and reading cargo's JSON messages.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, Result};
use serde::Deserialize;

/// What came of a build.
pub enum Build {
    /// The test binary, ready to run.
    Ready(PathBuf),
    /// The code does not compile: the first error, as rustc rendered it, and how many there were.
    CompileError { first: String, count: usize },
    /// Cargo itself failed before compiling (a broken Cargo.toml, no network for a new dependency).
    CargoFailed(String),
}

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    message: Option<Diagnostic>,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// Options for one build.
pub struct BuildOptions<'a> {
    pub root: &'a Path,
    pub package: &'a str,
    /// The `[[test]]` target to build: every lab has one, named `lab`.
    pub test: &'a str,
    /// Render compiler errors with colours.
    pub color: bool,
    /// Let cargo's progress through to the terminal.
    pub show_progress: bool,
    /// Build into this target folder instead of the workspace's own.
    pub target_dir: Option<&'a Path>,
    /// A feature of the lab's package to turn on for this build, e.g. `loom`.
    pub feature: Option<&'a str>,
}

impl<'a> BuildOptions<'a> {
    /// A debug build of the `lab` test target, in the workspace's target folder.
    pub fn lab(root: &'a Path, package: &'a str, color: bool, show_progress: bool) -> Self {
        Self { root, package, test: "lab", color, show_progress, target_dir: None, feature: None }
    }

    /// The `loom` test target, with the package's `loom` feature, which swaps std's
    /// synchronization types for loom's. A feature, not a `--cfg` in rustflags: the
    /// dependencies are the ordinary build's, shared, where a flag would rebuild them all.
    pub fn loom(root: &'a Path, package: &'a str, color: bool, show_progress: bool) -> Self {
        Self { test: "loom", feature: Some("loom"), ..Self::lab(root, package, color, show_progress) }
    }
}

/// What `cargo metadata` says about the workspace, or why cargo cannot load it.
pub struct Workspace {
    pub target_directory: PathBuf,
    /// The folders of the workspace's member packages.
    pub member_dirs: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Metadata {
    target_directory: PathBuf,
    workspace_members: Vec<String>,
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    manifest_path: PathBuf,
}

/// `cargo metadata` for the workspace at `root`, read once per run.
pub fn workspace(root: &Path) -> &'static Result<Workspace, String> {
    static WORKSPACE: OnceLock<Result<Workspace, String>> = OnceLock::new();
    WORKSPACE.get_or_init(|| load_workspace(root))
}

fn load_workspace(root: &Path) -> Result<Workspace, String> {
    let output = Command::new(cargo())
        .current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    let metadata: Metadata =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cannot read cargo metadata: {e}"))?;
    let member_dirs = metadata
        .packages
        .iter()
        .filter(|p| metadata.workspace_members.contains(&p.id))
        .filter_map(|p| p.manifest_path.parent().map(Path::to_path_buf))
        .collect();
    Ok(Workspace { target_directory: metadata.target_directory, member_dirs })
}

/// Why cargo cannot load the workspace (a broken Cargo.toml in some lab), if it cannot.
pub fn workspace_problem(root: &Path) -> Option<String> {
    workspace(root).as_ref().err().cloned()
}

/// The workspace's target folder as cargo sees it (`CARGO_TARGET_DIR`, a `build.target-dir`
/// in any config file, or `target/`); `target/` in the root when cargo cannot tell.
pub fn target_dir(root: &Path) -> PathBuf {
    match workspace(root) {
        Ok(workspace) => workspace.target_directory.clone(),
        Err(_) => std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from),
    }
}

/// Adds rustc flags to a cargo command without dropping the user's own. Cargo takes
/// its flags from one place only: `CARGO_ENCODED_RUSTFLAGS`, else `RUSTFLAGS`, else the
/// config files. A variable that is set is extended; otherwise the flags go in as
/// `--config build.rustflags`, which cargo appends to the arrays of the user's config
/// files. (A `target.<triple>.rustflags` in those files still wins over it.)
pub fn add_rustflags(command: &mut Command, extra: &str) {
    if let Some(encoded) = std::env::var_os("CARGO_ENCODED_RUSTFLAGS").filter(|f| !f.is_empty()) {
        let mut flags = encoded;
        for word in extra.split_whitespace() {
            flags.push("\u{1f}");
            flags.push(word);
        }
        command.env("CARGO_ENCODED_RUSTFLAGS", flags);
        return;
    }
    match std::env::var("RUSTFLAGS") {
        Ok(flags) if !flags.trim().is_empty() => {
            command.env("RUSTFLAGS", format!("{flags} {extra}"));
        }
        _ => {
            command.arg("--config").arg(config_rustflags(extra));
        }
    }
}

/// `build.rustflags=['--cfg', 'tokio_unstable']`: TOML's single-quoted strings survive every
/// shell's quoting when wrapped in double quotes, PowerShell's and cmd's included.
fn config_rustflags(extra: &str) -> String {
    let words: Vec<String> = extra.split_whitespace().map(|w| format!("'{w}'")).collect();
    format!("build.rustflags=[{}]", words.join(", "))
}

/// The cargo command a learner can run by hand to reproduce a build, quoted so that it
/// works in a POSIX shell, PowerShell and cmd alike.
pub fn plain_command(options: &BuildOptions<'_>) -> String {
    let mut words = vec![format!("cargo test -p {} --test {} --no-run", options.package, options.test)];
    if let Some(feature) = options.feature {
        words.push(format!("--features {feature}"));
    }
    // A flag, not an environment variable: it sets nothing for the learner's next command.
    if let Some(dir) = options.target_dir {
        words.push(format!("--target-dir \"{}\"", dir.display()));
    }
    format!("    {}", words.join(" "))
}

/// `cargo test --no-run` for one test target, reading cargo's JSON to find the binary.
pub fn build_test(options: &BuildOptions<'_>) -> Result<Build> {
    let mut builds = build_tests(options, &[Member { package: options.package, dir: None }])?;
    Ok(builds.pop().unwrap_or_else(|| Build::CargoFailed("cargo reported nothing".to_owned())))
}

/// One package of a build that compiles several: its name, and its folder when its
/// messages must be told apart from the others'.
pub struct Member<'a> {
    pub package: &'a str,
    pub dir: Option<&'a Path>,
}

/// `cargo test --no-run` for the same test target of several packages in one cargo
/// command, so that cargo compiles them side by side on every core; one package that does
/// not compile does not stop the others. The builds come back in the
/// order of `members`; when there are several, each needs its `dir`.
pub fn build_tests(options: &BuildOptions<'_>, members: &[Member<'_>]) -> Result<Vec<Build>> {
    let format = if options.color { "json-diagnostic-rendered-ansi" } else { "json" };
    let mut command = Command::new(cargo());
    if let Some(dir) = options.target_dir {
        command.env("CARGO_TARGET_DIR", dir);
    }
    // Several packages: `cargo build --test` (the same test-profile artifacts as `cargo
    // test --no-run`) with `--keep-going`, which `cargo test` lacks, so that one package
    // that does not compile leaves the others built.
    if members.len() > 1 {
        command.current_dir(options.root).args(["build", "--keep-going", "--message-format", format]);
    } else {
        command.current_dir(options.root).args(["test", "--no-run", "--message-format", format]);
    }
    for member in members {
        command.args(["--package", member.package]);
        if let Some(feature) = options.feature {
            // `package/feature`: a bare name is ambiguous when several packages are built.
            command.args(["--features", &format!("{}/{feature}", member.package)]);
        }
    }
    command.args(["--test", options.test]);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(if options.show_progress { Stdio::inherit() } else { Stdio::piped() })
        .spawn()
        .context("cannot start cargo: is Rust installed (https://rustup.rs)?")?;

    // Drain stderr on its own thread, so that cargo never blocks on a full pipe.
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            text
        })
    });
    let mut executables: Vec<Option<PathBuf>> = vec![None; members.len()];
    let mut errors: Vec<Vec<String>> = vec![Vec::new(); members.len()];
    // Which member a message is about: the only one, or the one whose folder holds its manifest.
    let member_of = |manifest: Option<&Path>| -> Option<usize> {
        if members.len() == 1 {
            return Some(0);
        }
        let folder = manifest?.parent()?;
        members.iter().position(|m| m.dir.is_some_and(|dir| same_path(dir, folder)))
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line.context("cannot read cargo's output")?;
            let Ok(message) = serde_json::from_str::<Message>(&line) else {
                continue;
            };
            let Some(index) = member_of(message.manifest_path.as_deref()) else {
                continue;
            };
            match message.reason.as_str() {
                "compiler-artifact" => {
                    let is_our_test = message
                        .target
                        .as_ref()
                        .is_some_and(|t| t.name == options.test && t.kind.iter().any(|k| k == "test"));
                    if is_our_test && message.executable.is_some() {
                        executables[index] = message.executable;
                    }
                }
                "compiler-message" => {
                    if let Some(d) = message.message.filter(|d| d.level == "error") {
                        errors[index].push(d.rendered.unwrap_or_default());
                    }
                }
                _ => {}
            }
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    let builds = executables
        .into_iter()
        .zip(errors)
        .map(|(executable, errors)| verdict(executable, &errors, status, members.len() > 1, &stderr))
        .collect();
    Ok(builds)
}

/// What one package's build came to, from its executable, its errors and cargo's exit.
/// With several packages, cargo fails when any one does; the others' binaries still stand.
fn verdict(
    executable: Option<PathBuf>,
    errors: &[String],
    status: std::process::ExitStatus,
    several: bool,
    stderr: &str,
) -> Build {
    if let Some(first) = errors.first() {
        // rustc ends with a summary "aborting due to N errors" diagnostic; count the real ones.
        let count = errors.iter().filter(|e| !e.contains("aborting due to")).count().max(1);
        return Build::CompileError { first: first.trim_end().to_owned(), count };
    }
    match executable {
        Some(path) if status.success() || several => Build::Ready(path),
        _ if stderr.trim().is_empty() => {
            Build::CargoFailed(format!("cargo failed ({status}); its messages are above"))
        }
        _ => Build::CargoFailed(stderr.trim().to_owned()),
    }
}

/// Whether two paths name the same folder (cargo reports canonical paths).
fn same_path(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b)
}

/// The cargo that runs us (cargo sets `CARGO` for the programs it runs), or the one on the PATH.
pub fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}
