//! Retries, timeouts, dropped and truncated responses, error mapping: real HTTP against the local server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::{ApiErrorKind, Error};
use common::*;
use std::time::Duration;

#[tokio::test]
async fn get_retries_503_honouring_retry_after_seconds() {
    let env = start().await;
    let started = std::time::Instant::now();
    let page = env
        .client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("status=503;retry-after=1;times=2"))
        .await
        .expect("third attempt succeeds");
    assert!(page.items.is_empty());
    let reqs = requests_to(&env.server, "GET", "/agents");
    assert_eq!(reqs.len(), 3, "one try and two retries");
    let counts: Vec<_> = reqs.iter().map(|r| header(r, "x-cadenya-retry-count").unwrap_or("-")).collect();
    assert_eq!(counts, ["0", "1", "2"]);
    assert_eq!(reqs.iter().map(|r| r.status).collect::<Vec<_>>(), [503, 503, 200]);
    for pair in reqs.windows(2) {
        let gap = pair[1].at_ms - pair[0].at_ms;
        assert!(gap >= 950, "Retry-After: 1 honoured, gap was {gap} ms");
    }
    assert!(started.elapsed() >= Duration::from_millis(1900));
}

#[tokio::test]
async fn retry_after_ms_wins_and_429_exhausts_retries() {
    let env = start().await;
    let err = env
        .client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("status=429;retry-after-ms=100;retry-after=30"))
        .await
        .expect_err("always 429");
    let api = err.as_api().expect("api error");
    assert_eq!(api.kind, ApiErrorKind::RateLimit);
    assert_eq!(api.status, 429);
    let reqs = requests_to(&env.server, "GET", "/agents");
    assert_eq!(reqs.len(), 3, "default max_retries is 2");
    for pair in reqs.windows(2) {
        let gap = pair[1].at_ms - pair[0].at_ms;
        assert!((90..5000).contains(&gap), "retry-after-ms=100 used, not retry-after=30: gap {gap} ms");
    }
}

#[tokio::test]
async fn post_is_not_retried_on_503_without_idempotency_key() {
    let env = start().await;
    let err = env
        .client
        .agents()
        .create(agent_params("once"))
        .header("x-cadenya-fault", fault("status=503;retry-after-ms=10"))
        .await
        .expect_err("503");
    assert_eq!(err.as_api().map(|a| a.kind), Some(ApiErrorKind::InternalServer));
    assert_eq!(requests_to(&env.server, "POST", "/agents").len(), 1);
}

#[tokio::test]
async fn post_is_retried_on_429() {
    let env = start().await;
    let agent = env
        .client
        .agents()
        .create(agent_params("after-429"))
        .header("x-cadenya-fault", fault("status=429;retry-after-ms=20;times=1"))
        .await
        .expect("retried after 429");
    assert_eq!(agent.metadata.name, "after-429");
    assert_eq!(requests_to(&env.server, "POST", "/agents").len(), 2);
    let all = env.client.agents().list(Default::default()).await.unwrap();
    assert_eq!(all.items.len(), 1, "created exactly once");
}

#[tokio::test]
async fn post_with_idempotency_key_is_retried_on_503_and_applied_once() {
    let env = start().await;
    let agent = env
        .client
        .agents()
        .create(agent_params("keyed"))
        .idempotency_key("create-keyed-1")
        .header("x-cadenya-fault", fault("status=503;retry-after-ms=20;times=1"))
        .await
        .expect("retried");
    let reqs = requests_to(&env.server, "POST", "/agents");
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| header(r, "idempotency-key") == Some("create-keyed-1")));
    let all = env.client.agents().list(Default::default()).await.unwrap();
    assert_eq!(all.items.len(), 1);
    assert_eq!(all.items[0].metadata.id, agent.metadata.id);
}

#[tokio::test]
async fn post_is_not_retried_after_a_dropped_connection() {
    let env = start().await;
    let err = env
        .client
        .agents()
        .create(agent_params("dropped"))
        .header("x-cadenya-fault", fault("drop;times=1"))
        .await
        .expect_err("dropped");
    assert_eq!(err.kind(), "connection", "{err}");
    assert_eq!(requests_to(&env.server, "POST", "/agents").len(), 1);
}

#[tokio::test]
async fn get_is_retried_after_a_dropped_connection() {
    let env = start().await;
    env.client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("drop;times=1"))
        .await
        .expect("second attempt succeeds");
    assert_eq!(requests_to(&env.server, "GET", "/agents").len(), 2);
}

