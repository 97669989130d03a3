extern crate api_grpc_solution as api_grpc;

#[path = "../../../labs/02-api-grpc/tests/lab/main.rs"]
mod lab;
