//! Runs lab 04's loom tests against the reference solution (with the `loom` feature).
extern crate concurrency_solution as concurrency;

#[path = "../../../labs/04-concurrency/tests/loom/main.rs"]
mod lab;
