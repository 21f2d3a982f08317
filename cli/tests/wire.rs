//! For every operation, `cadenya` puts the same request on the wire as the typed Rust SDK given
//! the same inputs (compared in the local server's request log). The cases are generated from
//! the IR (`cli/tests/generated/wire_cases.rs`): each fills every path id, query and body field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[rustfmt::skip]
#[path = "generated/wire_cases.rs"]
mod wire_cases;

use cadenya_server::RecordedRequest;

fn only_request(server: &cadenya_server::ServerHandle, who: &str, op: &str) -> RecordedRequest {
    let reqs: Vec<RecordedRequest> =
        server.requests().into_iter().filter(|r| !r.path.starts_with("/_cadenya")).collect();
    assert_eq!(reqs.len(), 1, "{op}: {who} sent {} requests: {reqs:#?}", reqs.len());
    reqs.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_sends_what_the_sdk_sends() {
    let server = common::server().await;
    let client = cadenya::Client::builder()
        .env_lookup(|_| None)
        .api_key(server.api_key())
        .base_url(server.base_url())
        .workspace_id(server.workspace_id())
        .max_retries(0)
        .build()
        .unwrap();
    let mut compared = 0;
    for op in wire_cases::OPERATIONS {
        server.clear_requests();
        wire_cases::sdk_call(&client, op).await;
        let sdk = only_request(&server, "the SDK", op);

        server.clear_requests();
        let args = wire_cases::cli_args(op);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::run(common::cli(&server), &argv, "").await;
        assert!(out.status.code() != Some(2), "{op}: usage error: {}", common::stderr(&out));
        let cli = only_request(&server, "the CLI", op);

        assert_eq!((&cli.method, &cli.path), (&sdk.method, &sdk.path), "{op}");
        assert_eq!(cli.query, sdk.query, "{op}: query");
        let parse = |b: &str| (!b.is_empty()).then(|| serde_json::from_str::<serde_json::Value>(b).unwrap());
        assert_eq!(parse(&cli.body), parse(&sdk.body), "{op}: body\n cli {}\n sdk {}", cli.body, sdk.body);
        for h in ["content-type", "accept", "idempotency-key", "x-cadenya-retry-count"] {
            assert_eq!(cli.header(h).is_some(), sdk.header(h).is_some(), "{op}: header {h}");
        }
        assert_eq!(cli.header("content-type"), sdk.header("content-type"), "{op}");
        compared += 1;
    }
    assert_eq!(compared, 97);
}
