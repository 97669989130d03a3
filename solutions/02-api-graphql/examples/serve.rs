//! Runs the orders GraphQL API on 127.0.0.1:3000 (or `ORDERS_ADDR`), in the production
//! configuration unless `GRAPHQL_ENV=development`. Everything worth testing lives in the
//! library; this file only wires it to a socket and a logger.

use api_graphql_solution::{Config, Store, app};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().init();
    let config = match std::env::var("GRAPHQL_ENV").as_deref() {
        Ok("development") => Config::development(),
        _ => Config::production(),
    };
    let store = Store::new();
    let ada = store.add_customer("Ada");
    store.insert_order(api_graphql_solution::store::NewOrder {
        customer_id: ada,
        item: "green tea".to_owned(),
        quantity: 2,
        note: None,
    });
    let addr = std::env::var("ORDERS_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{}/graphql ({config:?})", listener.local_addr()?);
    axum::serve(listener, app(store, &config)).await
}
