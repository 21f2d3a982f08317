//! Logging: spans and events are emitted, and never carry keys or secrets.
//!
//! In its own test binary: `tracing` caches per-callsite interest process-wide, so a scoped
//! subscriber in a process where other tests run concurrently without one may miss events.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::Client;
use common::*;
use std::sync::{Arc, Mutex};

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[tokio::test]
async fn secrets_never_reach_debug_errors_or_logs() {
    let env = start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
    let client = builder(&env.server).webhook_secret(secret).log_level(cadenya::LogLevel::Trace).build().unwrap();
    let key = env.server.api_key();
    client.agents().create(agent_params("logged")).await.unwrap();
    let _ = client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("status=503;retry-after-ms=5;times=1"))
        .await;
    let _ = client.agents().retrieve("agt_missing").await;
    let bad = builder(&env.server).api_key("cdn_bad_secret_key").log_level(cadenya::LogLevel::Trace).build().unwrap();
    let err = bad.agents().list(Default::default()).await.expect_err("401");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("cadenya.request"), "spans are emitted: {logs}");
    assert!(logs.contains("retrying"), "{logs}");
    // A per-call header may carry a credential: a Call's Debug shows its name only.
    let call = client.agents().list(Default::default()).header("x-partner-token", "tok_header_secret");
    let debug =
        format!("{client:?} {:?} {:?} {err} {err:?} {call:?}", client.config(), Client::builder().api_key(&key));
    assert!(debug.contains("x-partner-token") && !debug.contains("tok_header_secret"), "{debug}");
    for haystack in [&logs, &debug] {
        assert!(!haystack.contains(&key), "API key leaked");
        assert!(!haystack.contains("cdn_bad_secret_key"), "API key leaked");
        assert!(
            !haystack.contains(secret) && !haystack.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            "webhook secret leaked"
        );
    }
    assert!(debug.contains("<redacted>"));
}

/// A sink that keeps every record.
#[derive(Clone, Default)]
struct Records(Arc<Mutex<Vec<cadenya::LogRecord>>>);

impl Records {
    fn sink(&self) -> Arc<dyn cadenya::LogSink> {
        let store = self.0.clone();
        Arc::new(move |r: &cadenya::LogRecord| store.lock().unwrap().push(r.clone()))
    }
    fn take(&self) -> Vec<cadenya::LogRecord> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn text(v: Option<&cadenya::LogValue>) -> String {
    v.map(ToString::to_string).unwrap_or_default()
}

#[tokio::test]
async fn a_logger_receives_debug_records_of_each_attempt_and_retry_without_secrets() {
    let env = start().await;
    let records = Records::default();
    let webhook_secret = "whsec_c2VjcmV0LXNpbmstdGVzdC1zZWNyZXQ=";
    let client = builder(&env.server)
        .webhook_secret(webhook_secret)
        .log_level(cadenya::LogLevel::Debug)
        .logger(records.sink())
        .build()
        .unwrap();
    let key = env.server.api_key();

    // A body field the spec marks x-sensitive.
    let secret_value = "sk_live_sensitive_body_value_42";
    client
        .workspace_secrets()
        .create(cadenya::params::WorkspaceSecretsCreateParams {
            metadata: cadenya::models::CreateResourceMetadata { name: "db-password".into(), ..Default::default() },
            spec: cadenya::models::WorkspaceSecretSpec { value: Some(secret_value.into()), ..Default::default() },
        })
        .await
        .unwrap();
    records.take();

    // One retried call: 503 (retry-after-ms 5), then 200.
    client
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("status=503;retry-after-ms=5;times=1"))
        .await
        .unwrap();
    let got = records.take();
    for r in &got {
        eprintln!("{:<5} {} {}", r.level.as_str(), r.target, r.line());
    }
    let attempts: Vec<_> = got.iter().filter(|r| r.message == "http request").collect();
    assert_eq!(attempts.len(), 2, "{got:?}");
    for (i, r) in attempts.iter().enumerate() {
        assert_eq!(r.level, cadenya::LogLevel::Debug);
        assert_eq!(r.target, "cadenya");
        assert_eq!(text(r.field("operation")), "agents.list");
        assert_eq!(text(r.field("method")), "GET");
        assert_eq!(text(r.field("path")), "/v1/workspaces/{workspaceId}/agents");
        assert_eq!(r.field("attempt"), Some(&cadenya::LogValue::Int(i as u64 + 1)));
        assert!(matches!(r.field("duration_ms"), Some(cadenya::LogValue::Int(_))), "{r:?}");
        assert!(matches!(r.field("request_id"), Some(cadenya::LogValue::Str(id)) if !id.is_empty()), "{r:?}");
    }
    assert_eq!(attempts[0].field("status"), Some(&cadenya::LogValue::Int(503)));
    assert_eq!(text(attempts[0].field("error")), "HTTP 503");
    assert_eq!(attempts[1].field("status"), Some(&cadenya::LogValue::Int(200)));
    let retry = got.iter().find(|r| r.message == "retrying").expect("a retry record");
    assert_eq!(retry.level, cadenya::LogLevel::Info);
    assert_eq!(text(retry.field("reason")), "HTTP 503");
    assert_eq!(retry.field("wait_ms"), Some(&cadenya::LogValue::Int(5)));
    assert_eq!(text(retry.field("request_id")), text(attempts[0].field("request_id")));

    // A failure that is given up on: a warning naming the operation and attempts.
    let bad = builder(&env.server)
        .api_key("cdn_bad_sink_key")
        .log_level(cadenya::LogLevel::Debug)
        .logger(records.sink())
        .build()
        .unwrap();
    bad.agents().list(Default::default()).await.expect_err("401");
    let failed = records.take().into_iter().find(|r| r.message == "request failed").expect("failure record");
    assert_eq!(failed.level, cadenya::LogLevel::Warn);
    assert!(text(failed.field("error")).starts_with("agents.list failed after 1 attempt: AuthenticationError (401)"));

    // Nothing anywhere carries a key, a bearer token, the webhook secret or the sensitive value.
    client.agents().retrieve("agt_missing").await.expect_err("404");
    let all: String = got.iter().chain(records.take().iter()).map(|r| r.to_json()).collect();
    for leaked in [key.as_str(), "cdn_bad_sink_key", "Bearer", webhook_secret, secret_value] {
        assert!(!all.contains(leaked), "`{leaked}` leaked into {all}");
    }

    // The level caps the sink: at the default (warn) a retried call sends nothing.
    let quiet = builder(&env.server).logger(records.sink()).build().unwrap();
    quiet
        .agents()
        .list(Default::default())
        .header("x-cadenya-fault", fault("status=503;retry-after-ms=5;times=1"))
        .await
        .unwrap();
    assert!(records.take().is_empty());
}
