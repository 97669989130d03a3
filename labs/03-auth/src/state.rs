//! What the handlers share, and how it is built from a configuration.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::clock::Clock;
use crate::jwks::{Authenticator, JwksConfig, KeySet};
use crate::jwt::{LEEWAY, TokenRules};
use crate::oauth::{OAuthClient, OAuthConfig};
use crate::password::UserStore;
use crate::session::SessionStore;

/// Where the identity provider is and who this service is to it.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    pub jwks: JwksConfig,
    pub oauth: OAuthConfig,
    pub session_ttl: Duration,
}

impl AuthConfig {
    /// A configuration for an identity provider at `idp` (a base URL such as
    /// `http://127.0.0.1:4000`) and this service at `app`, with this workbook's defaults.
    pub fn for_provider(idp: &str, app: &str) -> Self {
        Self {
            issuer: idp.to_owned(),
            audience: "notes-api".to_owned(),
            jwks: JwksConfig {
                url: format!("{idp}/.well-known/jwks.json"),
                refresh_floor: Duration::from_secs(60),
                max_age: Duration::from_secs(3600),
                algorithms: vec![Algorithm::RS256, Algorithm::EdDSA],
            },
            oauth: OAuthConfig {
                authorize_url: format!("{idp}/authorize"),
                token_url: format!("{idp}/token"),
                client_id: "notes-web".to_owned(),
                redirect_uri: format!("{app}/oauth/callback"),
                scope: "openid notes:read notes:write".to_owned(),
            },
            session_ttl: Duration::from_secs(8 * 3600),
        }
    }
}

/// A note, the one resource of the API.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Note {
    pub id: u64,
    pub author: String,
    pub text: String,
}

#[derive(Clone)]
pub struct AppState {
    pub users: Arc<UserStore>,
    pub authenticator: Arc<Authenticator>,
    pub sessions: Arc<SessionStore>,
    pub oauth: Arc<OAuthClient>,
    pub notes: Arc<Mutex<Vec<Note>>>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(config: AuthConfig, users: UserStore, clock: Arc<dyn Clock>) -> Self {
        // Every outbound call to the provider has a deadline (chapter 05).
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let rules = TokenRules { issuer: config.issuer, audience: config.audience, leeway: LEEWAY };
        let keys = KeySet::new(config.jwks, http.clone(), clock.clone());
        Self {
            users: Arc::new(users),
            authenticator: Arc::new(Authenticator { keys, rules, clock: clock.clone() }),
            sessions: Arc::new(SessionStore::new(config.session_ttl, clock.clone())),
            oauth: Arc::new(OAuthClient::new(config.oauth, http, clock.clone())),
            notes: Arc::new(Mutex::new(Vec::new())),
            clock,
        }
    }
}
