// What each middleware layer costs per request, measured with criterion.
//
// Run it with `cargo bench -p frameworks` (your code) or
// `cargo bench -p frameworks-solution` (the reference). Every router answers the
// same `GET /health` in-process, so the differences are the layers themselves.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use frameworks::{HttpConfig, with_middleware};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::{BoxError, ServiceBuilder, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

fn health() -> Router {
    Router::new().route("/health", get(|| async { "ok" }))
}

// ANCHOR: layers
/// One router per layer, each the bare route plus that single layer, and the
/// whole stack from `with_middleware`.
fn routers() -> Vec<(&'static str, Router)> {
    let timeout = Duration::from_secs(10);
    vec![
        ("bare route", health()),
        (
            "request id",
            health()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id()),
        ),
        ("trace", health().layer(TraceLayer::new_for_http())),
        ("catch panic", health().layer(CatchPanicLayer::new())),
        ("timeout", health().layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))),
        ("body limit", health().layer(RequestBodyLimitLayer::new(64 * 1024))),
        (
            "concurrency limit + load shed",
            health().layer(
                ServiceBuilder::new()
                    .layer(HandleErrorLayer::new(|_: BoxError| async { StatusCode::SERVICE_UNAVAILABLE }))
                    .load_shed()
                    .layer(GlobalConcurrencyLimitLayer::new(512)),
            ),
        ),
        ("whole stack (with_middleware)", with_middleware(health(), &HttpConfig::default())),
    ]
}
// ANCHOR_END: layers

fn middleware_cost(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot build a tokio runtime: {e}"));
    let mut group = c.benchmark_group("GET /health");
    for (name, router) in routers() {
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| {
                let request = Request::get("/health").body(Body::empty()).unwrap_or_default();
                router.clone().oneshot(request)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, middleware_cost);
criterion_main!(benches);
