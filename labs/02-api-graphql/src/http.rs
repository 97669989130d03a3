//! `/graphql` over HTTP, as the GraphQL-over-HTTP specification asks: the media type the
//! client accepts, honest status codes, and queries only over GET.

use async_graphql::parser::parse_query;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::loader;
use crate::problem::Problem;
use crate::schema::AppSchema;
use crate::store::Store;

/// The media type of a GraphQL response, registered by the GraphQL-over-HTTP
/// specification. Its status code tells a request error from a field error.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy media type: every well-formed request is `200 OK`.
pub const JSON: &str = "application/json";

/// The media type of the reply, chosen from the request's `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    GraphqlResponseJson,
    Json,
}

/// What the handlers share.
#[derive(Clone)]
pub struct Endpoint {
    pub schema: AppSchema,
    pub store: Store,
}

/// `/graphql`: GET for queries, POST for anything.
pub fn router(schema: AppSchema, store: Store) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .with_state(Endpoint { schema, store })
}

// ANCHOR: negotiate
/// The reply's media type. `application/graphql-response+json` when the client lists
/// it; `application/json` when it lists that, a wildcard, or nothing at all (older
/// clients send no `Accept`); otherwise 406.
pub fn negotiate(headers: &HeaderMap) -> Result<Media, Problem> {
    todo!(
        "step 5: choose the reply's media type from Accept, or 406. Read book/02-api-design/graphql-http.md"
    )
}
// ANCHOR_END: negotiate

/// A media range with `q=0` is one the client refuses (RFC 9110, section 12.4.2).
fn refused(range: &str) -> bool {
    range.split(';').skip(1).any(|param| {
        let (name, value) = param.split_once('=').unwrap_or_default();
        name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
    })
}

/// The parameters of a GET, named as the GraphQL-over-HTTP specification names them.
/// (async-graphql's `parse_query_string` reads `operation_name`, so a client that sends
/// the specification's `operationName` would have its operation ignored.)
#[derive(Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
}

/// The GraphQL request a GET carries in its URL: `query`, `operationName` and
/// `variables` (JSON). An error says what is wrong with the URL.
pub fn request_from_url(uri: &Uri) -> Result<async_graphql::Request, String> {
    let Query(params) = Query::<GetParams>::try_from_uri(uri).map_err(|e| e.body_text())?;
    let mut request = async_graphql::Request::new(params.query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.variables {
        let json = serde_json::from_str(&variables).map_err(|e| format!("invalid variables: {e}"))?;
        request = request.variables(async_graphql::Variables::from_json(json));
    }
    Ok(request)
}

// ANCHOR: get
/// GET carries a query in the URL. It must stay safe: a mutation over GET would run
/// from any link or `<img>`, so it is refused with 405 and `Allow: POST`.
async fn graphql_get(State(endpoint): State<Endpoint>, headers: HeaderMap, uri: Uri) -> Response {
    todo!("step 5: a query from the URL; a mutation is 405. Read book/02-api-design/graphql-http.md")
}
// ANCHOR_END: get

// ANCHOR: post
/// POST carries `{"query", "variables", "operationName"}` as `application/json`. Any
/// other body type is refused: a browser sends `text/plain` cross-site without asking
/// first, and a mutation must not run that way.
async fn graphql_post(State(endpoint): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    todo!("step 5: an application/json body, or 415 or 400. Read book/02-api-design/graphql-http.md")
}
// ANCHOR_END: post

fn malformed(detail: String) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, "malformed-request", "This is not a GraphQL request")
        .with_detail(detail)
        .into_response()
}

/// Whether the operation the request names is a mutation. A query that does not parse
/// is not one: execution reports its syntax error.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(document) = parse_query(&request.query) else {
        return false;
    };
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.iter().find(|(n, _)| n.as_str() == name).map(|(_, op)| op)
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    operation.is_some_and(|operation| operation.node.ty == OperationType::Mutation)
}

// ANCHOR: execute
/// Runs one request: the schema is built once and shared; the loader is this request's own.
async fn execute(endpoint: &Endpoint, request: async_graphql::Request, media: Media) -> Response {
    let response = endpoint.schema.execute(loader::per_request(&endpoint.store, request)).await;
    respond(&response, media)
}
// ANCHOR_END: execute

// ANCHOR: respond
/// The HTTP reply for a GraphQL response. With `application/graphql-response+json`, a
/// request error (the document did not parse or validate, so nothing ran) is a 400
/// without `data`; once execution started, the reply is 200 with `data`, even when
/// some fields failed. With `application/json`, every one is 200.
pub fn respond(response: &async_graphql::Response, media: Media) -> Response {
    todo!("step 5: the status and media type of a GraphQL response. Read book/02-api-design/graphql-http.md")
}

// ANCHOR_END: respond
