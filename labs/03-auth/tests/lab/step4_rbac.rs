//! Step 4: authorization as pure functions, deny by default. Read «Who may do what».

use auth::bearer::Principal;
use auth::rbac::{
    ALL_PERMISSIONS, ALL_ROLES, Decision, Permission, Policy, Role, authorize, permits, policy_for,
};
use axum::http::Method;
use proptest::prelude::*;

const SECTION: &str = "Who may do what (book/03-auth/authorization.md)";

fn principal(roles: &[Role]) -> Principal {
    Principal { subject: "alice".to_owned(), scopes: vec![], roles: roles.to_vec() }
}

#[test]
fn each_role_grants_what_the_table_says() {
    let cases = [
        (Role::Reader, Permission::ReadNotes, true),
        (Role::Reader, Permission::WriteNotes, false),
        (Role::Reader, Permission::DeleteNotes, false),
        (Role::Writer, Permission::ReadNotes, true),
        (Role::Writer, Permission::WriteNotes, true),
        (Role::Writer, Permission::DeleteNotes, false),
        (Role::Admin, Permission::DeleteNotes, true),
    ];
    for (role, permission, expected) in cases {
        assert_eq!(
            permits(&[role], permission),
            expected,
            "{role:?} {} {permission:?} (see `grants`). Read «{SECTION}».",
            if expected { "has" } else { "does not have" }
        );
    }
}

fn roles() -> impl Strategy<Value = Vec<Role>> {
    proptest::collection::vec(proptest::sample::select(ALL_ROLES.to_vec()), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_role_never_removes_a_permission(roles in roles(), extra in proptest::sample::select(ALL_ROLES.to_vec())) {
        let mut more = roles.clone();
        more.push(extra);
        for permission in ALL_PERMISSIONS {
            prop_assert!(
                !permits(&roles, permission) || permits(&more, permission),
                "{roles:?} has {permission:?} but {more:?} does not: adding a role must never take a permission away. Read «{SECTION}»."
            );
        }
    }

    #[test]
    fn permissions_come_only_from_roles(roles in roles()) {
        for permission in ALL_PERMISSIONS {
            let granted_by_some_role = roles.iter().any(|r| permits(&[*r], permission));
            prop_assert_eq!(
                permits(&roles, permission),
                granted_by_some_role,
                "{:?} with {:?}: a set of roles grants exactly what its members grant, nothing more. Read «{}».", roles, permission, SECTION
            );
        }
    }
}

#[test]
fn no_role_grants_nothing() {
    for permission in ALL_PERMISSIONS {
        assert!(!permits(&[], permission), "no role, no {permission:?}: deny by default. Read «{SECTION}».");
    }
}

#[test]
fn a_route_without_a_policy_is_denied_to_everyone() {
    for who in [None, Some(principal(&[Role::Admin]))] {
        assert_eq!(
            authorize(None, who.as_ref()),
            Decision::Forbidden,
            "a route nobody wrote a policy for is forbidden, even to an admin: a forgotten policy must fail closed. Read «{SECTION}»."
        );
    }
}

#[test]
fn authorize_tells_401_from_403() {
    let reader = principal(&[Role::Reader]);
    let needs_write = Some(Policy::Requires(Permission::WriteNotes));
    assert_eq!(
        authorize(Some(Policy::Public), None),
        Decision::Allow,
        "public routes need no token. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(Some(Policy::Authenticated), None),
        Decision::Unauthenticated,
        "no identity: 401 (log in), not 403. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(needs_write, None),
        Decision::Unauthenticated,
        "no identity on a route that needs a permission: still 401, the client has not said who it is. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(Some(Policy::Authenticated), Some(&reader)),
        Decision::Allow,
        "any identity passes `Authenticated`. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(needs_write, Some(&reader)),
        Decision::Forbidden,
        "a known reader asking to write: 403, trying again will not help. Read «{SECTION}»."
    );
    assert_eq!(
        authorize(needs_write, Some(&principal(&[Role::Writer]))),
        Decision::Allow,
        "a writer may write. Read «{SECTION}»."
    );
}

// ANCHOR: every_route
#[test]
fn every_route_has_a_policy() {
    let routes = auth::routes();
    assert!(routes.len() >= 5, "the route table lists every API route; got {routes:?}. Read «{SECTION}».");
    let missing: Vec<String> = routes
        .iter()
        .filter(|(method, path)| policy_for(method, path).is_none())
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "these routes have no policy in `policy_for`, so every request to them is refused: {missing:?}. Read «{SECTION}»."
    );
}
// ANCHOR_END: every_route

#[test]
fn the_policies_of_the_notes_api() {
    let expected = [
        (Method::GET, "/health", Policy::Public),
        (Method::GET, "/api/me", Policy::Authenticated),
        (Method::GET, "/api/notes", Policy::Requires(Permission::ReadNotes)),
        (Method::POST, "/api/notes", Policy::Requires(Permission::WriteNotes)),
        (Method::DELETE, "/api/notes/{id}", Policy::Requires(Permission::DeleteNotes)),
    ];
    for (method, path, policy) in expected {
        assert_eq!(
            policy_for(&method, path),
            Some(policy),
            "the policy of {method} {path}. Read «{SECTION}»."
        );
    }
    assert_eq!(
        policy_for(&Method::PUT, "/api/notes"),
        None,
        "a method without a policy has none (no wildcard). Read «{SECTION}»."
    );
}
