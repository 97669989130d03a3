//! Lab 02 (GraphQL): an orders API as a GraphQL schema, designed for its clients,
//! guarded by a contract, limits and a batch loader, and served over HTTP.

pub mod config;
pub mod contract;
pub mod http;
pub mod limits;
pub mod loader;
pub mod problem;
pub mod schema;
pub mod store;

pub use config::Config;
pub use schema::AppSchema;
pub use store::Store;

// ANCHOR: schema
/// The schema as an environment runs it: the types (step 1), the limits (step 3), and
/// introspection as the configuration says (step 5).
pub fn schema(store: &Store, config: &Config) -> AppSchema {
    let builder = limits::apply(schema::builder(store), &config.limits);
    // Without introspection, "did you mean" suggestions would still spell the schema
    // out one typo at a time, so they go too.
    let builder =
        if config.introspection { builder } else { builder.disable_introspection().disable_suggestions() };
    builder.finish()
}
// ANCHOR_END: schema

/// The HTTP app: `/graphql`, GET for queries and POST for everything.
pub fn app(store: Store, config: &Config) -> axum::Router {
    http::router(schema(&store, config), store)
}
