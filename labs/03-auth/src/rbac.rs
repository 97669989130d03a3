//! Step 4: authorization as pure functions. Roles grant permissions; every route has a
//! policy; anything not explicitly allowed is denied.

use axum::http::Method;
use serde::{Deserialize, Serialize};

use crate::bearer::Principal;

// ANCHOR: roles
/// What a user is, as the identity provider puts it in the token's `roles` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Reader,
    Writer,
    Admin,
}

/// What a request may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    ReadNotes,
    WriteNotes,
    DeleteNotes,
}

pub const ALL_ROLES: [Role; 3] = [Role::Reader, Role::Writer, Role::Admin];
pub const ALL_PERMISSIONS: [Permission; 3] =
    [Permission::ReadNotes, Permission::WriteNotes, Permission::DeleteNotes];

/// The grants of each role. Roles do not inherit from each other: an admin is given
/// every permission by name, so that reading this table is enough to know who can do what.
pub fn grants(role: Role) -> &'static [Permission] {
    match role {
        Role::Reader => &[Permission::ReadNotes],
        Role::Writer => &[Permission::ReadNotes, Permission::WriteNotes],
        Role::Admin => &[Permission::ReadNotes, Permission::WriteNotes, Permission::DeleteNotes],
    }
}

/// What a route demands of the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, with or without a token.
    Public,
    /// Any valid token.
    Authenticated,
    /// A valid token whose roles grant this permission.
    Requires(Permission),
}

/// The outcome of [`authorize`]: 401 and 403 are different answers (RFC 9110 §15.5.2
/// and §15.5.4), and the client does something different for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// No identity: 401, log in and try again.
    Unauthenticated,
    /// A known identity without the right: 403, trying again will not help.
    Forbidden,
}
// ANCHOR_END: roles

// ANCHOR: permits
/// Whether any of `roles` grants `needed`.
pub fn permits(roles: &[Role], needed: Permission) -> bool {
    todo!("step 4: whether any of the roles grants the permission. Read book/03-auth/authorization.md")
}
// ANCHOR_END: permits

// ANCHOR: policy_for
/// The policy of each route of the API, by method and route pattern (the path as it
/// was given to `Router::route`). `None` means nobody wrote one down.
pub fn policy_for(method: &Method, route: &str) -> Option<Policy> {
    todo!(
        "step 4: the policy of each API route, and none for anything else. Read book/03-auth/authorization.md"
    )
}
// ANCHOR_END: policy_for

// ANCHOR: authorize
/// The decision for a request to a route with `policy`, made by `principal` (`None`
/// when the request carried no valid token). A route without a policy is denied to
/// everyone: forgetting to write a policy must fail closed.
pub fn authorize(policy: Option<Policy>, principal: Option<&Principal>) -> Decision {
    todo!(
        "step 4: allow, 401 or 403 for a policy and a principal; no policy means no. Read book/03-auth/authorization.md"
    )
}
// ANCHOR_END: authorize
