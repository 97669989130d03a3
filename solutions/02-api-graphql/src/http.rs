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
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Ok(Media::Json);
    };
    let accept = accept.to_str().unwrap_or_default().to_ascii_lowercase();
    let ranges: Vec<&str> = accept
        .split(',')
        .filter(|range| !refused(range))
        .map(|range| range.split(';').next().unwrap_or_default().trim())
        .collect();
    if ranges.contains(&GRAPHQL_RESPONSE_JSON) {
        Ok(Media::GraphqlResponseJson)
    } else if ranges.iter().any(|range| matches!(*range, JSON | "application/*" | "*/*")) {
        Ok(Media::Json)
    } else {
        Err(Problem::new(StatusCode::NOT_ACCEPTABLE, "not-acceptable", "This media type cannot be produced")
            .with_detail(format!("/graphql answers {GRAPHQL_RESPONSE_JSON} or {JSON}")))
    }
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
    let media = match negotiate(&headers) {
        Ok(media) => media,
        Err(problem) => return problem.into_response(),
    };
    let request = match request_from_url(&uri) {
        Ok(request) => request,
        Err(e) => return malformed(e),
    };
    if is_mutation(&request) {
        let problem =
            Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Mutations need POST")
                .with_detail("GET is safe: it only carries queries");
        let mut response = problem.into_response();
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&endpoint, request, media).await
}
// ANCHOR_END: get

// ANCHOR: post
/// POST carries `{"query", "variables", "operationName"}` as `application/json`. Any
/// other body type is refused: a browser sends `text/plain` cross-site without asking
/// first, and a mutation must not run that way.
async fn graphql_post(State(endpoint): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let media = match negotiate(&headers) {
        Ok(media) => media,
        Err(problem) => return problem.into_response(),
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case(JSON) {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The request body must be application/json",
        )
        .with_detail(format!("got {content_type:?}"))
        .into_response();
    }
    match serde_json::from_slice::<async_graphql::Request>(&body) {
        Ok(request) => execute(&endpoint, request, media).await,
        Err(e) => malformed(e.to_string()),
    }
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
    let mut body = match serde_json::to_value(response) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!("a GraphQL response did not serialize: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (status, content_type) = match media {
        Media::Json => (StatusCode::OK, JSON),
        Media::GraphqlResponseJson if is_request_error(response) => {
            if let Some(object) = body.as_object_mut() {
                object.remove("data");
            }
            (StatusCode::BAD_REQUEST, GRAPHQL_RESPONSE_JSON)
        }
        Media::GraphqlResponseJson => (StatusCode::OK, GRAPHQL_RESPONSE_JSON),
    };
    let mut reply = (status, axum::Json(body)).into_response();
    reply.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    reply
}

/// Nothing ran: no data, and no error points into the response (a field error has a
/// path; a parse or validation error has none).
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}
// ANCHOR_END: respond
