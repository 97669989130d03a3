//! Step 6: cookie sessions, fixation, logout, CSRF. Read «Sessions and CSRF».

use std::time::Duration;

use auth::secrets::comparisons_on_this_thread;
use auth::session::{CSRF_HEADER, SESSION_COOKIE};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use super::support::{ALICE_PASSWORD, Reply, World, request};

const SECTION: &str = "Sessions and CSRF (book/03-auth/sessions.md)";

/// A request as a browser sends it: with the session cookie, and a CSRF token if the
/// page has one.
fn browser(
    method: &str,
    uri: &str,
    session: Option<&str>,
    csrf: Option<&str>,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let mut builder =
        Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(id) = session {
        builder = builder.header(header::COOKIE, format!("{SESSION_COOKIE}={id}"));
    }
    if let Some(token) = csrf {
        builder = builder.header(CSRF_HEADER, token);
    }
    request(builder, body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
}

/// The anonymous session a login page starts: its id and CSRF token.
async fn login_page(world: &World) -> (String, String) {
    let reply = world.send(browser("GET", "/session/csrf", None, None, None)).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "GET /session/csrf gives the page a CSRF token. Read «{SECTION}»."
    );
    let id = reply.cookie_value(SESSION_COOKIE).unwrap_or_else(|| {
        panic!(
            "GET /session/csrf starts a session and sets {SESSION_COOKIE}; got {:?}. Read «{SECTION}».",
            reply.set_cookies()
        )
    });
    let csrf = reply.json()["csrf_token"].as_str().unwrap_or_default().to_owned();
    (id, csrf)
}

async fn log_in(world: &World, session: &str, csrf: Option<&str>, password: &str) -> Reply {
    let body = json!({ "username": "alice", "password": password });
    world.send(browser("POST", "/session/login", Some(session), csrf, Some(body))).await
}

