//! Lab 03: a small notes API with users, and everything that keeps the wrong people
//! out of it: password hashing, JWT verification against a rotating key set, a bearer
//! extractor, role-based authorization, an OAuth 2.0 client with PKCE, and cookie
//! sessions with CSRF protection.

pub mod app;
pub mod bearer;
pub mod clock;
pub mod jwks;
pub mod jwt;
pub mod oauth;
pub mod password;
pub mod problem;
pub mod rbac;
pub mod secrets;
pub mod session;
pub mod state;

pub use app::{app, routes};
pub use state::{AppState, AuthConfig};
