//! The board, in process: the report endpoint's answers to good and bad input, the
//! token that keeps each row its owner's, the state file across a restart, and the
//! SSE stream a page listens to.

use std::path::PathBuf;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use xtask_board::{BODY_LIMIT, Board, app};

fn state_file(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("board").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("board.json")
}

fn report_of(name: &str, token: Option<&str>, passed: u32) -> Value {
    let mut report = json!({
        "name": name,
        "at": 1_764_500_000,
        "labs": [{ "lab": "01-frameworks", "steps": [
            { "id": "domain", "passed": passed, "total": 3 },
            { "id": "store", "passed": 0, "total": 4 }
        ]}]
    });
    if let Some(token) = token {
        report["token"] = json!(token);
    }
    report
}

async fn post(board: &Board, body: impl Into<Body>) -> (StatusCode, Value, String) {
    let request = Request::post("/report")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("a request");
    let response = app(board.clone()).oneshot(request).await.expect("the board answers");
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let bytes = response.into_body().collect().await.expect("a body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), content_type)
}

async fn post_json(board: &Board, value: &Value) -> (StatusCode, Value, String) {
    post(board, value.to_string()).await
}

fn token_of(answer: &Value) -> String {
    answer["token"].as_str().unwrap_or_else(|| panic!("the answer carries a token: {answer}")).to_owned()
}

#[tokio::test]
async fn a_first_report_creates_a_row_and_hands_out_a_token_a_second_updates_it() {
    let board = Board::open(&state_file("first")).expect("a new board");
    let (status, answer, _) = post_json(&board, &report_of("Ada", None, 1)).await;
    assert_eq!(status, StatusCode::CREATED, "a new participant: 201 with a token, got {answer}");
    let token = token_of(&answer);
    assert_eq!(token.len(), 32);

    let (status, _, _) = post_json(&board, &report_of("Ada", Some(&token), 3)).await;
    assert_eq!(status, StatusCode::OK, "the owner's token updates the row");
    let snapshot: Value = serde_json::from_str(&board.snapshot()).expect("JSON");
    assert_eq!(snapshot["participants"]["Ada"]["labs"][0]["steps"][0]["passed"], 3);
    assert!(!board.snapshot().contains(&token), "the page never sees a token");
}

#[tokio::test]
async fn nobody_overwrites_another_participants_row() {
    let board = Board::open(&state_file("overwrite")).expect("a new board");
    let (_, answer, _) = post_json(&board, &report_of("Ada", None, 3)).await;
    let ada = token_of(&answer);

    let (status, _, content_type) = post_json(&board, &report_of("Ada", None, 0)).await;
    assert_eq!(status, StatusCode::CONFLICT, "the same name without a token: 409");
    assert_eq!(content_type, "application/problem+json");
    let (_, answer, _) = post_json(&board, &report_of("Grace", None, 0)).await;
    let grace = token_of(&answer);
    let (status, _, _) = post_json(&board, &report_of("Ada", Some(&grace), 0)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another participant's token: 403");

    let snapshot: Value = serde_json::from_str(&board.snapshot()).expect("JSON");
    assert_eq!(snapshot["participants"]["Ada"]["labs"][0]["steps"][0]["passed"], 3, "Ada's row is intact");
    assert_ne!(ada, grace);
}

#[tokio::test]
async fn garbage_gets_a_clear_4xx_and_changes_nothing() {
    let board = Board::open(&state_file("garbage")).expect("a new board");
    let too_big = "x".repeat(BODY_LIMIT + 1);
    let cases: Vec<(&str, String, StatusCode)> = vec![
        ("not JSON", "{not json".to_owned(), StatusCode::BAD_REQUEST),
        ("a body over the limit", too_big, StatusCode::PAYLOAD_TOO_LARGE),
        (
            "an unknown field (no code goes in)",
            json!({"name": "Eve", "labs": [], "source": "fn main() {}"}).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("an empty name", report_of("", None, 1).to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        ("markup in a name", report_of("<script>", None, 1).to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        ("a long name", report_of(&"a".repeat(40), None, 1).to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        ("more passed than total", report_of("Eve", None, 9).to_string(), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "a forged token",
            report_of("Eve", Some("../../etc/passwd"), 1).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, body, expected) in cases {
        let (status, answer, content_type) = post(&board, body).await;
        assert_eq!(status, expected, "{what}: expected {expected}, got {status} {answer}");
        assert_eq!(content_type, "application/problem+json", "{what}: a problem document");
    }
    assert_eq!(board.snapshot(), r#"{"participants":{}}"#, "no garbage reached the board");
}

#[tokio::test]
async fn a_restarted_board_has_every_row_and_still_knows_the_tokens() {
    let file = state_file("restart");
    let board = Board::open(&file).expect("a new board");
    let (_, answer, _) = post_json(&board, &report_of("Ada", None, 2)).await;
    let token = token_of(&answer);
    let before = board.snapshot();
    drop(board);
    assert!(!file.with_extension("json.tmp").exists(), "the temporary file was renamed into place");

    let board = Board::open(&file).expect("the saved board");
    assert_eq!(board.snapshot(), before, "nothing lost across a restart");
    let (status, _, _) = post_json(&board, &report_of("Ada", None, 3)).await;
    assert_eq!(status, StatusCode::CONFLICT, "the name is still taken");
    let (status, _, _) = post_json(&board, &report_of("Ada", Some(&token), 3)).await;
    assert_eq!(status, StatusCode::OK, "the token still works");

    std::fs::write(&file, "{ half a file").expect("corrupt the state");
    assert!(Board::open(&file).is_err(), "a broken state file is refused, never replaced");
}

#[tokio::test]
async fn the_event_stream_sends_the_board_then_every_report() {
    let board = Board::open(&state_file("events")).expect("a new board");
    let request = Request::get("/events").body(Body::empty()).expect("a request");
    let response = app(board.clone()).oneshot(request).await.expect("the board answers");
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let mut body = response.into_body();
    let mut next_event = async || -> String {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .expect("the stream is open")
            .expect("a frame");
        String::from_utf8_lossy(&frame.into_data().expect("data")).into_owned()
    };
    let first = next_event().await;
    assert!(first.starts_with("event: board\n"), "the whole board first: {first:?}");
    assert!(first.contains(r#"data: {"participants":{}}"#), "{first:?}");

    post_json(&board, &report_of("Ada", None, 1)).await;
    let update = next_event().await;
    assert!(update.contains(r#""Ada""#) && update.contains(r#""domain""#), "the report, live: {update:?}");
}

#[tokio::test]
async fn the_page_loads_its_script_from_the_board_under_a_strict_policy() {
    let board = Board::open(&state_file("page")).expect("a new board");
    let response = app(board.clone())
        .oneshot(Request::get("/").body(Body::empty()).expect("a request"))
        .await
        .expect("the board answers");
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response.headers().get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok());
    assert_eq!(policy, Some("default-src 'self'; style-src 'self' 'unsafe-inline'"));
    let html = response.into_body().collect().await.expect("a body").to_bytes();
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains(r#"<script src="/board.js""#));
    assert!(
        html.contains(r#"<script type="application/json" id="snapshot">{"participants":{}}</script>"#),
        "the page carries the board as it stands: {html}"
    );
}
