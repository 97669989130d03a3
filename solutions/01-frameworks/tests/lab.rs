//! Runs lab 01's own tests against the reference solution. The tests exist once, in
//! the lab; this line gives the solution the lab's crate name.
extern crate frameworks_solution as frameworks;

#[path = "../../../labs/01-frameworks/tests/lab/main.rs"]
mod lab;
