//! The schema as a contract: its SDL, and the changes to it that break a client.

use std::collections::HashMap;

use async_graphql::parser::Positioned;
use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{
    BaseType, FieldDefinition, InputValueDefinition, Type, TypeDefinition, TypeKind, TypeSystemDefinition,
};

use crate::store::Store;

/// The schema's SDL as the code defines it now (the store is not read).
pub fn current_sdl() -> String {
    crate::schema::builder(&Store::new()).finish().sdl()
}

// ANCHOR: breaking_changes
/// Every change from `old` to `new` that can break a client written against `old`, one
/// sentence each, naming the type and field. Additions are not breaking.
pub fn breaking_changes(old: &str, new: &str) -> Vec<String> {
    todo!(
        "step 2: compare the two schemas type by type and field by field. Read book/02-api-design/graphql-contract.md"
    )
}
// ANCHOR_END: breaking_changes

fn types_of(sdl: &str) -> Result<HashMap<String, TypeDefinition>, String> {
    let document = parse_schema(sdl).map_err(|e| e.to_string())?;
    Ok(document
        .definitions
        .into_iter()
        .filter_map(|definition| match definition {
            TypeSystemDefinition::Type(t) => Some((t.node.name.node.to_string(), t.node)),
            _ => None,
        })
        .collect())
}
