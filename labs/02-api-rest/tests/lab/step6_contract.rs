//! Step 6: evolution and the contract. The old version keeps working and says when it
//! will stop; the OpenAPI document is generated from the code, served, and compared
//! with the published one. Read «Evolution and the contract».

use std::path::PathBuf;

use api_rest::contract::breaking_changes;
use api_rest::evolution::{DEPRECATED_AT_UNIX, SUNSET_AT};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{create, get, request, send, spawn_app};

const SECTION: &str = "Evolution and the contract (book/02-api-design/evolution.md)";

/// The one command that accepts a change of the contract.
const UPDATE: &str = "UPDATE_OPENAPI=1 cargo test -p api-rest --test lab step6_contract";

#[tokio::test]
async fn version_1_still_answers_and_announces_its_sunset() {
    let (router, _, _) = spawn_app();
    create(&router, "green tea", 2).await;
    let reply = get(&router, "/v1/orders/1").await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "version 1 still answers until its sunset: {:?}. Read «{SECTION}».",
        reply.text()
    );
    assert_eq!(
        reply.json(),
        json!({ "id": 1, "item": "green tea", "qty": 2 }),
        "version 1 clients get the version 1 shape, exactly. Read «{SECTION}»."
    );
    assert_eq!(
        reply.header("deprecation"),
        Some(format!("@{DEPRECATED_AT_UNIX}").as_str()),
        "`Deprecation` (RFC 9745) is `@` and the Unix time it was deprecated. Read «{SECTION}»."
    );
    assert_eq!(
        reply.header("sunset"),
        Some(SUNSET_AT),
        "`Sunset` (RFC 8594) is an HTTP-date. Read «{SECTION}»."
    );
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.contains("</v2/orders/1>") && link.contains("rel=\"successor-version\""),
        "`Link` points to the version that replaces it, rel=\"successor-version\"; got {link:?}. Read «{SECTION}»."
    );
    let current = get(&router, "/v2/orders/1").await;
    assert_eq!(current.header("deprecation"), None, "version 2 is not deprecated.");
    assert_eq!(
        get(&router, "/v1/orders/2").await.status,
        StatusCode::NOT_FOUND,
        "no order 2: 404 in v1 too."
    );
    assert_ne!(
        current.header("etag"),
        reply.header("etag"),
        "two representations, two ETags. Read «{SECTION}»."
    );
    send(&router, request(Method::DELETE, "/v2/orders/1", &[], None)).await;
    let gone = get(&router, "/v1/orders/1").await;
    assert_eq!(
        gone.status,
        StatusCode::GONE,
        "a cancelled order is gone in every version: 410 from /v1 too, as the contract says. Got {} {:?}. \
         Read «{SECTION}».",
        gone.status,
        gone.text()
    );
}

