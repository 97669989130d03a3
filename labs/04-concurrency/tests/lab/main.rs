//! The tests of lab 04, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 04` runs them step by step, and runs the
//! loom tests of step 8 (tests/loom/) with the flags loom needs.
#![cfg(not(lab_loom))]

mod support;

mod step1_runtime;
mod step2_blocking;
mod step3_locks;
mod step4_cancellation;
mod step5_backpressure;
mod step6_shutdown;
mod step7_state_machine;
