//! Runs lab 05's own tests against the reference solution. The tests exist once, in
//! the lab; this line gives the solution the lab's crate name.
extern crate resilience_solution as resilience;

#[path = "../../../labs/05-resilience/tests/lab/main.rs"]
mod lab;
