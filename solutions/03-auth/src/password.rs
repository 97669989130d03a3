//! Step 1: passwords. argon2id hashes stored as PHC strings, verified in constant time,
//! a login that does the same work for an unknown user as for a wrong password, and
//! hashes upgraded when their parameters are older than today's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use rand::RngCore;

use crate::rbac::Role;

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The result of checking a password against a stored hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// Wrong password, or a stored hash that cannot be read.
    Invalid,
    /// The right password, and the hash uses today's parameters.
    Valid,
    /// The right password, but the hash was made with other parameters: hash it again.
    ValidButOutdated,
}

// ANCHOR: hasher
/// argon2id with one set of parameters, and a count of the verifications it ran (the
/// tests read it to prove that every login costs one argon2 run).
pub struct PasswordHasher {
    params: Params,
    /// A hash of a password nobody knows, verified when the user does not exist so that
    /// an unknown user costs the same argon2 run as a wrong password.
    dummy_hash: String,
    verifications: AtomicU64,
}

impl PasswordHasher {
    /// A hasher with `params`. Tests use cheap ones; production uses [`Default`].
    pub fn new(params: Params) -> Result<Self, HashError> {
        let mut hasher = Self { params, dummy_hash: String::new(), verifications: AtomicU64::new(0) };
        hasher.dummy_hash = hasher.hash(&crate::secrets::random_token())?;
        Ok(hasher)
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// How many times `verify` has run argon2.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// The hash to verify against when there is no user: see [`UserStore::login`].
    pub fn dummy_hash(&self) -> &str {
        &self.dummy_hash
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }
}

impl Default for PasswordHasher {
    /// OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1), which is the argon2
    /// crate's default.
    fn default() -> Self {
        // The default parameters are valid by construction, and hashing a random
        // password with them only fails if the allocator does.
        Self::new(Params::DEFAULT).unwrap_or_else(|e| panic!("argon2 with its default parameters: {e}"))
    }
}
// ANCHOR_END: hasher

// ANCHOR: hash_verify
impl PasswordHasher {
    /// A PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`): the algorithm, its
    /// parameters and a fresh 16-byte salt travel with the hash, so verification needs
    /// nothing else and parameters can change without breaking old hashes.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let hash = self
            .argon2()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map_err(|e| HashError(e.to_string()))?;
        Ok(hash.to_string())
    }

    /// Checks `password` against a stored PHC string, with the parameters written in
    /// it. argon2 compares the computed and stored outputs in constant time.
    pub fn verify(&self, password: &str, stored: &str) -> Verification {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return Verification::Invalid;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return Verification::Invalid;
        };
        let argon2 = matches!(parsed.algorithm.as_str(), "argon2d" | "argon2i" | "argon2id");
        if !argon2 || parsed.salt.is_none() || parsed.hash.is_none() {
            return Verification::Invalid;
        }
        // Counted here, where argon2 runs, not on entry: a stored value it cannot read
        // costs nothing, and a login that "verifies" against one must not look as if it
        // had paid for an argon2 run.
        self.verifications.fetch_add(1, Ordering::Relaxed);
        if self.argon2().verify_password(password.as_bytes(), &parsed).is_err() {
            return Verification::Invalid;
        }
        let current = params.m_cost() == self.params.m_cost()
            && params.t_cost() == self.params.t_cost()
            && params.p_cost() == self.params.p_cost();
        let argon2id = parsed.algorithm.as_str() == "argon2id";
        if current && argon2id { Verification::Valid } else { Verification::ValidButOutdated }
    }
}
// ANCHOR_END: hash_verify

/// A user as the store keeps it.
#[derive(Clone, Debug)]
pub struct User {
    pub username: String,
    pub password_hash: String,
    pub roles: Vec<Role>,
}

/// Why a login failed. One variant on purpose: the caller cannot tell an unknown user
/// from a wrong password, so neither can the client.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown user or wrong password")]
pub struct LoginFailed;

/// The users, in memory.
pub struct UserStore {
    hasher: PasswordHasher,
    users: Mutex<HashMap<String, User>>,
}

impl UserStore {
    pub fn new(hasher: PasswordHasher) -> Self {
        Self { hasher, users: Mutex::new(HashMap::new()) }
    }

    pub fn hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// Adds a user with a password hashed now.
    pub fn add(&self, username: &str, password: &str, roles: &[Role]) -> Result<(), HashError> {
        let hash = self.hasher.hash(password)?;
        self.add_with_hash(username, &hash, roles);
        Ok(())
    }

    /// Adds a user whose hash was made elsewhere (an import, or an older deployment).
    pub fn add_with_hash(&self, username: &str, password_hash: &str, roles: &[Role]) {
        let user = User {
            username: username.to_owned(),
            password_hash: password_hash.to_owned(),
            roles: roles.to_vec(),
        };
        self.lock().insert(username.to_owned(), user);
    }

    /// The user's stored record, if any.
    pub fn get(&self, username: &str) -> Option<User> {
        self.lock().get(username).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, User>> {
        // Nothing in this crate panics while holding the lock; if something did, the map
        // is still a valid map.
        self.users.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

// ANCHOR: login
impl UserStore {
    /// Checks a user name and password. Exactly one argon2 verification runs whatever
    /// the outcome, so an unknown user takes as long as a wrong password; a right
    /// password whose hash has outdated parameters is hashed again with today's.
    /// Slow on purpose (tens of milliseconds): call it from `spawn_blocking`.
    pub fn login(&self, username: &str, password: &str) -> Result<User, LoginFailed> {
        let user = self.get(username);
        let stored = user.as_ref().map_or(self.hasher.dummy_hash(), |u| u.password_hash.as_str());
        let verification = self.hasher.verify(password, stored);
        let Some(mut user) = user else {
            return Err(LoginFailed);
        };
        match verification {
            Verification::Invalid => Err(LoginFailed),
            Verification::Valid => Ok(user),
            Verification::ValidButOutdated => {
                // The only moment the plain password is at hand: upgrade now. A failed
                // upgrade is no reason to refuse a correct password.
                if let Ok(upgraded) = self.hasher.hash(password) {
                    user.password_hash = upgraded;
                    self.lock().insert(user.username.clone(), user.clone());
                }
                Ok(user)
            }
        }
    }
}
// ANCHOR_END: login
