//! The schema, designed for the screens that call it: what may be null and why, an
//! input type for the one write, and the line between errors as data and errors.

use async_graphql::{
    Context, EmptySubscription, Enum, Error, ErrorExtensions, ID, InputObject, Object, Result, Schema,
    SchemaBuilder, SimpleObject,
};

use crate::store::{CustomerRecord, NewOrder, OrderRecord, Status, Store};

/// The largest page a client may ask for, and the page it gets when it does not say.
pub const MAX_PAGE: i32 = 100;
pub const DEFAULT_PAGE: i32 = 20;
/// The bounds of an order's fields.
pub const MAX_QUANTITY: i32 = 1000;
pub const MAX_ITEM_CHARS: usize = 200;
pub const MAX_NOTE_CHARS: usize = 500;

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;
pub type AppSchemaBuilder = SchemaBuilder<Query, Mutation, EmptySubscription>;

/// The schema's types and the store they read, without limits: `crate::schema` adds
/// those (step 3) and the production settings (step 5).
pub fn builder(store: &Store) -> AppSchemaBuilder {
    Schema::build(Query, Mutation, EmptySubscription).data(store.clone())
}

fn store<'a>(ctx: &Context<'a>) -> Result<&'a Store> {
    ctx.data::<Store>()
}

/// An error the client made in the request, not the user in a form: `BAD_USER_INPUT`
/// in `extensions.code`, the convention most GraphQL clients and servers share.
pub fn bad_user_input(message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, extensions| extensions.set("code", "BAD_USER_INPUT"))
}

pub struct Query;

// ANCHOR: query
#[Object]
impl Query {
    /// One order, or null when no order has this id: a missing order is an answer,
    /// not a failure.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Order>> {
        todo!(
            "step 1: the order with this id, or None when there is none (an id that is not a number names none). Read book/02-api-design/graphql-schema.md"
        )
    }

    /// The first orders, oldest first: between 1 and 100 of them, 20 if not said.
    #[graphql(complexity = "crate::limits::page_cost(first, child_complexity)")]
    async fn orders(&self, ctx: &Context<'_>, #[graphql(default = 20)] first: i32) -> Result<Vec<Order>> {
        todo!(
            "step 1: the first `first` orders, after checking `first` with page_size. Read book/02-api-design/graphql-schema.md"
        )
    }
}
// ANCHOR_END: query

/// A page size the server agrees to serve, or a `BAD_USER_INPUT` error.
pub fn page_size(first: i32) -> Result<usize> {
    todo!(
        "step 1: 1..=MAX_PAGE is a page size; anything else is bad_user_input. Read book/02-api-design/graphql-schema.md"
    )
}

/// An order. Its fields are the stored record's; `customer` is a second load.
pub struct Order(pub OrderRecord);

// ANCHOR: order
#[Object]
impl Order {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn item(&self) -> &str {
        &self.0.item
    }

    async fn quantity(&self) -> u32 {
        self.0.quantity
    }

    /// The customer's note to the warehouse; null when they left none.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    async fn status(&self) -> OrderStatus {
        self.0.status.into()
    }

    /// Who placed the order. Every order has one, so the field is non-null.
    async fn customer(&self, ctx: &Context<'_>) -> Result<Customer> {
        crate::loader::customer(ctx, self.0.customer_id).await
    }
}
// ANCHOR_END: order

/// A customer, and the way back to their orders (which makes the graph a cycle).
pub struct Customer(pub CustomerRecord);

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// This customer's first orders, oldest first.
    #[graphql(complexity = "crate::limits::page_cost(first, child_complexity)")]
    async fn orders(&self, ctx: &Context<'_>, #[graphql(default = 20)] first: i32) -> Result<Vec<Order>> {
        let n = page_size(first)?;
        Ok(store(ctx)?.orders_of(self.0.id, n).into_iter().map(Order).collect())
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Shipped,
}

impl From<Status> for OrderStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Pending => Self::Pending,
            Status::Shipped => Self::Shipped,
        }
    }
}

// ANCHOR: input
/// What a client sends to place an order. `note` may be left out; nothing else may.
#[derive(InputObject, Clone, Debug)]
pub struct PlaceOrderInput {
    pub customer_id: ID,
    pub item: String,
    pub quantity: i32,
    pub note: Option<String>,
}

/// The result of `placeOrder`: the order, or the problems a user can fix. Exactly one
/// of the two is there.
#[derive(SimpleObject)]
pub struct PlaceOrderPayload {
    pub order: Option<Order>,
    pub errors: Vec<UserError>,
}

/// A problem with one input field, for the form that sent it.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The input field, as the schema names it (`quantity`, `customerId`).
    pub field: String,
    pub code: UserErrorCode,
    pub message: String,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    Required,
    TooLong,
    OutOfRange,
    UnknownCustomer,
}
// ANCHOR_END: input

pub struct Mutation;

// ANCHOR: mutation
#[Object]
impl Mutation {
    /// Places an order. What the user can fix comes back in `errors`, with `order` null.
    async fn place_order(&self, ctx: &Context<'_>, input: PlaceOrderInput) -> Result<PlaceOrderPayload> {
        todo!(
            "step 1: check the input; store the order, or return the user errors as data. Read book/02-api-design/graphql-schema.md"
        )
    }
}
// ANCHOR_END: mutation

/// Every problem with the input at once (a form shows them all), or the new order.
pub fn check(input: &PlaceOrderInput, store: &Store) -> std::result::Result<NewOrder, Vec<UserError>> {
    todo!(
        "step 1: every UserError of the input, in field order, or the NewOrder. Read book/02-api-design/graphql-schema.md"
    )
}
