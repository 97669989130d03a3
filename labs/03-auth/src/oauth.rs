//! Step 7: this service as an OAuth 2.0 client (RFC 6749 §4.1), signing users in with
//! the authorization code flow and PKCE S256 (RFC 7636), as RFC 9700 requires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::secrets::{constant_time_eq, random_token};

/// The cookie that ties a callback to the browser that started the login.
pub const PENDING_COOKIE: &str = "__Host-oauth";

/// How long a user may take at the identity provider before the login is forgotten.
pub const PENDING_FOR: Duration = Duration::from_secs(600);

/// This client as the identity provider registered it.
#[derive(Clone, Debug)]
pub struct OAuthConfig {
    pub authorize_url: String,
    pub token_url: String,
    pub client_id: String,
    /// Exactly as registered: the provider compares it as a string.
    pub redirect_uri: String,
    pub scope: String,
}

/// A login that was started and not yet finished: what the callback must check.
#[derive(Clone, Debug)]
pub struct Pending {
    pub state: String,
    pub verifier: String,
    pub started: SystemTime,
}

/// The query of the callback: `code` and `state`, or `error` if the user refused.
#[derive(Debug, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

/// The token endpoint's answer (RFC 6749 §5.1).
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: Option<u64>,
}

/// Why a sign-in failed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("no sign-in was started from this browser, or it expired")]
    NoPendingLogin,
    #[error("the state does not match the sign-in this browser started")]
    StateMismatch,
    #[error("the identity provider refused: {0}")]
    Refused(String),
    #[error("the identity provider did not accept the code")]
    CodeRejected,
    #[error("the identity provider could not be reached")]
    ProviderUnavailable,
}

/// The client: its registration, an HTTP client, and the logins in progress.
pub struct OAuthClient {
    pub config: OAuthConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    pending: Mutex<HashMap<String, Pending>>,
}

impl OAuthClient {
    pub fn new(config: OAuthConfig, http: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        Self { config, http, clock, pending: Mutex::new(HashMap::new()) }
    }

    /// Removes and returns the pending login with this id: each one is used once.
    pub fn take_pending(&self, id: &str) -> Option<Pending> {
        let pending = self.lock().remove(id)?;
        let age = self.clock.now().duration_since(pending.started).unwrap_or(Duration::ZERO);
        (age < PENDING_FOR).then_some(pending)
    }

    fn remember(&self, pending: Pending) -> String {
        let id = random_token();
        self.lock().insert(id.clone(), pending);
        id
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // No code panics while holding this lock; a poisoned map is still a valid map.
        self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

// ANCHOR: pkce
/// The S256 code challenge of a verifier: BASE64URL(SHA-256(verifier)), without
/// padding (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    todo!("step 7: the S256 challenge of RFC 7636 section 4.2. Read book/03-auth/oauth.md")
}
// ANCHOR_END: pkce

// ANCHOR: redirect_uri
/// The check an authorization server makes on a `redirect_uri`: the very string that
/// was registered, compared whole (RFC 9700 §4.1.3). A prefix, a pattern or a
/// "same host" rule lets `https://app.example/callback.evil.example` through.
pub fn redirect_uri_matches(registered: &str, presented: &str) -> bool {
    todo!("step 7: how an authorization server compares redirect URIs. Read book/03-auth/oauth.md")
}
// ANCHOR_END: redirect_uri

// ANCHOR: begin
impl OAuthClient {
    /// Starts a sign-in: a fresh `state` and PKCE verifier, remembered under a new
    /// pending id (for the cookie), and the URL to send the browser to.
    pub fn begin(&self) -> Result<(String, String), url::ParseError> {
        todo!(
            "step 7: a new state and PKCE verifier, remembered under a pending id, and the authorization URL. Read book/03-auth/oauth.md"
        )
    }
}
// ANCHOR_END: begin

// ANCHOR: complete
impl OAuthClient {
    /// Finishes a sign-in: the callback must belong to the login this browser started
    /// (`pending`, already taken out of the store so that it works once) and carry its
    /// `state`; then the code is exchanged, with the verifier, for tokens. The tokens
    /// travel in the body of a POST from server to server, never in a URL.
    pub async fn complete(
        &self,
        pending: Option<Pending>,
        callback: &Callback,
    ) -> Result<TokenResponse, OAuthError> {
        todo!(
            "step 7: check that the callback belongs to this browser's sign-in, then exchange the code. Read book/03-auth/oauth.md"
        )
    }

    async fn exchange(&self, code: &str, verifier: &str) -> Result<TokenResponse, OAuthError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("client_id", self.config.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        let response = self
            .http
            .post(&self.config.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|_| OAuthError::ProviderUnavailable)?;
        if response.status().is_client_error() {
            return Err(OAuthError::CodeRejected);
        }
        if !response.status().is_success() {
            return Err(OAuthError::ProviderUnavailable);
        }
        response.json().await.map_err(|_| OAuthError::ProviderUnavailable)
    }
}
// ANCHOR_END: complete
