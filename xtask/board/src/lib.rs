//! The facilitator's progress board: participants' `cargo xtask check --report URL`
//! posts step ids and pass counts (never code); a page shows one row per participant,
//! one cell per step, updated live over server-sent events.
//!
//! What a room of thirty does to it, and the answer: garbage (a 16 KiB body limit,
//! strict JSON with unknown fields refused, every field validated, RFC 9457
//! problem+json on each 4xx); one participant writing another's row (a token handed
//! out on the first report, required for every later one); a restart (the state is
//! written to a file atomically after every change and read back on start).
//! It is chapter 01's server, chapter 05's limits and chapter 06's SSE, put to work.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// A report is a few hundred bytes; anything near this is not a report.
pub const BODY_LIMIT: usize = 16 * 1024;
const MAX_PARTICIPANTS: usize = 200;
const MAX_LABS: usize = 32;
const MAX_STEPS: usize = 32;
const MAX_TESTS: u32 = 1000;
const MAX_NAME: usize = 32;
const MAX_ID: usize = 64;

/// What `check --report` sends.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub name: String,
    /// Absent on the first report; the board's answer carries it.
    #[serde(default)]
    pub token: Option<String>,
    /// When the check ran, in seconds since 1970, by the participant's clock.
    #[serde(default)]
    pub at: Option<u64>,
    pub labs: Vec<LabProgress>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LabProgress {
    pub lab: String,
    pub steps: Vec<StepProgress>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StepProgress {
    pub id: String,
    pub passed: u32,
    pub total: u32,
}

/// A row of the board, as saved (with its token) and as shown (without).
#[derive(Serialize, Deserialize, Clone, Debug)]
struct Participant {
    #[serde(skip_serializing_if = "String::is_empty", default)]
    token: String,
    labs: Vec<LabProgress>,
    /// When the board received the last report, seconds since 1970.
    updated: u64,
    #[serde(default)]
    reported_at: Option<u64>,
}

#[derive(Serialize, Deserialize, Default)]
struct Saved {
    participants: BTreeMap<String, Participant>,
}

/// The board's state, shared by the handlers.
#[derive(Clone)]
pub struct Board {
    inner: Arc<Mutex<Saved>>,
    file: Arc<PathBuf>,
    updates: broadcast::Sender<String>,
}

impl Board {
    /// Opens the board saved in `file`, or a new one when there is none. A file that
    /// cannot be read is an error, never silently replaced: it is the room's progress.
    pub fn open(file: &Path) -> Result<Self, String> {
        let saved = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{} is not a board's state ({e}); move it away to start an empty board",
                    file.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Saved::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        };
        let (updates, _) = broadcast::channel(64);
        Ok(Self { inner: Arc::new(Mutex::new(saved)), file: Arc::new(file.to_owned()), updates })
    }

    /// The rows as the page sees them: names and progress, no tokens.
    pub fn snapshot(&self) -> String {
        let saved = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        snapshot_of(&saved)
    }
}

fn snapshot_of(saved: &Saved) -> String {
    let public: BTreeMap<&String, Participant> = saved
        .participants
        .iter()
        .map(|(name, p)| (name, Participant { token: String::new(), ..p.clone() }))
        .collect();
    serde_json::json!({ "participants": public }).to_string()
}

/// Writes the state next to its file, then renames it over the file: a crash leaves
/// the old state or the new one, never half of one.
fn save(file: &Path, saved: &Saved) -> std::io::Result<()> {
    let text = serde_json::to_vec_pretty(saved).map_err(std::io::Error::other)?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = file.with_extension("json.tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, file)
}

pub fn app(board: Board) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/board.js", get(script))
        .route("/state", get(state))
        .route("/events", get(events))
        .route("/report", post(report))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(board)
}

/// An RFC 9457 problem document.
fn problem(status: StatusCode, detail: impl Into<String>) -> Response {
    let body = serde_json::json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail.into(),
    });
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    response
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares tokens in time independent of where they differ.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_ID
        && text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Every rule a report must meet, with the first one it breaks.
fn validate(report: &Report) -> Result<(), String> {
    let name = report.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name != report.name {
        return Err(format!("`name` is 1 to {MAX_NAME} characters, without spaces around it"));
    }
    if !name.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.')) {
        return Err("`name` holds letters, digits, spaces, `-`, `_` and `.` only".to_owned());
    }
    if let Some(token) = &report.token
        && (token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err("`token` is the 32 hex digits the board handed out".to_owned());
    }
    if report.labs.is_empty() || report.labs.len() > MAX_LABS {
        return Err(format!("`labs` holds 1 to {MAX_LABS} labs"));
    }
    for lab in &report.labs {
        if !is_id(&lab.lab) {
            return Err(format!("`labs[].lab` is a lab folder such as `01-frameworks`, not {:?}", lab.lab));
        }
        if lab.steps.len() > MAX_STEPS {
            return Err(format!("a lab has at most {MAX_STEPS} steps"));
        }
        for step in &lab.steps {
            if !is_id(&step.id) {
                return Err(format!("`steps[].id` is a step id such as `routes`, not {:?}", step.id));
            }
            if step.total > MAX_TESTS || step.passed > step.total {
                return Err(format!("step {}: `passed` ≤ `total` ≤ {MAX_TESTS}", step.id));
            }
        }
    }
    Ok(())
}

