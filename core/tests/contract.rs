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
    assert!(contract::retry_count("max_retries", 1.5).is_err());
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

fn settings(env: &Env) -> contract::ClientSettings {
    contract::ClientSettings {
        api_key: Some(env.server.api_key().to_string()),
        base_url: Some(env.server.base_url().to_string()),
        workspace_id: Some(env.server.workspace_id().to_string()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_session_calls_and_close_ends_calls_in_flight() {
    let env = start().await;
    let session = contract::Session::new(settings(&env)).unwrap();
    let r = session.call(input("account.retrieve", &[], CallOptions::default())).await.unwrap();
    assert_eq!(r.status, 200);
    // A slow call in flight ends with the closed error as soon as the session closes, and its
    // request is abandoned (the server never finishes answering it).
    let slow = tokio::spawn(session.call(input("account.retrieve", &[], with_fault("delay-ms=5000"))));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    session.close();
    let e = slow.await.unwrap().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(4), "close waited for the response");
    assert_eq!(e.class, ErrorClass::ConfigurationError);
    assert!(e.message.contains("closed"), "{}", e.message);
    // Later calls fail the same way, before sending.
    let e = session.call(input("account.retrieve", &[], CallOptions::default())).await.unwrap_err();
    assert!(e.message.contains("closed"));
    assert!(session.is_closed());
    assert_eq!(session.config().base_url().to_string().trim_end_matches('/'), env.server.base_url().to_string());
}

#[test]
fn settings_are_validated_once_for_every_language() {
    let bad = |s: contract::ClientSettings| contract::Session::new(s).unwrap_err();
    let e = bad(contract::ClientSettings { timeout_secs: Some(-1.0), api_key: Some("k".into()), ..Default::default() });
    assert_eq!(e.class, ErrorClass::ConfigurationError);
    assert!(e.message.contains("timeout must be a positive"), "{}", e.message);
    let e = bad(contract::ClientSettings { max_retries: Some(1.5), api_key: Some("k".into()), ..Default::default() });
    assert!(e.message.contains("max_retries must be a non-negative integer"), "{}", e.message);
    let e = bad(contract::ClientSettings {
        log_level: Some("loud".into()),
        api_key: Some("k".into()),
        ..Default::default()
    });
    assert!(e.message.to_lowercase().contains("log"), "{}", e.message);
    let both = contract::ClientSettings {
        api_key: Some("k".into()),
        ca_bundle_path: Some("/x.pem".into()),
        ca_bundle_pem: Some(b"pem".to_vec()),
        ..Default::default()
    };
    assert!(bad(both).message.contains("not both"));

    let call = |s: contract::CallSettings| s.into_options().unwrap_err().to_string();
    assert!(call(contract::CallSettings { timeout_secs: Some(f64::NAN), ..Default::default() }).contains("timeout"));
    assert!(call(contract::CallSettings { max_retries: Some(-1.0), ..Default::default() }).contains("max_retries"));
    assert!(call(contract::CallSettings { workspace_id: Some(" ".into()), ..Default::default() }).contains("blank"));
    let ok = contract::CallSettings {
        timeout_secs: Some(1.5),
        max_retries: Some(3.0),
        headers: vec![("b".into(), "2".into()), ("a".into(), "1".into())],
        ..Default::default()
    };
    let o = ok.into_options().unwrap();
    assert_eq!((o.timeout, o.max_retries), (Some(Duration::from_millis(1500)), Some(3)));
    assert_eq!(o.headers[0].0, "a", "headers are sorted so foreign map order never shows");
}

#[test]
fn a_per_process_value_is_made_once_and_the_runtime_is_shared() {
    let slot = contract::PerProcess::new();
    let made = std::sync::atomic::AtomicU32::new(0);
    let make = || {
        made.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(7)
    };
    assert_eq!(*slot.get_or_try_init(make).unwrap(), 7);
    assert_eq!(*slot.get_or_try_init(make).unwrap(), 7);
    assert_eq!(made.load(std::sync::atomic::Ordering::SeqCst), 1);
    let failing = contract::PerProcess::<u8>::new();
    assert!(failing.get_or_try_init(|| Err(cadenya::Error::Internal { message: "no".into() })).is_err());
    assert_eq!(*failing.get_or_try_init(|| Ok(1)).unwrap(), 1, "a failed init can be retried");
    let a = contract::runtime().unwrap() as *const _;
    let b = contract::runtime().unwrap() as *const _;
    assert_eq!(a, b);
    assert_eq!(contract::runtime().unwrap().block_on(async { 2 + 2 }), 4);
}

#[test]
fn an_error_record_is_one_json_object() {
    let r = ErrorRecord::invalid("bad id");
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["name"], "InvalidRequestError");
    assert_eq!(v["details"], serde_json::json!([]));
    assert!(v["message"].as_str().unwrap().contains("bad id"));
    assert!(v["headers"].is_null() && v["requestId"].is_null());
}

#[tokio::test]
async fn objective_helpers_speak_json_text_and_wire_states() {
    let env = start().await;
    let session = contract::Session::new(settings(&env)).unwrap();
    let id = start_objective(&env.client, &[("simulate", "fail")]).await;

    let events = session.follow_events(&id, contract::ObjectiveSettings::default()).unwrap();
    let mut seen = Vec::new();
    while let Some(text) = events.next().await.unwrap() {
        let v: serde_json::Value = serde_json::from_str(text.get()).unwrap();
        seen.push(v["data"]["type"].as_str().unwrap().to_string());
    }
    assert_eq!(seen.last().map(String::as_str), Some("OBJECTIVE_EVENT_TYPE_ERROR"), "{seen:?}");
    assert!(events.next().await.unwrap().is_none(), "the follow stays ended");
    let last = events.last_event_id().unwrap();

    // Resuming after the last event delivers nothing more.
    let resume = contract::ObjectiveSettings { after_event_id: Some(last), ..Default::default() };
    assert!(session.follow_events(&id, resume).unwrap().next().await.unwrap().is_none());

    let done = session.wait_objective(&id, contract::ObjectiveSettings::default()).await.unwrap();
    let Body::Json(text) = done.body else { panic!("the objective") };
    assert!(text.get().contains("STATE_FAILED"));

    // Waiting for a state it can no longer reach is a WaitTimeoutError naming the last state.
    let only = contract::ObjectiveSettings {
        states: vec!["STATE_FINALIZED".into()],
        timeout_secs: Some(0.2),
        ..Default::default()
    };
    let e = session.wait_objective(&id, only).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::WaitTimeoutError);
    assert_eq!(e.detail.as_deref(), Some("STATE_FAILED"));
    assert_eq!(e.operation.as_deref(), Some("objectives.wait"));

    let bad = contract::ObjectiveSettings { workspace_id: Some(" ".into()), ..Default::default() };
    assert_eq!(session.wait_objective(&id, bad).await.unwrap_err().class, ErrorClass::InvalidRequestError);
}

