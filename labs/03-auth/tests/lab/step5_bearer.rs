//! Step 5: the bearer extractor and its answers (RFC 6750). Read «Bearer tokens».

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde_json::{Value, json};

use super::support::{
    IDP_2026_PUBLIC, Reply, Signer, T0, World, claims, forge, mint, mint_with, request, with, with_token,
};

const SECTION: &str = "Bearer tokens (book/03-auth/bearer.md)";

/// Asserts the status and the problem+json body; a failure points at the caller.
#[track_caller]
fn assert_problem(reply: &Reply, status: StatusCode, what: &str) {
    assert_eq!(
        reply.status,
        status,
        "{what}: expected {status}, got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{what}: the refusal is a problem document (RFC 9457). Read «{SECTION}»."
    );
}

#[track_caller]
fn challenge(reply: &Reply) -> String {
    reply.header("www-authenticate").unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_valid_token_reaches_the_handler() {
    let world = World::new().await;
    let reply = world
        .send(with_token("GET", "/api/me", Some(&world.token("alice", &["writer"], "notes:read"))))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a good token is let through; got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(reply.json()["sub"], "alice", "the handler sees the token's subject. Read «{SECTION}».");
}

#[tokio::test]
async fn no_token_gets_401_with_a_bare_challenge() {
    let world = World::new().await;
    let reply = world.send(with_token("GET", "/api/me", None)).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED, "a request without a token");
    let challenge = challenge(&reply);
    assert!(
        challenge.starts_with("Bearer") && !challenge.contains("error="),
        "a request without credentials gets `WWW-Authenticate: Bearer realm=...` and no error code (RFC 6750 §3.1); got {challenge:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn another_scheme_is_not_a_bearer_token() {
    let world = World::new().await;
    let basic = request(
        Request::get("/api/me").header(header::AUTHORIZATION, "Basic YWxpY2U6aHVudGVyMg=="),
        Body::empty(),
    );
    let reply = world.send(basic).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED, "Basic credentials on a bearer API");
    assert!(
        !challenge(&reply).contains("error="),
        "Basic credentials are no bearer token at all: a bare challenge. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_scheme_name_is_case_insensitive() {
    let world = World::new().await;
    let token = world.token("alice", &["writer"], "notes:read");
    let reply = world
        .send(request(
            Request::get("/api/me").header(header::AUTHORIZATION, format!("bearer {token}")),
            Body::empty(),
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "`bearer` in lower case is the same scheme (RFC 9110 §11.1); got {} ({}). Read «{SECTION}».",
        reply.status,
        reply.text()
    );
}

/// Every token a real attacker tries. Each must get 401 with `error="invalid_token"`.
fn attacks(world: &World) -> Vec<(&'static str, String)> {
    let good = claims(&world.issuer());
    let public = DecodingKey::from_rsa_pem(IDP_2026_PUBLIC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let secret = public.try_get_as_bytes().unwrap_or_else(|e| panic!("{e}")).to_vec();
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("idp-2026".to_owned());
    let admin = with(good.clone(), "roles", json!(["admin"]));
    let key_confusion = jsonwebtoken::encode(
        &hs_header,
        &admin,
        &EncodingKey::from_secret(&secret).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let genuine = mint(Signer::Idp2026, &good);
    let (unsigned, signature) = genuine.rsplit_once('.').unwrap_or_default();
    let (header_part, _) = unsigned.split_once('.').unwrap_or_default();
    let admin_payload = forge(&json!({}), &admin, b"").split('.').nth(1).unwrap_or_default().to_owned();
    vec![
        ("alg: none", forge(&json!({ "alg": "none", "kid": "idp-2026" }), &admin, b"")),
        ("HS256 signed with the RSA public key", key_confusion),
        ("expired beyond the leeway", mint(Signer::Idp2026, &with(good.clone(), "exp", json!(T0 - 31)))),
        ("nbf in the future", mint(Signer::Idp2026, &with(good.clone(), "nbf", json!(T0 + 120)))),
        ("wrong aud", mint(Signer::Idp2026, &with(good.clone(), "aud", json!("billing-api")))),
        ("missing aud", mint(Signer::Idp2026, &with(good.clone(), "aud", Value::Null))),
        ("wrong iss", mint(Signer::Idp2026, &with(good.clone(), "iss", json!("https://evil.example")))),
        ("missing iss", mint(Signer::Idp2026, &with(good.clone(), "iss", Value::Null))),
        ("unknown kid", mint(Signer::Idp2027, &good)),
        ("tampered payload, old signature", format!("{header_part}.{admin_payload}.{signature}")),
        ("stripped signature", format!("{unsigned}.")),
        ("another key set, known kid", {
            let mut h = Header::new(Algorithm::RS256);
            h.kid = Some("idp-2026".to_owned());
            jsonwebtoken::encode(&h, &good, &Signer::Attacker.encoding_key())
                .unwrap_or_else(|e| panic!("{e}"))
        }),
        ("another algorithm of the right key", mint_with(Signer::Idp2026, Algorithm::RS512, &good)),
        ("not a JWT at all", "hunter2".to_owned()),
    ]
}

#[tokio::test]
async fn the_attack_battery_gets_401_invalid_token() {
    let world = World::new().await;
    for (attack, token) in attacks(&world) {
        let reply = world.send(with_token("GET", "/api/me", Some(&token))).await;
        assert_problem(&reply, StatusCode::UNAUTHORIZED, attack);
        let challenge = challenge(&reply);
        assert!(
            challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
            "{attack}: 401 with `WWW-Authenticate: Bearer ..., error=\"invalid_token\"` (RFC 6750 §3.1); got {challenge:?}. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn every_bad_token_gets_the_same_answer() {
    let world = World::new().await;
    let mut answers = Vec::new();
    for (attack, token) in attacks(&world) {
        let reply = world.send(with_token("GET", "/api/me", Some(&token))).await;
        answers.push((attack, challenge(&reply), reply.json()["detail"].clone()));
    }
    let Some((first, challenge, detail)) = answers.first().cloned() else {
        return;
    };
    for (attack, other_challenge, other_detail) in &answers {
        assert!(
            (other_challenge, other_detail) == (&challenge, &detail),
            "every bad token gets the same challenge and the same problem detail, whatever check failed: the reason (the `TokenError`) goes to the log, the client sees one fixed sentence, or an attacker learns which check to work on next. {first}: {challenge:?} and {detail}; {attack}: {other_challenge:?} and {other_detail}. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn a_missing_scope_gets_403_insufficient_scope() {
    let world = World::new().await;
    let token = world.token("alice", &["writer"], "notes:read");
    let reply = world.send(with_token("POST", "/api/notes", Some(&token))).await;
    assert_problem(&reply, StatusCode::FORBIDDEN, "a writer whose token lacks the notes:write scope");
    let challenge = challenge(&reply);
    assert!(
        challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"notes:write\""),
        "403 with `WWW-Authenticate: Bearer ..., error=\"insufficient_scope\", scope=\"notes:write\"`: the token is good, the grant too small; got {challenge:?}. Read «{SECTION}»."
    );
    let allowed = world
        .send(with_token("POST", "/api/notes", Some(&world.token("alice", &["writer"], "notes:write"))))
        .await;
    assert_eq!(
        allowed.status,
        StatusCode::CREATED,
        "with the scope, the writer creates a note. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_scope_is_matched_whole_not_as_a_substring() {
    let world = World::new().await;
    for scope in ["notes:read notes:write-drafts", "notes:read notes:writer", "notes:read xnotes:write"] {
        let token = world.token("alice", &["writer"], scope);
        let reply = world.send(with_token("POST", "/api/notes", Some(&token))).await;
        assert_problem(
            &reply,
            StatusCode::FORBIDDEN,
            &format!("a writer whose token has the scopes {scope:?}, none of them notes:write"),
        );
        assert!(
            challenge(&reply).contains("error=\"insufficient_scope\""),
            "scopes are a space-separated list of names (RFC 6749 §3.3), compared whole: {scope:?} does not grant notes:write, whatever `contains` says. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn a_role_without_the_permission_gets_403_and_no_token_gets_401() {
    let world = World::new().await;
    let reader = world.token("rita", &["reader"], "notes:read notes:write");
    let reply = world.send(with_token("DELETE", "/api/notes/1", Some(&reader))).await;
    assert_problem(&reply, StatusCode::FORBIDDEN, "a reader deleting a note");
    let reply = world.send(with_token("DELETE", "/api/notes/1", None)).await;
    assert_problem(&reply, StatusCode::UNAUTHORIZED, "deleting a note without a token");
    let admin = world.token("ada", &["admin"], "notes:read");
    let reply = world.send(with_token("DELETE", "/api/notes/1", Some(&admin))).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_FOUND,
        "an admin passes the policy and reaches the handler (no note 1: 404). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn each_role_does_what_its_grants_say_on_real_notes() {
    let world = World::new().await;
    let health = world.send(with_token("GET", "/health", None)).await;
    assert!(
        health.status == StatusCode::OK && health.text() == "ok",
        "GET /health is public: no token, 200 \"ok\"; got {} ({}). Read «{SECTION}».",
        health.status,
        health.text()
    );
    let writer = world.token("alice", &["writer"], "notes:read notes:write");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = world.send(with_token("POST", "/api/notes", Some(&writer))).await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "a writer with notes:write creates a note; got {}. Read «{SECTION}».",
            created.text()
        );
        ids.push(created.json()["id"].as_u64().unwrap_or_default());
    }
    assert!(ids[0] != ids[1], "two notes get two ids; got {ids:?}. Read «{SECTION}».");
    let reader = world.token("rita", &["reader"], "notes:read notes:write");
    let listed = world.send(with_token("GET", "/api/notes", Some(&reader))).await;
    assert!(
        listed.status == StatusCode::OK && listed.json().as_array().is_some_and(|notes| notes.len() == 2),
        "a reader lists the two notes the writer created; got {} ({}). Read «{SECTION}».",
        listed.status,
        listed.text()
    );
    let uri = format!("/api/notes/{}", ids[0]);
    let refused = world.send(with_token("DELETE", &uri, Some(&reader))).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "a reader deleting a note that exists");
    let admin = world.token("ada", &["admin"], "notes:read");
    let deleted = world.send(with_token("DELETE", &uri, Some(&admin))).await;
    assert_eq!(
        deleted.status,
        StatusCode::NO_CONTENT,
        "an admin deletes the note: 204; got {} ({}). Read «{SECTION}».",
        deleted.status,
        deleted.text()
    );
    let again = world.send(with_token("DELETE", &uri, Some(&admin))).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a deleted note is gone: 404. Read «{SECTION}».");
    let left = world.send(with_token("GET", "/api/notes", Some(&reader))).await;
    assert!(
        left.json().as_array().is_some_and(|notes| notes.len() == 1 && notes[0]["id"] == ids[1]),
        "the other note is still there; got {}. Read «{SECTION}».",
        left.text()
    );
}
