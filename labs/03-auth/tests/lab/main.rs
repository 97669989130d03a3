//! The tests of lab 03, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 03` runs them step by step.

mod support;

mod step1_passwords;
mod step2_jwt;
mod step3_jwks;
mod step4_rbac;
mod step5_bearer;
mod step6_sessions;
mod step7_oauth;
