//! Step 4: conditional requests (RFC 9110, section 13). A re-read costs nothing when
//! nothing changed, and an update cannot overwrite a change it has not seen.
//! Read «Conditional requests».

use std::sync::Arc;

use api_rest::conditional::{Condition, EntityTag, parse_condition};
use api_rest::store::OrderStore;
use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode};

use super::support::{
    Rendezvous, Reply, block_on, create, get, request, send, send_from_threads, spawn_app, spawn_app_with,
};

const SECTION: &str = "Conditional requests (book/02-api-design/conditional.md)";

const CHANGE: &str = r#"{"item": "green tea", "quantity": 5}"#;

async fn get_with(router: &Router, headers: &[(&str, &str)]) -> Reply {
    send(router, request(Method::GET, "/v2/orders/1", headers, None)).await
}

async fn put(router: &Router, headers: &[(&str, &str)], body: &str) -> Reply {
    send(router, request(Method::PUT, "/v2/orders/1", headers, Some(body))).await
}

/// An app with order 1, and that order's current ETag.
async fn app_with_order() -> (Router, String) {
    let (router, _, _) = spawn_app();
    create(&router, "green tea", 2).await;
    let etag = get(&router, "/v2/orders/1").await.header("etag").unwrap_or_default().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "GET /v2/orders/1 carries a strong ETag, a quoted string without W/; got {etag:?}. Read «{SECTION}»."
    );
    (router, etag)
}

fn weak(etag: &str) -> String {
    format!("W/{etag}")
}

#[tokio::test]
async fn if_none_match_with_the_current_etag_is_304_without_a_body() {
    let (router, etag) = app_with_order().await;
    let reply = get_with(&router, &[("if-none-match", &etag)]).await;
    assert_eq!(
        reply.status,
        StatusCode::NOT_MODIFIED,
        "the client already has this version: 304, got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert!(
        reply.body.is_empty(),
        "a 304 never has a body (RFC 9110, 15.4.5); got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.header("etag"), Some(etag.as_str()), "a 304 repeats the ETag. Read «{SECTION}».");
}

#[tokio::test]
async fn if_none_match_uses_the_weak_comparison() {
    let (router, etag) = app_with_order().await;
    let list = format!("\"someone-else\", {}", weak(&etag));
    for value in [weak(&etag), list, "*".to_owned()] {
        let reply = get_with(&router, &[("if-none-match", &value)]).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_MODIFIED,
            "If-None-Match: {value} matches the current ETag {etag} (weak comparison, any tag in the list). Read «{SECTION}»."
        );
    }
    let other = get_with(&router, &[("if-none-match", "\"someone-else\"")]).await;
    assert_eq!(other.status, StatusCode::OK, "a tag that does not match gets the order. Read «{SECTION}».");
    assert!(!other.body.is_empty(), "...with its body");
    let broken = get_with(&router, &[("if-none-match", "not a tag")]).await;
    assert_eq!(broken.status, StatusCode::OK, "a malformed If-None-Match matches nothing. Read «{SECTION}».");
}

#[tokio::test]
async fn an_update_with_the_current_etag_succeeds_and_changes_the_etag() {
    let (router, etag) = app_with_order().await;
    let reply = put(&router, &[("if-match", &etag)], CHANGE).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "If-Match with the current ETag: 200, got {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(reply.json()["quantity"], 5, "the reply is the new order: {}", reply.text());
    let new_etag = reply.header("etag").unwrap_or_default().to_owned();
    assert!(
        !new_etag.is_empty() && new_etag != etag,
        "a new version has a new ETag ({etag} then {new_etag:?})."
    );
    let after = get(&router, "/v2/orders/1").await;
    assert_eq!(after.header("etag"), Some(new_etag.as_str()), "GET shows the ETag the PUT returned.");
}

