//! Running a test binary one test per process, with a time limit per test and a cap
//! on what each test may print. One process per test is what lets the runner stop a
//! deadlocked test without losing the others' results. `check` first runs a lab's tests
//! all in one process, as `cargo test` does, because that is several times faster, and
//! keeps only the passes libtest's summary vouches for; the rest run alone.
//!
//! Each test runs in a process group of its own (a job object on Windows), so that
//! stopping it also stops whatever it started: a server, a `sleep`, a child that holds
//! the output pipes open. The verdict is libtest's own summary line, never the exit
//! code alone: a test that calls `process::exit(0)` has not passed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use process_wrap::std::{ChildWrapper, CommandWrap};

/// The most a test's output is kept, per stream. The rest is counted and dropped.
pub const OUTPUT_CAP: usize = 32 * 1024;

/// How long the runner waits for a test's output pipes to close once the test's
/// process group is gone. Only a process that left the group can hold them longer.
const PIPE_GRACE: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Marked `#[ignore]`: libtest skipped it, so it has not passed.
    Ignored,
    /// Stopped at the time limit.
    TimedOut,
    /// Stopped because the user pressed Ctrl-C.
    Interrupted,
    /// Ended without libtest's verdict: a signal, an unusual exit code, an exit before
    /// libtest reported, or no test of that exact name.
    Crashed(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub outcome: Outcome,
    /// What the test printed (stdout, then stderr), cut at [`OUTPUT_CAP`] per stream.
    pub output: String,
    /// Its standard error alone: where panics are reported.
    pub stderr: String,
    /// For a panic inside the standard library (`2u32.pow(40)` overflowing in `pow`), the
    /// first function of the learner's that led to it, from a backtrace.
    pub called_from: Option<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// The message of the panic that failed the test, and where it happened.
    pub fn panic_message(&self) -> Option<String> {
        let message = panic_message(&self.stderr)?;
        Some(match &self.called_from {
            Some(function) => format!("{message}\n(inside the standard library, called from `{function}`)"),
            None => message,
        })
    }

    /// Why it did not pass, in a few words or its panic message.
    pub fn why(&self) -> String {
        match &self.outcome {
            Outcome::TimedOut => "it timed out".to_owned(),
            Outcome::Crashed(how) => how.clone(),
            Outcome::Ignored => "it is #[ignore]d".to_owned(),
            Outcome::Interrupted => "it was stopped by Ctrl-C".to_owned(),
            Outcome::Passed | Outcome::Failed => {
                self.panic_message().unwrap_or_else(|| "no panic message".to_owned())
            }
        }
    }

    /// A result for a test that could not be run at all.
    pub fn crashed(name: &str, why: String) -> Self {
        Self {
            name: name.to_owned(),
            outcome: Outcome::Crashed(why),
            output: String::new(),
            stderr: String::new(),
            called_from: None,
        }
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Called from the Ctrl-C handler: running tests are stopped (with their process
/// groups, which no longer receive the terminal's Ctrl-C) and no new ones start.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The names of the tests in a libtest binary, in libtest's (alphabetical) order.
pub fn list_tests(binary: &Path) -> Result<Vec<String>> {
    let output = std::process::Command::new(binary)
        .args(["--list", "--format", "terse"])
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    if !output.status.success() {
        bail!("{} --list failed: {}", binary.display(), String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// How long the shared first run of a lab's tests may take before the runner stops it and
/// runs each of them alone. A lab's whole suite takes under a second here.
const TOGETHER_LIMIT: Duration = Duration::from_secs(3);

/// The most of the shared run's output kept: its pass lines come first, its summary last.
const TOGETHER_CAP: usize = 1024 * 1024;

/// Runs a lab's tests the way `check` needs them: first all in one process, `jobs` at a
/// time, as `cargo test` does (one process start instead of one per test: lab 01's 77
/// tests in 0.15 s instead of 0.4 s). The passes of that run count when libtest's own
/// summary agrees with them. Every other test (failed, ignored, unfinished, or all of
/// them if the run crashed, hung or its summary disagrees) runs again alone, as
/// [`run_tests`] does: for its verdict, its own time limit and its own output.
pub fn run_lab_tests(
    binary: &Path,
    cwd: &Path,
    names: &[String],
    limit: Duration,
    jobs: usize,
) -> Vec<TestResult> {
    let together = if names.len() > 1 && !interrupted() {
        run_together(binary, cwd, names, limit.min(TOGETHER_LIMIT), jobs)
    } else {
        HashSet::new()
    };
    let rest: Vec<String> = names.iter().filter(|name| !together.contains(*name)).cloned().collect();
    let mut alone: HashMap<String, TestResult> =
        run_tests(binary, cwd, &rest, limit, jobs).into_iter().map(|r| (r.name.clone(), r)).collect();
    names
        .iter()
        .map(|name| match alone.remove(name) {
            Some(result) => result,
            None if together.contains(name) => {
                TestResult { outcome: Outcome::Passed, ..TestResult::crashed(name, String::new()) }
            }
            None => TestResult::crashed(name, "the runner lost its result".to_owned()),
        })
        .collect()
}

/// One run of all `names` in one process: the tests libtest reported `ok`, or none when
/// the run did not end with a summary whose count of passes matches those lines.
fn run_together(
    binary: &Path,
    cwd: &Path,
    names: &[String],
    limit: Duration,
    jobs: usize,
) -> HashSet<String> {
    let threads = jobs.max(1).to_string();
    let mut args: Vec<&str> = names.iter().map(String::as_str).collect();
    args.extend(["--exact", "--test-threads", &threads]);
    let Ok(mut child) = spawn_in_group(binary, cwd, &args, Stdio::null(), false) else {
        return HashSet::new();
    };
    let stdout = child.stdout().take().map(|s| read_in_background(s, TOGETHER_CAP));
    let mut early = None;
    let ended = wait_with_limit(child.as_mut(), limit, None, stdout.as_ref(), &mut early);
    end_group(child.as_mut());
    let stdout = early.or_else(|| stdout.and_then(|r| collect(&r, Instant::now() + PIPE_GRACE)));
    match (ended, stdout) {
        // libtest exits with 0 when every test passed, 101 when some failed.
        (Ended::Exited(status), Some(text)) if matches!(status.code(), Some(0 | 101)) => passes(&text, names),
        _ => HashSet::new(),
    }
}

/// The tests a libtest run reported `ok` (`test a::b ... ok`), if their number is the one
/// its summary gives; none otherwise (a line cut from the output, or one that a test
/// printed itself).
fn passes(stdout: &str, names: &[String]) -> HashSet<String> {
    let Some(summary) = stdout.rfind("test result: ").map(|at| &stdout[at..]) else {
        return HashSet::new();
    };
    let counted = summary.lines().next().and_then(|line| count_before(line, "passed"));
    let passed: HashSet<String> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... ok"))
        .map(|name| name.strip_suffix(" - should panic").unwrap_or(name))
        .filter(|name| names.iter().any(|n| n == name))
        .map(str::to_owned)
        .collect();
    if counted == Some(passed.len()) { passed } else { HashSet::new() }
}

/// Runs each named test in its own process, each stopped after `limit`. Results come
/// back in the order of `names`.
///
/// `jobs` tests start at once. A test still running after [`SLOW`] gives up its place (it
/// keeps running, and keeps its own limit): a deadlocked test waits without using a core,
/// and a step whose every test deadlocks would otherwise make the learner wait out the
/// limit `tests / jobs` times over. At most `jobs` × [`SLOW_PER_JOB`] run at once.
pub fn run_tests(
    binary: &Path,
    cwd: &Path,
    names: &[String],
    limit: Duration,
    jobs: usize,
) -> Vec<TestResult> {
    let next = AtomicUsize::new(0);
    let places = Places::new(jobs.max(1));
    let results: Mutex<Vec<Option<TestResult>>> = Mutex::new(vec![None; names.len()]);
    let workers = (jobs.max(1) * SLOW_PER_JOB).clamp(1, names.len().max(1));
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let place = places.take();
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let result = if interrupted() {
                        TestResult {
                            outcome: Outcome::Interrupted,
                            ..TestResult::crashed(name, String::new())
                        }
                    } else {
                        run_one(binary, cwd, name, limit, &place)
                    };
                    drop(place);
                    if let Ok(mut results) = results.lock() {
                        results[i] = Some(result);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}

/// How long a test runs before it gives up its place to the next one.
pub const SLOW: Duration = Duration::from_millis(500);

/// How many slow tests may run beside each place: enough that a step of deadlocks ends
/// in about one limit, few enough that a lab of busy loops cannot swamp the machine.
const SLOW_PER_JOB: usize = 8;

/// The places where a test may start: `jobs` of them, a counting semaphore.
struct Places {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Places {
    fn new(jobs: usize) -> Self {
        Self { free: Mutex::new(jobs), freed: Condvar::new() }
    }

    /// Waits for a free place and holds it until the returned guard is released or dropped.
    fn take(&self) -> Place<'_> {
        let mut free = self.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= 1;
        Place { places: self, held: AtomicBool::new(true) }
    }
}

/// A place held by one test: given back once, when the test turns slow or ends.
struct Place<'a> {
    places: &'a Places,
    held: AtomicBool,
}

impl Place<'_> {
    fn release(&self) {
        if self.held.swap(false, Ordering::SeqCst) {
            let mut free = self.places.free.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *free += 1;
            self.places.freed.notify_one();
        }
    }
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.release();
    }
}

/// How many tests to run at once: one per core.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get())
}

fn run_one(binary: &Path, cwd: &Path, name: &str, limit: Duration, place: &Place<'_>) -> TestResult {
    let args = [name, "--exact", "--nocapture", "--test-threads", "1"];
    let mut child = match spawn_in_group(binary, cwd, &args, Stdio::piped(), false) {
        Ok(child) => child,
        Err(e) => return TestResult::crashed(name, format!("could not start: {e}")),
    };
    let stdout = child.stdout().take().map(|s| read_in_background(s, OUTPUT_CAP));
    let stderr = child.stderr().take().map(|s| read_in_background(s, OUTPUT_CAP));
    let mut early = None;
    let ended = wait_with_limit(child.as_mut(), limit, Some(place), stdout.as_ref(), &mut early);
    end_group(child.as_mut());
    let grace = Instant::now() + PIPE_GRACE;
    let stdout = early.or_else(|| stdout.and_then(|r| collect(&r, grace)));
    let stderr = stderr.and_then(|r| collect(&r, grace)).unwrap_or_else(|| UNREAD.to_owned());
    let outcome = match (ended, &stdout) {
        // Without its output there is no verdict to read: say so, rather than guess.
        (Ended::Exited(status), None) if status.success() => Outcome::Crashed(
            "its output could not be read to the end: a process it started kept the output open".to_owned(),
        ),
        (ended, _) => match ended {
            Ended::Exited(status) => verdict(status, stdout.as_deref().unwrap_or_default()),
            Ended::TimedOut => Outcome::TimedOut,
            Ended::Interrupted => Outcome::Interrupted,
            Ended::Lost(why) => Outcome::Crashed(why),
        },
    };
    let stdout = stdout.unwrap_or_else(|| UNREAD.to_owned());
    let called_from = match (&outcome, panic_location(&stderr)) {
        (Outcome::Failed, Some(at)) if in_std(at) => first_own_frame(binary, cwd, name, limit),
        _ => None,
    };
    TestResult { name: name.to_owned(), outcome, output: format!("{stdout}{stderr}"), stderr, called_from }
}

/// Whether a panic's location is in the standard library's sources, not the learner's.
fn in_std(location: &str) -> bool {
    location.starts_with("/rustc/")
        || location.contains("/library/core/")
        || location.contains("/library/std/")
}

/// Runs a test once more with a backtrace, for the first frame that is neither the
/// standard library nor the panic machinery: the learner's function that called into
/// it. Only for a panic located in the standard library, where the location alone
/// tells the learner nothing.
fn first_own_frame(binary: &Path, cwd: &Path, name: &str, limit: Duration) -> Option<String> {
    let args = [name, "--exact", "--nocapture", "--test-threads", "1"];
    let mut child = spawn_in_group(binary, cwd, &args, Stdio::piped(), true).ok()?;
    let stderr = child.stderr().take().map(|s| read_in_background(s, OUTPUT_CAP));
    // Read, not closed: libtest fails at its first line when nobody reads its output.
    let stdout = child.stdout().take().map(|s| read_in_background(s, OUTPUT_CAP));
    let mut early = None;
    wait_with_limit(child.as_mut(), limit, None, stdout.as_ref(), &mut early);
    end_group(child.as_mut());
    let text = stderr.and_then(|r| collect(&r, Instant::now() + PIPE_GRACE))?;
    own_frame(&text)
}

/// The first frame of a backtrace (`  4: resilience::backoff::delay`) outside the
/// standard library and the panic machinery.
fn own_frame(backtrace: &str) -> Option<String> {
    const NOT_OURS: [&str; 8] =
        ["std::", "core::", "alloc::", "rust_begin_unwind", "__rust", "<core::", "<std::", "<alloc::"];
    backtrace
        .lines()
        .filter_map(|line| {
            let (number, symbol) = line.trim_start().split_once(": ")?;
            number.parse::<usize>().ok().map(|_| symbol.trim())
        })
        .find(|symbol| !NOT_OURS.iter().any(|prefix| symbol.starts_with(prefix)))
        .map(|symbol| {
            symbol.rsplit_once("::h").filter(|(_, hash)| hash.len() == 16).map_or(symbol, |(f, _)| f)
        })
        .map(str::to_owned)
}

/// Starts a test binary in a process group of its own (a job object on Windows), so that
/// ending it ends whatever it started.
fn spawn_in_group(
    binary: &Path,
    cwd: &Path,
    args: &[&str],
    stderr: Stdio,
    backtrace: bool,
) -> std::io::Result<Box<dyn ChildWrapper>> {
    let mut command = CommandWrap::with_new(binary, |command| {
        command
            .args(args)
            .current_dir(cwd)
            .env("CARGO_MANIFEST_DIR", cwd)
            // The runner shows only the panic message. A backtrace costs tens of milliseconds
            // per failing test to symbolize, which adds up to seconds over a lab.
            .env("RUST_BACKTRACE", if backtrace { "1" } else { "0" })
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
    });
    #[cfg(unix)]
    command.wrap(process_wrap::std::ProcessGroup::leader());
    #[cfg(windows)]
    command.wrap(process_wrap::std::JobObject);
    command.spawn()
}

/// Whatever the test started and left running (a server, a `sleep`) goes with it, whether
/// the test passed, failed or was stopped. The wait for it is bounded too: on Windows a
/// job's last notification may already have been taken by `try_wait`.
fn end_group(child: &mut dyn ChildWrapper) {
    let _ = child.start_kill();
    let reaped = Instant::now() + PIPE_GRACE;
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < reaped {
        thread::sleep(Duration::from_millis(5));
    }
}

enum Ended {
    Exited(ExitStatus),
    TimedOut,
    Interrupted,
    Lost(String),
}

/// Waits for the test to end, at most `limit`. Its standard output closes when it exits,
/// so the wait is for that (its text lands in `early`), with a poll of the exit status in
/// between: a test ends within milliseconds, and polling alone would add up to half of
/// that again, for each of a lab's tests.
fn wait_with_limit(
    child: &mut dyn ChildWrapper,
    limit: Duration,
    place: Option<&Place<'_>>,
    stdout: Option<&mpsc::Receiver<String>>,
    early: &mut Option<String>,
) -> Ended {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ended::Exited(status),
            Ok(None) if interrupted() => return Ended::Interrupted,
            Ok(None) if started.elapsed() >= limit => return Ended::TimedOut,
            Ok(None) => {
                if let Some(place) = place.filter(|_| started.elapsed() >= SLOW) {
                    place.release();
                }
                match stdout.filter(|_| early.is_none()).map(|r| r.recv_timeout(pause)) {
                    Some(Ok(text)) => {
                        *early = Some(text);
                        // The process is ending: look again at once.
                        pause = Duration::from_millis(1);
                        continue;
                    }
                    Some(Err(mpsc::RecvTimeoutError::Timeout)) => {}
                    Some(Err(mpsc::RecvTimeoutError::Disconnected)) | None => thread::sleep(pause),
                }
                // Most tests end within milliseconds: look often, then back off.
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Ended::Lost(format!("cannot wait for the test: {e}")),
        }
    }
}

/// What stands for a stream the runner stopped reading.
const UNREAD: &str = "\n[the runner stopped reading: a process started by the test kept its output open]\n";

/// libtest's verdict on the one test it was asked to run, read from its summary. It is
/// searched for anywhere, not only at a line start: with `--nocapture`, a thread of the
/// test may print between the pieces libtest writes it in.
fn verdict(status: ExitStatus, stdout: &str) -> Outcome {
    let summary = stdout.rfind("test result: ").map(|at| {
        let rest = &stdout[at + "test result: ".len()..];
        rest.lines().next().unwrap_or(rest)
    });
    let count = |what: &str| summary.and_then(|s| count_before(s, what)).unwrap_or(0);
    match status.code() {
        Some(0) if count("passed") == 1 => Outcome::Passed,
        Some(0) if count("ignored") == 1 => Outcome::Ignored,
        Some(0) if summary.is_some() => Outcome::Crashed(
            "libtest ran no test of exactly this name (was it renamed while the runner ran?)".to_owned(),
        ),
        Some(0) => Outcome::Crashed(
            "the test process exited with code 0 before libtest could report the test: \
             a `std::process::exit` in the test or in the code it calls"
                .to_owned(),
        ),
        // libtest exits with 101 when a test fails.
        Some(101) => Outcome::Failed,
        Some(code) => Outcome::Crashed(describe_exit_code(code)),
        None => Outcome::Crashed(describe_signal(&status)),
    }
}

/// The number in front of ` passed` (or ` ignored`, ...) in `ok. 1 passed; 0 failed; ...`.
fn count_before(summary: &str, what: &str) -> Option<usize> {
    let suffix = format!(" {what}");
    summary
        .split([';', '.'])
        .find_map(|part| part.trim().strip_suffix(suffix.trim_start()).map(str::trim))
        .and_then(|n| n.parse().ok())
}

/// Exit codes that mean a crash, including Windows' NTSTATUS codes, which would
/// otherwise print as large negative numbers.
fn describe_exit_code(code: i32) -> String {
    match code as u32 {
        0xC000_00FD => "a stack overflow (STATUS_STACK_OVERFLOW)".to_owned(),
        0xC000_0005 => "an access violation (STATUS_ACCESS_VIOLATION)".to_owned(),
        0xC000_0409 => {
            "aborted (STATUS_STACK_BUFFER_OVERRUN): a panic while panicking, or an abort".to_owned()
        }
        0xC000_013A => "stopped by Ctrl-C (STATUS_CONTROL_C_EXIT)".to_owned(),
        _ => format!("exit code {code}"),
    }
}

#[cfg(unix)]
fn describe_signal(status: &ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(6) => "aborted (SIGABRT): a stack overflow or a panic while panicking".to_owned(),
        Some(9) => "killed (SIGKILL), perhaps out of memory".to_owned(),
        Some(11) => "segmentation fault (SIGSEGV)".to_owned(),
        Some(signal) => format!("ended by signal {signal}"),
        None => format!("{status}"),
    }
}

#[cfg(not(unix))]
fn describe_signal(status: &ExitStatus) -> String {
    format!("{status}")
}

/// Reads a stream on a thread of its own, so that a full pipe never blocks the test.
fn read_in_background(stream: impl Read + Send + 'static, cap: usize) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(read_capped(stream, cap));
    });
    receiver
}

