//! `cadenya` as a user runs it, against the local server: exit codes per failure class, stdin,
//! configuration precedence, tables, schema, the objective helpers, webhooks, debug logging.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{cadenya, cli, json, run, stderr, stdout};
use serde_json::{json, Value};

const SPEC: &str = r#"{"status":"AGENT_STATUS_PUBLISHED","variationSelectionMode":"VARIATION_SELECTION_MODE_RANDOM"}"#;

async fn create_agent(server: &cadenya_server::ServerHandle, name: &str) -> String {
    let meta = format!(r#"{{"name":"{name}"}}"#);
    let out = run(cli(server), &["agents", "create", "--metadata", &meta, "--spec", SPEC], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(&out)["metadata"]["id"].as_str().unwrap().to_string()
}

/// Keeps a table's layout but hides what changes run to run: ULID ids and timestamps.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive([' ', '\n']) {
        let token = word.trim_end();
        let is_ulid = token.split_once('_').is_some_and(|(p, rest)| {
            p.chars().all(|c| c.is_ascii_lowercase())
                && rest.len() == 26
                && rest.chars().all(|c| c.is_ascii_alphanumeric())
        });
        let is_time = token.len() >= 20 && token.as_bytes().get(10) == Some(&b'T') && token.ends_with('Z');
        if is_ulid {
            let (p, rest) = token.split_once('_').unwrap();
            out.push_str(&format!("{p}_{}", "X".repeat(rest.len())));
            out.push_str(&word[token.len()..]);
        } else if is_time {
            out.push_str(&token.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect::<String>());
            out.push_str(&word[token.len()..]);
        } else {
            out.push_str(word);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_for_each_class_of_failure() {
    let server = common::server().await;

    // 0: success.
    let ok = run(cli(&server), &["account", "retrieve"], "").await;
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    // 1: an API error, the typed error on stderr.
    let missing = run(cli(&server), &["agents", "retrieve", "agt_missing"], "").await;
    assert_eq!(missing.status.code(), Some(1));
    let err: Value = serde_json::from_str(stderr(&missing).trim()).unwrap();
    assert_eq!(err["error"]["kind"], "NotFoundError");
    assert_eq!(err["error"]["status"], 404);
    assert!(err["error"]["request_id"].as_str().is_some_and(|r| r.starts_with("req_")), "{err}");
    assert!(err["error"]["message"].as_str().is_some_and(|m| m.contains("agt_missing")), "{err}");
    assert!(stdout(&missing).is_empty());

    // 1: a transport error (nothing listens on the port).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut cmd = cli(&server);
    cmd.env("CADENYA_BASE_URL", &dead_url);
    let refused = run(cmd, &["account", "retrieve"], "").await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("APIConnectionError"), "{}", stderr(&refused));

    // 2: usage errors, each found before any request is sent.
    server.clear_requests();
    let usage: &[&[&str]] = &[
        &["agents", "explode"],
        &["agents", "create", "--spec", SPEC],
        &["agents", "create", "--metadata", "{not json", "--spec", SPEC],
        &["agents", "create", "--metadata", "@/no/such/file.json", "--spec", SPEC],
        &["agents", "list", "--limit", "many"],
        &["agents", "list", "--include-info=maybe"],
        &["agents", "retrieve"],
        &["agents", "retrieve", "agt_1", "--all"],
        &["agents", "list", "--body", "{}"],
        &["agents", "create", "--body", "[1]"],
        &["objectives", "wait", "obj_1", "--state", "sleeping"],
        &["objectives", "follow", "obj_1", "--page-size", "0"],
        &["schema", "agents", "explode"],
        &["completions", "tcsh"],
    ];
    for args in usage {
        let out = run(cli(&server), args, "").await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}: no message");
    }
    let mut no_key = cadenya();
    no_key.env("CADENYA_BASE_URL", server.base_url()).env("CADENYA_WORKSPACE_ID", server.workspace_id());
    let out = run(no_key, &["agents", "list"], "").await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).to_lowercase().contains("api key") || stderr(&out).contains("API_KEY"), "{}", stderr(&out));
    let api: Vec<_> = server.requests().into_iter().filter(|r| !r.path.starts_with("/_cadenya")).collect();
    assert!(api.is_empty(), "usage errors sent requests: {api:#?}");

    // `--help` is not an error.
    let help = run(cli(&server), &["agents", "variations", "add-assignment", "--help"], "").await;
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("--tool-id") && stdout(&help).contains("<agent-id>"), "{}", stdout(&help));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_is_130() {
    let server = common::server().await;
    let agent = create_agent(&server, "interrupt").await;
    let out =
        run(cli(&server), &["objectives", "create", "--agent-id", &agent, "--data", r#"{"initialMessage":"hi"}"#], "")
            .await;
    let objective = json(&out)["metadata"]["id"].as_str().unwrap().to_string();
    // `follow` never ends while the objective waits for approval; SIGINT stops it.
    let mut cmd = cli(&server);
    cmd.args(["objectives", "follow", &objective]).stdout(std::process::Stdio::piped());
    let code = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut first = String::new();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut reader, &mut first).unwrap();
        assert!(first.contains("USER_MESSAGE"), "{first}");
        let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        child.wait().unwrap().code()
    })
    .await
    .unwrap();
    assert_eq!(code, Some(130));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_and_files_feed_json_flags_and_the_body() {
    let server = common::server().await;
    // --body from stdin, a flag overriding one of its fields.
    let body = format!(r#"{{"metadata":{{"name":"from-stdin"}},"spec":{SPEC}}}"#);
    let out =
        run(cli(&server), &["agents", "create", "--body", "-", "--metadata", r#"{"name":"flag-wins"}"#], &body).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["metadata"]["name"], "flag-wins");

    // A JSON flag from stdin, another from a file.
    let file = std::env::temp_dir().join(format!("cadenya-cli-spec-{}.json", std::process::id()));
    std::fs::write(&file, SPEC).unwrap();
    let spec_arg = format!("@{}", file.display());
    let out =
        run(cli(&server), &["agents", "create", "--metadata", "-", "--spec", &spec_arg], r#"{"name":"piped"}"#).await;
    let _ = std::fs::remove_file(&file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["metadata"]["name"], "piped");
    assert_eq!(json(&out)["spec"]["status"], "AGENT_STATUS_PUBLISHED");

    // Two flags cannot both read stdin.
    server.clear_requests();
    let out = run(cli(&server), &["agents", "create", "--metadata", "-", "--spec", "-"], "{}").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("stdin"), "{}", stderr(&out));
    // Invalid JSON on stdin is a usage error too, and nothing is sent.
    let out = run(cli(&server), &["agents", "create", "--body", "-"], "{\"metadata\":").await;
    assert_eq!(out.status.code(), Some(2));
    assert!(server.requests().iter().all(|r| r.path.starts_with("/_cadenya")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_override_the_environment() {
    let server = common::server().await;
    let mut cmd = cli(&server);
    cmd.env("CADENYA_API_KEY", "cdn_wrong").env("CADENYA_WORKSPACE_ID", "ws_elsewhere");
    let args = ["agents", "list", "--api-key", &server.api_key(), "--workspace-id", &server.workspace_id()];
    let out = run(cmd, &args, "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let last = server.requests().into_iter().rev().find(|r| r.path.contains("/agents")).unwrap();
    assert_eq!(last.path, format!("/v1/workspaces/{}/agents", server.workspace_id()));
    // Without the flags the (wrong) environment is used.
    let mut cmd = cli(&server);
    cmd.env("CADENYA_API_KEY", "cdn_wrong");
    let out = run(cmd, &["agents", "list"], "").await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("AuthenticationError"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_and_pages() {
    let server = common::server().await;
    for name in ["alpha", "beta", "gamma"] {
        create_agent(&server, name).await;
    }
    let out = run(cli(&server), &["agents", "list", "--limit", "2", "--display", "table"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = normalise(&stdout(&out));
    let expected = "\
ID                              NAME   STATUS                  CREATED
agt_XXXXXXXXXXXXXXXXXXXXXXXXXX  alpha  AGENT_STATUS_PUBLISHED  0000-00-00T00:00:00.000Z
agt_XXXXXXXXXXXXXXXXXXXXXXXXXX  beta   AGENT_STATUS_PUBLISHED  0000-00-00T00:00:00.000Z
(more: --cursor ";
    assert!(text.starts_with(expected), "table:\n{text}");

    let out = run(cli(&server), &["account", "retrieve", "--display", "table"], "").await;
    let text = normalise(&stdout(&out));
    assert!(text.starts_with("ID                               NAME"), "table:\n{text}");

    // --all walks every page as NDJSON, one item a line.
    let out = run(cli(&server), &["agents", "list", "--limit", "1", "--all"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    // One page as indented JSON: the wire envelope.
    let out = run(cli(&server), &["agents", "list", "--limit", "2"], "").await;
    let page = json(&out);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["pagination"]["nextCursor"].is_string());
    assert!(stdout(&out).starts_with("{\n  \"items\": ["), "{}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_describes_every_command_as_json() {
    let out = run(cadenya(), &["schema"], "").await;
    assert_eq!(out.status.code(), Some(0));
    let commands: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let operations = commands.iter().filter(|c| c["kind"] == "operation").count();
    let helpers: Vec<&str> =
        commands.iter().filter(|c| c["kind"] == "helper").map(|c| c["command"].as_str().unwrap()).collect();
    assert_eq!(operations, 97);
    assert_eq!(helpers, ["objectives wait", "objectives follow", "webhooks verify"]);
    let ids: std::collections::HashSet<&str> = commands.iter().filter_map(|c| c["operation"].as_str()).collect();
    assert_eq!(ids.len(), 97);

    // Every JSON-valued flag carries a schema whose every $ref resolves inside it.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    out.push(r);
                }
                o.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut json_flags = 0;
    for c in &commands {
        for f in c["flags"].as_array().unwrap() {
            if f["type"] == "json" {
                json_flags += 1;
                let schema = &f["schema"];
                let mut found = Vec::new();
                refs(schema, &mut found);
                for r in found {
                    let name = r.strip_prefix("#/$defs/").unwrap();
                    assert!(schema["$defs"][name].is_object(), "{}: {} ref {r} unresolved", c["command"], f["name"]);
                }
            }
            if f["type"] == "enum" {
                assert!(f["enum"].as_array().is_some_and(|v| !v.is_empty()), "{f}");
            }
        }
    }
    assert!(json_flags > 50, "only {json_flags} JSON flags");

    let one = run(cadenya(), &["schema", "agents", "variations", "add-assignment"], "").await;
    let c = json(&one);
    assert_eq!(c["operation"], "agents.variations.add_assignment");
    assert_eq!(
        c["positionals"],
        json!([
            {"name": "agent-id", "description": "ID of the agent; the `external_id:<value>` form is also accepted."},
            {"name": "variation-id", "description": "ID of the agent variation."}
        ])
    );
    assert!(c["flags"].as_array().unwrap().iter().any(|f| f["name"] == "--tool-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objectives_wait_and_follow() {
    let server = common::server().await;
    let agent = create_agent(&server, "helper").await;
    let out =
        run(cli(&server), &["objectives", "create", "--agent-id", &agent, "--data", "-"], r#"{"initialMessage":"hi"}"#)
            .await;
    let objective = json(&out)["metadata"]["id"].as_str().unwrap().to_string();

    let out = run(cli(&server), &["objectives", "wait", &objective, "--state", "waiting"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["status"]["state"], "STATE_WAITING");

    // Waiting for the end times out while the tool call waits: exit 1 with the last state.
    let out = run(cli(&server), &["objectives", "wait", &objective, "--timeout", "0.3"], "").await;
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["kind"], "WaitTimeoutError");
    assert_eq!(err["error"]["last_state"], "STATE_WAITING");

    let calls = run(cli(&server), &["objectives", "tool-calls", "list", &objective], "").await;
    let call = json(&calls)["items"][0]["metadata"]["id"].as_str().unwrap().to_string();
    let out = run(cli(&server), &["objectives", "tool-calls", "approve", &objective, &call], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = run(cli(&server), &["objectives", "follow", &objective, "--page-size", "3"], "").await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 8);
    assert_eq!(events[7]["data"]["type"], "OBJECTIVE_EVENT_TYPE_FINALIZED");
    // Resume after the fifth event: the last three.
    let fifth = events[4]["metadata"]["id"].as_str().unwrap();
    let out = run(cli(&server), &["objectives", "follow", &objective, "--after-event-id", fifth], "").await;
    let rest: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rest, events[5..]);

    let out = run(cli(&server), &["objectives", "wait", &objective], "").await;
    assert_eq!(json(&out)["status"]["state"], "STATE_FINALIZED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_verify_reads_the_payload_and_says_why_not() {
    let server = common::server().await;
    let secret = server.webhook_secret();
    let payload = r#"{"type":"objective_event.finalized","data":{}}"#;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let signature = cadenya_server::sign_webhook(&secret, "msg_1", now, payload.as_bytes());
    let headers = [
        "webhook-id: msg_1".to_string(),
        format!("webhook-timestamp: {now}"),
        format!("webhook-signature: {signature}"),
    ];
    let mut args = vec!["webhooks", "verify", "--secret", &secret];
    for h in &headers {
        args.extend(["--header", h.as_str()]);
    }
    let ok = run(cadenya(), &args, payload).await;
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert_eq!(json(&ok), json!({"verified": true, "webhook_id": "msg_1"}));

    let tampered = run(cadenya(), &args, &payload.replace("finalized", "cancelled")).await;
    assert_eq!(tampered.status.code(), Some(1));
    assert_eq!(json(&tampered)["reason"], "bad_signature");
    assert!(!stderr(&tampered).contains(&secret));

    let mut no_id = args.clone();
    no_id.drain(4..6);
    let out = run(cadenya(), &no_id, payload).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["reason"], "missing_header");

    let out = run(cadenya(), &["webhooks", "verify", "--secret", "not base64!"], payload).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_each_exchange_without_credentials() {
    let server = common::server().await;
    let key = server.api_key();
    let out = run(cli(&server), &["--debug", "agents", "list", "--limit", "1"], "").await;
    assert_eq!(out.status.code(), Some(0));
    let log = stderr(&out);
    assert!(log.contains("agents.list") && log.contains("status=200"), "{log}");
    assert!(log.contains("limit"), "{log}");
    assert!(!log.contains(&key), "the API key leaked: {log}");

    let mut cmd = cli(&server);
    cmd.env("CADENYA_LOG", "debug");
    let out = run(cmd, &["agents", "retrieve", "agt_nope", "--api-key", &key], "").await;
    assert_eq!(out.status.code(), Some(1));
    let log = stderr(&out);
    assert!(log.contains("agents.retrieve") && log.contains("status=404"), "{log}");
    assert!(!log.contains(&key), "the API key leaked: {log}");

    // Without debug, a success writes nothing to stderr.
    let out = run(cli(&server), &["agents", "list"], "").await;
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_announces_and_completions_print() {
    let mut cmd = cadenya();
    cmd.args(["serve"]).stdout(std::process::Stdio::piped());
    let line = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
        // The announced server answers.
        let info: Value = serde_json::from_str(&line).unwrap();
        let mut probe = cadenya();
        probe
            .env("CADENYA_API_KEY", info["api_key"].as_str().unwrap())
            .env("CADENYA_BASE_URL", info["base_url"].as_str().unwrap())
            .env("CADENYA_WORKSPACE_ID", info["workspace_id"].as_str().unwrap());
        let agents = probe.args(["agents", "list"]).output().unwrap();
        let _ = child.kill();
        let _ = child.wait();
        (info, agents)
    })
    .await
    .unwrap();
    let (info, agents) = line;
    for k in ["base_url", "api_key", "workspace_id", "account_id", "webhook_secret"] {
        assert!(info[k].is_string(), "{k} missing: {info}");
    }
    assert_eq!(agents.status.code(), Some(0), "{}", String::from_utf8_lossy(&agents.stderr));

    for shell in ["bash", "zsh", "fish"] {
        let out = run(cadenya(), &["completions", shell], "").await;
        assert_eq!(out.status.code(), Some(0));
        assert!(stdout(&out).contains("add-assignment"), "{shell}");
    }
}