async fn served_contract() -> Value {
    let (router, _, _) = spawn_app();
    let reply = get(&router, "/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK, "GET /openapi.json serves the contract. Read «{SECTION}».");
    reply.json()
}

#[tokio::test]
async fn the_contract_is_served_at_openapi_json() {
    let document = served_contract().await;
    assert!(
        document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "an OpenAPI 3 document: {document}"
    );
    for (path, method) in [("/v2/orders", "post"), ("/v2/orders", "get"), ("/v2/orders/{id}", "put")] {
        assert!(
            document["paths"][path][method].is_object(),
            "{} {path} is documented. Read «{SECTION}».",
            method.to_uppercase()
        );
    }
    assert_eq!(
        document["paths"]["/v1/orders/{id}"]["get"]["deprecated"], true,
        "the contract marks version 1 deprecated too. Read «{SECTION}»."
    );
    assert_eq!(
        document,
        serde_json::to_value(api_rest::openapi()).unwrap_or_default(),
        "it serves the generated one."
    );
}

fn current() -> Value {
    serde_json::to_value(api_rest::openapi())
        .unwrap_or_else(|e| panic!("the document does not serialize: {e}"))
}

fn assert_breaking(old: &Value, new: &Value, what: &str, mention: &str) {
    let found = breaking_changes(old, new);
    assert!(
        found.iter().any(|change| change.contains(mention)),
        "{what} breaks clients: breaking_changes names {mention:?}; it found {found:?}. Read «{SECTION}»."
    );
}

#[test]
fn a_removed_field_is_a_breaking_change() {
    let old = current();
    let mut new = old.clone();
    if let Some(properties) = new["components"]["schemas"]["Order"]["properties"].as_object_mut() {
        properties.remove("quantity");
    }
    assert_breaking(&old, &new, "removing Order.quantity", "quantity");
}

#[test]
fn a_renamed_path_is_a_breaking_change() {
    let old = current();
    let mut new = old.clone();
    if let Some(paths) = new["paths"].as_object_mut() {
        let item = paths.remove("/v2/orders/{id}").unwrap_or_default();
        paths.insert("/v2/order/{id}".to_owned(), item);
    }
    assert_breaking(&old, &new, "renaming /v2/orders/{id}", "/v2/orders/{id}");
}

#[test]
fn a_changed_status_is_a_breaking_change() {
    let old = current();
    let mut new = old.clone();
    if let Some(responses) = new["paths"]["/v2/orders"]["post"]["responses"].as_object_mut() {
        let created = responses.remove("201").unwrap_or_default();
        responses.insert("200".to_owned(), created);
    }
    assert_breaking(&old, &new, "answering a create with 200 instead of 201", "201");
}

#[test]
fn a_removed_operation_or_schema_is_a_breaking_change() {
    let old = current();
    let mut new = old.clone();
    if let Some(item) = new["paths"]["/v2/orders/{id}"].as_object_mut() {
        item.remove("delete");
    }
    assert_breaking(&old, &new, "removing DELETE /v2/orders/{id}", "DELETE");
    let mut new = old.clone();
    if let Some(schemas) = new["components"]["schemas"].as_object_mut() {
        schemas.remove("OrderV1");
    }
    assert_breaking(&old, &new, "removing the schema OrderV1", "OrderV1");
}

#[test]
fn a_changed_type_or_a_new_required_field_is_a_breaking_change() {
    let old = current();
    let mut new = old.clone();
    new["components"]["schemas"]["Order"]["properties"]["id"] = json!({ "type": "string" });
    assert_breaking(&old, &new, "turning Order.id into a string", "id");
    // Still an array, but of another schema: compare the whole field, not its `type`.
    let mut new = old.clone();
    new["components"]["schemas"]["OrderPage"]["properties"]["items"]["items"] =
        json!({ "$ref": "#/components/schemas/OrderV1" });
    assert_breaking(&old, &new, "listing OrderV1 instead of Order in OrderPage.items", "items");
    let mut new = old.clone();
    if let Some(required) = new["components"]["schemas"]["NewOrder"]["required"].as_array_mut() {
        required.push(json!("note"));
    }
    assert_breaking(&old, &new, "requiring NewOrder.note", "note");
}

#[test]
fn additions_are_not_breaking_changes() {
    let old = current();
    assert_eq!(breaking_changes(&old, &old), Vec::<String>::new(), "a document does not break itself");
    let mut new = old.clone();
    new["components"]["schemas"]["Order"]["properties"]["gift_wrap"] = json!({ "type": "boolean" });
    new["components"]["schemas"]["NewOrder"]["properties"]["item"]["description"] = json!("What to send.");
    new["paths"]["/v2/returns"] = json!({ "get": { "responses": { "200": { "description": "returns" } } } });
    if let Some(responses) = new["paths"]["/v2/orders"]["get"]["responses"].as_object_mut() {
        responses.insert("503".to_owned(), json!({ "description": "overloaded" }));
    }
    assert_eq!(
        breaking_changes(&old, &new),
        Vec::<String>::new(),
        "a new optional field, a new path, a new status, a reworded description: clients written against the old \
         document still work. Read «{SECTION}»."
    );
}

fn snapshot_path() -> PathBuf {
    // The same file for the lab and the solution: both manifests sit two levels down.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../labs/02-api-rest/tests/openapi.json")
}

#[test]
fn the_contract_has_no_breaking_change_since_its_snapshot() {
    let path = snapshot_path();
    let now = current();
    let pretty = serde_json::to_string_pretty(&now).unwrap_or_default() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, pretty).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let published = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .unwrap_or_else(|| panic!("no readable snapshot at {}. Create it with: {UPDATE}", path.display()));
    let breaking = breaking_changes(&published, &now);
    assert!(
        breaking.is_empty(),
        "the contract changed in ways that break clients:\n  - {}\nRestore what was removed, or publish a new version. \
         If this is intended, accept it with: {UPDATE}. Read «{SECTION}».",
        breaking.join("\n  - ")
    );
    assert!(
        published == now,
        "the contract changed (nothing breaking). Review the difference and accept it with: {UPDATE}. Read «{SECTION}»."
    );
}
