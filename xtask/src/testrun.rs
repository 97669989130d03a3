//! Running a test binary one test per process, with a time limit per test and a cap
//! on what each test may print. One process per test is what lets the runner stop a
//! deadlocked test without losing the others' results.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The most a test's output is kept, per stream. The rest is counted and dropped.
pub const OUTPUT_CAP: usize = 32 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// Stopped at the time limit.
    TimedOut,
    /// Ended by a signal or an exit code a failing test does not use (a stack overflow, an abort).
    Crashed(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    pub outcome: Outcome,
    /// What the test printed (stdout, then stderr), cut at [`OUTPUT_CAP`] per stream.
    pub output: String,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }

    /// The message of the panic that failed the test, and where it happened.
    pub fn panic_message(&self) -> Option<String> {
        panic_message(&self.output)
    }
}

/// The names of the tests in a libtest binary.
pub fn list_tests(binary: &Path) -> Result<Vec<String>> {
    let output = Command::new(binary)
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

/// Runs each named test in its own process, `jobs` at a time, each stopped after `limit`.
/// Results come back in the order of `names`.
pub fn run_tests(
    binary: &Path,
    cwd: &Path,
    names: &[String],
    limit: Duration,
    jobs: usize,
) -> Vec<TestResult> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<TestResult>>> = Mutex::new(vec![None; names.len()]);
    thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, names.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(name) = names.get(i) else { break };
                    let result = run_one(binary, cwd, name, limit);
                    if let Ok(mut results) = results.lock() {
                        results[i] = Some(result);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}

/// How many tests to run at once: one per core.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(2, |n| n.get())
}

fn run_one(binary: &Path, cwd: &Path, name: &str, limit: Duration) -> TestResult {
    let spawned = Command::new(binary)
        .args([name, "--exact", "--nocapture", "--test-threads", "1"])
        .current_dir(cwd)
        .env("CARGO_MANIFEST_DIR", cwd)
        // The runner shows only the panic message. A backtrace costs tens of milliseconds
        // per failing test to symbolize, which adds up to seconds over a lab.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return TestResult {
                name: name.to_owned(),
                outcome: Outcome::Crashed(format!("could not start: {e}")),
                output: String::new(),
            };
        }
    };
    let stdout = child.stdout.take().map(|s| thread::spawn(move || read_capped(s)));
    let stderr = child.stderr.take().map(|s| thread::spawn(move || read_capped(s)));
    let outcome = wait_with_limit(&mut child, limit);
    let mut output = String::new();
    for reader in [stdout, stderr].into_iter().flatten() {
        output.push_str(&reader.join().unwrap_or_default());
    }
    TestResult { name: name.to_owned(), outcome, output }
}

fn wait_with_limit(child: &mut Child, limit: Duration) -> Outcome {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return match status.code() {
                    Some(0) => Outcome::Passed,
                    // libtest exits with 101 when a test fails.
                    Some(101) => Outcome::Failed,
                    Some(code) => Outcome::Crashed(format!("exit code {code}")),
                    None => Outcome::Crashed(describe_signal(&status)),
                };
            }
            Ok(None) if started.elapsed() >= limit => {
                // Killing closes the pipes, which ends the reader threads.
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::TimedOut;
            }
            Ok(None) => {
                thread::sleep(pause);
                // Most tests end within milliseconds: poll fast, then back off.
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Outcome::Crashed(format!("cannot wait for the test: {e}")),
        }
    }
}

#[cfg(unix)]
fn describe_signal(status: &std::process::ExitStatus) -> String {
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
fn describe_signal(status: &std::process::ExitStatus) -> String {
    format!("{status}")
}

/// Reads a stream to its end, keeping its first and last [`OUTPUT_CAP`]/2 bytes: the
/// start says what the test was doing, the end holds the panic that failed it.
fn read_capped(mut stream: impl Read) -> String {
    let half = OUTPUT_CAP / 2;
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

/// Finds the last panic in a test's output: the one that failed it. (proptest prints a
/// panic for every case it shrinks; the last one carries the minimal failing input.)
pub fn panic_message(output: &str) -> Option<String> {
    let start = output.rfind("thread '")?;
    let rest = &output[start..];
    let (header, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let location = header.split_once(" panicked at ").map(|(_, at)| at.trim_end_matches(':').to_owned());
    let message: Vec<&str> = body
        .lines()
        .take_while(|l| {
            !l.starts_with("note: run with `RUST_BACKTRACE")
                && !l.starts_with("stack backtrace:")
                && !l.starts_with("test ")
        })
        .collect();
    let message = message.join("\n").trim().to_owned();
    Some(match location {
        Some(at) => format!("{message}\n(at {at})"),
        None => message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_panic_and_its_location() {
        let output = "running 1 test\nthread 'a' panicked at src/x.rs:1:1:\nfirst\nthread 'a::b' panicked at src/lib.rs:60:9:\nnot yet implemented: step 2\nnote: run with `RUST_BACKTRACE=1` to display a backtrace\ntest a::b ... FAILED\n";
        assert_eq!(
            panic_message(output).as_deref(),
            Some("not yet implemented: step 2\n(at src/lib.rs:60:9)")
        );
    }

    #[test]
    fn keeps_the_head_and_the_tail_of_a_flood() {
        let mut flood = vec![b'x'; OUTPUT_CAP * 3];
        flood.extend_from_slice(b"the panic at the end");
        let text = read_capped(&flood[..]);
        assert!(text.len() < OUTPUT_CAP + 100, "kept {} bytes", text.len());
        assert!(text.ends_with("the panic at the end"), "the end of the output survives");
        assert_eq!(bytes_cut(&text), Some(OUTPUT_CAP * 2 + 20), "the cut is announced");
    }
}
