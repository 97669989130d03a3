//! What the steps share: fixed test keys, tokens minted with them, an identity provider
//! played by wiremock on 127.0.0.1, the service in front of it on a clock that moves
//! only when told to, and requests sent to the service in-process.

use std::sync::Arc;

use argon2::Params;
use auth::clock::ManualClock;
use auth::password::{PasswordHasher, UserStore};
use auth::rbac::Role;
use auth::{AppState, AuthConfig, app};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The moment every test starts at: 2030-03-17, seconds since the epoch.
pub const T0: u64 = 1_900_000_000;

/// The audience this API answers to (`AuthConfig::for_provider`).
pub const AUDIENCE: &str = "notes-api";

/// The service's own origin, for the OAuth redirect URI.
pub const APP: &str = "https://notes.example";

// Keys generated once with `openssl genpkey` and committed: generating RSA keys at
// test time would cost seconds. They protect nothing but these tests.
pub const IDP_2026_PRIVATE: &str = include_str!("keys/idp-2026.key.pem");
pub const IDP_2026_PUBLIC: &str = include_str!("keys/idp-2026.pub.pem");
pub const IDP_2027_PRIVATE: &str = include_str!("keys/idp-2027.key.pem");
pub const ATTACKER_PRIVATE: &str = include_str!("keys/attacker.key.pem");
pub const ED25519_PRIVATE: &str = include_str!("keys/ed25519.key.pem");
const COMPONENTS: &str = include_str!("keys/jwk-components.json");

/// A signing key of the tests, with the `kid` the identity provider publishes it under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
    /// The provider's current key.
    Idp2026,
    /// The key the provider rotates to.
    Idp2027,
    /// A key the provider never published.
    Attacker,
    /// An Ed25519 key the provider publishes for EdDSA.
    Ed25519,
}

impl Signer {
    pub fn kid(self) -> &'static str {
        match self {
            Signer::Idp2026 => "idp-2026",
            Signer::Idp2027 => "idp-2027",
            Signer::Attacker => "attacker",
            Signer::Ed25519 => "ed-2026",
        }
    }

    pub fn encoding_key(self) -> EncodingKey {
        let key = match self {
            Signer::Idp2026 => EncodingKey::from_rsa_pem(IDP_2026_PRIVATE.as_bytes()),
            Signer::Idp2027 => EncodingKey::from_rsa_pem(IDP_2027_PRIVATE.as_bytes()),
            Signer::Attacker => EncodingKey::from_rsa_pem(ATTACKER_PRIVATE.as_bytes()),
            Signer::Ed25519 => EncodingKey::from_ed_pem(ED25519_PRIVATE.as_bytes()),
        };
        key.unwrap_or_else(|e| panic!("the test key {self:?} does not load: {e}"))
    }

    /// The key as a JWK, as the provider publishes it.
    pub fn jwk(self) -> Value {
        let components: Value =
            serde_json::from_str(COMPONENTS).unwrap_or_else(|e| panic!("jwk-components.json: {e}"));
        let name = match self {
            Signer::Idp2026 => "idp-2026",
            Signer::Idp2027 => "idp-2027",
            Signer::Attacker => "attacker",
            Signer::Ed25519 => "ed25519",
        };
        let c = &components[name];
        match self {
            Signer::Ed25519 => {
                json!({ "kty": "OKP", "crv": "Ed25519", "x": c["x"], "kid": self.kid(), "alg": "EdDSA", "use": "sig" })
            }
            _ => {
                json!({ "kty": "RSA", "n": c["n"], "e": c["e"], "kid": self.kid(), "alg": "RS256", "use": "sig" })
            }
        }
    }
}

/// The claims of a good token from the provider at `issuer`, valid from T0 for 5 minutes.
pub fn claims(issuer: &str) -> Value {
    json!({
        "sub": "alice",
        "iss": issuer,
        "aud": AUDIENCE,
        "iat": T0,
        "nbf": T0,
        "exp": T0 + 300,
        "scope": "notes:read notes:write",
        "roles": ["writer"],
    })
}

/// A token signed by `signer` with `algorithm`, with `kid` in its header.
pub fn mint_with(signer: Signer, algorithm: Algorithm, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(signer.kid().to_owned());
    jsonwebtoken::encode(&header, claims, &signer.encoding_key())
        .unwrap_or_else(|e| panic!("minting a test token: {e}"))
}

/// A token signed by `signer` with its usual algorithm.
pub fn mint(signer: Signer, claims: &Value) -> String {
    let algorithm = if signer == Signer::Ed25519 { Algorithm::EdDSA } else { Algorithm::RS256 };
    mint_with(signer, algorithm, claims)
}