#[tokio::test]
async fn of_two_clients_with_the_same_etag_the_second_gets_412() {
    let (router, etag) = app_with_order().await;
    // Alice and Bob both read version `etag`. Alice saves first.
    let alice = put(&router, &[("if-match", &etag)], r#"{"item": "green tea", "quantity": 5}"#).await;
    assert_eq!(alice.status, StatusCode::OK, "the first update wins: {:?}", alice.text());
    let bob =
        put(&router, &[("if-match", &etag)], r#"{"item": "green tea", "quantity": 9, "note": "Bob"}"#).await;
    assert_eq!(
        bob.status,
        StatusCode::PRECONDITION_FAILED,
        "Bob's update is based on a version that no longer exists: 412, not a silent overwrite. Got {} {:?}. Read «{SECTION}».",
        bob.status,
        bob.text()
    );
    assert_eq!(bob.problem_slug(), "precondition-failed");
    let order = get(&router, "/v2/orders/1").await.json();
    assert_eq!(order["quantity"], 5, "Alice's change is still there: {order}. Read «{SECTION}».");
}

#[tokio::test]
async fn a_put_replaces_every_field() {
    let (router, etag) = app_with_order().await;
    let body = r#"{"item": "sencha", "quantity": 3, "note": "ring twice"}"#;
    let reply = put(&router, &[("if-match", &etag)], body).await;
    assert_eq!(reply.status, StatusCode::OK, "got {:?}", reply.text());
    let order = get(&router, "/v2/orders/1").await.json();
    assert_eq!(
        (&order["item"], &order["quantity"], &order["note"]),
        (&serde_json::json!("sencha"), &serde_json::json!(3), &serde_json::json!("ring twice")),
        "PUT replaces the whole representation: every field of the body is stored, not only the quantity; \
         got {order}. Read «{SECTION}»."
    );
}

#[test]
fn of_two_updates_racing_with_the_same_etag_exactly_one_wins() {
    // The store holds each request right after it releases its lock, until both have:
    // an update that compares under one lock and writes under another is caught with
    // both comparisons made and neither write, every time.
    let rendezvous = Rendezvous::new(2);
    let hook = rendezvous.hook();
    let (router, _, _) = spawn_app_with(|state| state.store = Arc::new(OrderStore::with_unlock_hook(hook)));
    let etag = block_on(async {
        create(&router, "green tea", 2).await;
        get(&router, "/v2/orders/1").await.header("etag").unwrap_or_default().to_owned()
    });
    rendezvous.arm();
    let update = |quantity: u32| {
        let body = format!(r#"{{"item": "green tea", "quantity": {quantity}}}"#);
        request(Method::PUT, "/v2/orders/1", &[("if-match", &etag)], Some(&body))
    };
    let replies = send_from_threads(&router, vec![update(5), update(9)]);
    assert!(
        rendezvous.releases() >= 2,
        "the store's unlock hook ran {} times: OrderStore::with_unlock_hook must keep the hook and call it \
         after each release of the lock, or this test proves nothing",
        rendezvous.releases()
    );
    let statuses: Vec<StatusCode> = replies.iter().map(|reply| reply.status).collect();
    let winners: Vec<&Reply> = replies.iter().filter(|reply| reply.status == StatusCode::OK).collect();
    let losers = statuses.iter().filter(|status| **status == StatusCode::PRECONDITION_FAILED).count();
    assert_eq!(
        (winners.len(), losers),
        (1, 1),
        "Alice and Bob read version {etag} and send their updates at the same moment: one may win, the other \
         must get 412. Got {statuses:?}. Two wins mean both passed the If-Match check before either wrote: \
         compare and write in one step, under the store's lock. Read «{SECTION}»."
    );
    let order = block_on(get(&router, "/v2/orders/1")).json();
    assert_eq!(
        order["quantity"],
        winners[0].json()["quantity"],
        "the order is the winner's version: {order}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn if_match_star_matches_any_current_version() {
    let (router, _) = app_with_order().await;
    let reply = put(&router, &[("if-match", "*")], CHANGE).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "If-Match: * means \"whatever version is current\" (RFC 9110, 13.1.1): the order exists, so the \
         update goes ahead. Got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    send(&router, request(Method::DELETE, "/v2/orders/1", &[], None)).await;
    let gone = put(&router, &[("if-match", "*")], CHANGE).await;
    assert_eq!(gone.status, StatusCode::GONE, "...and a deleted order has no current version: 410.");
}

#[tokio::test]
async fn an_update_keeps_what_the_client_does_not_own() {
    let (router, state, _) = spawn_app();
    create(&router, "green tea", 2).await;
    state.store.ship(1).unwrap_or_else(|e| panic!("the test could not ship order 1: {e}"));
    let etag = get(&router, "/v2/orders/1").await.header("etag").unwrap_or_default().to_owned();
    let reply = put(&router, &[("if-match", &etag)], CHANGE).await;
    assert_eq!(reply.status, StatusCode::OK, "got {} {:?}", reply.status, reply.text());
    let order = get(&router, "/v2/orders/1").await.json();
    assert_eq!(
        (&order["id"], &order["status"], &order["quantity"]),
        (&serde_json::json!(1), &serde_json::json!("shipped"), &serde_json::json!(5)),
        "a PUT replaces the fields a client chooses; the id and the status belong to the server, and a shipped \
         order stays shipped. Got {order}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_update_without_if_match_is_428() {
    let (router, _) = app_with_order().await;
    let reply = put(&router, &[], CHANGE).await;
    assert_eq!(
        reply.status,
        StatusCode::PRECONDITION_REQUIRED,
        "an update that does not say which version it is based on could overwrite anything: 428. Got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(reply.problem_slug(), "precondition-required");
    assert_eq!(get(&router, "/v2/orders/1").await.json()["quantity"], 2, "a refused update changes nothing.");
}

#[tokio::test]
async fn if_match_uses_the_strong_comparison() {
    let (router, etag) = app_with_order().await;
    let reply = put(&router, &[("if-match", &weak(&etag))], CHANGE).await;
    assert_eq!(
        reply.status,
        StatusCode::PRECONDITION_FAILED,
        "If-Match: {} names a weak tag, and If-Match compares strongly: a weak tag never matches. Read «{SECTION}».",
        weak(&etag)
    );
    let list = format!("\"stale\", {etag}");
    assert_eq!(
        put(&router, &[("if-match", &list)], CHANGE).await.status,
        StatusCode::OK,
        "any tag of the list may match"
    );
}

#[tokio::test]
async fn a_malformed_if_match_is_412_not_a_panic() {
    let (router, _) = app_with_order().await;
    for value in ["not a tag", "\"unterminated", "W/", ","] {
        let reply = put(&router, &[("if-match", value)], CHANGE).await;
        assert_eq!(
            reply.status,
            StatusCode::PRECONDITION_FAILED,
            "If-Match: {value} matches nothing. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn updates_of_missing_and_deleted_orders_say_so() {
    let (router, etag) = app_with_order().await;
    let missing =
        send(&router, request(Method::PUT, "/v2/orders/9", &[("if-match", &etag)], Some(CHANGE))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "no order 9: 404. Read «{SECTION}».");
    send(&router, request(Method::DELETE, "/v2/orders/1", &[], None)).await;
    let gone = put(&router, &[("if-match", &etag)], CHANGE).await;
    assert_eq!(gone.status, StatusCode::GONE, "order 1 was deleted: 410. Read «{SECTION}».");
}

#[test]
fn a_list_of_tags_is_read_quote_by_quote() {
    let parsed = parse_condition(&HeaderValue::from_static("\"a,b\", W/\"c\""));
    assert_eq!(
        parsed,
        Some(Condition::Tags(vec![
            EntityTag { weak: false, opaque: "a,b".into() },
            EntityTag { weak: true, opaque: "c".into() },
        ])),
        "an entity tag may contain a comma: split on quotes, not on commas. Read «{SECTION}»."
    );
    assert_eq!(parse_condition(&HeaderValue::from_static("*")), Some(Condition::Any));
}

#[test]
fn strong_and_weak_comparison() {
    let strong = EntityTag { weak: false, opaque: "1".into() };
    let weak = EntityTag { weak: true, opaque: "1".into() };
    let other = EntityTag { weak: false, opaque: "2".into() };
    assert!(
        strong.strong_eq(&strong) && !strong.strong_eq(&weak) && !weak.strong_eq(&weak),
        "RFC 9110, 8.8.3.2"
    );
    assert!(strong.weak_eq(&weak) && weak.weak_eq(&weak) && !strong.weak_eq(&other), "RFC 9110, 8.8.3.2");
}
