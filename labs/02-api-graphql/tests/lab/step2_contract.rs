//! Step 2: the schema is a contract. Its SDL is published as a file; a change that can
//! break a client already written against it fails this step until someone decides it
//! on purpose. Read «The schema as a contract».

use std::path::PathBuf;

use api_graphql::contract::{breaking_changes, current_sdl};

const SECTION: &str = "The schema as a contract (book/02-api-design/graphql-contract.md)";

/// The one command that accepts a change of the schema.
const UPDATE: &str = "UPDATE_SCHEMA=1 cargo test -p api-graphql --test lab step2_contract";

/// The current SDL with `from` replaced by `to`, which must be in it (async-graphql
/// indents the SDL with tabs).
fn edited(from: &str, to: &str) -> String {
    let sdl = current_sdl();
    assert!(sdl.contains(from), "the test expects `{from}` in the schema (step 1); the schema is:\n{sdl}");
    sdl.replacen(from, to, 1)
}

fn assert_breaking(new: &str, what: &str, mention: &str) {
    let found = breaking_changes(&current_sdl(), new);
    assert!(
        found.iter().any(|change| change.contains(mention)),
        "{what} breaks clients: breaking_changes names {mention:?}; it found {found:?}. Read «{SECTION}»."
    );
}

#[test]
fn a_removed_field_is_a_breaking_change() {
    assert_breaking(&edited("\tnote: String\n", ""), "removing Order.note", "Order.note");
    assert_breaking(&edited("\tname: String!\n", ""), "removing Customer.name", "Customer.name");
}

#[test]
fn an_input_made_non_null_is_a_breaking_change() {
    let new = edited("input PlaceOrderInput {", "input PlaceOrderInput {\n\tgift: Boolean!");
    assert_breaking(&new, "a new required input field PlaceOrderInput.gift", "PlaceOrderInput.gift");
    let sdl = current_sdl();
    let start = sdl.find("input PlaceOrderInput").unwrap_or(0);
    let end = start + sdl[start..].find('}').unwrap_or(0);
    let input = sdl[start..end].replace("note: String", "note: String!");
    let new = format!("{}{}{}", &sdl[..start], input, &sdl[end..]);
    assert_breaking(
        &new,
        "making PlaceOrderInput.note non-null (clients that leave it out fail)",
        "PlaceOrderInput.note",
    );
    assert_breaking(
        &edited("orders(first: Int! = 20): [Order!]!", "orders(first: Int!, after: ID!): [Order!]!"),
        "a new required argument Query.orders(after)",
        "after",
    );
}

#[test]
fn an_output_made_nullable_or_retyped_is_a_breaking_change() {
    assert_breaking(
        &edited("customer: Customer!", "customer: Customer"),
        "making Order.customer nullable (clients that rely on it crash on null)",
        "Order.customer",
    );
    assert_breaking(
        &edited("\tquantity: Int!\n", "\tquantity: String!\n"),
        "turning Order.quantity into a String",
        "quantity",
    );
    assert_breaking(
        &edited("orders(first: Int! = 20): [Order!]!", "orders(first: Int! = 20): Order!"),
        "turning a list into a single object",
        "orders",
    );
    assert_breaking(
        &edited("orders(first: Int! = 20): [Order!]!", "orders(first: Int! = 20): [Order]!"),
        "turning Customer.orders from [Order!]! into [Order]! (the list stays, but its items may now be null: \
         compare list items with the same rule, at every level)",
        "Customer.orders",
    );
}

#[test]
fn a_removed_type_or_enum_value_is_a_breaking_change() {
    assert_breaking(&edited("\tSHIPPED\n", ""), "removing OrderStatus.SHIPPED", "SHIPPED");
    let sdl = current_sdl();
    let start = sdl.find("type UserError").unwrap_or(0);
    let end = start + sdl[start..].find("}\n").unwrap_or(0) + 2;
    let new =
        format!("{}{}", &sdl[..start], &sdl[end..]).replace("errors: [UserError!]!", "errors: [String!]!");
    assert_breaking(&new, "removing the type UserError", "UserError");
}