/// Logs alice in: her session id and CSRF token.
async fn signed_in(world: &World) -> (String, String) {
    let (anonymous, csrf) = login_page(world).await;
    let reply = log_in(world, &anonymous, Some(&csrf), ALICE_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "alice logs in with her password and the page's CSRF token; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let id = reply.cookie_value(SESSION_COOKIE).unwrap_or_default();
    let csrf = reply.json()["csrf_token"].as_str().unwrap_or_default().to_owned();
    (id, csrf)
}

async fn me(world: &World, session: &str) -> StatusCode {
    world.send(browser("GET", "/session/me", Some(session), None, None)).await.status
}

#[tokio::test]
async fn the_session_cookie_is_hardened() {
    let world = World::new().await;
    let (anonymous, csrf) = login_page(&world).await;
    let reply = log_in(&world, &anonymous, Some(&csrf), ALICE_PASSWORD).await;
    let cookie = reply
        .set_cookie(SESSION_COOKIE)
        .unwrap_or_else(|| panic!("a login sets the session cookie. Read «{SECTION}»."));
    let attributes: Vec<String> = cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    for (wanted, why) in [
        ("httponly", "scripts, including injected ones, cannot read it"),
        ("secure", "it never travels over plain HTTP"),
        ("path=/", "one cookie for the whole site (and `__Host-` demands it)"),
    ] {
        assert!(
            attributes.iter().any(|a| a == wanted),
            "the session cookie needs `{wanted}`: {why}; got {cookie:?}. Read «{SECTION}»."
        );
    }
    assert!(
        attributes.iter().any(|a| a == "samesite=lax" || a == "samesite=strict"),
        "the session cookie needs `SameSite=Lax` or `Strict`: another site's form must not carry it; got {cookie:?}. Read «{SECTION}»."
    );
    let max_age = world.state.sessions.ttl().as_secs();
    assert!(
        attributes.iter().any(|a| *a == format!("max-age={max_age}")),
        "the session cookie expires with the session (`Max-Age={max_age}`); got {cookie:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn login_issues_a_new_session_id() {
    let world = World::new().await;
    // The attacker gets an anonymous session and plants its id in the victim's browser.
    let (planted, csrf) = login_page(&world).await;
    let reply = log_in(&world, &planted, Some(&csrf), ALICE_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the login succeeds; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let fresh = reply.cookie_value(SESSION_COOKIE).unwrap_or_default();
    assert!(
        !fresh.is_empty() && fresh != planted,
        "a login sets a new session id: the id the browser had before may have been planted by an attacker (session fixation). Read «{SECTION}»."
    );
    assert_eq!(me(&world, &fresh).await, StatusCode::OK, "the new id is signed in. Read «{SECTION}».");
    assert_eq!(
        me(&world, &planted).await,
        StatusCode::UNAUTHORIZED,
        "the planted id is worth nothing after the login: the attacker who knows it is not signed in as alice. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_wrong_password_gets_401_and_no_session() {
    let world = World::new().await;
    let (anonymous, csrf) = login_page(&world).await;
    let reply = log_in(&world, &anonymous, Some(&csrf), "hunter2").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "a wrong password: 401. Read «{SECTION}».");
    assert_eq!(
        me(&world, &anonymous).await,
        StatusCode::UNAUTHORIZED,
        "and nobody is signed in. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn login_csrf_is_refused() {
    let world = World::new().await;
    // Another site posts the attacker's credentials from the victim's browser: the
    // browser has no session with us, or has one but the site cannot read its token.
    let (anonymous, _) = login_page(&world).await;
    for (what, session, csrf) in [
        ("no session and no token", None, None),
        ("the session but no token", Some(anonymous.as_str()), None),
        ("the session and a made-up token", Some(anonymous.as_str()), Some("guess")),
    ] {
        let body = json!({ "username": "alice", "password": ALICE_PASSWORD });
        let reply = world.send(browser("POST", "/session/login", session, csrf, Some(body))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "a login with {what} is refused with 403 (login CSRF). Read «{SECTION}»."
        );
        assert!(
            reply.set_cookie(SESSION_COOKIE).is_none(),
            "a refused login sets no session. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn a_state_change_needs_the_csrf_token() {
    let world = World::new().await;
    let (session, csrf) = signed_in(&world).await;
    let note = json!({ "text": "hello" });
    let forged =
        world.send(browser("POST", "/session/notes", Some(&session), None, Some(note.clone()))).await;
    assert_eq!(
        forged.status,
        StatusCode::FORBIDDEN,
        "a cookie-authenticated POST without the CSRF token is refused with 403. Read «{SECTION}»."
    );
    let wrong =
        world.send(browser("POST", "/session/notes", Some(&session), Some("0000"), Some(note.clone()))).await;
    assert_eq!(
        wrong.status,
        StatusCode::FORBIDDEN,
        "a wrong CSRF token is refused with 403. Read «{SECTION}»."
    );
    let genuine =
        world.send(browser("POST", "/session/notes", Some(&session), Some(&csrf), Some(note))).await;
    assert_eq!(
        genuine.status,
        StatusCode::CREATED,
        "with the session's token the note is created. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_csrf_token_is_compared_in_constant_time() {
    let world = World::new().await;
    let (session, csrf) = signed_in(&world).await;
    // The app runs on this test's thread (a current-thread runtime), so its comparisons
    // are counted here and nowhere else.
    let before = comparisons_on_this_thread();
    let note = json!({ "text": "hello" });
    let reply = world.send(browser("POST", "/session/notes", Some(&session), Some(&csrf), Some(note))).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "with the session's token the note is created. Read «{SECTION}»."
    );
    assert!(
        comparisons_on_this_thread() > before,
        "the CSRF token was checked without secrets::constant_time_eq: `==` stops at the first \
         byte that differs, and over many tries the time that takes tells an attacker how much of \
         a guessed token is right. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn session_ids_and_csrf_tokens_are_long_random_and_distinct() {
    let world = World::new().await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        let (id, csrf) = login_page(&world).await;
        for (what, value) in [("session id", &id), ("CSRF token", &csrf)] {
            assert!(
                value.len() >= 22
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "a {what} carries at least 128 bits from a CSPRNG: 22 base64url characters or more (`secrets::random_token` gives 43); got {value:?}. Read «{SECTION}»."
            );
            assert!(
                seen.insert(value.clone()),
                "every session id and CSRF token is new; {value:?} came twice. Read «{SECTION}»."
            );
        }
        assert_ne!(
            id, csrf,
            "the CSRF token is not the session id: the page reads the token, and the session id must stay out of reach of scripts (HttpOnly). Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn a_csrf_token_works_only_for_its_own_session() {
    let world = World::new().await;
    let (anonymous, old_csrf) = login_page(&world).await;
    let reply = log_in(&world, &anonymous, Some(&old_csrf), ALICE_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "alice logs in; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let session = reply.cookie_value(SESSION_COOKIE).unwrap_or_default();
    let note = json!({ "text": "hello" });
    let stale = world
        .send(browser("POST", "/session/notes", Some(&session), Some(&old_csrf), Some(note.clone())))
        .await;
    assert_eq!(
        stale.status,
        StatusCode::FORBIDDEN,
        "the CSRF token of the session before login is refused after it: whoever planted or read that session knows its token, so the new session needs a new one. Read «{SECTION}»."
    );
    // The attacker's own session with us, and its token, which the attacker can read.
    let (_, attackers_csrf) = login_page(&world).await;
    let foreign = world
        .send(browser("POST", "/session/notes", Some(&session), Some(&attackers_csrf), Some(note)))
        .await;
    assert_eq!(
        foreign.status,
        StatusCode::FORBIDDEN,
        "another session's CSRF token is refused with 403: a token is bound to its session, or the attacker simply uses their own. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let world = World::new().await;
    let (session, csrf) = signed_in(&world).await;
    let reply = world.send(browser("POST", "/session/logout", Some(&session), Some(&csrf), None)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "logout answers 204. Read «{SECTION}».");
    assert_eq!(
        me(&world, &session).await,
        StatusCode::UNAUTHORIZED,
        "a copy of the old cookie, replayed after logout, is refused: logout deletes the session on the server, not only the cookie in one browser. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_session_expires_on_the_server() {
    let world = World::new().await;
    let (session, _) = signed_in(&world).await;
    world.clock.advance(world.state.sessions.ttl() - Duration::from_secs(1));
    assert_eq!(
        me(&world, &session).await,
        StatusCode::OK,
        "a second before its expiry, the session works. Read «{SECTION}»."
    );
    world.clock.advance(Duration::from_secs(1));
    assert_eq!(
        me(&world, &session).await,
        StatusCode::UNAUTHORIZED,
        "at its expiry, the server refuses the session, whatever the browser kept. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_expired_session_is_removed_from_the_server() {
    let world = World::new().await;
    let (session, _) = signed_in(&world).await;
    let sessions = &world.state.sessions;
    assert!(
        sessions.len() == 1 && !sessions.is_empty(),
        "after a login the server holds one session (the login page's anonymous one was destroyed); got {}. Read «{SECTION}».",
        sessions.len()
    );
    world.clock.advance(sessions.ttl());
    assert_eq!(
        me(&world, &session).await,
        StatusCode::UNAUTHORIZED,
        "the session has expired. Read «{SECTION}»."
    );
    assert!(
        sessions.is_empty(),
        "an expired session that is read is removed from the server's map, not only refused: otherwise every abandoned browser stays in memory for ever; {} left. Read «{SECTION}».",
        sessions.len()
    );
}
