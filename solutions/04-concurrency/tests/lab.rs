//! Runs lab 04's own tests against the reference solution. The tests exist once, in
//! the lab; this line gives the solution the lab's crate name.
extern crate concurrency_solution as concurrency;

#[path = "../../../labs/04-concurrency/tests/lab/main.rs"]
mod lab;
