//! Who may open a long-lived connection, checked before it is opened: the caller's
//! credentials, and the page the request comes from.

use axum::http::header::{AUTHORIZATION, COOKIE, ORIGIN, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::config::Config;
use crate::problem::problem;

/// The name of the session cookie a browser page may carry instead of a bearer token.
pub const SESSION_COOKIE: &str = "session";

/// The authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User(pub String);

/// Why a handshake was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No credentials at all: 401.
    MissingCredentials,
    /// Credentials that name nobody: 401.
    UnknownToken,
    /// A browser page from an origin that is not on the allow-list: 403.
    ForeignOrigin,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::MissingCredentials | Refusal::UnknownToken => {
                let mut response = problem(StatusCode::UNAUTHORIZED, "A valid bearer token is required.");
                response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
            Refusal::ForeignOrigin => {
                problem(StatusCode::FORBIDDEN, "This origin may not open connections to the service.")
            }
        }
    }
}

/// The query string a browser uses to pass a token, since its `WebSocket` and
/// `EventSource` cannot set headers (RFC 6750 section 2.3).
#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    pub access_token: Option<String>,
}

// ANCHOR: authorize
/// Decides whether a handshake may go ahead, and as whom.
pub fn authorize(headers: &HeaderMap, query_token: Option<&str>, config: &Config) -> Result<User, Refusal> {
    todo!(
        "step 1: the Origin (exact match against the allow-list, when there is one), then a token from the header, the query or the session cookie. Read book/06-real-time/handshake.md"
    )
}
// ANCHOR_END: authorize

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}
