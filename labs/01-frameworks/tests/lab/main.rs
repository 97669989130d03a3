//! The tests of lab 01, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 01` runs them step by step.

mod support;

mod step1_domain;
mod step2_store;
mod step3_errors;
mod step4_extractors;
mod step5_routes;
mod step6_middleware;
mod step7_shutdown;
