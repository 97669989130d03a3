//! Step 3: keys by `kid` from a JWKS document, cached, rotated. Read «Keys that rotate».

use std::sync::Arc;
use std::time::Duration;

use auth::clock::ManualClock;
use auth::jwks::{Authenticator, JwksConfig, KeySet};
use auth::jwt::{LEEWAY, TokenError, TokenRules};
use jsonwebtoken::Algorithm;
use wiremock::MockServer;

use serde_json::json;

use super::support::{
    AUDIENCE, Signer, T0, claims, jwks_calls, mint, mint_with, rotate_keys, serve_keys, with,
};

const SECTION: &str = "Keys that rotate (book/03-auth/jwks.md)";
const FLOOR: Duration = Duration::from_secs(60);
const MAX_AGE: Duration = Duration::from_secs(3600);

struct Setup {
    idp: MockServer,
    clock: Arc<ManualClock>,
    auth: Authenticator,
}

async fn setup(keys: &[Signer]) -> Setup {
    let idp = MockServer::start().await;
    serve_keys(&idp, keys).await;
    let clock = Arc::new(ManualClock::at(T0));
    let config = JwksConfig {
        url: format!("{}/.well-known/jwks.json", idp.uri()),
        refresh_floor: FLOOR,
        max_age: MAX_AGE,
        algorithms: vec![Algorithm::RS256, Algorithm::EdDSA],
    };
    let keys = KeySet::new(config, reqwest::Client::new(), clock.clone());
    let rules = TokenRules { issuer: idp.uri(), audience: AUDIENCE.to_owned(), leeway: LEEWAY };
    let auth = Authenticator { keys, rules, clock: clock.clone() };
    Setup { idp, clock, auth }
}

impl Setup {
    fn token(&self, signer: Signer) -> String {
        mint(signer, &claims(&self.idp.uri()))
    }
}

#[tokio::test]
async fn the_key_is_picked_by_kid() {
    let s = setup(&[Signer::Idp2026, Signer::Ed25519]).await;
    for signer in [Signer::Idp2026, Signer::Ed25519] {
        let verdict = s.auth.authenticate(&s.token(signer)).await;
        assert!(
            matches!(&verdict, Ok(c) if c.sub == "alice"),
            "a token signed by the published key {:?} is accepted; got {verdict:?}. Read «{SECTION}».",
            signer.kid()
        );
    }
}

