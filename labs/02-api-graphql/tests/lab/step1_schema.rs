//! Step 1: a schema designed for its clients, executed without HTTP. Nullability says
//! what a client must handle; the user's mistakes come back as data it can show; the
//! client's own mistakes are errors. Read «A schema for its clients».

use serde_json::{Value, json};

use super::support::{assert_no_errors, bare_schema, errors, run, seeded};

const SECTION: &str = "A schema for its clients (book/02-api-design/graphql-schema.md)";

#[tokio::test]
async fn orders_come_oldest_first_with_their_fields() {
    let store = seeded(2, 3);
    store.insert_order(api_graphql::store::NewOrder {
        customer_id: 1,
        item: "green tea".into(),
        quantity: 4,
        note: Some("leave it at the door".into()),
    });
    store.ship(1);
    let response = run(&bare_schema(&store), "{ orders { id item quantity note status } }").await;
    assert_no_errors(&response, "listing orders", SECTION);
    let orders = response["data"]["orders"].as_array().cloned().unwrap_or_default();
    assert_eq!(orders.len(), 4, "`orders` lists every order (4 here, under the default page): {response}");
    assert_eq!(
        orders[0],
        json!({ "id": "1", "item": "item 1", "quantity": 1, "note": null, "status": "SHIPPED" }),
        "the oldest order first; a missing note is null. Read «{SECTION}»."
    );
    assert_eq!(
        orders[3],
        json!({ "id": "4", "item": "green tea", "quantity": 4, "note": "leave it at the door", "status": "PENDING" }),
        "each field as stored. Read «{SECTION}»."
    );
    let first_two = run(&bare_schema(&store), "{ orders(first: 2) { id } }").await;
    assert_eq!(
        first_two["data"],
        json!({ "orders": [{ "id": "1" }, { "id": "2" }] }),
        "`first` limits the page."
    );
}

