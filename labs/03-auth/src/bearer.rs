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
        todo!(
            "step 5: the status, the WWW-Authenticate challenge of RFC 6750 and a problem document for each refusal. Read book/03-auth/bearer.md"
        )
    }
}
// ANCHOR_END: into_response

// ANCHOR: extractor
impl FromRequestParts<AppState> for Principal {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        todo!(
            "step 5: read `Authorization: Bearer <token>` and authenticate it; no bearer credentials is not the same as bad ones. Read book/03-auth/bearer.md"
        )
    }
}
// ANCHOR_END: extractor

// ANCHOR: require_scope
impl Principal {
    /// Ok when the token was granted `scope`.
    pub fn require_scope(&self, scope: &'static str) -> Result<(), AuthError> {
        todo!(
            "step 5: Ok if the token was granted the scope, insufficient_scope otherwise. Read book/03-auth/bearer.md"
        )
    }
}
// ANCHOR_END: require_scope