/// The text a reader collected, waiting at most until `deadline`: a process that left
/// the test's group may hold the pipe open forever, and the runner must not wait for it.
fn collect(reader: &mpsc::Receiver<String>, deadline: Instant) -> Option<String> {
    let left = deadline.saturating_duration_since(Instant::now());
    reader.recv_timeout(left).ok()
}

/// Reads a stream to its end, keeping its first and last `cap`/2 bytes: the start says
/// what the test was doing, the end holds the panic that failed it.
fn read_capped(mut stream: impl Read, cap: usize) -> String {
    let half = cap / 2;
    let mut head = Vec::new();
    let mut tail: VecDeque<u8> = VecDeque::new();
    let mut dropped = 0usize;
    let mut buffer = [0u8; 8192];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let chunk = &buffer[..n];
                let to_head = chunk.len().min(half.saturating_sub(head.len()));
                head.extend_from_slice(&chunk[..to_head]);
                tail.extend(&chunk[to_head..]);
                if tail.len() > half {
                    let excess = tail.len() - half;
                    tail.drain(..excess);
                    dropped += excess;
                }
            }
        }
    }
    let mut text = String::from_utf8_lossy(&head).into_owned();
    if dropped > 0 {
        text.push_str(&format!("\n[... {dropped} bytes of output cut by the runner ...]\n"));
    }
    text.push_str(&String::from_utf8_lossy(tail.make_contiguous()));
    text
}

