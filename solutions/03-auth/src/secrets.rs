//! Two small tools every step uses: unguessable tokens, and comparing secrets in
//! constant time.

use std::cell::Cell;

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
    COMPARISONS.with(|count| count.set(count.get() + 1));
    a.as_bytes().ct_eq(b.as_bytes()).into()
}
// ANCHOR_END: constant_time_eq

thread_local! {
    /// How many secrets this thread has compared with [`constant_time_eq`]. `==` gives
    /// the same verdicts and differs only in how long it takes, which no test can time
    /// reliably; so the lab's tests count instead. Per thread, so that tests running side
    /// by side never count each other's comparisons.
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

/// How many times [`constant_time_eq`] has run on this thread: for the lab's tests.
pub fn comparisons_on_this_thread() -> u64 {
    COMPARISONS.with(Cell::get)
}
