//! The tests of lab 06, one module per step. They are the specification: read them,
//! but do not edit them. `cargo xtask check 06` runs them step by step.

mod support;

mod step1_handshake;
mod step2_websocket;
mod step3_limits;
mod step4_heartbeat;
mod step5_fan_out;
mod step6_sse;
mod step7_long_poll;
mod step8_lifecycle;
mod step9_bus;
