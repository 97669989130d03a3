extern crate api_rest_solution as api_rest;

#[path = "../../../labs/02-api-rest/tests/lab/main.rs"]
mod lab;
