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