/// How many bytes of a result's output the runner cut, if any.
pub fn bytes_cut(output: &str) -> Option<usize> {
    let (_, after) = output.split_once("[... ")?;
    after.split_once(" bytes of output cut")?.0.parse().ok()
}

/// A panic as the standard panic hook prints it on stderr.
struct Panic<'a> {
    location: &'a str,
    message: Vec<&'a str>,
    /// The hook's note about backtraces came: later lines are not part of the message.
    complete: bool,
}

/// The panic that explains a test's failure, found in its standard error. A `todo!()`
/// wins (a worker thread's `todo!` is the answer; the `Any { .. }` its `join` turned
/// into is not); otherwise the last panic (proptest prints one for every case it
/// shrinks, and the last carries the minimal failing input).
pub fn panic_message(stderr: &str) -> Option<String> {
    let panics = panics(stderr);
    let chosen = chosen(&panics)?;
    let message = chosen.message.join("\n").trim().to_owned();
    Some(format!("{message}\n(at {})", chosen.location))
}

/// Where the panic that explains a test's failure happened.
fn panic_location(stderr: &str) -> Option<&str> {
    chosen(&panics(stderr)).map(|p| p.location)
}

/// A `todo!()` first, then loom's report of a deadlock, then the last panic that is not
/// the runtime's own follow-on to an earlier one (a panic while unwinding aborts with
/// messages of its own, after the panic that matters).
fn chosen<'p, 'a>(panics: &'p [Panic<'a>]) -> Option<&'p Panic<'a>> {
    let starts = |p: &Panic<'_>, prefix: &str| p.message.first().is_some_and(|m| m.starts_with(prefix));
    let follow_on = |p: &&Panic<'_>| {
        starts(p, "panic in a destructor during cleanup") || starts(p, "thread caused non-unwinding panic")
    };
    panics
        .iter()
        .rev()
        .find(|p| starts(p, "not yet implemented"))
        .or_else(|| panics.iter().find(|p| starts(p, "deadlock;")))
        .or_else(|| panics.iter().rev().find(|p| !follow_on(p)))
        .or_else(|| panics.last())
}