#[tokio::test]
async fn keys_are_fetched_once_and_cached() {
    let s = setup(&[Signer::Idp2026]).await;
    for _ in 0..5 {
        let verdict = s.auth.authenticate(&s.token(Signer::Idp2026)).await;
        assert!(verdict.is_ok(), "a good token is accepted; got {verdict:?}. Read «{SECTION}».");
    }
    assert_eq!(
        jwks_calls(&s.idp).await,
        1,
        "five tokens with a known kid cost one fetch of the JWKS document: the keys are cached. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_unknown_kid_refreshes_the_keys_and_rotation_works() {
    let s = setup(&[Signer::Idp2026]).await;
    assert!(
        s.auth.authenticate(&s.token(Signer::Idp2026)).await.is_ok(),
        "the current key works. Read «{SECTION}»."
    );
    s.clock.advance(FLOOR);
    rotate_keys(&s.idp, &[Signer::Idp2026, Signer::Idp2027]).await;
    let verdict = s.auth.authenticate(&s.token(Signer::Idp2027)).await;
    assert!(
        verdict.is_ok(),
        "after the provider publishes a new key, a token with its kid is accepted: an unknown kid makes the server fetch the keys again once the floor has passed, and exactly {FLOOR:?} after the last fetch counts (`>=`, not `>`); got {verdict:?}. Read «{SECTION}»."
    );
    assert_eq!(jwks_calls(&s.idp).await, 2, "one fetch at start, one for the new kid. Read «{SECTION}».");
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_floor() {
    let s = setup(&[Signer::Idp2026]).await;
    assert!(
        s.auth.authenticate(&s.token(Signer::Idp2026)).await.is_ok(),
        "the current key works. Read «{SECTION}»."
    );
    for n in 0..20 {
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(format!("random-{n}"));
        let forged = jsonwebtoken::encode(&header, &claims(&s.idp.uri()), &Signer::Attacker.encoding_key())
            .unwrap_or_else(|e| panic!("{e}"));
        let verdict = s.auth.authenticate(&forged).await;
        assert!(verdict.is_err(), "a token from an unknown key is refused. Read «{SECTION}».");
    }
    assert_eq!(
        jwks_calls(&s.idp).await,
        1,
        "twenty tokens with an unknown kid within {FLOOR:?} of the last fetch cause no new fetch: the floor stops an attacker from turning the service against the provider. Read «{SECTION}»."
    );
    s.clock.advance(FLOOR);
    let _ = s.auth.authenticate(&mint(Signer::Attacker, &claims(&s.idp.uri()))).await;
    assert_eq!(
        jwks_calls(&s.idp).await,
        2,
        "once the floor has passed, an unknown kid may fetch the keys again (exactly once); exactly {FLOOR:?} after the last fetch counts: `>=`, not `>`. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_rotation_inside_the_floor_waits_for_the_floor() {
    let s = setup(&[Signer::Idp2026]).await;
    assert!(
        s.auth.authenticate(&s.token(Signer::Idp2026)).await.is_ok(),
        "the current key works. Read «{SECTION}»."
    );
    rotate_keys(&s.idp, &[Signer::Idp2026, Signer::Idp2027]).await;
    s.clock.advance(FLOOR / 2);
    let early = s.auth.authenticate(&s.token(Signer::Idp2027)).await;
    assert_eq!(
        early.err(),
        Some(TokenError::UnknownKey),
        "{:?} after a fetch, a new kid is refused without fetching. Read «{SECTION}».",
        FLOOR / 2
    );
    s.clock.advance(FLOOR / 2);
    let later = s.auth.authenticate(&s.token(Signer::Idp2027)).await;
    assert!(
        later.is_ok(),
        "{FLOOR:?} after the last fetch the new kid triggers a fetch and is accepted, although a refusal came {:?} ago: the floor counts from the last fetch, not from the last refusal, or an attacker who sends an unknown kid now and then keeps a real rotation out for ever. Exactly {FLOOR:?} after the last fetch counts: `>=`, not `>`; got {later:?}. Read «{SECTION}».",
        FLOOR / 2
    );
}

#[tokio::test]
async fn a_key_the_provider_withdrew_stops_working_after_max_age() {
    let s = setup(&[Signer::Idp2026]).await;
    assert!(
        s.auth.authenticate(&s.token(Signer::Idp2026)).await.is_ok(),
        "the current key works. Read «{SECTION}»."
    );
    // The provider withdraws its 2026 key (it leaked) and signs with the 2027 one.
    rotate_keys(&s.idp, &[Signer::Idp2027]).await;
    s.clock.advance(MAX_AGE);
    let now = T0 + MAX_AGE.as_secs();
    let fresh = with(with(claims(&s.idp.uri()), "nbf", json!(now)), "exp", json!(now + 300));
    let withdrawn = s.auth.authenticate(&mint(Signer::Idp2026, &fresh)).await;
    assert!(
        withdrawn.is_err(),
        "{MAX_AGE:?} after the last fetch the cache is stale: the keys are fetched again, and a token signed with a key the provider no longer publishes is refused; got {withdrawn:?}. A cache that never expires, or that adds new keys to the old ones, trusts a leaked key for ever. Exactly {MAX_AGE:?} after the last fetch counts: `>=`, not `>`. Read «{SECTION}»."
    );
    assert_eq!(
        jwks_calls(&s.idp).await,
        2,
        "one fetch at start, one when the cache went stale (exactly {MAX_AGE:?} after the last fetch counts: `>=`, not `>`). Read «{SECTION}»."
    );
    let current = s.auth.authenticate(&mint(Signer::Idp2027, &fresh)).await;
    assert!(current.is_ok(), "the key the provider publishes now works; got {current:?}. Read «{SECTION}».");
}

#[tokio::test]
async fn simultaneous_tokens_with_a_new_kid_fetch_once() {
    let s = setup(&[Signer::Idp2026]).await;
    assert!(
        s.auth.authenticate(&s.token(Signer::Idp2026)).await.is_ok(),
        "the current key works. Read «{SECTION}»."
    );
    s.clock.advance(FLOOR);
    rotate_keys(&s.idp, &[Signer::Idp2026, Signer::Idp2027]).await;
    // Ten requests with the new kid arrive together: each one is polled until it waits
    // (for the lock, or for the provider) before any of them finishes.
    let token = s.token(Signer::Idp2027);
    let (a, b, c, d, e, f, g, h, i, j) = tokio::join!(
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
        s.auth.authenticate(&token),
    );
    let verdicts = [a, b, c, d, e, f, g, h, i, j];
    assert!(
        verdicts.iter().all(Result::is_ok),
        "ten simultaneous tokens with the new kid are all accepted ({FLOOR:?} after the last fetch, so the floor has passed: `>=`, not `>`); got {verdicts:?}. Read «{SECTION}»."
    );
    assert_eq!(
        jwks_calls(&s.idp).await,
        2,
        "ten simultaneous misses cost one fetch, not ten: hold the lock across the fetch, so the others wait for it and then find the key. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_token_without_kid_is_rejected() {
    let s = setup(&[Signer::Idp2026]).await;
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.kid = None;
    let token = jsonwebtoken::encode(&header, &claims(&s.idp.uri()), &Signer::Idp2026.encoding_key())
        .unwrap_or_else(|e| panic!("{e}"));
    let verdict = s.auth.authenticate(&token).await;
    assert!(
        verdict.is_err(),
        "a token that names no key is refused: guessing or trying every key is not verification; got {verdict:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_algorithm_comes_from_the_key_set_not_the_token() {
    let s = setup(&[Signer::Idp2026]).await;
    let token = mint_with(Signer::Idp2026, Algorithm::RS512, &claims(&s.idp.uri()));
    let verdict = s.auth.authenticate(&token).await;
    assert!(
        verdict.is_err(),
        "the JWK says RS256; a token signed by that key with RS512 is refused: the algorithm is the key's, not the token's. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn expiry_is_read_on_the_injected_clock() {
    let s = setup(&[Signer::Idp2026]).await;
    let token = s.token(Signer::Idp2026);
    assert!(s.auth.authenticate(&token).await.is_ok(), "valid at T0. Read «{SECTION}».");
    s.clock.advance(Duration::from_secs(300) + LEEWAY + Duration::from_secs(1));
    assert_eq!(
        s.auth.authenticate(&token).await.err(),
        Some(TokenError::Expired),
        "the authenticator checks exp against its clock: 5 min + leeway + 1 s later the token has expired. Read «{SECTION}»."
    );
}
