//! What the steps share: a store with data, the schema executed in-process (no HTTP),
//! and, for step 5, the HTTP app called with `oneshot`.

use api_graphql::Store;
use api_graphql::schema::AppSchema;
use async_graphql::Request;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A store with `customers` customers and `orders` orders, placed round-robin.
pub fn seeded(customers: u64, orders: u64) -> Store {
    let store = Store::new();
    for c in 1..=customers {
        store.add_customer(&format!("customer {c}"));
    }
    for o in 1..=orders {
        store.insert_order(api_graphql::store::NewOrder {
            customer_id: (o - 1) % customers.max(1) + 1,
            item: format!("item {o}"),
            quantity: 1,
            note: None,
        });
    }
    store
}

/// The schema's types alone: no limits, no loader (steps 1 and 2).
pub fn bare_schema(store: &Store) -> AppSchema {
    api_graphql::schema::builder(store).finish()
}

/// Runs a GraphQL document and returns the response as JSON.
pub async fn run(schema: &AppSchema, request: impl Into<Request>) -> Value {
    let response = schema.execute(request).await;
    serde_json::to_value(&response).unwrap_or_else(|e| panic!("the response does not serialize: {e}"))
}

/// Runs a document with the request's own loader attached (step 4 onwards).
pub async fn run_loaded(schema: &AppSchema, store: &Store, query: &str) -> Value {
    run(schema, api_graphql::loader::per_request(store, Request::new(query))).await
}

/// The errors of a response, or an empty list.
pub fn errors(response: &Value) -> Vec<Value> {
    response["errors"].as_array().cloned().unwrap_or_default()
}

/// A response that must have no errors; a failure shows the first error and how many more.
pub fn assert_no_errors(response: &Value, what: &str, section: &str) {
    let errors = errors(response);
    if let Some(first) = errors.first() {
        let more = match errors.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        panic!("{what}: expected no errors, got {first}{more}. Read «{section}».");
    }
}

/// A response with its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected a JSON body, got {} {:?} ({e})", self.status, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends a request to the app in-process.
pub async fn send(router: &Router, method: Method, uri: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut builder = axum::http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request =
        builder.body(Body::from(body.to_owned())).unwrap_or_else(|e| panic!("bad test request: {e}"));
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|e| panic!("the body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}

/// `POST /graphql` with a JSON body `{"query": query}` and the given `Accept`.
pub async fn post_query(router: &Router, accept: &str, query: &str) -> Reply {
    let body = serde_json::json!({ "query": query }).to_string();
    send(router, Method::POST, "/graphql", &[("content-type", "application/json"), ("accept", accept)], &body)
        .await
}
