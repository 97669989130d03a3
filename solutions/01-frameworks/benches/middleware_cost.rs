//! The lab's bench, run against the reference solution (`cargo bench -p frameworks-solution`).
extern crate frameworks_solution as frameworks;

include!("../../../labs/01-frameworks/benches/middleware_cost.rs");
