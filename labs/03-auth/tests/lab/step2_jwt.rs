//! Step 2: verifying a JWT against a key the server chose. Read «Verifying a JWT».

use auth::jwt::{LEEWAY, TokenError, TokenRules, VerificationKey, verify_with_key};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde_json::{Value, json};

use super::support::{IDP_2026_PUBLIC, Signer, T0, claims, forge, mint, mint_with, with};

const SECTION: &str = "Verifying a JWT (book/03-auth/jwt.md)";
const ISSUER: &str = "https://idp.example";

fn key() -> VerificationKey {
    let key =
        DecodingKey::from_rsa_pem(IDP_2026_PUBLIC.as_bytes()).unwrap_or_else(|e| panic!("the test key: {e}"));
    VerificationKey { kid: Signer::Idp2026.kid().to_owned(), algorithm: Algorithm::RS256, key }
}

fn rules() -> TokenRules {
    TokenRules { issuer: ISSUER.to_owned(), audience: super::support::AUDIENCE.to_owned(), leeway: LEEWAY }
}

fn good() -> Value {
    claims(ISSUER)
}

/// Asserts that `token` is refused at `now`, and says which attack it was. A failure
/// points at the attack's line, not at this helper.
#[track_caller]
fn assert_rejected(token: &str, now: u64, attack: &str) {
    let verdict = verify_with_key(token, &key(), &rules(), now);
    assert!(
        verdict.is_err(),
        "{attack}: this token must be rejected, and it was accepted ({verdict:?}). Read «{SECTION}»."
    );
}

#[test]
fn a_good_token_is_accepted_with_its_claims() {
    let verdict = verify_with_key(&mint(Signer::Idp2026, &good()), &key(), &rules(), T0 + 10);
    assert!(
        matches!(&verdict, Ok(c) if c.sub == "alice" && c.scope == "notes:read notes:write"),
        "a token signed with the key, with the right iss and aud, inside its lifetime, is accepted; got {verdict:?}. Read «{SECTION}»."
    );
}

#[test]
fn alg_none_is_rejected() {
    let header = json!({ "alg": "none", "typ": "JWT", "kid": "idp-2026" });
    assert_rejected(&forge(&header, &good(), b""), T0, "an unsigned token (alg: none, RFC 7519 §6)");
}

