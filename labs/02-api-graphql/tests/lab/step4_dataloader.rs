//! Step 4: a DataLoader. Each order's `customer` resolver asks for one customer; the
//! loader collects those requests and makes one directory call for all of them. Read
//! «N+1 and the DataLoader».

use api_graphql::Config;
use serde_json::json;

use super::support::{assert_no_errors, run_loaded, seeded};

const SECTION: &str = "N+1 and the DataLoader (book/02-api-design/graphql-dataloader.md)";

const PAGE: &str = "{ orders(first: 50) { id customer { id name } } }";

#[tokio::test(start_paused = true)]
async fn fifty_orders_load_their_customers_in_one_call() {
    let store = seeded(50, 50);
    let schema = api_graphql::schema(&store, &Config::development());
    let response = run_loaded(&schema, &store, PAGE).await;
    assert_no_errors(&response, "a page of 50 orders with their customers", SECTION);
    assert_eq!(
        response["data"]["orders"][49],
        json!({ "id": "50", "customer": { "id": "50", "name": "customer 50" } }),
        "each order has its own customer: {response}"
    );
    assert_eq!(
        store.directory_calls(),
        1,
        "50 orders, 50 customers: one directory call for all of them, not one per order (N+1). Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn a_customer_shared_by_many_orders_is_asked_for_once() {
    let store = seeded(5, 50);
    let schema = api_graphql::schema(&store, &Config::development());
    let response = run_loaded(&schema, &store, PAGE).await;
    assert_no_errors(&response, "a page of 50 orders of 5 customers", SECTION);
    let mut batches = store.directory_batches();
    for batch in &mut batches {
        batch.sort_unstable();
    }
    assert_eq!(
        batches,
        vec![vec![1, 2, 3, 4, 5]],
        "50 orders of 5 customers: one call asking for each customer once. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn nested_lists_are_one_call_per_level() {
    let store = seeded(10, 40);
    let schema = api_graphql::schema(&store, &Config::development());
    let query = "{ orders(first: 40) { customer { orders(first: 4) { customer { name } } } } }";
    let response = run_loaded(&schema, &store, query).await;
    assert_no_errors(&response, "orders, their customers, their orders, their customers", SECTION);
    assert!(
        store.directory_calls() <= 2,
        "two levels of `customer` are at most two directory calls, whatever the number of orders; got {}. \
         Read «{SECTION}».",
        store.directory_calls()
    );
}

#[tokio::test(start_paused = true)]
async fn the_next_request_sees_a_renamed_customer() {
    let store = seeded(1, 1);
    let schema = api_graphql::schema(&store, &Config::development());
    let query = r#"{ order(id: "1") { customer { name } } }"#;
    let before = run_loaded(&schema, &store, query).await;
    assert_eq!(before["data"]["order"]["customer"]["name"], "customer 1", "{before}");
    store.rename_customer(1, "Ada");
    let after = run_loaded(&schema, &store, query).await;
    assert_eq!(
        after["data"]["order"]["customer"]["name"], "Ada",
        "a loader's cache lives as long as one request: the next request sees the new name, not a copy cached \
         for the whole server (and shared between users). Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn a_customer_lists_their_own_orders() {
    // Three customers, ten orders placed round-robin: customer 2 has orders 2, 5 and 8.
    let store = seeded(3, 10);
    let schema = api_graphql::schema(&store, &Config::development());
    let query = r#"{ order(id: "5") { customer { id all: orders { id } two: orders(first: 2) { id customer { id } } } } }"#;
    let response = run_loaded(&schema, &store, query).await;
    assert_no_errors(&response, "an order's customer and their orders", SECTION);
    assert_eq!(
        response["data"]["order"]["customer"],
        json!({
            "id": "2",
            "all": [{ "id": "2" }, { "id": "5" }, { "id": "8" }],
            "two": [{ "id": "2", "customer": { "id": "2" } }, { "id": "5", "customer": { "id": "2" } }]
        }),
        "order 5 belongs to customer 2, whose orders are 2, 5 and 8, oldest first (`first: 2` keeps two), and \
         each of them points back at customer 2: the loader gives every key its own customer. Got {response}. \
         Read «{SECTION}»."
    );
}
