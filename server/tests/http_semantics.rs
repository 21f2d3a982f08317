#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Auth, scoping, routing errors, validation, limits, idempotency, request log.

mod common;
use common::*;
use serde_json::json;

#[tokio::test]
async fn auth_is_required() {
    let t = server().await;
    let r = t.c.get(format!("{}/v1/account", t.h.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body["code"], 16);
    assert!(body["message"].is_string());
    let r = t.c.get(format!("{}/v1/account", t.h.base_url())).bearer_auth("nope").send().await.unwrap();
    assert_eq!(r.status(), 401);
    // A created key authenticates too, within its workspace grants.
    let k = t
        .ok(
            "POST",
            "/v1/account/api_keys",
            Some(json!({"metadata": {"name": "k"}, "spec": {}, "initialWorkspaceIds": [t.ws()]})),
        )
        .await;
    let token = k["spec"]["token"].as_str().unwrap();
    let r = t.c.get(format!("{}{}", t.h.base_url(), t.wp("/agents"))).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let k2 = t.ok("POST", "/v1/account/api_keys", Some(json!({"metadata": {"name": "k2"}, "spec": {}}))).await;
    let r =
        t.c.get(format!("{}{}", t.h.base_url(), t.wp("/agents")))
            .bearer_auth(k2["spec"]["token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
    assert_eq!(r.status(), 404, "a key without a grant does not see the workspace");
    // Tokens are only shown by create/rotate.
    let got = t.ok("GET", &format!("/v1/account/api_keys/{}", k["metadata"]["id"].as_str().unwrap()), None).await;
    assert!(got["spec"].get("token").is_none());
}

#[tokio::test]
async fn workspace_scoping() {
    let t = server().await;
    let a = t.agent("scoped").await;
    let id = a["metadata"]["id"].as_str().unwrap();
    let w2 = t.ok("POST", "/v1/account/workspaces", Some(json!({"metadata": {"name": "B"}, "spec": {}}))).await;
    let w2 = w2["metadata"]["id"].as_str().unwrap();
    let r = t.call("GET", &format!("/v1/workspaces/{w2}/agents/{id}"), None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], 5);
    let r = t.call("GET", &format!("/v1/workspaces/{w2}/agents"), None).await;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 0);
    let r = t.call("GET", "/v1/workspaces/ws_nope/agents", None).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn routing_and_limits() {
    let t = server().await;
    assert_eq!(t.call("GET", "/v1/nothing/here", None).await.status, 404);
    let r = t.call("PUT", "/v1/account", None).await;
    assert_eq!(r.status, 405);
    assert!(r.json()["message"].is_string());
    assert_eq!(r.headers.get("allow").unwrap(), "GET");
    // Methods outside the spec (TRACE, extension methods) get the same envelope and `Allow`.
    for m in ["TRACE", "PURGE"] {
        let r = t.call(m, &t.wp("/agents"), None).await;
        assert_eq!(r.status, 405, "{m}");
        assert_eq!(r.headers.get("allow").unwrap(), "GET, POST", "{m}");
        assert_eq!(r.json()["code"], 12, "{m}");
    }
    // Routing comes before authentication: an unknown path is 404 with or without a key.
    let r = t.c.get(format!("{}/v1/nothing/here", t.h.base_url())).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json_value().await["code"], 5);
    let big = format!("{{\"metadata\":{{\"name\":\"{}\"}}}}", "x".repeat(1_100_000));
    let r = t.raw("POST", &t.wp("/agents"), Some(big), &[]).await;
    assert_eq!(r.status, 413);
    let r = t.raw("POST", &t.wp("/agents"), Some("{not json".into()), &[]).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().contains("malformed JSON"));
    let r = t.raw("POST", &t.wp("/agents"), Some("[1,2]".into()), &[]).await;
    assert_eq!(r.status, 400);
    let r = t.call("GET", &t.wp("/agents?limit=abc"), None).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().starts_with("limit:"));
    let r = t.call("GET", &t.wp("/agents?status=NOPE"), None).await;
    assert_eq!(r.status, 400);
    let r = t.call("GET", &t.wp("/agents?includeInfo=maybe"), None).await;
    assert_eq!(r.status, 400);
    assert!(r.headers.get("x-request-id").unwrap().to_str().unwrap().starts_with("req_"));
}