#[tokio::test]
async fn timeout_is_a_typed_error_and_per_request_override_applies() {
    let env = start().await;
    let started = std::time::Instant::now();
    let err = env
        .client
        .agents()
        .list(Default::default())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .header("x-cadenya-fault", fault("delay-ms=3000"))
        .await
        .expect_err("times out");
    assert!(matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(200)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[tokio::test]
async fn get_timeout_is_retried() {
    let env = start().await;
    let started = std::time::Instant::now();
    env.client
        .agents()
        .list(Default::default())
        .timeout(Duration::from_millis(300))
        .header("x-cadenya-fault", fault("delay-ms=3000;times=1"))
        .await
        .expect("second attempt is fast");
    // Only a retry can have answered before the slow first attempt would have.
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[tokio::test]
async fn truncated_body_is_a_connection_error() {
    let env = start().await;
    env.client.agents().create(agent_params("a")).await.unwrap();
    let err = env
        .client
        .agents()
        .list(Default::default())
        .max_retries(0)
        .header("x-cadenya-fault", fault("truncate"))
        .await
        .expect_err("truncated");
    assert_eq!(err.kind(), "connection", "{err}");
    assert!(err.to_string().contains("cut short"), "{err}");
    // Retried (GET) and then whole.
    let page = env
        .client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("truncate;times=1"))
        .await
        .expect("retry reads the whole body");
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_place() {
    let env = start().await;
    let err = env
        .client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("malformed-json"))
        .await
        .expect_err("malformed");
    match &err {
        Error::Decode { status, request_id, .. } => {
            assert_eq!(*status, 200);
            assert!(request_id.is_some());
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(requests_to(&env.server, "GET", "/agents").len(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn unauthorized_maps_to_authentication_error_without_the_key() {
    let env = start().await;
    let bad = builder(&env.server).api_key("cdn_wrong_key_123").build().unwrap();
    let err = bad.agents().list(Default::default()).await.expect_err("401");
    let api = err.as_api().expect("api error");
    assert_eq!(api.kind, ApiErrorKind::Authentication);
    assert_eq!(api.status, 401);
    assert!(!api.message.is_empty());
    assert!(api.request_id.as_deref().is_some_and(|r| !r.is_empty()));
    assert!(api.code.is_some(), "Status body decoded: {}", api.body);
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("cdn_wrong_key_123"), "{shown}");
    assert_eq!(requests_to(&env.server, "GET", "/agents").len(), 1, "401 is not retried");
}

#[tokio::test]
async fn not_found_maps_to_not_found_error() {
    let env = start().await;
    let err = env.client.agents().retrieve("agt_missing").await.expect_err("404");
    assert_eq!(err.as_api().map(|a| a.kind), Some(ApiErrorKind::NotFound));
    assert_eq!(err.status(), Some(404));
    assert!(err.request_id().is_some());
    // The message names the operation, the attempts and the request id.
    let rid = err.request_id().unwrap_or_default().to_string();
    assert_eq!(err.call(), Some(&cadenya::CallInfo { operation: "agents.retrieve", attempts: Some(1) }));
    assert!(err.to_string().starts_with("agents.retrieve failed after 1 attempt: NotFoundError (404)"), "{err}");
    assert!(err.to_string().ends_with(&format!("[request id {rid}]")), "{err}");
}

#[tokio::test]
async fn validation_error_is_bad_request_naming_the_field() {
    let env = start().await;
    let mut params = agent_params("bad");
    params.spec.status = cadenya::models::AgentStatus::Unknown("AGENT_STATUS_NOPE".into());
    let err = env.client.agents().create(params).await.expect_err("400");
    let api = err.as_api().expect("api error");
    assert_eq!(api.kind, ApiErrorKind::BadRequest);
    assert!(api.message.contains("status"), "{}", api.message);
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = cadenya::Client::builder()
        .env_lookup(|_| None)
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .workspace_id("ws")
        .max_retry_delay(Duration::from_millis(20))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.agents().create(agent_params("x")).await.expect_err("refused");
    assert_eq!(err.kind(), "connection", "{err}");
    assert!(
        err.to_string().starts_with("agents.create failed after 3 attempts: connection error: could not connect"),
        "{err}"
    );
    // Two retries, each waiting at most the 20 ms cap.
    assert!(started.elapsed() >= Duration::from_millis(30));
}
