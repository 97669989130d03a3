//! Generates the Rust code of `proto/` with protox, a protobuf compiler written in Rust:
//! no `protoc` binary is needed, here or in CI.

use std::path::PathBuf;

use prost::Message;

const CURRENT: &str = "proto/orders.proto";
const PUBLISHED: &str = "proto/published/orders_v1.proto";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Without these lines cargo would rerun the script on any change in the package.
    println!("cargo:rerun-if-changed={CURRENT}");
    println!("cargo:rerun-if-changed={PUBLISHED}");
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    // Today's schema: messages, the server trait and the client.
    let current = protox::compile([CURRENT], ["proto"])?;
    std::fs::write(out.join("current.bin"), current.encode_to_vec())?;
    tonic_prost_build::configure().compile_fds(current)?;

    // The schema as first published: messages only, for the compatibility tests.
    let published = protox::compile([PUBLISHED], ["proto"])?;
    std::fs::write(out.join("published.bin"), published.encode_to_vec())?;
    tonic_prost_build::configure().build_client(false).build_server(false).compile_fds(published)?;
    Ok(())
}
