//! `cargo xtask check --report URL --name NAME`: a check whose result also goes to the
//! facilitator's board (`cargo xtask board`). Only the name, each step's id and pass
//! counts, and a timestamp leave the laptop: never code, test output or paths.
//!
//! The check itself runs as `check --json` in a child process (the same runner), so
//! `check` is untouched; its human report still reaches the terminal on stderr. The
//! token the board hands out on the first report is kept under `target/xtask/`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::style::Style;

/// The board's address from the flag, else from `XTASK_REPORT`.
pub fn url(flag: Option<String>) -> Option<String> {
    flag.or_else(|| std::env::var("XTASK_REPORT").ok()).filter(|u| !u.trim().is_empty())
}

/// What the runner remembers per board: the name chosen and the token received.
#[derive(Serialize, Deserialize, Default)]
struct Identities {
    boards: BTreeMap<String, Identity>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Identity {
    name: String,
    #[serde(default)]
    token: Option<String>,
}

fn identities_path(root: &Path) -> std::path::PathBuf {
    crate::progress::learner_dir(root).join("board-identity.json")
}

fn load_identities(root: &Path) -> Identities {
    std::fs::read_to_string(identities_path(root))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn save_identities(root: &Path, identities: &Identities) -> Result<()> {
    let path = identities_path(root);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(identities)?)?;
    std::fs::rename(&temporary, &path).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(
    root: &Path,
    lab: Option<&str>,
    json: bool,
    url: &str,
    name: Option<&str>,
    style: &Style,
) -> Result<bool> {
    let exe = std::env::current_exe().context("cannot find the runner's own program")?;
    let mut command = Command::new(exe);
    // Without the variable, or the child would report too, and start a child of its own.
    command.arg("--root").arg(root).arg("check").args(lab).arg("--json").env_remove("XTASK_REPORT");
    let output = command
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .output()
        .context("cannot run the check")?;
    let document = String::from_utf8_lossy(&output.stdout);
    if json {
        print!("{document}");
    }
    match output.status.code() {
        Some(0 | 1) => {}
        // Interrupted, or the runner failed before it could check: nothing to report.
        Some(code) => std::process::exit(code),
        None => std::process::exit(130),
    }
    let passed = output.status.success();
    let mut identities = load_identities(root);
    let known = identities.boards.get(url).cloned();
    let name = name.map(str::to_owned).or_else(|| std::env::var("XTASK_NAME").ok()).filter(|n| !n.is_empty());
    let identity = match (name, known) {
        (Some(name), Some(known)) if name == known.name => known,
        (Some(name), _) => Identity { name, token: None },
        (None, Some(known)) => known,
        (None, None) => {
            eprintln!(
                "{} not reported: choose the name the board shows, once: `cargo xtask check --report {url} --name <name>`",
                style.yellow("board:")
            );
            return Ok(passed);
        }
    };
    let body = payload(&document, &identity)?;
    match post(url, &body) {
        Ok((status, answer)) if status == 200 || status == 201 => {
            let token = answer["token"].as_str().map(str::to_owned);
            identities.boards.insert(url.to_owned(), Identity { name: identity.name.clone(), token });
            if let Err(error) = save_identities(root, &identities) {
                eprintln!("{} {error:#}", style.yellow("warning:"));
            }
            eprintln!("{} reported as {:?} to {url}", style.green("board:"), identity.name);
        }
        Ok((status, answer)) => {
            let detail = answer["detail"].as_str().unwrap_or("no reason given").to_owned();
            let advice = match status {
                409 => " Choose another name with `--name`.",
                403 => " Another laptop holds this name's token: choose another name with `--name`.",
                _ => "",
            };
            eprintln!(
                "{} the board refused the report ({status}): {detail}.{advice}",
                style.yellow("board:")
            );
        }
        // The room's Wi-Fi is no reason for a check to fail.
        Err(error) => eprintln!("{} cannot reach {url}: {error:#}", style.yellow("board:")),
    }
    Ok(passed)
}

/// The report from `check --json`'s document: per lab, per step, the passing and total tests.
fn payload(document: &str, identity: &Identity) -> Result<String> {
    let document: Value =
        serde_json::from_str(document.trim()).context("the check printed no JSON report")?;
    let labs: Vec<Value> = document["labs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|lab| {
            let steps: Vec<Value> = lab["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|step| {
                    let tests = step["tests"].as_array().map_or(&[][..], Vec::as_slice);
                    let passed = tests.iter().filter(|t| t["status"] == "pass").count();
                    json!({ "id": step["id"], "passed": passed, "total": tests.len() })
                })
                .collect();
            json!({ "lab": lab["lab"], "steps": steps })
        })
        .collect();
    let at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut report = json!({ "name": identity.name, "at": at, "labs": labs });
    if let Some(token) = &identity.token {
        report["token"] = json!(token);
    }
    Ok(report.to_string())
}

/// A plain HTTP/1.1 POST to `<url>/report` on the room's network: the board serves
/// http on the facilitator's laptop, and this is all the client the runner needs.
fn post(url: &str, body: &str) -> Result<(u16, Value)> {
    let Some(rest) = url.strip_prefix("http://") else {
        bail!("the board's address starts with http:// (it serves the room's network, not the internet)");
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        bail!("give the board's address as http://HOST:PORT");
    }
    let with_port = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let address = with_port
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {authority}"))?
        .next()
        .with_context(|| format!("{authority} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(3))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "POST /report HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.take(64 * 1024).read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse::<u16>().ok()).with_context(|| {
        format!("the board's answer is not HTTP: {:?}", text.lines().next().unwrap_or(""))
    })?;
    let answer =
        text.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    Ok((status, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_holds_ids_and_counts_and_nothing_else() {
        let document = r#"{"version":1,"status":"fail","labs":[{"lab":"01-demo","title":"T","status":"fail",
            "message":"secret","steps":[{"number":1,"id":"first","title":"T","status":"fail","section":"s",
            "tests":[{"name":"step1::a","status":"pass"},{"name":"step1::b","status":"fail","message":"src/lib.rs:3"}]}]}]}"#;
        let identity = Identity { name: "Ada".to_owned(), token: Some("ab".repeat(16)) };
        let body: Value =
            serde_json::from_str(&payload(document, &identity).expect("a payload")).expect("JSON");
        assert_eq!(
            body["labs"],
            json!([{ "lab": "01-demo", "steps": [{ "id": "first", "passed": 1, "total": 2 }] }])
        );
        assert_eq!(body["name"], "Ada");
        assert_eq!(body["token"], "ab".repeat(16));
        let text = body.to_string();
        assert!(!text.contains("lib.rs") && !text.contains("secret"), "no message leaves the laptop: {text}");
    }
}
