//! Step 2: verifying a JWT against one key. The server decides the algorithm, the
//! issuer and the audience; the token only gets to prove that it matches them.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::rbac::Role;

// ANCHOR: key
/// A public key the server trusts, with the one algorithm it is used with. The
/// algorithm belongs to the key, never to the token that claims to be signed by it.
pub struct VerificationKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub key: DecodingKey,
}
// ANCHOR_END: key

// ANCHOR: rules
/// How much clock skew between the identity provider and this server is forgiven,
/// for `exp` and `nbf` alike. Hosts synchronised by NTP differ by milliseconds; 30 s
/// covers a VM resumed from a pause, and is small beside a 5-minute access token.
pub const LEEWAY: Duration = Duration::from_secs(30);

/// What this server expects of every token.
#[derive(Clone, Debug)]
pub struct TokenRules {
    /// The `iss` of the identity provider.
    pub issuer: String,
    /// This API's own name, which must be in `aud`.
    pub audience: String,
    pub leeway: Duration,
}

/// The claims this API reads. `iss` and `aud` are checked by the validation, and
/// `exp` is a required field, so a token without it does not even deserialize.
#[derive(Clone, Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: u64,
    pub nbf: Option<u64>,
    /// OAuth scopes, space-separated (RFC 8693 §4.2).
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// Why a token was refused. The variants go to the log; every one of them means the
/// same to the client: 401, `invalid_token`, and one fixed `error_description`.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed or its signature does not verify")]
    Invalid,
    #[error("the token names no key, or a key this server does not know")]
    UnknownKey,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was not issued by the expected issuer")]
    WrongIssuer,
    #[error("the token is not meant for this API")]
    WrongAudience,
    #[error("the keys of the identity provider could not be fetched")]
    KeysUnavailable,
}
// ANCHOR_END: rules

// ANCHOR: verify_with_key
/// Verifies `token` with `key` against `rules`, at `now` (seconds since the epoch).
pub fn verify_with_key(
    token: &str,
    key: &VerificationKey,
    rules: &TokenRules,
    now: u64,
) -> Result<Claims, TokenError> {
    let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation(key, rules))
        .map_err(|e| to_token_error(&e))?
        .claims;
    check_times(&claims, rules.leeway.as_secs(), now)?;
    Ok(claims)
}

/// The validation jsonwebtoken runs: the key's algorithm and no other, `iss` and `aud`
/// present and equal to ours. Times are checked by [`check_times`] against the
/// injected clock, because jsonwebtoken reads the system clock.
fn validation(key: &VerificationKey, rules: &TokenRules) -> Validation {
    let mut validation = Validation::new(key.algorithm);
    validation.set_issuer(&[&rules.issuer]);
    validation.set_audience(&[&rules.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation
}

fn check_times(claims: &Claims, leeway: u64, now: u64) -> Result<(), TokenError> {
    if now > claims.exp.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

fn to_token_error(error: &jsonwebtoken::errors::Error) -> TokenError {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::MissingRequiredClaim(claim) if claim == "iss" => TokenError::WrongIssuer,
        ErrorKind::MissingRequiredClaim(claim) if claim == "aud" => TokenError::WrongAudience,
        _ => TokenError::Invalid,
    }
}
// ANCHOR_END: verify_with_key
