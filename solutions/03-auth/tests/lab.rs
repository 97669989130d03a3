//! Runs lab 03's own tests against the reference solution. The tests exist once, in
//! the lab; this line gives the solution the lab's crate name.
extern crate auth_solution as auth;

#[path = "../../../labs/03-auth/tests/lab/main.rs"]
mod lab;