#[tokio::test]
async fn body_validation_names_the_field() {
    let t = server().await;
    let cases = [
        (
            json!({"spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}}),
            "metadata: missing required field",
        ),
        (
            json!({"metadata": {"name": "a"}, "spec": {"variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}}),
            "spec.status: missing required field",
        ),
        (json!({"metadata": {"name": 5}, "spec": {}}), "metadata.name: expected string"),
        (
            json!({"metadata": {"name": "a"}, "spec": {"status": "X", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}}),
            "spec.status: unknown enum value \"X\"",
        ),
        (json!({"metadata": {"name": "a", "labels": {"k": 1}}, "spec": {}}), "metadata.labels.k: expected string"),
    ];
    for (body, want) in cases {
        let r = t.call("POST", &t.wp("/agents"), Some(body)).await;
        assert_eq!(r.status, 400);
        assert!(r.msg().starts_with(want), "{} vs {want}", r.msg());
        assert_eq!(r.json()["code"], 3);
    }
    let r = t
        .call(
            "POST",
            &t.wp("/uploads"),
            Some(json!({"metadata": {"name": "u"}, "spec": {"contentType": "a", "filename": "f", "sizeBytes": 12}})),
        )
        .await;
    assert!(r.msg().starts_with("spec.sizeBytes: expected string"), "{}", r.msg());
    let r = t
        .call(
            "POST",
            &t.wp("/uploads"),
            Some(json!({"metadata": {"name": "u"}, "spec": {"contentType": "a", "filename": "f", "sizeBytes": "1.5"}})),
        )
        .await;
    assert!(r.msg().starts_with("spec.sizeBytes: expected an int64"), "{}", r.msg());
    // An integral float beyond 64 bits is not an integer this API stores (it would echo back as
    // a float that breaks the response schema).
    let agent = json!({"metadata": {"name": "a"}, "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}});
    let id = t.call("POST", &t.wp("/agents"), Some(agent)).await.json()["metadata"]["id"].as_str().unwrap().to_string();
    let variations = t.wp(&format!("/agents/{id}/variations"));
    for (ttl, accepted) in [(json!(-1.15e19), false), (json!(86400.0), true), (json!(86400), true)] {
        let body = json!({"metadata": {"name": "v"}, "spec": {"episodicMemoryTtl": ttl}});
        let r = t.call("POST", &variations, Some(body)).await;
        assert_eq!(r.status == 200, accepted, "{ttl}: {} {}", r.status, r.msg());
        if !accepted {
            assert!(r.msg().starts_with("spec.episodicMemoryTtl: expected integer"), "{}", r.msg());
        }
    }
    t.call("DELETE", &t.wp(&format!("/agents/{id}")), None).await;
    assert!(t.call("GET", &t.wp("/agents"), None).await.json()["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn unknown_body_fields_are_dropped_and_never_stored() {
    let t = server().await;
    let mut body = agent_body("a");
    body["metadata"]["nmae"] = json!(1);
    body["spec"]["extra"] = json!({"deep": true});
    body["topLevel"] = json!("x");
    let a = t.ok("POST", &t.wp("/agents"), Some(body)).await;
    assert!(a["metadata"].get("nmae").is_none() && a["spec"].get("extra").is_none());
    let id = a["metadata"]["id"].as_str().unwrap();
    let got = t.ok("GET", &t.wp(&format!("/agents/{id}")), None).await;
    assert!(got["metadata"].get("nmae").is_none() && got["spec"].get("extra").is_none());
}

/// Nested bulk-apply bundles are checked by the same rules as the top-level creates, and an
/// invalid bundle stores nothing.
#[tokio::test]
async fn bulk_bundles_are_validated_like_creates() {
    let t = server().await;
    let schedule = |offset: &str| json!({"name": "s", "spec": {"initialMessage": "hi", "schedule": {"intervals": [{"every": "60s", "offset": offset}]}}});
    let bundle = |offset: &str| {
        json!({"data": {"bundleKey": "b", "agents": {"a1": {
            "name": "a1",
            "spec": agent_body("a1")["spec"],
            "schedules": {"s1": schedule(offset)},
        }}}})
    };
    let r = t.call("POST", &t.wp("/bulk_workspace_applies"), Some(bundle(""))).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.msg().starts_with("data.agents.a1.schedules.s1.spec.schedule.intervals[0].offset: \"\" does not match"),
        "{}",
        r.msg()
    );
    assert!(t.ok("GET", &t.wp("/bulk_workspace_applies"), None).await["items"].as_array().unwrap().is_empty());
    assert!(t.ok("GET", &t.wp("/agents"), None).await["items"].as_array().unwrap().is_empty());
    // The same value is refused by the schedule create itself.
    let agent = t.agent("x").await;
    let aid = agent["metadata"]["id"].as_str().unwrap();
    let mut s = schedule("");
    s["metadata"] = json!({"name": "s"});
    let r = t.call("POST", &t.wp(&format!("/agents/{aid}/schedules")), Some(s)).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().starts_with("spec.schedule.intervals[0].offset:"), "{}", r.msg());
    // A valid duration is applied.
    t.ok("POST", &t.wp("/bulk_workspace_applies"), Some(bundle("1.5s"))).await;
}

#[tokio::test]
async fn idempotency_replays_and_log_records() {
    let t = server().await;
    let h = [("idempotency-key", "abc-1")];
    let a = t.raw("POST", &t.wp("/agents"), Some(agent_body("idem").to_string()), &h).await;
    let b = t.raw("POST", &t.wp("/agents"), Some(agent_body("idem").to_string()), &h).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.text, b.text);
    let list = t.ok("GET", &t.wp("/agents"), None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let c =
        t.raw("POST", &t.wp("/agents"), Some(agent_body("idem").to_string()), &[("idempotency-key", "abc-2")]).await;
    assert_ne!(a.text, c.text);

    let reqs = t.h.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].status, 200);
    assert_eq!(reqs[0].header("authorization"), Some("[redacted]"));
    assert_eq!(reqs[0].header("idempotency-key"), Some("abc-1"));
    assert!(reqs[0].body.contains("idem"));
    assert!(reqs[0].at_ms > 0);
    let over_http: serde_json::Value =
        t.c.get(format!("{}/_cadenya/requests", t.h.base_url())).send().await.unwrap().json_value().await;
    assert_eq!(over_http["requests"].as_array().unwrap().len(), 4);
    t.c.delete(format!("{}/_cadenya/requests", t.h.base_url())).send().await.unwrap();
    assert!(t.h.requests().is_empty());
}

trait JsonValue {
    async fn json_value(self) -> serde_json::Value;
}
impl JsonValue for reqwest::Response {
    async fn json_value(self) -> serde_json::Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

/// Rules stated with anyOf/oneOf in the spec are enforced by the same validator.
#[tokio::test]
async fn alternatives_are_enforced() {
    let t = server().await;
    let a = t.agent("a").await;
    let aid = a["metadata"]["id"].as_str().unwrap().to_string();
    let var_body = json!({"metadata": {"name": "v"}, "spec": {}});
    let v = t.call("POST", &t.wp(&format!("/agents/{aid}/variations")), Some(var_body)).await;
    let vid = v.json()["metadata"]["id"].as_str().map(str::to_string);
    let Some(vid) = vid else { panic!("variation create: {}", v.text) };
    let path = t.wp(&format!("/agents/{aid}/variations/{vid}/assignments"));
    let r = t.call("POST", &path, Some(json!({}))).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().starts_with("body: matches none of the oneOf alternatives (toolId: missing"), "{}", r.msg());
    let r = t.call("POST", &path, Some(json!({"toolId": "a", "subAgentId": "b"}))).await;
    assert!(r.msg().starts_with("body: matches 2 of the oneOf alternatives"), "{}", r.msg());
    let r = t.call("POST", &path, Some(json!({"subAgentId": aid}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let members = format!("/v1/account/workspaces/{}/members", t.ws());
    let r = t.call("POST", &members, Some(json!({"email": ""}))).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().contains("email: must have at least 1 characters"), "{}", r.msg());
    assert_eq!(t.call("POST", &members, Some(json!({"email": "x@example.com"}))).await.status, 200);
}