#[test]
fn additions_are_not_breaking_changes() {
    let old = current_sdl();
    assert_eq!(breaking_changes(&old, &old), Vec::<String>::new(), "a schema does not break itself");
    let new = edited("\tnote: String\n", "\tnote: String\n\tgiftWrap: Boolean\n\ttrackingUrl: String!\n")
        .replace(
            "input PlaceOrderInput {",
            "input PlaceOrderInput {\n\tgiftWrap: Boolean\n\tpriority: Int! = 0",
        )
        .replace("\tSHIPPED\n", "\tSHIPPED\n\tRETURNED\n")
        + "\ntype Refund {\n  id: ID!\n}\n";
    let new = new.replacen("order(id: ID!): Order\n", "order(id: ID!): Order!\n", 1);
    assert_eq!(
        breaking_changes(&old, &new),
        Vec::<String>::new(),
        "new fields, an optional input field, an input field with a default, an enum value, a type, and an \
         output made non-null: clients written against the old schema still work. Read «{SECTION}»."
    );
}

/// A schema with the kinds the lab's own schema does not use yet: an interface, a union
/// and a custom scalar.
const SEARCH: &str = "scalar DateTime

interface Node {
  id: ID!
  createdAt: DateTime!
}

type Order implements Node {
  id: ID!
  createdAt: DateTime!
  item: String!
}

type Customer implements Node {
  id: ID!
  createdAt: DateTime!
  name: String!
}

union SearchResult = Order | Customer

type Query {
  node(id: ID!): Node
  search(text: String!): [SearchResult!]!
}
";

#[test]
fn interfaces_unions_and_scalars_are_part_of_the_contract() {
    assert_eq!(
        breaking_changes(SEARCH, SEARCH),
        Vec::<String>::new(),
        "an interface, a union and a custom scalar compared with themselves: nothing changed, nothing breaks. \
         Every kind of type needs its own comparison, not only objects, inputs and enums. Read «{SECTION}»."
    );
    let grown = SEARCH
        .replace("interface Node {\n  id: ID!\n", "interface Node {\n  id: ID!\n  updatedAt: DateTime\n")
        .replace("union SearchResult = Order | Customer", "union SearchResult = Order | Customer | Refund")
        + "type Refund {\n  id: ID!\n}\n";
    assert_eq!(
        breaking_changes(SEARCH, &grown),
        Vec::<String>::new(),
        "a new interface field and a new union member are additions: nothing breaks. Read «{SECTION}»."
    );
    for (from, to, what, mention) in [
        (
            "interface Node {\n  id: ID!\n",
            "interface Node {\n",
            "removing the interface field Node.id",
            "Node.id",
        ),
        ("= Order | Customer", "= Order", "removing Customer from the union SearchResult", "Customer"),
        (
            "union SearchResult = Order | Customer",
            "scalar SearchResult",
            "turning a union into a scalar",
            "SearchResult",
        ),
    ] {
        let found = breaking_changes(SEARCH, &SEARCH.replacen(from, to, 1));
        assert!(
            found.iter().any(|change| change.contains(mention)),
            "{what} breaks clients (their fragments and selections stop matching): breaking_changes names \
             {mention:?}; it found {found:?}. Read «{SECTION}»."
        );
    }
}

fn snapshot_path() -> PathBuf {
    // The same file for the lab and the solution: both manifests sit two levels down.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../labs/02-api-graphql/tests/schema.graphql")
}

#[test]
fn the_schema_has_no_breaking_change_since_its_snapshot() {
    let path = snapshot_path();
    let now = current_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &now).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let published = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("no readable snapshot at {} ({e}). Create it with: {UPDATE}", path.display())
    });
    let breaking = breaking_changes(&published, &now);
    assert!(
        breaking.is_empty(),
        "the schema changed in ways that break clients:\n  - {}\nRestore what was removed, or add the new \
         field beside the old one and deprecate the old one (@deprecated). If this break is intended and every \
         client has moved, accept it with: {UPDATE}. Read «{SECTION}».",
        breaking.join("\n  - ")
    );
    assert!(
        published == now,
        "the schema changed (nothing breaking). Review the difference and accept it with: {UPDATE}. \
         Read «{SECTION}»."
    );
}
