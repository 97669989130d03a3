//! Step 6: what travels beside the message. A bearer token checked by a server
//! interceptor, a request id on every call, and a health service that needs neither.
//! Read «Interceptors and health».

use api_grpc::Config;
use api_grpc::interceptors::{AuthToken, RequestId, authenticate, client_metadata};
use api_grpc::pb::GetOrderRequest;
use api_grpc::pb::orders_client::OrdersClient;
use tonic::{Code, Request};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use super::support::{Behaviour, TestServer, TestWarehouse, spawn_server_with};

const SECTION: &str = "Interceptors and health (book/02-api-design/grpc-metadata.md)";
const TOKEN: &str = "s3cret-token-of-the-lab";

async fn secured_server() -> TestServer {
    let config = Config { auth: Some(AuthToken::new(TOKEN)), ..Config::default() };
    let server = spawn_server_with(config, TestWarehouse::new(Behaviour::InStock)).await;
    server.state.store.insert("green tea", 1);
    server
}

fn request_with(headers: &[(&'static str, &str)]) -> Request<()> {
    let mut request = Request::new(());
    for (name, value) in headers {
        let value = value.parse().unwrap_or_else(|e| panic!("bad test header: {e}"));
        request.metadata_mut().insert(*name, value);
    }
    request
}

#[tokio::test]
async fn a_call_without_the_right_token_is_unauthenticated() {
    let mut server = secured_server().await;
    let code = server.client.get_order(GetOrderRequest { id: 1 }).await.map(|_| ()).map_err(|s| s.code());
    assert_eq!(code, Err(Code::Unauthenticated), "no token: Unauthenticated. Read «{SECTION}».");
    let token = AuthToken::new(TOKEN);
    for presented in [
        "",
        "Bearer ",
        "Bearer wrong",
        "Basic czNjcmV0",
        "s3cret-token-of-the-lab",
        "Bearer s3cret-token-of-the-la",
    ] {
        let result = authenticate(&token, request_with(&[("authorization", presented)]));
        let status = match result {
            Ok(_) => {
                panic!("`authorization: {presented}` is not the token, yet it passed. Read «{SECTION}».")
            }
            Err(status) => status,
        };
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "`authorization: {presented}`: Unauthenticated (who are you?), not PermissionDenied (I know you, and no). Read «{SECTION}»."
        );
        assert!(
            !status.message().contains("s3cret"),
            "a refusal never repeats the secret. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn the_client_interceptor_sends_the_token_and_a_request_id() {
    let server = secured_server().await;
    let mut interceptor = client_metadata(AuthToken::new(TOKEN));
    let ids: Vec<String> = (0..2)
        .map(|_| {
            let request = interceptor(Request::new(())).unwrap_or_else(|status| {
                panic!("the client interceptor refused a request: {status:?}. Read «{SECTION}».")
            });
            let header = |name| request.metadata().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            assert_eq!(
                header("authorization").as_deref(),
                Some("Bearer s3cret-token-of-the-lab"),
                "every call carries `authorization: Bearer <token>`. Read «{SECTION}»."
            );
            header("x-request-id")
                .unwrap_or_else(|| panic!("every call carries an `x-request-id`. Read «{SECTION}»."))
        })
        .collect();
    assert_ne!(ids[0], ids[1], "each call gets its own request id. Read «{SECTION}».");

    let mut client =
        OrdersClient::with_interceptor(server.channel.clone(), client_metadata(AuthToken::new(TOKEN)));
    let reply = client.get_order(GetOrderRequest { id: 1 }).await;
    assert!(
        reply.is_ok(),
        "with the client interceptor, the call is let in; got {reply:?}. Read «{SECTION}»."
    );
}

#[test]
fn the_server_keeps_a_good_request_id_and_replaces_a_bad_one() {
    let token = AuthToken::new(TOKEN);
    let bearer = format!("Bearer {TOKEN}");
    let id_of = |request_id: Option<&str>| {
        let mut headers = vec![("authorization", bearer.as_str())];
        headers.extend(request_id.map(|id| ("x-request-id", id)));
        let request = authenticate(&token, request_with(&headers))
            .unwrap_or_else(|status| panic!("the right token is let in; got {status:?}. Read «{SECTION}»."));
        request.extensions().get::<RequestId>().cloned().unwrap_or_else(|| {
            panic!("every request that passes carries a RequestId in its extensions. Read «{SECTION}».")
        })
    };
    assert_eq!(
        id_of(Some("checkout-42_a")),
        RequestId("checkout-42_a".into()),
        "a caller's good id is kept, so logs on both sides match. Read «{SECTION}»."
    );
    let long = "x".repeat(65);
    for bad in [None, Some(""), Some("two words"), Some("a;b=c"), Some(long.as_str())] {
        let id = id_of(bad);
        assert!(
            RequestId::is_acceptable(&id.0) && Some(id.0.as_str()) != bad,
            "an id of {bad:?} is replaced by a fresh one, not copied into our logs; got {id:?}. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn the_health_service_answers_without_a_token() {
    let mut server = secured_server().await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in ["", "orders.v1.Orders"] {
        let reply = health.check(HealthCheckRequest { service: service.into() }).await;
        let status = reply
            .unwrap_or_else(|status| panic!("a probe of {service:?} without a token is answered (a load balancer has no token); got {status:?}. Read «{SECTION}»."))
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?} is SERVING. Read «{SECTION}».");
    }
    let code = server.client.get_order(GetOrderRequest { id: 1 }).await.map(|_| ()).map_err(|s| s.code());
    assert_eq!(
        code,
        Err(Code::Unauthenticated),
        "only the health service is open: Orders still wants the token. Read «{SECTION}»."
    );
}

#[test]
fn the_token_never_appears_in_debug_output() {
    let token = AuthToken::new(TOKEN);
    let config = Config { auth: Some(token.clone()), ..Config::default() };
    for (what, text) in [
        ("the token", format!("{token:?}")),
        ("the server's Config", format!("{config:?}")),
        ("the server's Config, pretty-printed", format!("{config:#?}")),
    ] {
        assert!(
            !text.contains("s3cret"),
            "{what} ends up in log lines and panic messages: its Debug output never shows the secret; got \
             {text:?}. Read «{SECTION}»."
        );
        assert!(
            text.contains("AuthToken"),
            "{what}'s Debug output still names the type, e.g. `AuthToken(..)`, so that whoever reads the log \
             knows a token is set (authentication is on), only not which one; got {text:?}. Read «{SECTION}»."
        );
    }
}
