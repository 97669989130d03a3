//! Step 6: server-side sessions behind a cookie. The cookie carries a random id and
//! nothing else; the server holds the session, so logging out really ends it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::clock::Clock;
use crate::secrets::{constant_time_eq, random_token};

/// The session cookie's name. The `__Host-` prefix makes browsers refuse it unless it is
/// `Secure`, has `Path=/` and no `Domain`, so a sibling subdomain cannot plant one.
pub const SESSION_COOKIE: &str = "__Host-session";

/// The header in which a page sends back its session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// What the server remembers about one browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// `None` before login: an anonymous session exists to carry the login form's
    /// CSRF token.
    pub user: Option<String>,
    pub csrf_token: String,
    pub expires_at: SystemTime,
}

/// Every live session, by id, in memory.
pub struct SessionStore {
    ttl: Duration,
    clock: Arc<dyn Clock>,
    sessions: Mutex<HashMap<String, Session>>,
}

impl SessionStore {
    pub fn new(ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { ttl, clock, sessions: Mutex::new(HashMap::new()) }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// How many sessions the server holds (expired ones included until they are read).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // No code panics while holding this lock; a poisoned map is still a valid map.
        self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

// ANCHOR: store
impl SessionStore {
    /// A new session under a new random id, with its own CSRF token.
    pub fn start(&self, user: Option<String>) -> (String, Session) {
        let id = random_token();
        let session = Session { user, csrf_token: random_token(), expires_at: self.clock.now() + self.ttl };
        self.lock().insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id; an expired one is removed and reads as none.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut sessions = self.lock();
        let session = sessions.get(id)?.clone();
        if self.clock.now() >= session.expires_at {
            sessions.remove(id);
            return None;
        }
        Some(session)
    }

    /// Logs `user` in. The session the browser had before (if any) is destroyed and a
    /// new id is issued: an id an attacker planted or read before login is worth
    /// nothing after it (session fixation, OWASP's Session Management Cheat Sheet).
    pub fn log_in(&self, previous: Option<&str>, user: &str) -> (String, Session) {
        if let Some(previous) = previous {
            self.destroy(previous);
        }
        self.start(Some(user.to_owned()))
    }

    /// Ends a session on the server: its id stops working even if a copy of the cookie
    /// survives in a browser, a log or an attacker's hands.
    pub fn destroy(&self, id: &str) {
        self.lock().remove(id);
    }
}
// ANCHOR_END: store

// ANCHOR: cookie
/// The cookie that carries a session id: out of reach of scripts (`HttpOnly`), only
/// over HTTPS (`Secure`), not sent with a form another site posts (`SameSite`, `Lax`
/// or `Strict`: yours to decide, see the book), for the whole site (`Path=/`), and
/// forgotten by the browser when the session expires on the server (`Max-Age`).
pub fn session_cookie(id: String, ttl: Duration) -> Cookie<'static> {
    let max_age = cookie::time::Duration::seconds(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
    // Lax, not Strict: a user who follows a link to the notes from an email or a chat
    // arrives signed in. The CSRF token refuses forged changes whatever SameSite does.
    Cookie::build((SESSION_COOKIE, id))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(max_age)
        .build()
}
// ANCHOR_END: cookie

/// A cookie that tells the browser to forget the session cookie.
pub fn removal_cookie() -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), Duration::ZERO);
    cookie.make_removal();
    cookie
}

// ANCHOR: csrf
/// Whether a state-changing request proves that it comes from our own page: the
/// header must carry the session's CSRF token. Another site can make the browser
/// send our cookie, but cannot read the token to put it in a header.
pub fn csrf_ok(session: &Session, headers: &HeaderMap) -> bool {
    headers
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|sent| constant_time_eq(sent, &session.csrf_token))
}
// ANCHOR_END: csrf
