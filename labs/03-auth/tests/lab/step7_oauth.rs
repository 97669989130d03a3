//! Step 7: signing in with OAuth 2.0, authorization code flow with PKCE. Read
//! «OAuth with PKCE».

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use auth::oauth::{PENDING_COOKIE, PENDING_FOR, pkce_challenge, redirect_uri_matches};
use auth::secrets::comparisons_on_this_thread;
use auth::session::SESSION_COOKIE;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{APP, Reply, Signer, World, calls_to, claims, mint, request};

const SECTION: &str = "OAuth with PKCE (book/03-auth/oauth.md)";

#[test]
fn pkce_s256_matches_rfc_7636_appendix_b() {
    assert_eq!(
        pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "the S256 challenge is BASE64URL(SHA-256(ASCII(verifier))) without padding: RFC 7636 Appendix B. Read «{SECTION}»."
    );
}

#[test]
fn a_redirect_uri_must_match_exactly() {
    let registered = "https://notes.example/oauth/callback";
    assert!(
        redirect_uri_matches(registered, registered),
        "the registered URI itself matches. Read «{SECTION}»."
    );
    for attack in [
        "https://notes.example/oauth/callback.evil.example",
        "https://notes.example/oauth/callback/../../attacker",
        "https://notes.example/oauth/callback?next=https://evil.example",
        "https://notes.example/oauth/callbackx",
        "https://notes.example.evil.example/oauth/callback",
        "http://notes.example/oauth/callback",
        "https://notes.example/oauth/",
    ] {
        assert!(
            !redirect_uri_matches(registered, attack),
            "{attack} only shares a prefix (or a host) with the registered URI, and is refused: codes sent there are stolen (RFC 9700 §4.1.3). Read «{SECTION}»."
        );
    }
}

/// The provider's token endpoint: each code is bound to the PKCE challenge it was
/// issued for, works once, and only for the registered client and redirect URI.
struct TokenEndpoint {
    codes: Mutex<HashMap<String, String>>,
    /// Every `code_verifier` the client sent: the verifier never leaves the server
    /// before this request, so this is where a test can look at it.
    verifiers: Mutex<Vec<String>>,
    access_token: String,
}

impl wiremock::Respond for TokenEndpoint {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body).into_owned().collect();
        let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        self.verifiers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(field("code_verifier").to_owned());
        let challenge =
            self.codes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(field("code"));
        let verifier_hash = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
        let ok = field("grant_type") == "authorization_code"
            && field("client_id") == "notes-web"
            && field("redirect_uri") == format!("{APP}/oauth/callback")
            && challenge.is_some_and(|c| c == verifier_hash);
        if ok {
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": self.access_token, "token_type": "Bearer", "expires_in": 300,
            }))
        } else {
            ResponseTemplate::new(400).set_body_json(serde_json::json!({ "error": "invalid_grant" }))
        }
    }
}

struct Provider {
    world: World,
    endpoint: Arc<TokenEndpoint>,
}

#[derive(Clone)]
struct ArcRespond(Arc<TokenEndpoint>);

