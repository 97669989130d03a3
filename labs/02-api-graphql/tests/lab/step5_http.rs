//! Step 5: over HTTP. The GraphQL-over-HTTP specification says which status a reply
//! has and in which media type; GET only reads; production does not describe itself to
//! strangers. Read «GraphQL over HTTP».

use api_graphql::Config;
use api_graphql::http::GRAPHQL_RESPONSE_JSON;
use axum::Router;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Reply, post_query, seeded, send};

const SECTION: &str = "GraphQL over HTTP (book/02-api-design/graphql-http.md)";

fn development() -> Router {
    api_graphql::app(seeded(2, 3), &Config::development())
}

fn production() -> Router {
    api_graphql::app(seeded(2, 3), &Config::production())
}

fn assert_problem(reply: &Reply, status: StatusCode, what: &str) {
    assert_eq!(
        reply.status,
        status,
        "{what}: {status}; got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some("application/problem+json"),
        "{what} is an HTTP error, before GraphQL: an RFC 9457 problem. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_query_answers_in_the_media_type_the_client_accepts() {
    let router = development();
    let reply = post_query(&router, GRAPHQL_RESPONSE_JSON, "{ orders(first: 1) { id } }").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a query that runs is 200: {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(
        reply.header("content-type"),
        Some(GRAPHQL_RESPONSE_JSON),
        "a client that accepts {GRAPHQL_RESPONSE_JSON} gets it. Read «{SECTION}»."
    );
    assert_eq!(reply.json(), json!({ "data": { "orders": [{ "id": "1" }] } }));
    for accept in ["application/json", "*/*", "application/json;q=0.9, text/html"] {
        let reply = post_query(&router, accept, "{ orders(first: 1) { id } }").await;
        assert_eq!(
            (reply.status, reply.header("content-type")),
            (StatusCode::OK, Some("application/json")),
            "`Accept: {accept}` gets the legacy application/json. Read «{SECTION}»."
        );
    }
    let body = json!({ "query": "{ orders(first: 1) { id } }" }).to_string();
    let reply = send(&router, Method::POST, "/graphql", &[("content-type", "application/json")], &body).await;
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (StatusCode::OK, Some("application/json")),
        "a POST with no Accept header at all (older clients send none) gets application/json, 200, not 406; got \
         {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
}

#[tokio::test]
async fn a_request_error_is_400_without_data() {
    let router = development();
    for (query, what) in [("{ orders { id", "a syntax error"), ("{ orders { price } }", "an unknown field")] {
        let reply = post_query(&router, GRAPHQL_RESPONSE_JSON, query).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{what} means nothing ran: with {GRAPHQL_RESPONSE_JSON} that is 400; got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        let body = reply.json();
        assert!(
            body.get("data").is_none(),
            "a request error has no `data` entry at all: {body}. Read «{SECTION}»."
        );
        assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()), "it has errors: {body}");
        assert_eq!(reply.header("content-type"), Some(GRAPHQL_RESPONSE_JSON));
    }
}

#[tokio::test]
async fn a_legacy_client_gets_200_even_for_a_request_error() {
    let reply = post_query(&development(), "application/json", "{ orders { price } }").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "with application/json, a well-formed request is 200 whatever GraphQL says (old clients read errors from \
         the body only). Read «{SECTION}»."
    );
    assert!(reply.json()["errors"].is_array());
}

#[tokio::test]
async fn a_field_error_is_200_with_data() {
    let reply = post_query(&development(), GRAPHQL_RESPONSE_JSON, "{ a: orders(first: 500) { id } }").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a field error happens during execution: the request ran, so it is 200 with `data`; got {} {:?}. \
         Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let body = reply.json();
    assert!(body.get("data").is_some(), "execution started, so `data` is there (null here): {body}");
    assert_eq!(body["errors"][0]["path"], json!(["a"]));
}

#[tokio::test]
async fn a_mutation_over_get_is_405() {
    let router = development();
    let query =
        r#"mutation { placeOrder(input: {customerId: "1", item: "tea", quantity: 1}) { order { id } } }"#;
    let uri = format!(
        "/graphql?query={}",
        query.replace(' ', "%20").replace('"', "%22").replace('{', "%7B").replace('}', "%7D")
    );
    let reply = send(&router, Method::GET, &uri, &[("accept", GRAPHQL_RESPONSE_JSON)], "").await;
    assert_problem(&reply, StatusCode::METHOD_NOT_ALLOWED, "a mutation over GET (GET must stay safe)");
    assert_eq!(reply.header("allow"), Some("POST"), "405 says what is allowed: `Allow: POST`");
    let reply = send(
        &router,
        Method::GET,
        "/graphql?query=%7Borders%7Bid%7D%7D",
        &[("accept", GRAPHQL_RESPONSE_JSON)],
        "",
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "a query over GET is fine: {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.json()["data"]["orders"].as_array().map(Vec::len), Some(3));
}

/// `/graphql?query=...&operationName=...`, percent-encoded.
fn get_uri(query: &str, operation: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    format!("/graphql?query={}&operationName={}", encode(query), encode(operation))
}

#[tokio::test]
async fn get_judges_the_operation_it_names() {
    let router = development();
    let document = r#"query List { orders { id } }
        mutation Place { placeOrder(input: {customerId: "1", item: "tea", quantity: 1}) { order { id } } }"#;
    let accept = [("accept", GRAPHQL_RESPONSE_JSON)];
    let reply = send(&router, Method::GET, &get_uri(document, "Place"), &accept, "").await;
    assert_problem(
        &reply,
        StatusCode::METHOD_NOT_ALLOWED,
        "a document with a query and a mutation, over GET with operationName=Place (the mutation runs)",
    );
    let reply = send(&router, Method::GET, &get_uri(document, "List"), &accept, "").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "the same document with operationName=List runs the query, which GET may carry: 200; got {} {:?}. \
         Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(
        reply.json()["data"]["orders"].as_array().map(Vec::len),
        Some(3),
        "the query named List ran, nothing else (no order was placed): {:?}",
        reply.text()
    );
}