/// `claims` with `key` set to `value` (or removed, if `value` is null).
pub fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if let Some(map) = claims.as_object_mut() {
        if value.is_null() {
            map.remove(key);
        } else {
            map.insert(key.to_owned(), value);
        }
    }
    claims
}

/// A token made by hand from JSON header and claims and a raw signature.
pub fn forge(header: &Value, claims: &Value, signature: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("{}.{}.{}", b64.encode(header.to_string()), b64.encode(claims.to_string()), b64.encode(signature))
}

/// Argon2 parameters cheap enough for tests (8 KiB, one pass): the same code path as
/// production, a thousand times faster. One test proves production uses the defaults.
pub fn cheap_params() -> Params {
    Params::new(8, 1, 1, None).unwrap_or_else(|e| panic!("cheap argon2 parameters: {e}"))
}

pub fn cheap_hasher() -> PasswordHasher {
    PasswordHasher::new(cheap_params()).unwrap_or_else(|e| panic!("a cheap hasher: {e}"))
}

pub const ALICE_PASSWORD: &str = "correct horse battery staple";

/// The identity provider: serves `keys` as its JWKS document.
pub async fn serve_keys(idp: &MockServer, keys: &[Signer]) {
    let jwks = json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() });
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks))
        .named("jwks")
        .mount(idp)
        .await;
}

/// Replaces the provider's JWKS document (a key rotation), keeping the call history.
pub async fn rotate_keys(idp: &MockServer, keys: &[Signer]) {
    let jwks = json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() });
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jwks))
        .with_priority(1)
        .mount(idp)
        .await;
}

/// How many requests the provider has received on `route`.
pub async fn calls_to(idp: &MockServer, route: &str) -> usize {
    idp.received_requests().await.map_or(0, |r| r.iter().filter(|r| r.url.path() == route).count())
}

pub async fn jwks_calls(idp: &MockServer) -> usize {
    calls_to(idp, "/.well-known/jwks.json").await
}

/// The service, its state, its clock, and the provider it trusts.
pub struct World {
    pub idp: MockServer,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub router: Router,
}

impl World {
    /// A provider that publishes the 2026 key and the Ed25519 key, and a service with
    /// three users: alice (writer), rita (reader) and ada (admin).
    pub async fn new() -> Self {
        let idp = MockServer::start().await;
        serve_keys(&idp, &[Signer::Idp2026, Signer::Ed25519]).await;
        let clock = Arc::new(ManualClock::at(T0));
        let users = UserStore::new(cheap_hasher());
        for (name, role) in [("alice", Role::Writer), ("rita", Role::Reader), ("ada", Role::Admin)] {
            users.add(name, ALICE_PASSWORD, &[role]).unwrap_or_else(|e| panic!("adding {name}: {e}"));
        }
        let state = AppState::new(AuthConfig::for_provider(&idp.uri(), APP), users, clock.clone());
        let router = app(state.clone());
        Self { idp, state, clock, router }
    }

    /// The provider's issuer name.
    pub fn issuer(&self) -> String {
        self.idp.uri()
    }

    /// A good token for `sub` with `roles` and `scope`, signed with the current key.
    pub fn token(&self, sub: &str, roles: &[&str], scope: &str) -> String {
        let claims = with(
            with(with(claims(&self.issuer()), "sub", json!(sub)), "roles", json!(roles)),
            "scope",
            json!(scope),
        );
        mint(Signer::Idp2026, &claims)
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }
}

/// A request builder result, or a panic that names the test's own mistake.
#[track_caller]
pub fn request(builder: axum::http::request::Builder, body: Body) -> Request<Body> {
    builder.body(body).unwrap_or_else(|e| panic!("bad test request: {e}"))
}

/// `method uri` with a bearer token, if any.
pub fn with_token(method: &str, uri: &str, token: Option<&str>) -> Request<Body> {
    let mut builder =
        Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = if method == "POST" { Body::from(r#"{"text":"hello"}"#) } else { Body::empty() };
    request(builder, body)
}

/// A response with its body read.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected JSON, got {:?} ({e})", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The `Set-Cookie` header that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value `Set-Cookie` gives to `name`, if any.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let cookie = self.set_cookie(name)?;
        let value = cookie.split(';').next()?.split_once('=')?.1.to_owned();
        Some(value)
    }
}

/// Sends `request` to `router` in-process.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|e| panic!("the body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}
