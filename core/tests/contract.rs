//! The binding contract: one call entry, one response, one flat error record, one webhook entry.
#![cfg(feature = "binding")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::contract::{self, Body, CallInput, CallOptions, ErrorRecord};
use cadenya::ErrorClass;
use common::*;
use std::time::Duration;

fn input<'a>(op: &'a str, path: &'a [(&'a str, &'a str)], options: CallOptions) -> CallInput<'a> {
    CallInput { operation: op, path, query: &[], body: None, options }
}

fn with_fault(spec: &str) -> CallOptions {
    CallOptions { headers: vec![("x-cadenya-fault".into(), fault(spec))], ..Default::default() }
}

#[tokio::test]
async fn a_call_returns_status_headers_request_id_and_json_text() {
    let env = start().await;
    let r = env.client.invoke(input("account.retrieve", &[], CallOptions::default())).await.unwrap();
    assert_eq!(r.status, 200);
    let rid = r.request_id.clone().unwrap();
    assert!(r.header_pairs().iter().any(|(k, v)| k == "x-request-id" && *v == rid));
    let Body::Json(text) = r.body else { panic!("a model") };
    assert!(text.get().starts_with('{'));
    let r = env.client.invoke(input("agents.list", &[], CallOptions::default())).await.unwrap();
    assert!(matches!(r.body, Body::Page(_)));
}

#[tokio::test]
async fn a_404_is_one_flat_record() {
    let env = start().await;
    let e = env
        .client
        .invoke(input("agents.retrieve", &[("id", "agt_missing")], CallOptions::default()))
        .await
        .unwrap_err();
    assert_eq!(e.class, ErrorClass::NotFoundError);
    assert_eq!(e.kind(), "api");
    assert_eq!(e.status, Some(404));
    assert_eq!(e.code, Some(5));
    assert_eq!(e.operation.as_deref(), Some("agents.retrieve"));
    assert_eq!(e.attempts, Some(1));
    assert!(e.request_id.as_deref().unwrap().starts_with("req_"));
    assert!(e.body.as_deref().unwrap().contains("\"code\""));
    // The message names the call, then the class and the server's words (as `Display` in Rust).
    assert!(e.message.starts_with("agents.retrieve failed after 1 attempt: NotFoundError (404): "), "{}", e.message);
}

#[tokio::test]
async fn a_429_after_retries_counts_its_attempts() {
    let env = start().await;
    let mut options = with_fault("status=429;retry-after-ms=1;times=10");
    options.max_retries = Some(2);
    let e = env.client.invoke(input("agents.list", &[], options)).await.unwrap_err();
    assert_eq!((e.class, e.status, e.attempts), (ErrorClass::RateLimitError, Some(429), Some(3)));
}

#[tokio::test]
async fn timeout_drop_and_malformed_json_have_their_classes() {
    let env = start().await;
    let mut slow = with_fault("delay-ms=2000");
    slow.timeout = Some(Duration::from_millis(50));
    slow.max_retries = Some(0);
    let e = env.client.invoke(input("agents.list", &[], slow)).await.unwrap_err();
    assert_eq!((e.class, e.kind()), (ErrorClass::APITimeoutError, "timeout"));
    let mut dropped = with_fault("drop;times=10");
    dropped.max_retries = Some(0);
    let e = env.client.invoke(input("agents.list", &[], dropped)).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::APIConnectionError);
    let e = env.client.invoke(input("agents.list", &[], with_fault("malformed-json"))).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::APIResponseValidationError);
    assert_eq!(e.status, Some(200));
    assert!(e.detail.is_some());
}

#[tokio::test]
async fn bad_inputs_are_refused_before_sending() {
    let env = start().await;
    let e = env.client.invoke(input("agents.nope", &[], CallOptions::default())).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::InvalidRequestError);
    let blank = CallOptions { workspace_id: Some(" ".into()), ..Default::default() };
    let e = env.client.invoke(input("agents.list", &[], blank)).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::InvalidRequestError);
    assert!(contract::seconds("timeout", -1.0).is_err());
    assert!(contract::retry_count(1.5).is_err());
}

#[test]
fn a_panic_is_an_internal_error() {
    let e: ErrorRecord = contract::catch::<()>(|| panic!("boom")).unwrap_err().into();
    assert_eq!((e.class, e.kind()), (ErrorClass::InternalError, "internal"));
    assert!(e.message.contains("boom"));
}

#[test]
fn webhook_unwrap_checks_the_envelope() {
    let hook =
        cadenya::webhooks::Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap().with_clock(|| 1_700_000_000);
    let body = br#"{"not":"an envelope"}"#;
    let sig = hook.sign("msg_1", 1_700_000_000, body);
    let headers = vec![
        ("webhook-id".to_string(), "msg_1".to_string()),
        ("webhook-timestamp".to_string(), "1700000000".to_string()),
        ("webhook-signature".to_string(), sig),
    ];
    contract::webhook_verify(&hook, body, &headers).unwrap();
    let e = contract::webhook_unwrap(&hook, body, &headers).unwrap_err();
    assert_eq!((e.class, e.detail.as_deref()), (ErrorClass::WebhookVerificationError, Some("bad_payload")));
    let e = contract::webhook_unsafe_unwrap(body).unwrap_err();
    assert_eq!(e.detail.as_deref(), Some("bad_payload"));
    let mut bad = headers.clone();
    bad[2].1 = "v1,AAAA".into();
    let e = contract::webhook_verify(&hook, body, &bad).unwrap_err();
    assert_eq!(e.detail.as_deref(), Some("bad_signature"));
}

#[test]
fn the_table_is_the_stainless_hierarchy() {
    let parent = |c: ErrorClass| c.parent().map(ErrorClass::name);
    assert_eq!(parent(ErrorClass::NotFoundError), Some("APIStatusError"));
    assert_eq!(parent(ErrorClass::APIStatusError), Some("APIError"));
    assert_eq!(parent(ErrorClass::APITimeoutError), Some("APIConnectionError"));
    assert_eq!(parent(ErrorClass::APIConnectionError), Some("APIError"));
    assert_eq!(ErrorClass::for_status(418), ErrorClass::APIStatusError);
    assert_eq!(ErrorClass::for_status(503), ErrorClass::InternalServerError);
}