impl wiremock::Respond for ArcRespond {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

async fn provider() -> Provider {
    let world = World::new().await;
    let endpoint = Arc::new(TokenEndpoint {
        codes: Mutex::new(HashMap::new()),
        verifiers: Mutex::new(Vec::new()),
        access_token: mint(Signer::Idp2026, &claims(&world.issuer())),
    });
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(ArcRespond(endpoint.clone()))
        .mount(&world.idp)
        .await;
    Provider { world, endpoint }
}

/// What `/oauth/start` sent the browser to, and the pending cookie it set.
struct Started {
    pending: String,
    params: HashMap<String, String>,
}

impl Provider {
    async fn start(&self) -> Started {
        let reply = self.world.send(request(Request::get("/oauth/start"), Body::empty())).await;
        assert!(
            reply.status.is_redirection(),
            "/oauth/start redirects the browser to the provider; got {} ({}). Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        let location = reply.header("location").unwrap_or_default().to_owned();
        assert!(
            location.starts_with(&format!("{}/authorize?", self.world.issuer())),
            "the redirect goes to the provider's authorization endpoint; got {location:?}. Read «{SECTION}»."
        );
        let url = url::Url::parse(&location).unwrap_or_else(|e| panic!("{location:?} is no URL: {e}"));
        let params = url.query_pairs().into_owned().collect();
        let pending = reply.cookie_value(PENDING_COOKIE).unwrap_or_else(|| {
            panic!("/oauth/start sets the {PENDING_COOKIE} cookie that ties the callback to this browser; got {:?}. Read «{SECTION}».", reply.set_cookies())
        });
        let cookie = reply.set_cookie(PENDING_COOKIE).unwrap_or_default().to_ascii_lowercase();
        assert!(
            cookie.contains("httponly") && cookie.contains("secure"),
            "the pending sign-in cookie is HttpOnly and Secure, like the session cookie; got {cookie:?}. Read «{SECTION}»."
        );
        Started { pending, params }
    }

    /// The provider authenticates the user and issues `code` for `challenge`.
    fn issue_code(&self, code: &str, challenge: &str) {
        self.endpoint
            .codes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(code.to_owned(), challenge.to_owned());
    }

    async fn callback(&self, pending: Option<&str>, code: &str, state: &str) -> Reply {
        let mut builder = Request::get(format!("/oauth/callback?code={code}&state={state}"));
        if let Some(pending) = pending {
            builder = builder.header(header::COOKIE, format!("{PENDING_COOKIE}={pending}"));
        }
        self.world.send(request(builder, Body::empty())).await
    }

    async fn token_calls(&self) -> usize {
        calls_to(&self.world.idp, "/token").await
    }
}

impl Started {
    fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or_default()
    }
}

#[tokio::test]
async fn start_asks_for_a_code_with_s256_state_and_the_exact_redirect_uri() {
    let p = provider().await;
    let started = p.start().await;
    assert_eq!(
        started.param("response_type"),
        "code",
        "the authorization code flow asks for a code. Read «{SECTION}»."
    );
    assert_eq!(started.param("client_id"), "notes-web", "the client says who it is. Read «{SECTION}».");
    assert_eq!(
        started.param("redirect_uri"),
        format!("{APP}/oauth/callback"),
        "the redirect URI, exactly as registered. Read «{SECTION}»."
    );
    assert_eq!(
        started.param("code_challenge_method"),
        "S256",
        "PKCE with S256: `plain` sends the verifier itself, and whoever sees the authorization request can redeem the code (RFC 7636 §7.2). Read «{SECTION}»."
    );
    assert_eq!(
        started.param("code_challenge").len(),
        43,
        "an S256 challenge is 43 base64url characters (SHA-256). Read «{SECTION}»."
    );
    assert!(
        started.param("state").len() >= 22,
        "`state` is a random value of at least 128 bits. Read «{SECTION}»."
    );
    assert_ne!(
        pkce_challenge(started.param("state")),
        started.param("code_challenge"),
        "the verifier is a secret of its own, not the `state`: `state` travels in the browser's URL, and whoever reads it there could redeem the code. Read «{SECTION}»."
    );
    let again = p.start().await;
    assert_ne!(
        started.param("state"),
        again.param("state"),
        "each sign-in has its own state. Read «{SECTION}»."
    );
    assert_ne!(
        started.param("code_challenge"),
        again.param("code_challenge"),
        "each sign-in has its own verifier. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_callback_exchanges_the_code_and_signs_the_user_in() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    let reply = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "a good callback exchanges the code (with the PKCE verifier) and redirects home; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        reply.header("location"),
        Some("/"),
        "tokens never travel in a URL: the redirect goes home with nothing in it. Read «{SECTION}»."
    );
    let session = reply
        .cookie_value(SESSION_COOKIE)
        .unwrap_or_else(|| panic!("a sign-in sets a session cookie. Read «{SECTION}»."));
    let removal = reply.set_cookie(PENDING_COOKIE).unwrap_or_default().to_ascii_lowercase();
    assert!(
        removal.contains("max-age=0") && removal.contains("secure"),
        "the pending sign-in is spent: its cookie is removed, with `Secure` (a browser ignores a `__Host-` cookie without it); got {removal:?}. Read «{SECTION}»."
    );
    let me = p
        .world
        .send(request(
            Request::get("/session/me").header(header::COOKIE, format!("{SESSION_COOKIE}={session}")),
            Body::empty(),
        ))
        .await;
    assert_eq!(me.status, StatusCode::OK, "the new session is signed in. Read «{SECTION}».");
    assert_eq!(
        me.json()["user"],
        "alice",
        "as the subject of the provider's access token. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_state_mismatch_is_refused_before_the_code_is_spent() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    let reply = p.callback(Some(&started.pending), "code-1", "attacker-state").await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a callback whose state is not the one this browser was given: 400 (CSRF on the callback). Read «{SECTION}»."
    );
    assert_eq!(p.token_calls().await, 0, "and the code is not even sent to the provider. Read «{SECTION}».");
}

#[tokio::test]
async fn the_state_is_compared_in_constant_time() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    // The app runs on this test's thread (a current-thread runtime), so its comparisons
    // are counted here and nowhere else.
    let before = comparisons_on_this_thread();
    let reply = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "a good callback signs the user in; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert!(
        comparisons_on_this_thread() > before,
        "the callback's state was checked without secrets::constant_time_eq: `==` stops at the \
         first byte that differs, and the time that takes leaks how much of a guessed state is \
         right. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_callback_this_browser_did_not_start_is_refused() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    // The attacker's own state and code, delivered to a victim who never started a sign-in.
    let reply = p.callback(None, "code-1", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a callback without this browser's pending sign-in: 400 (login CSRF). Read «{SECTION}»."
    );
    assert!(reply.set_cookie(SESSION_COOKIE).is_none(), "and no session. Read «{SECTION}».");
}