#[tokio::test]
async fn a_media_type_with_q_0_is_refused_not_chosen() {
    let router = development();
    let reply =
        post_query(&router, &format!("{GRAPHQL_RESPONSE_JSON};q=0, application/json"), "{ orders { id } }")
            .await;
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (StatusCode::OK, Some("application/json")),
        "`Accept: {GRAPHQL_RESPONSE_JSON};q=0, application/json`: q=0 means \"not this one\" (RFC 9110), so \
         the reply is application/json. Read «{SECTION}»."
    );
    let reply = post_query(&router, "application/json; q=0", "{ orders { id } }").await;
    assert_problem(&reply, StatusCode::NOT_ACCEPTABLE, "a client that refuses application/json with q=0");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_refused() {
    let router = development();
    let body = json!({ "query": "{ orders { id } }" }).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let reply = send(&router, Method::POST, "/graphql", &[("content-type", content_type)], &body).await;
        assert_problem(
            &reply,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("a POST as {content_type} (a browser sends it cross-site without a preflight)"),
        );
    }
    let reply =
        send(&router, Method::POST, "/graphql", &[("content-type", "application/json")], "{\"query\":").await;
    assert_problem(&reply, StatusCode::BAD_REQUEST, "a body that is not JSON");
    let reply = send(
        &router,
        Method::POST,
        "/graphql",
        &[("content-type", "application/json; charset=utf-8")],
        &body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "application/json with a charset is JSON: {:?}", reply.text());
}

#[tokio::test]
async fn an_accept_the_endpoint_cannot_produce_is_406() {
    let reply = post_query(&development(), "text/html", "{ orders { id } }").await;
    assert_problem(&reply, StatusCode::NOT_ACCEPTABLE, "a client that accepts only text/html");
}

const INTROSPECTION: &str = "{ __schema { types { name } } }";

fn type_names(reply: &Reply) -> Vec<Value> {
    reply.json()["data"]["__schema"]["types"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn production_does_not_describe_its_schema() {
    let reply = post_query(&production(), GRAPHQL_RESPONSE_JSON, INTROSPECTION).await;
    assert!(
        type_names(&reply).is_empty(),
        "in production, introspection is off: `__schema` answers nothing, not the list of types; got {} {:?}. \
         Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let reply =
        post_query(&production(), GRAPHQL_RESPONSE_JSON, r#"{ __type(name: "Order") { fields { name } } }"#)
            .await;
    assert!(
        reply.json()["data"]["__type"]["fields"].as_array().is_none(),
        "`__type` is introspection too: {:?}. Read «{SECTION}».",
        reply.text()
    );
    let reply = post_query(&production(), GRAPHQL_RESPONSE_JSON, "{ orders { iten } }").await;
    assert!(
        reply.status == StatusCode::BAD_REQUEST && !reply.text().to_lowercase().contains("did you mean"),
        "an unknown field is a request error, and production does not suggest the real names (they would \
         spell the schema out one typo at a time); got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    let reply = post_query(&development(), GRAPHQL_RESPONSE_JSON, INTROSPECTION).await;
    assert!(
        !type_names(&reply).is_empty(),
        "in development, the tools may read the schema: {:?}",
        reply.text()
    );
    let reply = post_query(&development(), GRAPHQL_RESPONSE_JSON, "{ orders { iten } }").await;
    assert!(reply.text().contains("Did you mean"), "in development, suggestions help: {:?}", reply.text());
}

#[tokio::test]
async fn production_keeps_the_limits() {
    let mut query = "id".to_owned();
    for _ in 0..6 {
        query = format!("orders(first: 1) {{ customer {{ {query} }} }}");
    }
    let reply = post_query(&production(), GRAPHQL_RESPONSE_JSON, &format!("{{ {query} }}")).await;
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "a query over the depth limit is refused in production too, as a request error: {:?}. Read «{SECTION}».",
        reply.text()
    );
}