fn panics(stderr: &str) -> Vec<Panic<'_>> {
    let mut panics: Vec<Panic<'_>> = Vec::new();
    for line in stderr.lines() {
        if let Some(location) = panic_header(line) {
            panics.push(Panic { location, message: Vec::new(), complete: false });
        } else if let Some(current) = panics.last_mut().filter(|p| !p.complete) {
            if line.starts_with("note: run with `RUST_BACKTRACE") || line.starts_with("stack backtrace:") {
                current.complete = true;
            } else {
                current.message.push(line);
            }
        }
    }
    panics
}

/// The location in a panic header at the start of a line, `thread 'a::b' panicked at
/// src/lib.rs:60:9:` (newer toolchains add the thread id: `thread 'a' (42) panicked at`).
fn panic_header(line: &str) -> Option<&str> {
    if !line.starts_with("thread '") {
        return None;
    }
    let (_, at) = line.split_once(" panicked at ")?;
    Some(at.trim_end().trim_end_matches(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_panic_and_its_location() {
        let stderr = "thread 'a' panicked at src/x.rs:1:1:\nfirst\nnote: run with `RUST_BACKTRACE=1` to display a backtrace\nthread 'a::b' panicked at src/lib.rs:60:9:\nassertion failed\n  left: 1\n right: 2\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("assertion failed\n  left: 1\n right: 2\n(at src/lib.rs:60:9)")
        );
    }

    #[test]
    fn a_todo_in_a_worker_thread_wins_over_the_join_that_reports_it() {
        let stderr = "thread '<unnamed>' (7) panicked at src/lib.rs:3:5:\nnot yet implemented: step 2: spawn it\nnote: run with `RUST_BACKTRACE=1` to display a backtrace\nthread 'step2::x' (6) panicked at tests/lab/step2.rs:9:1:\ncalled `Result::unwrap()` on an `Err` value: Any { .. }\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("not yet implemented: step 2: spawn it\n(at src/lib.rs:3:5)")
        );
    }

    #[test]
    fn lines_that_look_like_headers_inside_a_message_do_not_cut_it() {
        let stderr =
            "thread 'a' panicked at src/x.rs:1:1:\nexpected 2 items\ntest names differ: thread 'b' said so\n";
        assert_eq!(
            panic_message(stderr).as_deref(),
            Some("expected 2 items\ntest names differ: thread 'b' said so\n(at src/x.rs:1:1)")
        );
    }

    #[test]
    fn reads_libtests_summary() {
        assert_eq!(
            count_before("ok. 1 passed; 0 failed; 0 ignored; 0 measured; 9 filtered out", "passed"),
            Some(1)
        );
        assert_eq!(count_before("ok. 0 passed; 0 failed; 1 ignored; 0 measured", "ignored"), Some(1));
        assert_eq!(count_before("FAILED. 0 passed; 1 failed;", "failed"), Some(1));
    }

    #[test]
    fn passes_count_only_when_libtests_summary_agrees() {
        let names: Vec<String> = ["a::one", "a::two", "a::three"].map(str::to_owned).into();
        let run = "running 3 tests\ntest a::one ... ok\ntest a::two ... FAILED\ntest a::three - should panic ... ok\n\nfailures:\n\n---- a::two stdout ----\ntest a::two ... ok\n\ntest result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n";
        // A test's own output (the forged line in the failure section) makes three
        // "passes" where libtest counted two: nothing is trusted.
        assert!(passes(run, &names).is_empty());
        let honest = run.replace("---- a::two stdout ----\ntest a::two ... ok\n", "");
        let passed = passes(&honest, &names);
        assert_eq!(passed.len(), 2);
        assert!(passed.contains("a::one") && passed.contains("a::three"));
        assert!(passes("test a::one ... ok\n", &names).is_empty(), "no summary, no trust");
    }

    #[test]
    fn loom_reports_a_deadlock_first_and_its_aborts_do_not_hide_it() {
        let stderr = "thread 'step8::latch' panicked at /loom/src/rt/mod.rs:1:1:\ndeadlock; threads = [(Id(0), Blocked(..))]\nnote: run with `RUST_BACKTRACE=1` to display a backtrace\nthread 'step8::latch' panicked at /rustc/x/library/core/src/panicking.rs:233:5:\npanic in a destructor during cleanup\nthread caused non-unwinding panic. aborting.\n";
        let message = panic_message(stderr).unwrap_or_default();
        assert!(message.starts_with("deadlock; threads"), "{message}");
    }

    #[test]
    fn the_learners_frame_is_found_under_the_standard_librarys() {
        let backtrace = "thread 'step1::x' panicked at /rustc/abc/library/core/src/num/mod.rs:1243:5:\nattempt to multiply with overflow\nstack backtrace:\n   0: rust_begin_unwind\n   1: core::panicking::panic_fmt\n   2: core::panicking::panic_const::panic_const_mul_overflow\n   3: core::num::<impl u32>::pow\n   4: resilience::backoff::delay::h0123456789abcdef\n   5: lab::step1::x\n";
        assert_eq!(own_frame(backtrace).as_deref(), Some("resilience::backoff::delay"));
        assert!(in_std("/rustc/abc/library/core/src/num/mod.rs:1243:5"));
        assert!(!in_std("src/backoff.rs:12:5"));
    }

    #[test]
    fn names_windows_crash_codes() {
        assert!(describe_exit_code(-1_073_741_571).contains("stack overflow"));
        assert_eq!(describe_exit_code(3), "exit code 3");
    }

    #[test]
    fn keeps_the_head_and_the_tail_of_a_flood() {
        let mut flood = vec![b'x'; OUTPUT_CAP * 3];
        flood.extend_from_slice(b"the panic at the end");
        let text = read_capped(&flood[..], OUTPUT_CAP);
        assert!(text.len() < OUTPUT_CAP + 100, "kept {} bytes", text.len());
        assert!(text.ends_with("the panic at the end"), "the end of the output survives");
        assert_eq!(bytes_cut(&text), Some(OUTPUT_CAP * 2 + 20), "the cut is announced");
    }
}