#[tokio::test]
async fn a_code_issued_for_another_verifier_is_refused() {
    let p = provider().await;
    let started = p.start().await;
    // A code the attacker obtained with a PKCE challenge of their own, injected into the
    // victim's callback: the provider sees the victim's verifier, which does not match.
    p.issue_code("stolen", &URL_SAFE_NO_PAD.encode(Sha256::digest(b"the attacker's own verifier")));
    let reply = p.callback(Some(&started.pending), "stolen", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "the provider refuses the exchange (PKCE verifier mismatch), and so does the callback: 400. Read «{SECTION}»."
    );
    assert!(reply.set_cookie(SESSION_COOKIE).is_none(), "no session. Read «{SECTION}».");
}

#[tokio::test]
async fn a_callback_works_once() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    let first = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        first.status,
        StatusCode::SEE_OTHER,
        "the first callback signs in; got {} ({}). Read «{SECTION}».",
        first.status,
        first.text()
    );
    let replay = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        replay.status,
        StatusCode::BAD_REQUEST,
        "the same callback replayed (from history, a log, a proxy): 400. Read «{SECTION}»."
    );
    assert_eq!(
        p.token_calls().await,
        1,
        "the code is exchanged once: the replay never reaches the provider. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_sign_in_left_pending_too_long_is_refused() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    p.world.clock.advance(PENDING_FOR);
    let reply = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a callback {PENDING_FOR:?} after the sign-in started is refused with 400: a pending sign-in (its state and verifier) is a secret with a lifetime, over when it has run out (`age < PENDING_FOR` is still pending, like a session's `now < expires_at`). Read «{SECTION}»."
    );
    assert_eq!(p.token_calls().await, 0, "and the code is not sent to the provider. Read «{SECTION}».");
}

#[tokio::test]
async fn a_callback_without_state_is_refused() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    // The attacker's link leaves `state` out, hoping that no state means no check.
    let reply = p
        .world
        .send(request(
            Request::get("/oauth/callback?code=code-1")
                .header(header::COOKIE, format!("{PENDING_COOKIE}={}", started.pending)),
            Body::empty(),
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a callback without `state` is a state mismatch: 400; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(p.token_calls().await, 0, "and the code is not sent to the provider. Read «{SECTION}».");
    assert!(reply.set_cookie(SESSION_COOKIE).is_none(), "no session. Read «{SECTION}».");
}

#[tokio::test]
async fn the_verifier_is_43_to_128_unreserved_characters() {
    let p = provider().await;
    let started = p.start().await;
    p.issue_code("code-1", started.param("code_challenge"));
    let reply = p.callback(Some(&started.pending), "code-1", started.param("state")).await;
    assert_eq!(
        reply.status,
        StatusCode::SEE_OTHER,
        "a good callback signs in; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let verifiers = p.endpoint.verifiers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    assert!(
        verifiers.len() == 1
            && verifiers.iter().all(|v| (43..=128).contains(&v.len()) && v.bytes().all(unreserved)),
        "the code_verifier is 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1: at least 256 bits of entropy as 43 base64url characters); providers refuse anything else. Got {verifiers:?}. Read «{SECTION}»."
    );
}
