//! Lab 02 (gRPC): an orders service over tonic. The contract is `proto/orders.proto`;
//! `build.rs` turns it into Rust with protox and tonic-prost-build, without `protoc`.

pub mod deadline;
pub mod error;
pub mod evolution;
pub mod interceptors;
pub mod server;
pub mod service;
pub mod store;
pub mod warehouse;

pub use server::{AppState, Config, serve};

/// The code generated from `proto/`: messages, the `Orders` server trait, the client.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod pb {
    tonic::include_proto!("orders.v1");

    /// The `Order` message as version 1.0 published it (`proto/published/orders_v1.proto`).
    pub mod published {
        tonic::include_proto!("orders.published.v1_0");
    }
}