#[tokio::test]
async fn a_missing_order_is_null_not_an_error() {
    let store = seeded(1, 1);
    let schema = bare_schema(&store);
    let found = run(&schema, r#"{ order(id: "1") { item } }"#).await;
    assert_eq!(found["data"], json!({ "order": { "item": "item 1" } }), "order(id) finds an order: {found}");
    for id in ["999", "not-a-number"] {
        let response = run(&schema, format!(r#"{{ order(id: "{id}") {{ item }} }}"#).as_str()).await;
        assert_eq!(
            response,
            json!({ "data": { "order": null } }),
            "no order {id:?} is an answer, not a failure: `order` is nullable and null here, with no error. \
             Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn a_page_outside_the_bounds_is_the_clients_error() {
    let store = seeded(1, 1);
    for first in [0, -1, 101, 1_000_000] {
        let response =
            run(&bare_schema(&store), format!("{{ orders(first: {first}) {{ id }} }}").as_str()).await;
        let errors = errors(&response);
        assert_eq!(
            errors.len(),
            1,
            "orders(first: {first}) is outside 1..=100: one error, got {response}. Read «{SECTION}»."
        );
        assert_eq!(
            errors[0]["extensions"]["code"], "BAD_USER_INPUT",
            "a bad argument is the client's mistake: extensions.code is BAD_USER_INPUT; got {response}. \
             Read «{SECTION}»."
        );
        assert_eq!(errors[0]["path"], json!(["orders"]), "the error points at the field: {response}");
    }
}

const PLACE: &str = r#"mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id item quantity note status } errors { field code message } }
}"#;

async fn place(store: &api_graphql::Store, input: Value) -> Value {
    let request = async_graphql::Request::new(PLACE)
        .variables(async_graphql::Variables::from_json(json!({ "input": input })));
    run(&bare_schema(store), request).await
}

#[tokio::test]
async fn place_order_returns_the_new_order() {
    let store = seeded(1, 0);
    let response =
        place(&store, json!({ "customerId": "1", "item": "  oolong ", "quantity": 2, "note": "gift" })).await;
    assert_no_errors(&response, "placing a valid order", SECTION);
    assert_eq!(
        response["data"]["placeOrder"],
        json!({
            "order": { "id": "1", "item": "oolong", "quantity": 2, "note": "gift", "status": "PENDING" },
            "errors": []
        }),
        "a valid input places the order (item trimmed) and returns it with an empty error list. Read «{SECTION}»."
    );
    assert!(store.order(1).is_some(), "the order is stored");
    let without_note = place(&store, json!({ "customerId": "1", "item": "sencha", "quantity": 1 })).await;
    assert_eq!(without_note["data"]["placeOrder"]["order"]["note"], Value::Null, "`note` may be left out");
}

#[tokio::test]
async fn invalid_input_comes_back_as_data_the_form_can_show() {
    let store = seeded(1, 0);
    let response = place(&store, json!({ "customerId": "1", "item": "   ", "quantity": 0 })).await;
    assert_eq!(
        errors(&response),
        Vec::<Value>::new(),
        "a user's mistake is not a GraphQL error: it is data in the payload, typed in the schema. Got {response}. \
         Read «{SECTION}»."
    );
    let payload = &response["data"]["placeOrder"];
    assert_eq!(payload["order"], Value::Null, "no order when the input is wrong: {payload}");
    let found: Vec<(String, String)> = payload["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("item".to_owned(), "REQUIRED".to_owned()), ("quantity".to_owned(), "OUT_OF_RANGE".to_owned())],
        "every problem at once, in field order, each with the input field's schema name and a code. \
         Read «{SECTION}»."
    );
    assert_eq!(store.order(1), None, "nothing is stored");
}

#[tokio::test]
async fn an_unknown_customer_and_a_long_note_are_user_errors() {
    let store = seeded(1, 0);
    let long = "x".repeat(api_graphql::schema::MAX_NOTE_CHARS + 1);
    let response =
        place(&store, json!({ "customerId": "42", "item": "tea", "quantity": 1001, "note": long })).await;
    let codes: Vec<Value> = response["data"]["placeOrder"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| json!([e["field"], e["code"]]))
        .collect();
    assert_eq!(
        codes,
        vec![
            json!(["customerId", "UNKNOWN_CUSTOMER"]),
            json!(["quantity", "OUT_OF_RANGE"]),
            json!(["note", "TOO_LONG"])
        ],
        "an unknown customer, a quantity over 1000 and a note over 500 characters: three user errors. \
         Got {response}. Read «{SECTION}»."
    );
}

/// The codes of a `placeOrder` payload's errors, as `[field, code]` pairs.
fn codes(response: &Value) -> Vec<Value> {
    response["data"]["placeOrder"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| json!([e["field"], e["code"]]))
        .collect()
}

#[tokio::test]
async fn each_rule_holds_on_its_own_and_at_its_limit() {
    use api_graphql::schema::{MAX_ITEM_CHARS, MAX_NOTE_CHARS};
    let store = seeded(1, 0);
    // Multi-byte characters: a limit in characters is not a limit in bytes.
    let chars = |n: usize| "é".repeat(n);
    let at_the_limit = json!({ "customerId": "1", "item": chars(MAX_ITEM_CHARS), "quantity": 1000,
        "note": chars(MAX_NOTE_CHARS) });
    let response = place(&store, at_the_limit).await;
    assert_eq!(
        (codes(&response), response["data"]["placeOrder"]["order"]["quantity"].clone()),
        (Vec::new(), json!(1000)),
        "an item of {MAX_ITEM_CHARS} characters, a quantity of 1000 and a note of {MAX_NOTE_CHARS} characters \
         are at the limits, not over them: the order is placed. The test writes them with `é`, two bytes in \
         UTF-8 each: count `chars()`, not bytes. Got {response}. Read «{SECTION}»."
    );
    for (input, field, code) in [
        (json!({ "item": "" }), "item", "REQUIRED"),
        (json!({ "item": chars(MAX_ITEM_CHARS + 1) }), "item", "TOO_LONG"),
        (json!({ "quantity": 0 }), "quantity", "OUT_OF_RANGE"),
        (json!({ "note": chars(MAX_NOTE_CHARS + 1) }), "note", "TOO_LONG"),
    ] {
        let mut full = json!({ "customerId": "1", "item": "tea", "quantity": 1 });
        if let (Some(full), Some(bad)) = (full.as_object_mut(), input.as_object()) {
            full.extend(bad.clone());
        }
        let response = place(&store, full).await;
        assert_eq!(
            (codes(&response), response["data"]["placeOrder"]["order"].clone()),
            (vec![json!([field, code])], Value::Null),
            "only `{field}` is wrong ({input}): one user error {code} on it, and no order, even though every \
             other field is fine. Got {response}. Read «{SECTION}»."
        );
    }
    assert_eq!(store.order(2), None, "only the order at the limits is stored");
}

#[tokio::test]
async fn the_schema_says_what_may_be_null() {
    let store = seeded(1, 25);
    let response = run(&bare_schema(&store), "{ orders { note } }").await;
    assert_eq!(
        response["data"]["orders"].as_array().map(Vec::len),
        Some(20),
        "`first` defaults to 20, and a note that was never written is null: {response}. Read «{SECTION}»."
    );
    let sdl = api_graphql::contract::current_sdl();
    for line in [
        "order(id: ID!): Order\n",
        "orders(first: Int! = 20): [Order!]!",
        "note: String\n",
        "customer: Customer!",
        "placeOrder(input: PlaceOrderInput!): PlaceOrderPayload!",
        "errors: [UserError!]!",
    ] {
        assert!(
            sdl.contains(line),
            "the schema declares `{}`: nullable where absence is normal, non-null where the client may rely on a \
             value. Read «{SECTION}». The schema is:\n{sdl}",
            line.trim()
        );
    }
}
