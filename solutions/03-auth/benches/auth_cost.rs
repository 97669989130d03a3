//! What each check of chapter 03 costs per request, measured with criterion:
//! `cargo bench -p auth-solution`. The numbers are in book/03-auth/latency-budget.md.
//! In test mode (`cargo test --benches`, as CI runs it) each bench runs once.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use argon2::Params;
use auth_solution::clock::ManualClock;
use auth_solution::jwks::{JwksConfig, KeySet};
use auth_solution::jwt::{LEEWAY, TokenRules, VerificationKey, verify_with_key};
use auth_solution::password::PasswordHasher;
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde_json::json;

const KEYS: &str = "../../labs/03-auth/tests/lab/keys";
const NOW: u64 = 1_900_000_000;
const RSA_PRIVATE: &str = include_str!("../../../labs/03-auth/tests/lab/keys/idp-2026.key.pem");
const RSA_PUBLIC: &str = include_str!("../../../labs/03-auth/tests/lab/keys/idp-2026.pub.pem");
const ED_PRIVATE: &str = include_str!("../../../labs/03-auth/tests/lab/keys/ed25519.key.pem");
const ED_PUBLIC: &str = include_str!("../../../labs/03-auth/tests/lab/keys/ed25519.pub.pem");
const COMPONENTS: &str = include_str!("../../../labs/03-auth/tests/lab/keys/jwk-components.json");

fn rules() -> TokenRules {
    TokenRules { issuer: "https://idp.example".to_owned(), audience: "notes-api".to_owned(), leeway: LEEWAY }
}

fn claims() -> serde_json::Value {
    json!({ "sub": "alice", "iss": "https://idp.example", "aud": "notes-api", "exp": NOW + 300,
            "scope": "notes:read notes:write", "roles": ["writer"] })
}

/// A signed token and the key that verifies it, for one algorithm.
fn pair(algorithm: Algorithm) -> (String, VerificationKey) {
    let (signing, verifying) = match algorithm {
        Algorithm::HS256 => {
            let secret = b"a 256-bit secret shared by issuer and API!";
            (EncodingKey::from_secret(secret), DecodingKey::from_secret(secret))
        }
        Algorithm::RS256 => (
            EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()),
            DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()),
        ),
        _ => {
            (EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()), DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()))
        }
    };
    let (signing, verifying) = match (signing, verifying) {
        (Ok(s), Ok(v)) => (s, v),
        _ => panic!("the bench keys in {KEYS} do not load"),
    };
    let mut header = Header::new(algorithm);
    header.kid = Some("bench".to_owned());
    let token = jsonwebtoken::encode(&header, &claims(), &signing).unwrap_or_else(|e| panic!("{e}"));
    (token, VerificationKey { kid: "bench".to_owned(), algorithm, key: verifying })
}

// ANCHOR: jwt
fn jwt_verification(c: &mut Criterion) {
    let mut group = c.benchmark_group("jwt verify");
    for algorithm in [Algorithm::HS256, Algorithm::RS256, Algorithm::EdDSA] {
        let (token, key) = pair(algorithm);
        let rules = rules();
        assert!(
            verify_with_key(&token, &key, &rules, NOW).is_ok(),
            "the bench token of {algorithm:?} verifies"
        );
        group.bench_function(format!("{algorithm:?}"), |b| {
            b.iter(|| verify_with_key(black_box(&token), &key, &rules, NOW));
        });
    }
    group.finish();
}
// ANCHOR_END: jwt

fn jwks_cache_hit(c: &mut Criterion) {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap_or_else(|e| panic!("{e}"));
    let components: serde_json::Value = serde_json::from_str(COMPONENTS).unwrap_or_else(|e| panic!("{e}"));
    let jwk = json!({ "kty": "RSA", "kid": "idp-2026", "alg": "RS256",
                      "n": components["idp-2026"]["n"], "e": components["idp-2026"]["e"] });
    let (server, keys) = runtime.block_on(async {
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::path("/jwks"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_json(json!({ "keys": [jwk] })))
            .mount(&server)
            .await;
        let config = JwksConfig {
            url: format!("{}/jwks", server.uri()),
            refresh_floor: Duration::from_secs(60),
            max_age: Duration::from_secs(3600),
            algorithms: vec![Algorithm::RS256],
        };
        let keys = KeySet::new(config, reqwest::Client::new(), Arc::new(ManualClock::at(NOW)));
        assert!(keys.key("idp-2026").await.is_ok(), "the first lookup fetches the key");
        (server, keys)
    });
    c.bench_function("jwks cache hit", |b| b.to_async(&runtime).iter(|| keys.key(black_box("idp-2026"))));
    drop(server);
}

// ANCHOR: argon2
fn argon2_login(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id verify");
    group.sample_size(10);
    for (name, params) in [
        ("production m=19MiB t=2 p=1", Ok(Params::DEFAULT)),
        ("tests m=8KiB t=1 p=1", Params::new(8, 1, 1, None)),
    ] {
        let params = params.unwrap_or_else(|e| panic!("{e}"));
        let hasher = PasswordHasher::new(params).unwrap_or_else(|e| panic!("{e}"));
        let hash = hasher.hash("correct horse battery staple").unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(name, |b| {
            b.iter(|| hasher.verify(black_box("correct horse battery staple"), &hash))
        });
    }
    group.finish();
}
// ANCHOR_END: argon2

criterion_group!(benches, jwt_verification, jwks_cache_hit, argon2_login);
criterion_main!(benches);
