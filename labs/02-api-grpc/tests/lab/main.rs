//! The tests of lab 02 (gRPC), one module per step. They are the specification: read
//! them, but do not edit them. `cargo xtask check api-grpc` runs them step by step.

mod support;

mod step1_service;
mod step2_errors;
mod step3_deadlines;
mod step4_streams;
mod step5_evolution;
mod step6_metadata;
