//! Schema evolution: which changes to a message keep old and new programs able to read
//! each other's bytes. The descriptors are compiled by `build.rs` from `proto/`.

use prost::Message;
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorSet};

/// Today's schema, `proto/orders.proto`, as compiled into this crate.
pub fn current() -> FileDescriptorSet {
    decode(include_bytes!(concat!(env!("OUT_DIR"), "/current.bin")))
}

/// The schema as version 1.0 published it, `proto/published/orders_v1.proto`.
pub fn published() -> FileDescriptorSet {
    decode(include_bytes!(concat!(env!("OUT_DIR"), "/published.bin")))
}

fn decode(bytes: &[u8]) -> FileDescriptorSet {
    // build.rs wrote these bytes from a set it had just compiled: they always decode.
    FileDescriptorSet::decode(bytes).unwrap_or_default()
}

/// The message called `name` (without its package) in a set of files.
pub fn message<'a>(set: &'a FileDescriptorSet, name: &str) -> Option<&'a DescriptorProto> {
    set.file.iter().flat_map(|file| &file.message_type).find(|message| message.name() == name)
}

// ANCHOR: breaking_changes
/// Every change from `old` to `new` that breaks a program compiled against the other
/// version, one sentence each, naming the field number. Empty when the two are
/// compatible on the wire.
pub fn breaking_changes(old: &DescriptorProto, new: &DescriptorProto) -> Vec<String> {
    let mut found = Vec::new();
    for before in &old.field {
        let number = before.number();
        match new.field.iter().find(|after| after.number() == number) {
            None if is_reserved(new, number) => {}
            None => found.push(format!(
                "field {number} `{}` was deleted without reserving its number: it can be reused with another meaning",
                before.name()
            )),
            Some(after) if after.name() != before.name() => found.push(format!(
                "field {number} was `{}` and is now `{}`: a number is reused or a field renamed",
                before.name(),
                after.name()
            )),
            Some(after) if type_of(after) != type_of(before) => found.push(format!(
                "field {number} `{}` changed its type from {} to {}",
                before.name(),
                type_of(before),
                type_of(after)
            )),
            Some(_) => {}
        }
    }
    found
}
// ANCHOR_END: breaking_changes

fn is_reserved(message: &DescriptorProto, number: i32) -> bool {
    // A reserved range's `end` is exclusive in a descriptor.
    message.reserved_range.iter().any(|range| (range.start()..range.end()).contains(&number))
}

/// A field's type as one comparable string: its label (repeated or not), its scalar
/// type, and the last part of a message or enum type's name (packages may differ).
fn type_of(field: &FieldDescriptorProto) -> String {
    let short_name = field.type_name().rsplit('.').next().unwrap_or_default();
    format!("{:?} {:?} {short_name}", field.label(), field.r#type()).trim_end().to_owned()
}
