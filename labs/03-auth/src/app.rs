//! The routes. The API under `/api` is for programs with bearer tokens; `/session`
//! and `/oauth` are for browsers with cookies. Handlers are thin: the rules live in
//! the modules of the steps.

use axum::extract::{FromRequestParts, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, delete, get, post};
use axum::{Extension, Json, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use serde_json::json;

use crate::bearer::{AuthError, Principal};
use crate::oauth::{Callback, OAuthError, PENDING_COOKIE, PENDING_FOR};
use crate::problem::problem;
use crate::rbac::{Decision, Policy, authorize, policy_for};
use crate::session::{SESSION_COOKIE, Session, csrf_ok, removal_cookie, session_cookie};
use crate::state::{AppState, Note};

// ANCHOR: route_table
/// The API's routes, recorded as they are added, so that a test can walk the table
/// and find a route that has no policy.
pub struct RouteTable {
    router: Router<AppState>,
    routes: Vec<(Method, &'static str)>,
}

impl RouteTable {
    fn new() -> Self {
        Self { router: Router::new(), routes: Vec::new() }
    }

    fn add(mut self, method: Method, path: &'static str, handler: MethodRouter<AppState>) -> Self {
        self.routes.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

fn api() -> RouteTable {
    RouteTable::new()
        .add(Method::GET, "/health", get(health))
        .add(Method::GET, "/api/me", get(me))
        .add(Method::GET, "/api/notes", get(list_notes))
        .add(Method::POST, "/api/notes", post(create_note))
        .add(Method::DELETE, "/api/notes/{id}", delete(delete_note))
}

/// Every (method, route) of the API.
pub fn routes() -> Vec<(Method, &'static str)> {
    api().routes
}
// ANCHOR_END: route_table

/// The whole service.
pub fn app(state: AppState) -> Router {
    let api = api().router.route_layer(middleware::from_fn_with_state(state.clone(), enforce_policy));
    let browser = Router::new()
        .route("/session/csrf", get(session_csrf))
        .route("/session/login", post(session_login))
        .route("/session/me", get(session_me))
        .route("/session/notes", post(session_create_note))
        .route("/session/logout", post(session_logout))
        .route("/oauth/start", get(oauth_start))
        .route("/oauth/callback", get(oauth_callback));
    api.merge(browser).with_state(state)
}

// ANCHOR: enforce_policy
/// Runs before every API handler: finds the route's policy, authenticates the request
/// if the policy needs it, and lets it through only if `authorize` says so. The
/// principal is handed to the handler as a request extension.
async fn enforce_policy(
    State(state): State<AppState>,
    route: MatchedPath,
    request: Request,
    next: Next,
) -> Response {
    let policy = policy_for(request.method(), route.as_str());
    let (mut parts, body) = request.into_parts();
    let principal = if matches!(policy, Some(Policy::Public)) {
        None
    } else {
        match Principal::from_request_parts(&mut parts, &state).await {
            Ok(principal) => Some(principal),
            Err(AuthError::MissingToken) => None,
            Err(refused) => return refused.into_response(),
        }
    };
    match authorize(policy, principal.as_ref()) {
        Decision::Allow => {
            if let Some(principal) = principal {
                parts.extensions.insert(principal);
            }
            next.run(Request::from_parts(parts, body)).await
        }
        Decision::Unauthenticated => AuthError::MissingToken.into_response(),
        Decision::Forbidden => AuthError::Forbidden.into_response(),
    }
}
// ANCHOR_END: enforce_policy

async fn health() -> &'static str {
    "ok"
}

async fn me(Extension(principal): Extension<Principal>) -> Json<serde_json::Value> {
    Json(json!({ "sub": principal.subject, "scopes": principal.scopes, "roles": principal.roles }))
}

async fn list_notes(State(state): State<AppState>) -> Json<Vec<Note>> {
    Json(lock_notes(&state).clone())
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

// ANCHOR: create_note
async fn create_note(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Json(note): Json<NewNote>,
) -> Result<Response, AuthError> {
    // The role allows writing notes (the policy checked it); the token must also have
    // been granted the scope: the user may write, but did they let this client write?
    principal.require_scope("notes:write")?;
    Ok(add_note(&state, &principal.subject, note.text))
}
// ANCHOR_END: create_note

async fn delete_note(State(state): State<AppState>, Path(id): Path<u64>) -> StatusCode {
    let mut notes = lock_notes(&state);
    let before = notes.len();
    notes.retain(|n| n.id != id);
    if notes.len() < before { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }
}

fn add_note(state: &AppState, author: &str, text: String) -> Response {
    let mut notes = lock_notes(state);
    let id = notes.iter().map(|n| n.id).max().unwrap_or(0) + 1;
    let note = Note { id, author: author.to_owned(), text };
    notes.push(note.clone());
    (StatusCode::CREATED, Json(note)).into_response()
}

fn lock_notes(state: &AppState) -> std::sync::MutexGuard<'_, Vec<Note>> {
    // Nothing panics while holding this lock; a poisoned list is still a valid list.
    state.notes.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The live session named by the request's cookie, with its id.
fn current_session(state: &AppState, jar: &CookieJar) -> Option<(String, Session)> {
    let id = jar.get(SESSION_COOKIE)?.value().to_owned();
    let session = state.sessions.get(&id)?;
    Some((id, session))
}

fn forbidden_csrf() -> Response {
    problem(StatusCode::FORBIDDEN, "the CSRF token is missing or wrong: reload the page")
}

fn not_signed_in() -> Response {
    problem(StatusCode::UNAUTHORIZED, "you are not signed in")
}

/// `GET /session/csrf`: the token the page must send back in `x-csrf-token`. A browser
/// without a session gets an anonymous one, so that even the login form is protected.
async fn session_csrf(State(state): State<AppState>, jar: CookieJar) -> Response {
    if let Some((_, session)) = current_session(&state, &jar) {
        return Json(json!({ "csrf_token": session.csrf_token })).into_response();
    }
    let (id, session) = state.sessions.start(None);
    let jar = jar.add(session_cookie(id, state.sessions.ttl()));
    (jar, Json(json!({ "csrf_token": session.csrf_token }))).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

// ANCHOR: session_login
/// `POST /session/login`. Login CSRF: without a session and its token, another site
/// could sign the victim in to the attacker's account and watch what they store.
async fn session_login(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Json(form): Json<LoginForm>,
) -> Response {
    let Some((previous, session)) = current_session(&state, &jar) else {
        return forbidden_csrf();
    };
    if !csrf_ok(&session, &headers) {
        return forbidden_csrf();
    }
    // argon2 takes tens of milliseconds of CPU: off the async workers (chapter 04).
    let users = state.users.clone();
    let outcome = tokio::task::spawn_blocking(move || users.login(&form.username, &form.password)).await;
    let Ok(Ok(user)) = outcome else {
        return problem(StatusCode::UNAUTHORIZED, "unknown user or wrong password");
    };
    let (id, session) = state.sessions.log_in(Some(&previous), &user.username);
    let jar = jar.add(session_cookie(id, state.sessions.ttl()));
    (jar, Json(json!({ "user": user.username, "csrf_token": session.csrf_token }))).into_response()
}
// ANCHOR_END: session_login

async fn session_me(State(state): State<AppState>, jar: CookieJar) -> Response {
    match current_session(&state, &jar) {
        Some((_, Session { user: Some(user), .. })) => Json(json!({ "user": user })).into_response(),
        _ => not_signed_in(),
    }
}

async fn session_create_note(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    Json(note): Json<NewNote>,
) -> Response {
    let Some((_, session)) = current_session(&state, &jar) else {
        return not_signed_in();
    };
    let Some(user) = session.user.as_deref() else {
        return not_signed_in();
    };
    if !csrf_ok(&session, &headers) {
        return forbidden_csrf();
    }
    add_note(&state, user, note.text)
}

async fn session_logout(State(state): State<AppState>, jar: CookieJar, headers: HeaderMap) -> Response {
    let Some((id, session)) = current_session(&state, &jar) else {
        return not_signed_in();
    };
    if !csrf_ok(&session, &headers) {
        return forbidden_csrf();
    }
    state.sessions.destroy(&id);
    (jar.add(removal_cookie()), StatusCode::NO_CONTENT).into_response()
}

/// The cookie that remembers a pending sign-in. `SameSite=Lax`, not `Strict`: the
/// callback is a top-level navigation that comes from the provider's site. Its removal
/// must carry the same attributes: a browser ignores a `__Host-` cookie without `Secure`.
fn pending_cookie(id: String) -> Cookie<'static> {
    let max_age = cookie::time::Duration::seconds(i64::try_from(PENDING_FOR.as_secs()).unwrap_or(i64::MAX));
    Cookie::build((PENDING_COOKIE, id))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .path("/")
        .max_age(max_age)
        .build()
}

/// `GET /oauth/start`: to the provider, with a new state and PKCE challenge.
async fn oauth_start(State(state): State<AppState>, jar: CookieJar) -> Response {
    match state.oauth.begin() {
        Ok((id, url)) => (jar.add(pending_cookie(id)), Redirect::to(&url)).into_response(),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "the identity provider is misconfigured"),
    }
}

// ANCHOR: oauth_callback
/// `GET /oauth/callback`: back from the provider. The pending login is taken out
/// before anything else, so a replayed callback finds nothing; the access token is
/// verified like any bearer token; the browser gets a new session and a redirect
/// whose URL carries nothing secret.
async fn oauth_callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(callback): Query<Callback>,
) -> Response {
    let pending = jar.get(PENDING_COOKIE).and_then(|c| state.oauth.take_pending(c.value()));
    let tokens = match state.oauth.complete(pending, &callback).await {
        Ok(tokens) => tokens,
        Err(error @ OAuthError::ProviderUnavailable) => {
            return problem(StatusCode::BAD_GATEWAY, &error.to_string());
        }
        Err(error) => return problem(StatusCode::BAD_REQUEST, &error.to_string()),
    };
    let claims = match state.authenticator.authenticate(&tokens.access_token).await {
        Ok(claims) => claims,
        Err(error) => {
            // As for bearer tokens (step 5): the reason goes to the log, not to the client.
            tracing::warn!(%error, "the identity provider's access token was refused");
            return problem(StatusCode::BAD_GATEWAY, "the identity provider's token was refused");
        }
    };
    let previous = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned());
    let (id, _) = state.sessions.log_in(previous.as_deref(), &claims.sub);
    let jar = jar.remove(pending_cookie(String::new())).add(session_cookie(id, state.sessions.ttl()));
    (jar, Redirect::to("/")).into_response()
}
// ANCHOR_END: oauth_callback
