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
    let (old, new) = match (types_of(old), types_of(new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) => return vec![format!("the old schema does not parse: {e}")],
        (_, Err(e)) => return vec![format!("the new schema does not parse: {e}")],
    };
    let mut found = Vec::new();
    for (name, before) in &old {
        match new.get(name) {
            None => found.push(format!("type {name} was removed")),
            Some(after) => compare_type(name, &before.kind, &after.kind, &mut found),
        }
    }
    found.sort();
    found
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

fn compare_type(name: &str, old: &TypeKind, new: &TypeKind, found: &mut Vec<String>) {
    match (old, new) {
        (TypeKind::Object(o), TypeKind::Object(n)) => compare_fields(name, &o.fields, &n.fields, found),
        (TypeKind::Interface(o), TypeKind::Interface(n)) => compare_fields(name, &o.fields, &n.fields, found),
        (TypeKind::InputObject(o), TypeKind::InputObject(n)) => {
            compare_inputs(name, "input field", &o.fields, &n.fields, found)
        }
        (TypeKind::Enum(o), TypeKind::Enum(n)) => {
            for value in &o.values {
                let value = &value.node.value.node;
                if !n.values.iter().any(|v| v.node.value.node == *value) {
                    found.push(format!("enum value {name}.{value} was removed"));
                }
            }
        }
        (TypeKind::Union(o), TypeKind::Union(n)) => {
            for member in &o.members {
                if !n.members.iter().any(|m| m.node == member.node) {
                    found.push(format!("union {name} lost its member {}", member.node));
                }
            }
        }
        (TypeKind::Scalar, TypeKind::Scalar) => {}
        _ => found.push(format!("type {name} changed its kind")),
    }
}

/// Output fields: a client reads them, so each must stay, and may only become stricter.
fn compare_fields(
    name: &str,
    old: &[Positioned<FieldDefinition>],
    new: &[Positioned<FieldDefinition>],
    found: &mut Vec<String>,
) {
    for before in old {
        let field = &before.node.name.node;
        let Some(after) = new.iter().find(|f| f.node.name.node == *field) else {
            found.push(format!("field {name}.{field} was removed"));
            continue;
        };
        let (was, is) = (&before.node.ty.node, &after.node.ty.node);
        if !output_compatible(was, is) {
            found.push(format!("field {name}.{field} changed its type from {was} to {is}"));
        }
        let place = format!("{name}.{field}");
        compare_inputs(&place, "argument", &before.node.arguments, &after.node.arguments, found);
    }
}

/// Input fields and arguments: a client sends them, so each must stay, may only become
/// looser, and a new one must be optional.
fn compare_inputs(
    name: &str,
    what: &str,
    old: &[Positioned<InputValueDefinition>],
    new: &[Positioned<InputValueDefinition>],
    found: &mut Vec<String>,
) {
    for before in old {
        let field = &before.node.name.node;
        match new.iter().find(|f| f.node.name.node == *field) {
            None => found.push(format!("{what} {name}.{field} was removed")),
            Some(after) => {
                let (was, is) = (&before.node.ty.node, &after.node.ty.node);
                if !input_compatible(was, is) {
                    found.push(format!("{what} {name}.{field} changed its type from {was} to {is}"));
                }
            }
        }
    }
    for after in new {
        let field = &after.node.name.node;
        let required = !after.node.ty.node.nullable && after.node.default_value.is_none();
        if required && !old.iter().any(|f| f.node.name.node == *field) {
            found.push(format!("{what} {name}.{field} is new and required"));
        }
    }
}

/// A client that handled `old` handles `new`: the same shape, and never null where it
/// was promised non-null (a nullable field may become non-null).
fn output_compatible(old: &Type, new: &Type) -> bool {
    (old.nullable || !new.nullable) && same_shape(&old.base, &new.base, output_compatible)
}

/// A value a client sent for `old` is accepted by `new`: the same shape, and never
/// required where it was optional (a non-null argument may become nullable).
fn input_compatible(old: &Type, new: &Type) -> bool {
    (!old.nullable || new.nullable) && same_shape(&old.base, &new.base, input_compatible)
}

fn same_shape(old: &BaseType, new: &BaseType, items: fn(&Type, &Type) -> bool) -> bool {
    match (old, new) {
        (BaseType::Named(o), BaseType::Named(n)) => o == n,
        (BaseType::List(o), BaseType::List(n)) => items(o, n),
        _ => false,
    }
}
