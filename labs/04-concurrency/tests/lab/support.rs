//! What the steps share: sending a request to a router in-process, reading an error
//! answer as the problem document (RFC 9457) it must be, and forcing a race.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use concurrency::seam::UnlockHook;
use http_body_util::BodyExt;
use serde::Deserialize;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A problem document, as a client reads one.
#[derive(Debug, Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as a problem document: `Content-Type: application/problem+json`, and a
    /// JSON body whose `status` repeats the status code and whose `detail` says why.
    pub fn problem(&self, section: &str) -> Problem {
        let content_type = self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        assert_eq!(
            content_type,
            Some("application/problem+json"),
            "the {} answer must be a problem document (`Content-Type: application/problem+json`, RFC 9457), \
             got {content_type:?} with the body {:?}. Read «{section}».",
            self.status,
            self.text()
        );
        let problem = axum::Json::<Problem>::from_bytes(&self.body).map(|json| json.0).unwrap_or_else(|e| {
            panic!(
                "the {} answer is not a problem document ({e}): {:?}. Read «{section}».",
                self.status,
                self.text()
            )
        });
        assert_eq!(
            problem.status,
            self.status.as_u16(),
            "the problem's `status` member repeats the status code. Read «{section}»."
        );
        assert!(
            !problem.kind.is_empty() && !problem.title.is_empty() && !problem.detail.trim().is_empty(),
            "a problem has a `type`, a `title` and a `detail` that says what happened: {problem:?}. Read «{section}»."
        );
        problem
    }
}

pub async fn send(router: &Router, method: &str, uri: &str, body: &str) -> Reply {
    send_bytes(router, method, uri, body.as_bytes().to_vec()).await
}

pub async fn send_bytes(router: &Router, method: &str, uri: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::from(body))
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|e| panic!("the body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}

/// Forces a race instead of hoping for it. Installed as the unlock hook of a lock
/// (`concurrency::seam`) and armed, it holds every thread that releases the lock until
/// `threads` releases have happened: code that reads under one lock and writes under
/// another is then caught with every thread between the two, every time. Code that
/// does both under one lock is not affected. A deadline, 3 s after `arm` (never reached
/// by a working solution), keeps a broken one from hanging the test.
pub struct Rendezvous {
    threads: usize,
    /// When it was armed, and how many releases it has seen since.
    state: Mutex<(Option<Instant>, usize)>,
    changed: Condvar,
}

impl Rendezvous {
    pub fn new(threads: usize) -> Arc<Self> {
        Arc::new(Self { threads, state: Mutex::new((None, 0)), changed: Condvar::new() })
    }

    /// The hook to give the lock.
    pub fn hook(self: &Arc<Self>) -> UnlockHook {
        let rendezvous = self.clone();
        Arc::new(move || rendezvous.released())
    }

    /// From now on, releases are counted and held.
    pub fn arm(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).0 = Some(Instant::now());
    }

    /// How many releases it has seen since it was armed: a race test checks that the
    /// hook ran, or it proved nothing.
    pub fn releases(&self) -> usize {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1
    }

    fn released(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(armed_at) = state.0 else {
            return;
        };
        state.1 += 1;
        self.changed.notify_all();
        let left = (armed_at + Duration::from_secs(3)).saturating_duration_since(Instant::now());
        let _held = self.changed.wait_timeout_while(state, left, |state| state.1 < self.threads);
    }
}
