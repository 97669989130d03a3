//! Runs lab 06's own tests against the reference solution. The tests exist once, in
//! the lab; this line gives the solution the lab's crate name.
extern crate real_time_solution as real_time;

#[path = "../../../labs/06-real-time/tests/lab/main.rs"]
mod lab;
