//! Limits that reject a hostile query while it is validated, before any resolver runs.

use crate::schema::AppSchemaBuilder;

/// How deep and how expensive a query may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Nesting of selection sets: `{ orders { customer { name } } }` is 3 deep.
    pub max_depth: usize,
    /// The sum of every field's cost, each list's children counted once per item.
    pub max_complexity: usize,
}

// ANCHOR: limits
impl Default for Limits {
    /// The app's deepest real query (an order, its customer, their orders, each one's
    /// customer) is 5 deep; its largest (a page of 100 orders with their customers)
    /// costs 800. A little room above both, and nothing more.
    fn default() -> Self {
        todo!(
            "step 3: a depth and a complexity limit just above what the app needs. Read book/02-api-design/graphql-limits.md"
        )
    }
}

/// Adds the limits to the schema. async-graphql checks both during validation, so a
/// query over either gets an error without touching the store.
pub fn apply(builder: AppSchemaBuilder, limits: &Limits) -> AppSchemaBuilder {
    todo!(
        "step 3: add the depth and complexity limits to the builder. Read book/02-api-design/graphql-limits.md"
    )
}
// ANCHOR_END: limits

// ANCHOR: page_cost
/// The cost of a list field: its children, once per item it may return. Without this
/// a list of 100 costs as much as a single object, and the limit counts nothing.
pub fn page_cost(first: i32, child_complexity: usize) -> usize {
    let items = usize::try_from(first).unwrap_or(0).max(1);
    items.saturating_mul(child_complexity)
}
// ANCHOR_END: page_cost
