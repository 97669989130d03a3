//! The tests of lab 05, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 05` runs them step by step.

mod support;

mod step1_backoff;
mod step2_retry_policy;
mod step3_fault_injection;
mod step4_timeouts;
mod step5_circuit_breaker;
mod step6_degradation;
mod step7_load_shedding;
mod step8_rate_limit;
