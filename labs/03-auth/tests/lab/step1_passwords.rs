//! Step 1: passwords. Read «Storing passwords».

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, Version};
use auth::password::{LoginFailed, PasswordHasher, UserStore, Verification};
use auth::rbac::Role;

use super::support::{ALICE_PASSWORD, cheap_hasher, cheap_params};

const SECTION: &str = "Storing passwords (book/03-auth/passwords.md)";

#[test]
fn a_hash_is_an_argon2id_phc_string_with_its_parameters() {
    let hasher = cheap_hasher();
    let hash = hasher.hash(ALICE_PASSWORD).unwrap_or_else(|e| panic!("hashing failed: {e}"));
    assert!(
        hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
        "a stored password is a PHC string naming argon2id, version 19 and the hasher's own parameters; got {hash:?}. Read «{SECTION}»."
    );
    assert!(!hash.contains(ALICE_PASSWORD), "the password must not appear in its hash. Read «{SECTION}».");
}

#[test]
fn the_same_password_hashes_differently_each_time() {
    let hasher = cheap_hasher();
    let (a, b) = (hasher.hash(ALICE_PASSWORD), hasher.hash(ALICE_PASSWORD));
    assert!(
        matches!((&a, &b), (Ok(a), Ok(b)) if a != b),
        "two hashes of one password must differ (a fresh random salt each time), or equal passwords show up as equal hashes; got {a:?} and {b:?}. Read «{SECTION}»."
    );
}

#[test]
fn verify_accepts_the_password_and_nothing_else() {
    let hasher = cheap_hasher();
    let hash = hasher.hash(ALICE_PASSWORD).unwrap_or_else(|e| panic!("hashing failed: {e}"));
    assert_eq!(
        hasher.verify(ALICE_PASSWORD, &hash),
        Verification::Valid,
        "the right password verifies, and a hash this hasher just made is `Valid`, not `ValidButOutdated`: compare m, t, p and the variant, not whole `Params` (a parsed hash's `Params` also carry its output length). Read «{SECTION}»."
    );
    for wrong in
        ["", "correct horse battery stapl", "Correct horse battery staple", "correct horse battery staple "]
    {
        assert_eq!(
            hasher.verify(wrong, &hash),
            Verification::Invalid,
            "{wrong:?} is not the password. Read «{SECTION}»."
        );
    }
}

#[test]
fn an_unreadable_stored_hash_is_a_failed_check_not_a_panic() {
    let hasher = cheap_hasher();
    for stored in [
        "",
        "plaintext",
        "$argon2id$v=19$m=8,t=1,p=1$garbage",
        "$2b$12$abcdefghijklmnopqrstuv",
        // A salt and no hash: nothing to compare with.
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ",
        // A salt and a hash, for another algorithm: argon2 cannot recompute it.
        "$scrypt$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
    ] {
        assert_eq!(
            hasher.verify(ALICE_PASSWORD, stored),
            Verification::Invalid,
            "a stored value that is no complete argon2 PHC string (an argon2 variant, its parameters, a salt and a hash: {stored:?}) verifies nothing. Read «{SECTION}»."
        );
    }
    assert_eq!(
        hasher.verifications(),
        0,
        "`verifications` counts argon2 runs, and a stored value argon2 cannot read or recompute (another algorithm, no salt, no hash) costs none: count where argon2 runs, not on entry to `verify`. Otherwise a login that checks an unknown user against an empty \"dummy\" looks as if it did the work, and answers in microseconds. Read «{SECTION}»."
    );
}

#[test]
fn production_parameters_are_the_owasp_minimum_by_default() {
    let hasher = PasswordHasher::default();
    let params = hasher.params();
    assert_eq!(
        (params.m_cost(), params.t_cost(), params.p_cost()),
        (19 * 1024, 2, 1),
        "the default hasher uses OWASP's minimum for argon2id: m = 19 MiB, t = 2, p = 1. Read «{SECTION}»."
    );
    let hash = hasher.hash(ALICE_PASSWORD).unwrap_or_else(|e| panic!("hashing failed: {e}"));
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "the default hasher's hashes carry the default parameters; got {hash:?}. Read «{SECTION}»."
    );
}

fn store_with_alice() -> UserStore {
    let users = UserStore::new(cheap_hasher());
    users.add("alice", ALICE_PASSWORD, &[Role::Writer]).unwrap_or_else(|e| panic!("adding alice: {e}"));
    users
}

#[test]
fn login_accepts_the_right_password() {
    let users = store_with_alice();
    let user = users.login("alice", ALICE_PASSWORD);
    assert!(
        matches!(&user, Ok(u) if u.username == "alice" && u.roles == [Role::Writer]),
        "alice logs in with her password; got {user:?}. Read «{SECTION}»."
    );
}

