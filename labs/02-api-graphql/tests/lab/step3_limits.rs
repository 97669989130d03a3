//! Step 3: depth and complexity limits. A hostile query is refused while it is
//! validated, before a single resolver runs; the app's own queries still pass. Read
//! «Limits before execution».

use std::sync::Arc;

use api_graphql::Config;
use api_graphql::limits::{self, Limits};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Response, ServerError};
use serde_json::Value;

use super::support::{errors, run, seeded};

const SECTION: &str = "Limits before execution (book/02-api-design/graphql-limits.md)";

/// `{ orders(first: 1) { customer { orders(first: 1) { customer { ... } } } } }`,
/// `levels` pairs deep, ending in `id`.
fn nested(levels: usize) -> String {
    let mut query = "id".to_owned();
    for _ in 0..levels {
        query = format!("orders(first: 1) {{ customer {{ {query} }} }}");
    }
    format!("{{ {query} }}")
}

/// The app's deepest real query: an order, its customer, their orders and customers.
const ORDER_PAGE: &str =
    r#"{ order(id: "1") { id item customer { name orders(first: 5) { id customer { id } } } } }"#;
/// The app's largest real query: a full page of orders with their customers.
const LIST_PAGE: &str = "{ orders(first: 100) { id item quantity note status customer { id name } } }";
/// Shallow, but it asks for 100 x 100 x 100 objects.
const WIDE: &str =
    "{ orders(first: 100) { customer { orders(first: 100) { customer { orders(first: 100) { id } } } } } }";

/// What [`Validated`] answers instead of running the query.
const NOT_REFUSED: &str = "validated: the query would now run";

/// An extension that lets a query be parsed and validated, limits included, and then
/// stops it before its first resolver: a hostile query the limits miss is reported by
/// these tests, and never runs into code of a later step.
struct Validated;

impl ExtensionFactory for Validated {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Validated)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for Validated {
    async fn execute(&self, _: &ExtensionContext<'_>, _: Option<&str>, _: NextExecute<'_>) -> Response {
        Response::from_errors(vec![ServerError::new(NOT_REFUSED, None)])
    }
}

async fn rejected(query: &str, what: &str, words: &str) {
    let store = seeded(3, 30);
    // The schema as `api_graphql::schema` builds it, limits included, with `Validated` on top.
    let schema =
        limits::apply(api_graphql::schema::builder(&store), &Limits::default()).extension(Validated).finish();
    let response = run(&schema, query).await;
    let messages: Vec<String> =
        errors(&response).iter().map(|e| e["message"].as_str().unwrap_or_default().to_owned()).collect();
    let limit = if words.contains("deep") { "limit_depth" } else { "limit_complexity" };
    assert!(
        !messages.iter().any(|m| m == NOT_REFUSED),
        "{what} passed validation, so its resolvers would run: it must be refused while it is validated, with \
         an error saying {words:?}. Check that `apply` sets `{limit}` (and the other limit), and that \
         `Limits::default` is tight. Read «{SECTION}»."
    );
    assert!(
        messages.iter().any(|m| m.contains(words)),
        "{what} is refused with an error saying {words:?}; got {response}. Read «{SECTION}»."
    );
    assert_eq!(response["data"], Value::Null, "a refused query returns no data: {response}");
}

#[tokio::test]
async fn a_deeply_nested_query_is_refused_before_it_runs() {
    rejected(&nested(6), "a query 13 levels deep", "nested too deep").await;
}

#[tokio::test]
async fn a_query_that_multiplies_lists_is_refused_before_it_runs() {
    rejected(WIDE, "a 6-deep query asking for a million orders", "too complex").await;
}

#[tokio::test]
async fn aliases_do_not_get_around_the_complexity_limit() {
    let one = "orders(first: 100) { id item customer { name } }";
    let aliased: Vec<String> = (0..20).map(|i| format!("a{i}: {one}")).collect();
    rejected(&format!("{{ {} }}", aliased.join(" ")), "20 aliases of a full page", "too complex").await;
}

#[tokio::test]
async fn the_apps_own_queries_pass_the_limits() {
    // An empty store: the limits judge the document, whatever data it would find, and no
    // resolver of step 4 is needed to get past them.
    let store = seeded(0, 0);
    let schema = api_graphql::schema(&store, &Config { limits: Limits::default(), introspection: true });
    for (name, query) in [("the order page", ORDER_PAGE), ("the list page", LIST_PAGE)] {
        let response = run(&schema, query).await;
        assert!(
            errors(&response).is_empty(),
            "{name} is a real query of the app and must pass the limits; got {}. Choose limits above what the \
             clients need, not below. Read «{SECTION}».",
            errors(&response).first().cloned().unwrap_or_default()
        );
    }
}

#[test]
fn the_limits_are_tight() {
    let limits = Limits::default();
    assert!(
        (5..=10).contains(&limits.max_depth),
        "the app's deepest query is 5 deep: a depth limit of {} is {}. Read «{SECTION}».",
        limits.max_depth,
        if limits.max_depth < 5 { "too low for it" } else { "far above it" }
    );
    assert!(
        (800..=5_000).contains(&limits.max_complexity),
        "the app's largest query costs 800: a complexity limit of {} is {}. Read «{SECTION}».",
        limits.max_complexity,
        if limits.max_complexity < 800 { "too low for it" } else { "far above it" }
    );
}