#[test]
fn hs256_signed_with_the_public_key_is_rejected() {
    // The classic key confusion (CVE-2015-9235): the public key is public, so the
    // attacker uses its bytes as an HMAC secret and sets alg to HS256.
    let public = DecodingKey::from_rsa_pem(IDP_2026_PUBLIC.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let secret = public.try_get_as_bytes().unwrap_or_else(|e| panic!("{e}")).to_vec();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("idp-2026".to_owned());
    let forged = jsonwebtoken::encode(
        &header,
        &with(good(), "roles", json!(["admin"])),
        &EncodingKey::from_secret(&secret).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_rejected(
        &forged,
        T0,
        "HS256 signed with the RSA public key as the HMAC secret (algorithm confusion)",
    );
}

#[test]
fn another_algorithm_than_the_keys_is_rejected() {
    // Signed by the right key, but with an algorithm the server never agreed to use.
    let token = mint_with(Signer::Idp2026, Algorithm::PS384, &good());
    assert_rejected(&token, T0, "a token whose header names PS384 for a key the server uses with RS256");
}

#[test]
fn a_token_expired_beyond_the_leeway_is_rejected() {
    let token = mint(Signer::Idp2026, &good());
    let exp = T0 + 300;
    assert_rejected(&token, exp + 31, "a token that expired 31 s ago (more than the 30 s leeway)");
    assert_rejected(&token, exp + 86_400, "a token that expired a day ago");
}

#[test]
fn the_leeway_forgives_a_little_clock_skew() {
    let token = mint(Signer::Idp2026, &good());
    let verdict = verify_with_key(&token, &key(), &rules(), T0 + 300 + 29);
    assert!(
        verdict.is_ok(),
        "29 s after `exp` is inside the 30 s leeway for clock skew, and is accepted; got {verdict:?}. Read «{SECTION}»."
    );
    assert_eq!(
        LEEWAY.as_secs(),
        30,
        "the leeway is 30 s: enough for clock skew, small beside the token's lifetime. Read «{SECTION}»."
    );
}

#[test]
fn the_leeway_includes_its_last_second() {
    let at_exp = verify_with_key(&mint(Signer::Idp2026, &good()), &key(), &rules(), T0 + 300 + 30);
    assert!(
        at_exp.is_ok(),
        "exactly 30 s after `exp` is still inside the leeway (now <= exp + leeway): expired means `now > exp + leeway`, not `>=`; got {at_exp:?}. Read «{SECTION}»."
    );
    let nbf = mint(Signer::Idp2026, &with(good(), "nbf", json!(T0 + 30)));
    let at_nbf = verify_with_key(&nbf, &key(), &rules(), T0);
    assert!(
        at_nbf.is_ok(),
        "a token valid in exactly 30 s is inside the leeway (nbf <= now + leeway): not yet valid means `nbf > now + leeway`, not `>=`; got {at_nbf:?}. Read «{SECTION}»."
    );
}

#[test]
fn a_token_without_exp_is_rejected() {
    assert_rejected(
        &mint(Signer::Idp2026, &with(good(), "exp", Value::Null)),
        T0,
        "a token without exp (it would never expire)",
    );
}

#[test]
fn nbf_in_the_future_is_rejected() {
    let token = mint(Signer::Idp2026, &with(good(), "nbf", json!(T0 + 120)));
    assert_rejected(&token, T0, "a token that is not valid for another 2 minutes (nbf)");
    let just_beyond = mint(Signer::Idp2026, &with(good(), "nbf", json!(T0 + 31)));
    assert_rejected(
        &just_beyond,
        T0,
        "a token valid only in 31 s (nbf beyond the 30 s leeway: the leeway is added once, to `now`)",
    );
    let within =
        verify_with_key(&mint(Signer::Idp2026, &with(good(), "nbf", json!(T0 + 29))), &key(), &rules(), T0);
    assert!(
        within.is_ok(),
        "a token valid in 29 s is inside the 30 s leeway, like `exp`: the issuer's clock may be a little ahead of ours; got {within:?}. Read «{SECTION}»."
    );
}

#[test]
fn a_wrong_audience_is_rejected() {
    let token = mint(Signer::Idp2026, &with(good(), "aud", json!("billing-api")));
    assert_rejected(&token, T0, "a token for another API (aud: billing-api)");
}

#[test]
fn a_missing_audience_is_rejected() {
    assert_rejected(
        &mint(Signer::Idp2026, &with(good(), "aud", Value::Null)),
        T0,
        "a token without aud (meant for any API)",
    );
}

#[test]
fn a_wrong_issuer_is_rejected() {
    let token = mint(Signer::Idp2026, &with(good(), "iss", json!("https://idp.example.evil")));
    assert_rejected(&token, T0, "a token from another issuer");
}

#[test]
fn a_missing_issuer_is_rejected() {
    assert_rejected(&mint(Signer::Idp2026, &with(good(), "iss", Value::Null)), T0, "a token without iss");
}

#[test]
fn each_refusal_names_its_reason() {
    let good = good();
    for (what, claims, now, expected) in [
        ("a token that expired a minute ago", good.clone(), T0 + 360, TokenError::Expired),
        (
            "a token valid only in 2 minutes",
            with(good.clone(), "nbf", json!(T0 + 120)),
            T0,
            TokenError::NotYetValid,
        ),
        (
            "a token from another issuer",
            with(good.clone(), "iss", json!("https://evil.example")),
            T0,
            TokenError::WrongIssuer,
        ),
        ("a token without iss", with(good.clone(), "iss", Value::Null), T0, TokenError::WrongIssuer),
        (
            "a token for another API",
            with(good.clone(), "aud", json!("billing-api")),
            T0,
            TokenError::WrongAudience,
        ),
        ("a token without aud", with(good.clone(), "aud", Value::Null), T0, TokenError::WrongAudience),
        ("a token without exp", with(good.clone(), "exp", Value::Null), T0, TokenError::Invalid),
    ] {
        let verdict = verify_with_key(&mint(Signer::Idp2026, &claims), &key(), &rules(), now);
        assert_eq!(
            verdict.as_ref().err(),
            Some(&expected),
            "{what} is refused with `TokenError::{expected:?}`: the client sees one answer for every bad token, but the log must say which check failed (a missing claim counts as a wrong one: no iss is `WrongIssuer`, no aud `WrongAudience`; anything else is `Invalid`); got {verdict:?}. Read «{SECTION}»."
        );
    }
}

#[test]
fn a_tampered_payload_with_the_old_signature_is_rejected() {
    let token = mint(Signer::Idp2026, &good());
    let parts: Vec<&str> = token.split('.').collect();
    let admin = forge(&json!({}), &with(good(), "roles", json!(["admin"])), b"");
    let tampered_payload = admin.split('.').nth(1).unwrap_or_default();
    let tampered = format!("{}.{}.{}", parts[0], tampered_payload, parts[2]);
    assert_rejected(&tampered, T0, "a payload changed to roles: [admin], with the original signature");
}

#[test]
fn a_stripped_signature_is_rejected() {
    let token = mint(Signer::Idp2026, &good());
    let (unsigned, _) = token.rsplit_once('.').unwrap_or_default();
    assert_rejected(&format!("{unsigned}."), T0, "a token with its signature cut off (header.payload.)");
    assert_rejected(unsigned, T0, "a token with no signature part at all (header.payload)");
}

#[test]
fn a_token_from_another_key_is_rejected() {
    // Same kid, same claims, signed with a key the provider never published.
    assert_rejected(&mint(Signer::Attacker, &good()), T0, "a token signed by another key set");
}
