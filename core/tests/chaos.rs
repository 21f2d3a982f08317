//! Chaos: a few hundred creates under random injected faults, half with idempotency keys.
//! Asserts that no logical create leaves two records, that each create is applied exactly when
//! its fault lets the server act on it, and that every failure is the typed error of its fault.
//! Seeded, so a failure replays.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use cadenya::{ApiErrorKind, Error};
use common::*;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::time::Duration;

const SEED: u64 = 0x00C4_A05E;
const CREATES: usize = 300;
/// Timeout of the calls whose answer is delayed past it.
const SHORT_TIMEOUT: Duration = Duration::from_millis(700);
const DELAY_MS: u64 = 1500;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    Truncate,
    MalformedJson,
    DelayPastTimeout,
    Status500,
    Status503,
    Drop,
    TooMany,
}

const FAULTS: [Fault; 8] = [
    Fault::None,
    Fault::Truncate,
    Fault::MalformedJson,
    Fault::DelayPastTimeout,
    Fault::Status500,
    Fault::Status503,
    Fault::Drop,
    Fault::TooMany,
];

impl Fault {
    /// The header spec; every fault hits the first attempt only, so a retry goes through.
    fn spec(self) -> Option<String> {
        let s = match self {
            Fault::None => return None,
            Fault::Truncate => "truncate".to_string(),
            Fault::MalformedJson => "malformed-json".to_string(),
            Fault::DelayPastTimeout => format!("delay-ms={DELAY_MS}"),
            Fault::Status500 => "status=500;retry-after-ms=5".to_string(),
            Fault::Status503 => "status=503;retry-after-ms=5".to_string(),
            Fault::Drop => "drop".to_string(),
            Fault::TooMany => "status=429;retry-after-ms=5".to_string(),
        };
        Some(fault(&format!("{s};times=1")))
    }

    /// Whether the faulted attempt creates a record, when that is known: a request the client
    /// timed out on may or may not be applied (the server drops it with the connection).
    fn executes(self) -> Option<bool> {
        match self {
            Fault::DelayPastTimeout => None,
            f => Some(matches!(f, Fault::None | Fault::Truncate | Fault::MalformedJson)),
        }
    }

    /// The outcome the retry rules promise: `None` for success, else the expected error check.
    fn expected_error(self, keyed: bool) -> Option<fn(&Error) -> bool> {
        match self {
            Fault::None | Fault::TooMany => None,
            // A broken answer to a create is not retried without a key (it may have been applied).
            Fault::Truncate | Fault::Drop if keyed => None,
            Fault::Truncate | Fault::Drop => Some(|e| matches!(e, Error::Connection { .. })),
            Fault::MalformedJson => Some(|e| matches!(e, Error::Decode { status: 200..=299, .. })),
            Fault::DelayPastTimeout if keyed => None,
            Fault::DelayPastTimeout => Some(|e| matches!(e, Error::Timeout { .. })),
            Fault::Status500 | Fault::Status503 if keyed => None,
            Fault::Status500 => Some(|e| is_api(e, 500)),
            Fault::Status503 => Some(|e| is_api(e, 503)),
        }
    }
}

fn is_api(e: &Error, status: u16) -> bool {
    e.as_api().is_some_and(|a| a.status == status && a.kind == ApiErrorKind::InternalServer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_under_random_faults_are_applied_at_most_once_with_typed_errors() {
    let env = start().await;
    let mut rng = fastrand::Rng::with_seed(SEED);
    let plan: Vec<(usize, Fault, bool)> =
        (0..CREATES).map(|i| (i, FAULTS[rng.usize(..FAULTS.len())], rng.bool())).collect();

    let client = &env.client;
    let results: Vec<_> = futures_util::stream::iter(plan.iter().copied())
        .map(|(i, f, keyed)| async move {
            let mut call = client.agents().create(agent_params(&format!("chaos-{i}")));
            if let Some(h) = f.spec() {
                call = call.header("x-cadenya-fault", h);
            }
            if keyed {
                call = call.idempotency_key(format!("chaos-key-{SEED}-{i}"));
            }
            if f == Fault::DelayPastTimeout {
                call = call.timeout(SHORT_TIMEOUT);
            }
            (i, f, keyed, call.await)
        })
        .buffer_unordered(24)
        .collect()
        .await;

    // Delayed requests the client gave up on are still applied by the server: let them land.
    tokio::time::sleep(Duration::from_millis(DELAY_MS + 300)).await;
    let mut records: HashMap<String, usize> = HashMap::new();
    let mut all = std::pin::pin!(client.agents().list(Default::default()).auto_paging());
    while let Some(agent) = all.next().await {
        *records.entry(agent.expect("list").metadata.name).or_default() += 1;
    }

    let mut failures: HashMap<String, usize> = HashMap::new();
    for (i, f, keyed, result) in results {
        let name = format!("chaos-{i}");
        let n = records.get(&name).copied().unwrap_or(0);
        assert!(n <= 1, "{name} ({f:?}, keyed={keyed}) left {n} records");
        match (f.expected_error(keyed), result) {
            (None, Ok(agent)) => {
                assert_eq!(agent.metadata.name, name);
                assert_eq!(n, 1, "{name} ({f:?}, keyed={keyed}) succeeded but left no record");
            }
            (None, Err(e)) => panic!("{name} ({f:?}, keyed={keyed}) should have succeeded: {e}"),
            (Some(_), Ok(_)) => panic!("{name} ({f:?}, keyed={keyed}) should have failed"),
            (Some(check), Err(e)) => {
                assert!(check(&e), "{name} ({f:?}, keyed={keyed}) failed with the wrong error: {e:?}");
                if let Some(applied) = f.executes() {
                    assert_eq!(n, usize::from(applied), "{name} ({f:?}, keyed={keyed}) failed and left {n} records");
                }
                *failures.entry(format!("{f:?}/{}", e.kind())).or_default() += 1;
            }
        }
    }
    let mut summary: Vec<_> = failures.into_iter().collect();
    summary.sort();
    println!("chaos: {CREATES} creates, {} records, typed failures {summary:?}", records.len());
}
