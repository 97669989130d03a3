//! The tests of lab 02 (REST), one module per step. They are the specification: read
//! them, but do not edit them. `cargo xtask check 02-api-rest` runs them step by step.

mod support;

mod step1_errors;
mod step2_resources;
mod step3_pagination;
mod step4_conditional;
mod step5_idempotency;
mod step6_contract;
