//! Configuration, paths, pagination, raw responses, redaction and models: real HTTP against the local server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use cadenya::models::*;
use cadenya::params::*;
use cadenya::{Client, Error};
use common::*;
use futures_util::TryStreamExt;
use std::collections::HashMap;

#[tokio::test]
async fn pagination_walks_every_page_with_the_same_query() {
    let env = start().await;
    for i in 0..7 {
        env.client.agents().create(agent_params(&format!("agent-{i}"))).await.unwrap();
    }
    env.server.clear_requests();
    let params = AgentsListParams { limit: Some(3), sort_order: Some("asc".into()), ..Default::default() };
    let first = env.client.agents().list(params.clone()).await.unwrap();
    assert_eq!(first.items.len(), 3);
    assert!(first.has_next_page());
    let second = first.next_page().await.unwrap().expect("second page");
    assert_eq!(second.items.len(), 3);
    let third = second.next_page().await.unwrap().expect("third page");
    assert_eq!(third.items.len(), 1);
    assert!(!third.has_next_page());
    assert!(third.next_page().await.unwrap().is_none());

    let names: Vec<String> =
        env.client.agents().list(params).auto_paging().map_ok(|a| a.metadata.name).try_collect().await.unwrap();
    assert_eq!(names, (0..7).map(|i| format!("agent-{i}")).collect::<Vec<_>>());

    let reqs = requests_to(&env.server, "GET", "/agents");
    assert_eq!(reqs.len(), 6, "3 pages by hand, 3 pages streamed");
    for r in &reqs {
        assert!(r.query.contains("limit=3") && r.query.contains("sortOrder=asc"), "{}", r.query);
    }
    assert!(!reqs[0].query.contains("cursor="));
    assert!(reqs[1].query.contains("cursor=") && reqs[2].query.contains("cursor="));
}

#[tokio::test]
async fn auto_paging_is_lazy() {
    let env = start().await;
    for i in 0..5 {
        env.client.agents().create(agent_params(&format!("a{i}"))).await.unwrap();
    }
    env.server.clear_requests();
    let stream = env.client.agents().list(AgentsListParams { limit: Some(2), ..Default::default() }).auto_paging();
    futures_util::pin_mut!(stream);
    let first = stream.try_next().await.unwrap();
    assert!(first.is_some());
    assert_eq!(requests_to(&env.server, "GET", "/agents").len(), 1, "only the first page fetched");
}

#[tokio::test]
async fn hostile_path_ids_never_change_the_route() {
    let env = start().await;
    let agent = env.client.agents().create(agent_params("target")).await.unwrap();
    env.server.clear_requests();
    for id in ["../agents", "a/b", "x?y=1", "%2e%2e", "a#b", "agt 1"] {
        let err = env.client.agents().retrieve(id).await.expect_err(id);
        assert_eq!(err.status(), Some(404), "{id}: {err}");
    }
    let paths: Vec<String> = env.server.requests().into_iter().map(|r| r.path).collect();
    let prefix = format!("/v1/workspaces/{}/agents/", env.server.workspace_id());
    for p in &paths {
        let rest = p.strip_prefix(&prefix).unwrap_or_else(|| panic!("{p} left the agents collection"));
        assert!(!rest.contains('/'), "{p} has an extra segment");
    }
    assert_eq!(paths.len(), 6);
    // Refused before any request.
    env.server.clear_requests();
    for id in ["", " ", ".", ".."] {
        let err = env.client.agents().retrieve(id).await.expect_err(id);
        assert!(matches!(err, Error::InvalidRequest { .. }), "{id:?}: {err:?}");
    }
    let err = env.client.agents().variations().retrieve(&agent.metadata.id, "").await.expect_err("empty");
    assert!(err.to_string().contains("`id`"), "{err}");
    assert!(env.server.requests().is_empty());
}

