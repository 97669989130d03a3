//! Step 5: the bearer token extractor (RFC 6750). A handler that takes a [`Principal`]
//! runs only for a request with a valid token; every other request gets the right
//! status and the right challenge.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::jwt::{Claims, TokenError};
use crate::problem::problem;
use crate::rbac::Role;
use crate::state::AppState;

/// The realm named in every challenge.
pub const REALM: &str = "notes";

/// Who made the request, as the verified token says.
#[derive(Clone, Debug)]
pub struct Principal {
    pub subject: String,
    pub scopes: Vec<String>,
    pub roles: Vec<Role>,
}

impl From<Claims> for Principal {
    fn from(claims: Claims) -> Self {
        let scopes = claims.scope.split_whitespace().map(str::to_owned).collect();
        Self { subject: claims.sub, scopes, roles: claims.roles }
    }
}

// ANCHOR: auth_error
/// Every way a bearer-authenticated request can be refused.
#[derive(Debug, PartialEq, Eq)]
pub enum AuthError {
    /// No bearer credentials at all.
    MissingToken,
    /// A token that does not verify, for the reason given.
    InvalidToken(TokenError),
    /// A valid token without the scope this operation needs.
    InsufficientScope(&'static str),
    /// A valid token whose roles do not allow this route (step 4).
    Forbidden,
}
// ANCHOR_END: auth_error

// ANCHOR: into_response
impl IntoResponse for AuthError {
    /// RFC 6750 §3: a request without credentials gets a bare challenge (no error code:
    /// it did nothing wrong, it only has to authenticate); a bad token gets 401 with
    /// `invalid_token` and one fixed `error_description`, whatever the reason (the
    /// reason goes to the log); a good token without the scope gets 403 with
    /// `insufficient_scope` and the scope it lacks.
    fn into_response(self) -> Response {
        // One sentence for every bad token: which check failed goes to the log, for
        // whoever runs the service, never to the client, who could use it to probe the
        // checks one at a time.
        const INVALID_TOKEN: &str = "the access token is invalid";
        let (status, challenge, detail) = match &self {
            Self::MissingToken => (
                StatusCode::UNAUTHORIZED,
                Some(format!("Bearer realm=\"{REALM}\"")),
                "a bearer token is required".to_owned(),
            ),
            Self::InvalidToken(reason) => {
                tracing::info!(%reason, "bearer token refused");
                (
                    StatusCode::UNAUTHORIZED,
                    Some(format!(
                        "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{INVALID_TOKEN}\""
                    )),
                    INVALID_TOKEN.to_owned(),
                )
            }
            Self::InsufficientScope(scope) => (
                StatusCode::FORBIDDEN,
                Some(format!("Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{scope}\"")),
                format!("this operation needs the scope {scope}"),
            ),
            Self::Forbidden => {
                (StatusCode::FORBIDDEN, None, "your roles do not allow this operation".to_owned())
            }
        };
        let mut response = problem(status, &detail);
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
// ANCHOR_END: into_response

// ANCHOR: extractor
impl FromRequestParts<AppState> for Principal {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        let claims = state.authenticator.authenticate(token).await.map_err(AuthError::InvalidToken)?;
        Ok(Principal::from(claims))
    }
}

/// The token of an `Authorization: Bearer <token>` header. The scheme name is
/// case-insensitive (RFC 9110 §11.1); any other scheme, or no header, is no bearer
/// token at all, which is not the same as a bad one.
fn bearer_token(parts: &Parts) -> Result<&str, AuthError> {
    let value = parts.headers.get(header::AUTHORIZATION).ok_or(AuthError::MissingToken)?;
    let value = value.to_str().map_err(|_| AuthError::InvalidToken(TokenError::Invalid))?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::MissingToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::InvalidToken(TokenError::Invalid));
    }
    Ok(token)
}
// ANCHOR_END: extractor

// ANCHOR: require_scope
impl Principal {
    /// Ok when the token was granted `scope`.
    pub fn require_scope(&self, scope: &'static str) -> Result<(), AuthError> {
        if self.scopes.iter().any(|s| s == scope) { Ok(()) } else { Err(AuthError::InsufficientScope(scope)) }
    }
}
// ANCHOR_END: require_scope