#[test]
fn an_unknown_user_and_a_wrong_password_look_the_same() {
    let users = store_with_alice();
    let wrong_password = users.login("alice", "hunter2");
    let unknown_user = users.login("mallory", "hunter2");
    assert_eq!(
        wrong_password.as_ref().err(),
        Some(&LoginFailed),
        "a wrong password fails. Read «{SECTION}»."
    );
    assert_eq!(
        unknown_user.as_ref().err(),
        Some(&LoginFailed),
        "an unknown user fails with the same error as a wrong password: a different answer tells an attacker which names exist. Read «{SECTION}»."
    );
}

#[test]
fn an_unknown_user_costs_one_argon2_run_like_a_wrong_password() {
    let users = store_with_alice();
    let before = users.hasher().verifications();
    let _ = users.login("alice", "hunter2");
    let wrong_password = users.hasher().verifications() - before;
    let _ = users.login("mallory", "hunter2");
    let unknown_user = users.hasher().verifications() - before - wrong_password;
    assert_eq!(
        (wrong_password, unknown_user),
        (1, 1),
        "every login runs argon2 exactly once, even for a user who does not exist; otherwise the answer for an unknown user comes back tens of milliseconds sooner, and the clock tells which names exist. Read «{SECTION}»."
    );
}

#[test]
fn any_other_parameter_or_variant_is_outdated() {
    let params = |m, t, p| Params::new(m, t, p, None).unwrap_or_else(|e| panic!("argon2 parameters: {e}"));
    let hasher = PasswordHasher::new(params(16, 2, 1)).unwrap_or_else(|e| panic!("a hasher: {e}"));
    let today = hasher.hash(ALICE_PASSWORD).unwrap_or_else(|e| panic!("hashing failed: {e}"));
    assert_eq!(
        hasher.verify(ALICE_PASSWORD, &today),
        Verification::Valid,
        "a hash with today's parameters is current: compare m, t, p and the variant, not whole `Params`. Read «{SECTION}»."
    );
    for (what, algorithm, old) in [
        ("another memory cost (m=32, today m=16)", Algorithm::Argon2id, params(32, 2, 1)),
        ("fewer passes (t=1, today t=2)", Algorithm::Argon2id, params(16, 1, 1)),
        ("another parallelism (p=2, today p=1)", Algorithm::Argon2id, params(16, 2, 2)),
        ("argon2i with today's parameters (today argon2id)", Algorithm::Argon2i, params(16, 2, 1)),
    ] {
        let stored = Argon2::new(algorithm, Version::V0x13, old)
            .hash_password_with_salt(ALICE_PASSWORD.as_bytes(), b"a-fixed-salt-for-tests")
            .unwrap_or_else(|e| panic!("hashing failed: {e}"))
            .to_string();
        assert_eq!(
            hasher.verify(ALICE_PASSWORD, &stored),
            Verification::ValidButOutdated,
            "a hash made with {what} verifies the right password but is not today's: every parameter (m, t, p) and the variant count, or that hash is never upgraded ({stored}). Read «{SECTION}»."
        );
    }
}

#[test]
fn an_outdated_hash_is_upgraded_at_login() {
    let old = PasswordHasher::new(Params::new(8, 2, 1, None).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("an old hasher: {e}"));
    let old_hash = old.hash(ALICE_PASSWORD).unwrap_or_else(|e| panic!("hashing failed: {e}"));
    let users = UserStore::new(cheap_hasher());
    users.add_with_hash("alice", &old_hash, &[Role::Writer]);

    assert!(users.login("alice", "hunter2").is_err(), "a wrong password still fails. Read «{SECTION}».");
    let stored = users.get("alice").map(|u| u.password_hash);
    assert_eq!(
        stored.as_deref(),
        Some(old_hash.as_str()),
        "a failed login changes nothing. Read «{SECTION}»."
    );

    assert!(
        users.login("alice", ALICE_PASSWORD).is_ok(),
        "an old hash still verifies the right password. Read «{SECTION}»."
    );
    let stored = users.get("alice").map(|u| u.password_hash).unwrap_or_default();
    let expected = format!(
        "$argon2id$v=19$m={},t={},p={}$",
        cheap_params().m_cost(),
        cheap_params().t_cost(),
        cheap_params().p_cost()
    );
    assert!(
        stored.starts_with(&expected),
        "after a successful login, a hash made with older parameters (t=2 here) is replaced by one with today's ({expected}...); got {stored:?}. Read «{SECTION}»."
    );
    assert_eq!(
        users.hasher().verify(ALICE_PASSWORD, &stored),
        Verification::Valid,
        "the upgraded hash verifies the password. Read «{SECTION}»."
    );
}
