//! Step 2: resources and status codes. Each answer tells the client what happened,
//! in the status line first. Read «Resources and status codes».

use axum::http::{Method, StatusCode};

use super::support::{Reply, create, get, request, send, spawn_app};

const SECTION: &str = "Resources and status codes (book/02-api-design/resources.md)";

async fn delete(router: &axum::Router, uri: &str) -> Reply {
    send(router, request(Method::DELETE, uri, &[], None)).await
}

#[tokio::test]
async fn a_create_is_201_with_location_and_the_order() {
    let (router, _, _) = spawn_app();
    let reply = create(&router, "green tea", 2).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "POST /v2/orders creates a resource: 201 Created, not 200. Got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(
        reply.header("location"),
        Some("/v2/orders/1"),
        "a 201 says where the new order lives, in `Location`. Read «{SECTION}»."
    );
    let body = reply.json();
    assert_eq!(body["id"], 1, "the body is the order, with its id: {body}");
    assert_eq!(
        (body["item"].as_str(), body["quantity"].as_u64()),
        (Some("green tea"), Some(2)),
        "got {body}"
    );
    assert_eq!(body["status"], "pending", "a new order is pending: {body}");
}

#[tokio::test]
async fn the_location_leads_to_the_order() {
    let (router, _, _) = spawn_app();
    let created = create(&router, "green tea", 2).await;
    let location = created.header("location").unwrap_or("(no Location)").to_owned();
    let reply = get(&router, &location).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "GET {location} answers 200; got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.json(), created.json(), "GET returns the order the POST created. Read «{SECTION}».");
    assert!(
        created.header("etag").is_some() && created.header("etag") == reply.header("etag"),
        "a 201 carries the new order's ETag (the GET's is {:?}, the POST's was {:?}), so that the client can \
         update it without reading it again. Read «{SECTION}».",
        reply.header("etag"),
        created.header("etag")
    );
    // After a cancel there are two orders and the next id is 3: a Location built from
    // a count would point at order 2.
    create(&router, "coffee", 1).await;
    delete(&router, "/v2/orders/1").await;
    let third = create(&router, "rooibos", 3).await;
    assert_eq!(
        third.header("location"),
        Some(format!("/v2/orders/{}", third.json()["id"]).as_str()),
        "the Location names the id of the order just created, not a count of orders. Read «{SECTION}»."
    );
    assert_eq!(get(&router, "/v2/orders/3").await.json()["item"], "rooibos", "order 3 is the rooibos");
}

#[tokio::test]
async fn an_invalid_order_is_a_422_listing_every_field() {
    let (router, state, _) = spawn_app();
    let reply =
        send(&router, request(Method::POST, "/v2/orders", &[], Some(r#"{"item": "", "quantity": 0}"#))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "got {:?}. Read «{SECTION}».", reply.text());
    assert_eq!(reply.problem_slug(), "validation-failed");
    let fields: Vec<_> =
        reply.json()["errors"].as_array().into_iter().flatten().map(|e| e["field"].clone()).collect();
    assert_eq!(fields.len(), 2, "both fields are in `errors`: {}. Read «{SECTION}».", reply.text());
    assert!(state.store.all().is_empty(), "an invalid order is not stored. Read «{SECTION}».");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400_or_415() {
    let (router, _, _) = spawn_app();
    let broken = send(&router, request(Method::POST, "/v2/orders", &[], Some(r#"{"item": "#))).await;
    assert_eq!(
        broken.status,
        StatusCode::BAD_REQUEST,
        "broken JSON is a 400: {:?}. Read «{SECTION}».",
        broken.text()
    );
    assert_eq!(broken.problem_slug(), "malformed-body");
    let text =
        send(&router, request(Method::POST, "/v2/orders", &[("content-type", "text/plain")], None)).await;
    assert_eq!(
        text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a body that is not labelled JSON is a 415: {:?}. Read «{SECTION}».",
        text.text()
    );
    assert_eq!(text.problem_slug(), "unsupported-media-type");
}

#[tokio::test]
async fn an_order_that_never_existed_is_404() {
    let (router, _, _) = spawn_app();
    for uri in ["/v2/orders/99", "/v2/orders/abc"] {
        let reply = get(&router, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "GET {uri}: nothing lives there. Read «{SECTION}».");
        assert_eq!(reply.problem_slug(), "not-found", "GET {uri}");
        let reply = delete(&router, uri).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "DELETE {uri}: nothing lives there either, whatever the path looks like. Got {} {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        assert_eq!(reply.problem_slug(), "not-found", "DELETE {uri}");
    }
}

#[tokio::test]
async fn a_cancel_is_204_and_the_order_is_then_410() {
    let (router, _, _) = spawn_app();
    create(&router, "green tea", 2).await;
    let reply = delete(&router, "/v2/orders/1").await;
    assert_eq!(
        reply.status,
        StatusCode::NO_CONTENT,
        "a DELETE that worked and has nothing to say is 204. Got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert!(reply.body.is_empty(), "a 204 has no body; got {:?}", reply.text());
    let after = get(&router, "/v2/orders/1").await;
    assert_eq!(
        after.status,
        StatusCode::GONE,
        "a deleted order is 410 Gone, not 404: the client learns it existed and will not return. Read «{SECTION}»."
    );
    assert_eq!(after.problem_slug(), "gone");
    let again = delete(&router, "/v2/orders/1").await;
    assert_eq!(again.status, StatusCode::GONE, "deleting it again: still gone. Read «{SECTION}».");
    assert_eq!(delete(&router, "/v2/orders/2").await.status, StatusCode::NOT_FOUND, "order 2 never existed.");
}

#[tokio::test]
async fn a_shipped_order_cannot_be_cancelled_409() {
    let (router, state, _) = spawn_app();
    create(&router, "green tea", 2).await;
    state.store.ship(1).unwrap_or_else(|e| panic!("the test could not ship order 1: {e}"));
    let reply = delete(&router, "/v2/orders/1").await;
    assert_eq!(
        reply.status,
        StatusCode::CONFLICT,
        "the request is valid but the order's state forbids it: 409 Conflict. Got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.problem_slug(), "order-already-shipped");
    assert_eq!(
        get(&router, "/v2/orders/1").await.status,
        StatusCode::OK,
        "a refused cancel changes nothing."
    );
}
