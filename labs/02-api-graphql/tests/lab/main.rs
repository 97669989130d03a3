//! The tests of lab 02 (GraphQL), one module per step. They are the specification: read
//! them, but do not edit them. `cargo xtask check graphql` runs them step by step.

mod support;

mod step1_schema;
mod step2_contract;
mod step3_limits;
mod step4_dataloader;
mod step5_http;
