//! Empty on purpose: this crate exists for its Cargo.toml (read it for why).
