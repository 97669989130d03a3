//! Step 3: the identity provider's keys, fetched from its JWKS document (RFC 7517),
//! picked by `kid`, cached, and refreshed when a key we do not know appears, at most
//! once per floor interval.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::clock::Clock;
use crate::jwt::{Claims, TokenError, TokenRules, VerificationKey, verify_with_key};

/// Where the keys are and how often they may be fetched.
#[derive(Clone, Debug)]
pub struct JwksConfig {
    pub url: String,
    /// The shortest time between two fetches caused by unknown `kid`s (a miss exactly
    /// `refresh_floor` after the last fetch may fetch again). Without it, an
    /// attacker sending tokens with random `kid`s turns this server into a tool that
    /// hammers the identity provider.
    pub refresh_floor: Duration,
    /// Keys fetched at least this long ago (exactly `max_age` counts) are fetched
    /// again on the next use, so that a key the provider withdrew stops being trusted.
    pub max_age: Duration,
    /// The algorithms this server accepts at all; a JWK naming another is ignored.
    pub algorithms: Vec<Algorithm>,
}

/// The cached keys and when they were fetched.
#[derive(Default)]
struct Cached {
    keys: HashMap<String, Arc<VerificationKey>>,
    fetched_at: Option<SystemTime>,
}

/// The identity provider's keys, as this server knows them.
pub struct KeySet {
    config: JwksConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    // A tokio Mutex, held across the fetch on purpose: a hundred requests with the new
    // `kid` arriving together cause one fetch, not a hundred.
    cached: tokio::sync::Mutex<Cached>,
}

impl KeySet {
    pub fn new(config: JwksConfig, http: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        Self { config, http, clock, cached: tokio::sync::Mutex::new(Cached::default()) }
    }

    // ANCHOR: fetch
    /// Fetches the JWKS document and keeps the keys this server can use: each needs a
    /// `kid` and an `alg` from the allowed list. The algorithm is taken from the JWK,
    /// which the provider published, never from a token.
    async fn fetch(&self) -> Result<HashMap<String, Arc<VerificationKey>>, TokenError> {
        let response =
            self.http.get(&self.config.url).send().await.map_err(|_| TokenError::KeysUnavailable)?;
        let set: JwkSet = response
            .error_for_status()
            .map_err(|_| TokenError::KeysUnavailable)?
            .json()
            .await
            .map_err(|_| TokenError::KeysUnavailable)?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), Some(alg)) = (&jwk.common.key_id, jwk.common.key_algorithm) else { continue };
            let Ok(algorithm) = Algorithm::try_from(alg) else { continue };
            if !self.config.algorithms.contains(&algorithm) {
                continue;
            }
            let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
            keys.insert(kid.clone(), Arc::new(VerificationKey { kid: kid.clone(), algorithm, key }));
        }
        Ok(keys)
    }
    // ANCHOR_END: fetch
}

// ANCHOR: key
impl KeySet {
    /// The key with this `kid`. A cache hit costs a lock and a map lookup. A miss, or
    /// a cache fetched at least `max_age` ago, fetches the document again, unless the
    /// last fetch is less than the floor ago: then an unknown `kid` is refused at once.
    /// Both limits include their boundary: exactly `max_age` or `refresh_floor` after
    /// the last fetch counts as passed (`>=`).
    pub async fn key(&self, kid: &str) -> Result<Arc<VerificationKey>, TokenError> {
        todo!(
            "step 3: answer from the cache; on a miss fetch the keys again, but not more often than the floor allows. Read book/03-auth/jwks.md"
        )
    }
}
// ANCHOR_END: key

/// Verifies bearer tokens: the `kid` from the header picks the key, the key decides
/// the algorithm, the rules decide the rest.
pub struct Authenticator {
    pub keys: KeySet,
    pub rules: TokenRules,
    pub clock: Arc<dyn Clock>,
}

// ANCHOR: authenticate
impl Authenticator {
    pub async fn authenticate(&self, token: &str) -> Result<Claims, TokenError> {
        todo!(
            "step 3: read the kid from the header, get its key, verify with it at the clock's time. Read book/03-auth/jwks.md"
        )
    }
}
// ANCHOR_END: authenticate