#[tokio::test]
async fn workspace_defaults_and_per_call_override() {
    let env = start().await;
    let ws2 = env
        .client
        .workspace_admin()
        .create(WorkspaceAdminCreateParams {
            metadata: WorkspaceAdminCreateParamsMetadata { name: "second".into(), ..Default::default() },
            spec: WorkspaceSpec::default(),
        })
        .await
        .unwrap();
    let ws2_id = ws2.metadata.id.clone();
    let agent = env.client.agents().create(agent_params("in-ws2")).workspace_id(&ws2_id).await.unwrap();
    assert_eq!(agent.metadata.workspace_id, ws2_id);
    // Not visible from the default workspace, visible with the override and from a derived client.
    let err = env.client.agents().retrieve(&agent.metadata.id).await.expect_err("scoped");
    assert_eq!(err.status(), Some(404));
    env.client.agents().retrieve(&agent.metadata.id).workspace_id(&ws2_id).await.unwrap();
    env.client.with_workspace(&ws2_id).unwrap().agents().retrieve(&agent.metadata.id).await.unwrap();

    let no_ws = Client::builder()
        .env_lookup(|_| None)
        .api_key(env.server.api_key())
        .base_url(env.server.base_url())
        .build()
        .unwrap();
    let err = no_ws.agents().list(Default::default()).await.expect_err("no workspace");
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("workspace"), "{err}");
}

#[tokio::test]
async fn raw_response_and_request_headers() {
    let env = start().await;
    let raw = env
        .client
        .agents()
        .create(agent_params("raw"))
        .header("x-trace", "t-1")
        .query("debug", "1")
        .with_raw_response()
        .await
        .unwrap();
    assert_eq!(raw.status, 200);
    assert!(raw.request_id.as_deref().is_some_and(|r| r.starts_with("req_")));
    assert_eq!(raw.headers.get("x-request-id").and_then(|v| v.to_str().ok()), raw.request_id.as_deref());
    assert_eq!(raw.data.metadata.name, "raw");
    let r = &requests_to(&env.server, "POST", "/agents")[0];
    assert_eq!(header(r, "x-trace"), Some("t-1"));
    assert_eq!(header(r, "content-type"), Some("application/json"));
    assert_eq!(header(r, "accept"), Some("application/json"));
    assert!(header(r, "user-agent").is_some_and(|u| u.starts_with("cadenya-rust/")));
    assert_eq!(header(r, "x-cadenya-retry-count"), Some("0"));
    assert!(r.query.contains("debug=1"));
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["metadata"]["name"], "raw");
    assert_eq!(body["spec"]["status"], "AGENT_STATUS_DRAFT");
    assert!(body["spec"].get("webhookEventsUrl").is_none(), "unset optional fields are omitted");
    assert!(body.get("defaultVariation").is_none());
}

#[test]
fn configuration_errors_are_clear() {
    let none = |_: &str| None;
    let err = Client::builder().env_lookup(none).build().expect_err("no key");
    assert!(matches!(err, Error::Configuration { .. }));
    assert!(err.to_string().contains("CADENYA_API_KEY"), "{err}");
    let err = Client::builder().env_lookup(none).api_key("   ").build().expect_err("blank");
    assert!(err.to_string().contains("blank"), "{err}");
    let err = Client::builder()
        .env_lookup(|_| Some("from-env".into()))
        .api_key("")
        .build()
        .expect_err("explicit blank beats env");
    assert!(matches!(err, Error::Configuration { .. }));
    let err =
        Client::builder().env_lookup(none).api_key("k").base_url("http://api.example.com").build().expect_err("http");
    assert!(err.to_string().contains("http://"), "{err}");
    Client::builder()
        .env_lookup(none)
        .api_key("k")
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    Client::builder().env_lookup(none).api_key("k").base_url("http://localhost:1").build().unwrap();
    Client::builder().env_lookup(none).api_key("k").base_url("http://[::1]:1").build().unwrap();
    let err = Client::builder().env_lookup(none).api_key("k").base_url("not a url").build().expect_err("bad url");
    assert!(matches!(err, Error::Configuration { .. }));
    let err = Client::builder()
        .env_lookup(none)
        .api_key("k")
        .default_header("Authorization", "x")
        .build()
        .expect_err("reserved");
    assert!(err.to_string().contains("Authorization"));
}