/// `POST /report`: 201 with a token for a new participant, 200 for a known one with
/// their token; 400 for what is not a report, 403 for someone else's row, 409 for a
/// name already taken, 413 for a body over the limit.
async fn report(State(board): State<Board>, body: Result<Json<Report>, JsonRejection>) -> Response {
    let Json(report) = match body {
        Ok(body) => body,
        Err(rejection) => return problem(rejection.status(), rejection.body_text()),
    };
    if let Err(why) = validate(&report) {
        return problem(StatusCode::UNPROCESSABLE_ENTITY, why);
    }
    let mut saved = board.inner.lock().unwrap_or_else(PoisonError::into_inner);
    let (status, token) = match (saved.participants.get(&report.name), &report.token) {
        (Some(known), Some(token)) if same_token(&known.token, token) => (StatusCode::OK, token.clone()),
        (Some(_), Some(_)) => {
            return problem(StatusCode::FORBIDDEN, "this token is not the one this name was given");
        }
        (Some(_), None) => {
            return problem(
                StatusCode::CONFLICT,
                format!("someone already reports as {:?}: choose another name", report.name),
            );
        }
        _ if saved.participants.len() >= MAX_PARTICIPANTS => {
            return problem(StatusCode::SERVICE_UNAVAILABLE, "the board is full");
        }
        // A token the board does not know: the board was started afresh. Take it back.
        (None, Some(token)) => (StatusCode::CREATED, token.clone()),
        (None, None) => match new_token() {
            Ok(token) => (StatusCode::CREATED, token),
            Err(why) => return problem(StatusCode::INTERNAL_SERVER_ERROR, why),
        },
    };
    let entry = saved.participants.entry(report.name.clone()).or_insert_with(|| Participant {
        token: token.clone(),
        labs: Vec::new(),
        updated: 0,
        reported_at: None,
    });
    // A check of one lab updates that lab's cells and leaves the others.
    for lab in report.labs {
        match entry.labs.iter_mut().find(|l| l.lab == lab.lab) {
            Some(old) => *old = lab,
            None => entry.labs.push(lab),
        }
    }
    entry.labs.sort_by(|a, b| a.lab.cmp(&b.lab));
    entry.updated = now();
    entry.reported_at = report.at;
    if let Err(error) = save(&board.file, &saved) {
        // The room's progress stays in memory and on the page; the facilitator sees why
        // it is not on disk.
        eprintln!("warning: cannot save the board to {}: {error}", board.file.display());
    }
    let snapshot = snapshot_of(&saved);
    drop(saved);
    // No page open is no error.
    let _ = board.updates.send(snapshot);
    (status, Json(serde_json::json!({ "token": token }))).into_response()
}

async fn state(State(board): State<Board>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], board.snapshot()).into_response()
}

/// `GET /events`: the whole board at once, then again after every report. Thirty rows
/// are a few kilobytes; a page that fell behind simply gets the latest.
async fn events(State(board): State<Board>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = board.updates.subscribe();
    let first = board.snapshot();
    let stream =
        futures_util::stream::unfold((Some(first), receiver, board), |(first, mut rx, board)| async move {
            if let Some(data) = first {
                return Some((Ok(Event::default().event("board").data(data)), (None, rx, board)));
            }
            let data = match rx.recv().await {
                Ok(data) => data,
                Err(broadcast::error::RecvError::Lagged(_)) => board.snapshot(),
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            Some((Ok(Event::default().event("board").data(data)), (None, rx, board)))
        });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// The page runs no inline script, so a strict policy costs nothing.
const POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'";

/// The page, with the board as it stands in a data block (not a script: the policy
/// allows none inline), so that it shows the rows before the event stream connects.
async fn page(State(board): State<Board>) -> Response {
    // `<` only occurs inside JSON strings, where `\u003c` means the same: no `</script>`.
    let snapshot = board.snapshot().replace('<', "\\u003c");
    let html = include_str!("page.html").replace(
        "<!-- snapshot -->",
        &format!(r#"<script type="application/json" id="snapshot">{snapshot}</script>"#),
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CONTENT_SECURITY_POLICY, POLICY)], html)
        .into_response()
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("board.js")).into_response()
}
