extern crate api_graphql_solution as api_graphql;

#[path = "../../../labs/02-api-graphql/tests/lab/main.rs"]
mod lab;
