//! Two small tools every step uses: unguessable tokens, and comparing secrets in
//! constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use subtle::ConstantTimeEq;

// ANCHOR: random_token
/// 32 bytes from the operating system's CSPRNG (through `rand`'s thread RNG, which is
/// seeded from it), as 43 base64url characters: session ids, CSRF tokens, `state`, PKCE
/// verifiers. 256 bits cannot be guessed or enumerated.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
// ANCHOR_END: random_token

// ANCHOR: constant_time_eq
/// Compares two secrets in time that depends on their length only, never on where
/// they first differ. `==` on strings stops at the first different byte, and the time
/// that takes, measured over many tries, tells an attacker how much of a guess is right.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
// ANCHOR_END: constant_time_eq
