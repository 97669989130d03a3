//! The tests of lab 04, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 04` runs them step by step, and runs the
//! loom tests of step 8 (tests/loom/) with the flags loom needs.
// With the `loom` feature, `crate::sync` is loom's, which works only inside `loom::model`.
#![cfg(not(feature = "loom"))]

mod support;

mod step1_runtime;
mod step2_blocking;
mod step3_locks;
mod step4_cancellation;
mod step5_backpressure;
mod step6_shutdown;
mod step7_state_machine;
