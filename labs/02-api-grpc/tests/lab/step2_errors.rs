//! Step 2: domain errors as gRPC status codes, with details a program can match.
//! Read «Errors as status codes».

use api_grpc::error::{DOMAIN, OrderError, error_info};
use api_grpc::pb::GetOrderRequest;
use tonic::Code;

use super::support::spawn_server;

const SECTION: &str = "Errors as status codes (book/02-api-design/grpc-errors.md)";

/// The published catalogue: every error, its code and its reason.
fn catalogue() -> Vec<(OrderError, Code, &'static str)> {
    vec![
        (OrderError::NotFound(7), Code::NotFound, "ORDER_NOT_FOUND"),
        (
            OrderError::Invalid { field: "id", problem: "an id is a positive number" },
            Code::InvalidArgument,
            "INVALID_FIELD",
        ),
        (OrderError::AlreadyShipped(7), Code::FailedPrecondition, "ORDER_ALREADY_SHIPPED"),
        (OrderError::OutOfStock("oolong".into()), Code::FailedPrecondition, "OUT_OF_STOCK"),
        (OrderError::Unavailable("timeout".into()), Code::Unavailable, "WAREHOUSE_UNAVAILABLE"),
        (OrderError::DeadlineExceeded, Code::DeadlineExceeded, "DEADLINE_EXCEEDED"),
        (OrderError::Internal("bug".into()), Code::Internal, "INTERNAL"),
    ]
}

#[test]
fn every_domain_error_has_its_code_never_unknown() {
    for (error, code, _) in catalogue() {
        let status = error.to_status();
        let unknown = if status.code() == Code::Unknown {
            "; `Unknown` tells a client nothing it can act on"
        } else {
            ""
        };
        assert_eq!(
            status.code(),
            code,
            "{error:?} is {code:?}: its doc comment fixes the code{unknown}. Read «{SECTION}»."
        );
        assert!(!status.message().is_empty(), "{error:?} has a message for people. Read «{SECTION}».");
    }
}

#[test]
fn the_details_carry_a_reason_a_client_can_match() {
    for (error, _, reason) in catalogue() {
        let status = error.to_status();
        let info = error_info(&status).unwrap_or_else(|| {
            panic!("{error:?}: the status's details are an encoded ErrorInfo. Read «{SECTION}».")
        });
        assert_eq!(
            (info.reason.as_str(), info.domain.as_str()),
            (reason, DOMAIN),
            "{error:?}: ErrorInfo says reason {reason} in domain {DOMAIN}. Read «{SECTION}»."
        );
    }
    let info = error_info(&OrderError::NotFound(7).to_status()).unwrap_or_default();
    assert_eq!(
        info.metadata.get("id").map(String::as_str),
        Some("7"),
        "ORDER_NOT_FOUND names the order in its metadata (`id`). Read «{SECTION}»."
    );
    let info =
        error_info(&OrderError::Invalid { field: "id", problem: "zero" }.to_status()).unwrap_or_default();
    assert_eq!(
        info.metadata.get("field").map(String::as_str),
        Some("id"),
        "INVALID_FIELD names the field in its metadata (`field`). Read «{SECTION}»."
    );
}

#[test]
fn an_internal_or_unavailable_error_keeps_its_cause_to_itself() {
    let secret = "password authentication failed for user orders at db-3.internal";
    for error in [OrderError::Internal(secret.into()), OrderError::Unavailable(secret.into())] {
        let status = error.to_status();
        assert!(
            !status.message().contains("db-3") && !status.message().contains("password"),
            "{error:?}: the message says what the client can do, not what broke inside; got {:?}. Read «{SECTION}».",
            status.message()
        );
    }
}

#[tokio::test]
async fn a_missing_order_is_not_found_over_the_wire() {
    let mut server = spawn_server().await;
    server.state.store.insert("green tea", 1);
    let status = match server.client.get_order(GetOrderRequest { id: 42 }).await {
        Ok(reply) => {
            panic!("there is no order 42, but GetOrder answered {:?}. Read «{SECTION}».", reply.get_ref())
        }
        Err(status) => status,
    };
    assert_eq!(
        status.code(),
        Code::NotFound,
        "order 42 does not exist: NotFound, got {status:?}. Read «{SECTION}»."
    );
    let reason = error_info(&status).map(|info| info.reason);
    assert_eq!(
        reason.as_deref(),
        Some("ORDER_NOT_FOUND"),
        "the details travel with the status, for the client to decode. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn id_zero_is_an_invalid_argument_not_a_missing_order() {
    let mut server = spawn_server().await;
    let status = match server.client.get_order(GetOrderRequest { id: 0 }).await {
        Ok(reply) => panic!("id 0 is no id, but GetOrder answered {:?}. Read «{SECTION}».", reply.get_ref()),
        Err(status) => status,
    };
    assert_eq!(
        status.code(),
        Code::InvalidArgument,
        "in proto3 an unset id reads as 0: the request is wrong, whatever the store holds (InvalidArgument, not NotFound); got {status:?}. Read «{SECTION}»."
    );
    let field = error_info(&status).and_then(|info| info.metadata.get("field").cloned());
    assert_eq!(field.as_deref(), Some("id"), "the details name the field. Read «{SECTION}».");
}
