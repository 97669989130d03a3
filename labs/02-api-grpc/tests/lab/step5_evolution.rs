//! Step 5: schema evolution. Bytes written by version 1.0 of `Order` are read by today's
//! schema and the reverse, and a checker names every change that would break that.
//! Read «Evolving the schema».

use api_grpc::evolution::{breaking_changes, current, message, published};
use api_grpc::pb;
use prost::Message;
use prost_types::DescriptorProto;

const SECTION: &str = "Evolving the schema (book/02-api-design/grpc-evolution.md)";

/// The `Order` message of a schema written in the test.
fn order(source: &str) -> DescriptorProto {
    let file = protox_parse::parse("order.proto", source).unwrap_or_else(|e| panic!("bad test schema: {e}"));
    file.message_type
        .into_iter()
        .find(|m| m.name() == "Order")
        .unwrap_or_else(|| panic!("the test schema has no Order"))
}

const V1: &str = r#"syntax = "proto3";
message Order {
  uint64 id = 1;
  string item = 2;
  uint32 quantity = 3;
  string customer_email = 5;
}"#;

fn findings(new: &str) -> Vec<String> {
    breaking_changes(&order(V1), &order(new))
}

#[test]
fn bytes_written_by_v1_are_read_by_today_and_back() {
    let (published, current) = (published(), current());
    let (Some(old), Some(new)) = (message(&published, "Order"), message(&current, "Order")) else {
        panic!("both schemas define Order");
    };
    for (version, found) in [("v1.0", old), ("today's schema", new)] {
        assert!(
            found.name() == "Order" && found.field.iter().any(|field| field.name() == "item"),
            "`message(set, \"Order\")` is {version}'s Order with its fields, or the comparison below proves \
             nothing; got {found:?}. Read «{SECTION}»."
        );
    }
    assert_eq!(message(&current, "Refund"), None, "a message the schema does not define is None");
    let found = breaking_changes(old, new);
    assert!(
        found.is_empty(),
        "today's Order keeps every promise of v1.0; the checker found {found:?}. Read «{SECTION}»."
    );

    let old = pb::published::Order {
        id: 7,
        item: "oolong".into(),
        quantity: 3,
        status: pb::published::OrderStatus::Pending.into(),
        customer_email: "ada@example.com".into(),
    };
    let read = pb::Order::decode(old.encode_to_vec().as_slice())
        .unwrap_or_else(|e| panic!("today's schema cannot read v1.0 bytes: {e}. Read «{SECTION}»."));
    assert_eq!(
        (read.id, read.item.as_str(), read.quantity, read.status(), read.note.as_str()),
        (7, "oolong", 3, pb::OrderStatus::Pending, ""),
        "v1.0 bytes read by today's schema: the same order, and the removed e-mail is not read as a note. Read «{SECTION}»."
    );

    let new = pb::Order {
        id: 8,
        item: "sencha".into(),
        quantity: 2,
        status: pb::OrderStatus::Shipped.into(),
        note: "ring twice".into(),
    };
    let read = pb::published::Order::decode(new.encode_to_vec().as_slice())
        .unwrap_or_else(|e| panic!("a v1.0 client cannot read today's bytes: {e}. Read «{SECTION}»."));
    assert_eq!(
        (read.id, read.item.as_str(), read.quantity, read.status(), read.customer_email.as_str()),
        (8, "sencha", 2, pb::published::OrderStatus::Shipped, ""),
        "today's bytes read by a v1.0 client: the same order, and the note is not read as an e-mail. Read «{SECTION}»."
    );
}

fn assert_found(new: &str, number: &str, why: &str) {
    let found = findings(new);
    assert!(
        found.iter().any(|finding| finding.contains(number)),
        "{why}: a breaking change that names field {number}; the checker found {found:?}. Read «{SECTION}»."
    );
}

#[test]
fn a_reused_field_number_is_a_breaking_change() {
    let reused = V1.replace("string customer_email = 5;", "string note = 5;");
    assert_found(&reused, "5", "field 5 was the e-mail and is now a note: old clients read notes as e-mails");
}

#[test]
fn a_changed_type_is_a_breaking_change() {
    for (from, to) in
        [("uint32 quantity = 3;", "fixed32 quantity = 3;"), ("uint64 id = 1;", "string id = 1;")]
    {
        let changed = V1.replace(from, to);
        let number = if from.contains("id") { "1" } else { "3" };
        assert_found(&changed, number, &format!("`{from}` became `{to}`: the bytes are read another way"));
    }
    let repeated = V1.replace("string item = 2;", "repeated string item = 2;");
    assert_found(&repeated, "2", "a single item became a list");
}

#[test]
fn a_deleted_or_renumbered_field_must_leave_its_number_reserved() {
    let deleted = V1.replace("string customer_email = 5;", "");
    assert_found(&deleted, "5", "field 5 was deleted without `reserved 5;`");
    let renumbered = V1.replace("uint32 quantity = 3;", "uint32 quantity = 4;");
    assert_found(&renumbered, "3", "quantity moved from 3 to 4: old bytes' quantity is now unread");
}

#[test]
fn additions_and_reserved_deletions_are_not_breaking_changes() {
    let evolved = V1.replace(
        "string customer_email = 5;",
        "reserved 5;\n  reserved \"customer_email\";\n  string note = 6;\n  repeated string tags = 7;",
    );
    let found = findings(&evolved);
    assert!(
        found.is_empty(),
        "a new field with a new number, and a deleted field whose number is reserved, break nothing; the checker found {found:?}. Read «{SECTION}»."
    );
    assert!(
        findings(V1).is_empty(),
        "a schema compared with itself has no breaking change. Read «{SECTION}»."
    );
}