/// A fork can catch a per-process value's lock held by another thread (the session's table of
/// calls in flight, while a call starts or ends), and that thread does not exist in the child.
/// The child gets a value of its own, so its first use does not wait for ever.
#[test]
#[cfg(unix)]
#[allow(unsafe_code)] // fork, waitpid, kill: there is no safe fork
fn a_forked_child_gets_its_own_per_process_value() {
    use std::time::{Duration, Instant};
    let slot: contract::PerProcess<std::sync::Mutex<u32>> = contract::PerProcess::new();
    *slot.get_or_default().lock().unwrap() = 7;
    let held = slot.get_or_default().lock().unwrap();
    // SAFETY: the child only takes its own slot (an allocation, which glibc makes fork-safe, and
    // an uncontended lock) and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let fresh = *slot.get_or_default().lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unsafe { libc::_exit(if fresh == 0 { 0 } else { 3 }) };
    }
    assert!(pid > 0, "fork failed");
    assert_eq!(*held, 7, "the parent keeps its value");
    drop(held);
    let (deadline, mut status) = (Instant::now() + Duration::from_secs(10), 0);
    // SAFETY: waitpid and kill on our own child.
    while unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } != pid {
        if Instant::now() > deadline {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            unsafe { libc::waitpid(pid, &mut status, 0) };
            panic!("the forked child waited for its parent's lock");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "child exit status {status}");
}