#[test]
fn environment_fallbacks() {
    let env: HashMap<&str, &str> = HashMap::from([
        ("CADENYA_API_KEY", "cdn_env_key"),
        ("CADENYA_BASE_URL", "http://127.0.0.1:9/api/"),
        ("CADENYA_WORKSPACE_ID", "ws_env"),
        ("CADENYA_WEBHOOK_KEY", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("CADENYA_CUSTOM_HEADERS", "X-One: 1\n\nX-Two:  two words  \n"),
        ("CADENYA_LOG", "debug"),
    ]);
    let lookup = move |k: &str| env.get(k).map(|v| v.to_string());
    let client = Client::builder().env_lookup(lookup.clone()).build().unwrap();
    let cfg = client.config();
    assert_eq!(cfg.base_url(), "http://127.0.0.1:9/api");
    assert_eq!(cfg.workspace_id(), Some("ws_env"));
    assert!(cfg.webhook_secret().is_some(), "falls back to CADENYA_WEBHOOK_KEY");
    assert_eq!(cfg.log_level(), cadenya::LogLevel::Debug);
    // Explicit values win over the environment.
    let client = Client::builder().env_lookup(lookup.clone()).workspace_id("ws_explicit").build().unwrap();
    assert_eq!(client.config().workspace_id(), Some("ws_explicit"));
    // CADENYA_WEBHOOK_SECRET wins over CADENYA_WEBHOOK_KEY.
    let both =
        move |k: &str| if k == "CADENYA_WEBHOOK_SECRET" { Some("whsec_c2VjcmV0".to_string()) } else { lookup(k) };
    let client = Client::builder().env_lookup(both).build().unwrap();
    assert_eq!(client.config().webhook_secret().map(|s| s.expose().to_string()), Some("whsec_c2VjcmV0".into()));
    let err = Client::builder()
        .env_lookup(|k| (k == "CADENYA_CUSTOM_HEADERS").then(|| "no colon here".to_string()))
        .api_key("k")
        .build()
        .expect_err("bad header line");
    assert!(err.to_string().contains("CADENYA_CUSTOM_HEADERS"), "{err}");
}

#[tokio::test]
async fn custom_headers_from_the_environment_are_sent() {
    let env = start().await;
    let client = builder(&env.server)
        .env_lookup(|k| (k == "CADENYA_CUSTOM_HEADERS").then(|| "X-Team: sdk\nX-Env: test".to_string()))
        .default_header("X-Extra", "yes")
        .build()
        .unwrap();
    client.agents().list(Default::default()).await.unwrap();
    let r = &requests_to(&env.server, "GET", "/agents")[0];
    assert_eq!(header(r, "x-team"), Some("sdk"));
    assert_eq!(header(r, "x-env"), Some("test"));
    assert_eq!(header(r, "x-extra"), Some("yes"));
}

#[test]
fn models_keep_unknown_fields_and_values() {
    let wire = serde_json::json!({
        "metadata": {
            "id": "agt_1", "accountId": "acc_1", "createdAt": "2026-01-01T00:00:00Z", "name": "n",
            "profileId": "prof_1", "workspaceId": "ws_1", "futureField": {"nested": [1, 2]}
        },
        "spec": {"status": "AGENT_STATUS_FROM_THE_FUTURE", "variationSelectionMode": "VARIATION_SELECTION_MODE_WEIGHTED"},
        "brandNew": true
    });
    let agent: Agent = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(agent.spec.status, AgentStatus::Unknown("AGENT_STATUS_FROM_THE_FUTURE".into()));
    assert!(agent.spec.status.is_unknown());
    assert_eq!(agent.spec.variation_selection_mode, VariationSelectionMode::Weighted);
    assert_eq!(agent.extra.get("brandNew"), Some(&serde_json::json!(true)));
    assert_eq!(serde_json::to_value(&agent).unwrap(), wire, "round-trips what it does not know");
}

#[test]
fn int64_strings_decode_and_encode_as_strings() {
    let upload: UploadSpec = serde_json::from_value(serde_json::json!({
        "contentType": "text/plain", "filename": "a.txt", "sizeBytes": "9007199254740993"
    }))
    .unwrap();
    assert_eq!(upload.size_bytes, 9_007_199_254_740_993);
    assert_eq!(serde_json::to_value(&upload).unwrap()["sizeBytes"], "9007199254740993");
    let err = serde_json::from_value::<UploadSpec>(serde_json::json!({
        "contentType": "text/plain", "filename": "a.txt", "sizeBytes": "12x"
    }))
    .expect_err("not a number");
    assert!(err.to_string().contains("12x"));
}

#[tokio::test]
async fn decode_errors_name_the_field_path() {
    // A model that does not match: the error names the path inside the body.
    let wire = br#"{"items":[{"metadata":{"id":"a"},"spec":{}}],"pagination":{}}"#;
    let de = &mut serde_json::Deserializer::from_slice(wire);
    let tracked = serde_path_to_error::deserialize::<_, AgentsCursorPagination>(de).expect_err("missing fields");
    assert_eq!(tracked.path().to_string(), "items[0].metadata");
    // The SDK's decode finds the same path without tracking it while decoding.
    let (path, err) = cadenya::json::decode::<AgentsCursorPagination>(wire).expect_err("missing fields");
    assert_eq!(path, "items[0].metadata");
    assert!(err.to_string().starts_with("missing field"), "{err}");
}

#[test]
fn models_holding_secrets_redact_them_in_debug() {
    let key =
        APIKeySpec { token: Some("cdn_live_supersecret".into()), description: Some("ci".into()), ..Default::default() };
    let secret = WorkspaceSecretSpec { value: Some("hunter2-value".into()), ..Default::default() };
    let account =
        AccountInfo { webhook_events_hmac_secret: Some("whsec_c2VjcmV0c2VjcmV0".into()), ..Default::default() };
    let shown = format!("{key:?} {secret:?} {account:?}");
    for leaked in ["cdn_live_supersecret", "hunter2-value", "whsec_c2VjcmV0c2VjcmV0"] {
        assert!(!shown.contains(leaked), "{shown}");
    }
    assert!(shown.contains("description: Some(\"ci\")"), "other fields still print: {shown}");
    // The value itself is still there for the program to use, and on the wire.
    assert_eq!(serde_json::to_value(&secret).unwrap()["value"], "hunter2-value");
}

#[test]
fn client_options_apply_like_builder_calls() {
    let opts = cadenya::ClientOptions {
        api_key: Some("cdn_opts_key".into()),
        base_url: Some("http://127.0.0.1:9".into()),
        workspace_id: Some("ws_opts".into()),
        timeout: Some(std::time::Duration::from_secs(7)),
        max_retries: Some(5),
        default_headers: vec![("X-A".into(), "1".into())],
        log_level: Some(cadenya::LogLevel::Info),
        ..Default::default()
    };
    assert!(!format!("{opts:?}").contains("cdn_opts_key"));
    // Unset options fall back to the environment, as on the builder.
    let env = |k: &str| (k == "CADENYA_WEBHOOK_SECRET").then(|| "whsec_c2VjcmV0".to_string());
    let client = Client::builder().env_lookup(env).options(opts).build().unwrap();
    let cfg = client.config();
    assert_eq!(cfg.workspace_id(), Some("ws_opts"));
    assert_eq!(cfg.timeout(), std::time::Duration::from_secs(7));
    assert_eq!(cfg.max_retries(), 5);
    assert_eq!(cfg.log_level(), cadenya::LogLevel::Info);
    assert!(cfg.webhook_secret().is_some());
    // A blank value given through options is an error, as on the builder.
    let blank = cadenya::ClientOptions { api_key: Some(" ".into()), ..Default::default() };
    assert!(Client::builder().env_lookup(|_| None).options(blank).build().is_err());
}

#[tokio::test]
async fn extra_body_fields_are_sent_over_the_declared_ones() {
    let env = start().await;
    env.server.clear_requests();
    let agent = env
        .client
        .agents()
        .create(agent_params("extra-body"))
        .extra_body_field("labsFlag", serde_json::json!(true))
        .extra_body_field("metadata", serde_json::json!({ "name": "from-extra-body" }))
        .await
        .unwrap();
    assert_eq!(agent.metadata.name, "from-extra-body");
    let sent = requests_to(&env.server, "POST", "/agents");
    let body: serde_json::Value = serde_json::from_str(&sent[0].body).unwrap();
    assert_eq!(body["labsFlag"], true);
    assert_eq!(body["metadata"], serde_json::json!({ "name": "from-extra-body" }));
    assert_eq!(body["spec"]["status"], "AGENT_STATUS_DRAFT");
    let err = env.client.agents().retrieve(&agent.metadata.id).extra_body_field("x", 1.into()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest { message } if message.contains("takes no body")), "{err}");
}
