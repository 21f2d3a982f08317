#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Calls every operation of the spec once with a valid request, expects 2xx and
//! validates each response body against the operation's response schema.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::HashMap;

fn body_for(op: &str, ids: &HashMap<&str, String>) -> Option<Value> {
    let meta = json!({"name": format!("smoke-{op}")});
    Some(match op {
        "agents.create" => agent_body("smoke"),
        "agents.update" => {
            json!({"spec": {"status": "AGENT_STATUS_PUBLISHED", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}, "updateMask": "spec.status"})
        }
        "agents.variations.create" => json!({"metadata": meta, "spec": {"prompt": "be brief", "weight": 1}}),
        "agents.variations.update" => json!({"spec": {"prompt": "be briefer"}}),
        "agents.variations.add_assignment" => json!({"toolId": ids["tool"]}),
        "agents.variations.add_memory_layer" => json!({"memoryLayerId": ids["ml"], "position": 0}),
        "agents.variations.update_memory_layer" => json!({"position": 2}),
        "agents.schedules.create" | "agents.schedules.update" => {
            json!({"metadata": meta, "spec": {"initialMessage": "tick", "schedule": {"intervals": [{"every": "3600s"}]}}})
        }
        "objectives.create" => json!({"agentId": ids["agent"], "data": {"initialMessage": "hi"}}),
        "objectives.cancel" => json!({"reason": "done"}),
        "objectives.compact" => json!({}),
        "objectives.continue" => json!({"message": "more please"}),
        "objectives.tool_calls.approve" => json!({}),
        "objectives.tool_calls.deny" => json!({"memo": "no"}),
        "objectives.feedback.create" => json!({"metadata": {}, "data": {"score": 1, "comment": "great"}}),
        "memory_layers.create" => json!({"metadata": meta, "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"}}),
        "memory_layers.update" => json!({"spec": {"description": "d", "type": "MEMORY_LAYER_TYPE_SKILLS"}}),
        "memory_layers.entries.create" => json!({"metadata": meta, "spec": {"key": "k2", "content": "c"}}),
        "memory_layers.entries.update" => json!({"spec": {"content": "c2"}}),
        "uploads.create" => {
            json!({"metadata": meta, "spec": {"contentType": "text/plain", "filename": "a.txt", "sizeBytes": "12"}})
        }
        "models.set_status" => json!({"status": "MODEL_STATUS_DISABLED"}),
        "tool_sets.create" | "tool_sets.update" => {
            json!({"metadata": meta, "spec": {"description": "set", "adapter": {"http": {"baseUrl": "https://example.com"}}}})
        }
        "tool_sets.tools.create" | "tool_sets.tools.update" => {
            json!({"metadata": meta, "spec": {"description": "t", "parameters": {}, "status": "TOOL_STATUS_AVAILABLE", "config": {"http": {"requestMethod": "GET", "path": "/x"}}}})
        }
        "api_keys.create" => {
            json!({"metadata": meta, "spec": {"description": "k"}, "initialWorkspaceIds": [ids["ws"]]})
        }
        "api_keys.update" => json!({"metadata": {"name": "renamed"}}),
        "api_keys.access.add" => json!({"workspaceId": ids["ws2"]}),
        "workspace_secrets.create" => json!({"metadata": meta, "spec": {"value": "s3cret"}}),
        "workspace_secrets.update" => json!({"spec": {"value": "other"}}),
        "workspace_admin.create" => json!({"metadata": meta, "spec": {"description": "w"}}),
        "workspace_admin.update" => json!({"spec": {"description": "w2"}}),
        "workspace_admin.members.add" => json!({"email": "member@example.com"}),
        "bulk_workspace_resources.apply" => {
            json!({"data": {"bundleKey": "b1", "agents": {"ext-a": {"name": "bulk-agent", "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}}}}})
        }
        _ => return None,
    })
}

fn param(op: &str, name: &str, ids: &HashMap<&str, String>) -> String {
    let g = |k: &str| ids.get(k).cloned().unwrap_or_else(|| panic!("no id {k} for {op}"));
    match name {
        "workspaceId" if op.starts_with("workspace_admin.") || op == "api_keys.access.remove" => g("ws2"),
        "workspaceId" => g("ws"),
        "agentId" => g("agent"),
        "variationId" => g("variation"),
        "memoryLayerId" => g("ml"),
        "toolSetId" => g("toolset"),
        "objectiveId" if op.ends_with(".deny") => g("objective2"),
        "objectiveId" if op == "objectives.cancel" => g("objective3"),
        "objectiveId" => g("objective"),
        "toolCallId" if op.ends_with(".deny") => g("tc2"),
        "toolCallId" => g("tc"),
        "bulkWorkspaceApplyId" => g("bulk"),
        "profileId" => g("member"),
        "id" => g(match op {
            o if o.starts_with("agents.variations.") && o.ends_with("_assignment") => "assignment",
            o if o.starts_with("agents.variations.") && o.ends_with("_memory_layer") => "mla",
            o if o.starts_with("agents.variations.") => "variation",
            o if o.starts_with("agents.schedules.") => "schedule",
            o if o.starts_with("agents.") => "agent",
            o if o.starts_with("objectives.tasks.") => "task",
            o if o.starts_with("objectives.") => "objective",
            o if o.starts_with("memory_layers.entries.") => "entry",
            o if o.starts_with("memory_layers.") => "ml",
            o if o.starts_with("uploads.") => "upload",
            o if o.starts_with("models.") => "model",
            o if o.starts_with("tool_sets.tools.") => "tool",
            o if o.starts_with("tool_sets.") => "toolset",
            o if o.starts_with("api_keys.") => "key",
            o if o.starts_with("workspace_secrets.") => "secret",
            o if o.starts_with("bulk_workspace_resources.") => "bulk",
            _ => panic!("no id mapping for {op}"),
        }),
        other => panic!("unknown path param {other} in {op}"),
    }
}

/// Mutating terminal operations go last, deepest paths first.
fn rank(op: &str, path: &str) -> (u8, i64) {
    let depth = path.matches('/').count() as i64;
    if op.ends_with(".delete") || op.ends_with(".remove") || op.ends_with(".archive") || op.contains(".remove_") {
        (3, -depth)
    } else if op.ends_with(".approve") || op.ends_with(".deny") || op.ends_with(".cancel") || op.ends_with(".rotate") {
        (2, 0)
    } else {
        (1, 0)
    }
}

fn id_of(v: &Value) -> String {
    v["metadata"]["id"].as_str().or(v["id"].as_str()).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_2xx_with_a_valid_body() {
    let t = server().await;
    let mut ids: HashMap<&str, String> = HashMap::new();
    ids.insert("ws", t.ws());
    let a = t.agent("base").await;
    ids.insert("agent", id_of(&a));
    let ag = ids["agent"].clone();
    let v = t
        .ok(
            "POST",
            &t.wp(&format!("/agents/{ag}/variations")),
            Some(json!({"metadata": {"name": "v"}, "spec": {"prompt": "p"}})),
        )
        .await;
    ids.insert("variation", id_of(&v));
    let s = t
        .ok(
            "POST",
            &t.wp(&format!("/agents/{ag}/schedules")),
            Some(json!({"metadata": {"name": "s"}, "spec": {"initialMessage": "m", "schedule": {}}})),
        )
        .await;
    ids.insert("schedule", id_of(&s));
    let ml = t
        .ok(
            "POST",
            &t.wp("/memory_layers"),
            Some(json!({"metadata": {"name": "ml"}, "spec": {"type": "MEMORY_LAYER_TYPE_EPISODIC"}})),
        )
        .await;
    ids.insert("ml", id_of(&ml));
    let e = t
        .ok(
            "POST",
            &t.wp(&format!("/memory_layers/{}/entries", ids["ml"])),
            Some(json!({"metadata": {"name": "e"}, "spec": {"key": "k", "content": "v"}})),
        )
        .await;
    ids.insert("entry", id_of(&e));
    let ts = t.ok("POST", &t.wp("/tool_sets"), Some(json!({"metadata": {"name": "ts"}, "spec": {}}))).await;
    ids.insert("toolset", id_of(&ts));
    let tool = t.ok("POST", &t.wp(&format!("/tool_sets/{}/tools", ids["toolset"])), Some(json!({"metadata": {"name": "tool"}, "spec": {"description": "d", "parameters": {}, "status": "TOOL_STATUS_AVAILABLE", "config": {}}}))).await;
    ids.insert("tool", id_of(&tool));
    let up = t
        .ok(
            "POST",
            &t.wp("/uploads"),
            Some(json!({"metadata": {"name": "u"}, "spec": {"contentType": "a/b", "filename": "f", "sizeBytes": "1"}})),
        )
        .await;
    ids.insert("upload", id_of(&up));
    let models = t.ok("GET", &t.wp("/models"), None).await;
    ids.insert("model", id_of(&models["items"][0]));
    let sec = t
        .ok("POST", &t.wp("/workspace_secrets"), Some(json!({"metadata": {"name": "sec"}, "spec": {"value": "x"}})))
        .await;
    ids.insert("secret", id_of(&sec));
    let key = t.ok("POST", "/v1/account/api_keys", Some(json!({"metadata": {"name": "k"}, "spec": {}}))).await;
    ids.insert("key", id_of(&key));
    let ws2 = t.ok("POST", "/v1/account/workspaces", Some(json!({"metadata": {"name": "w2"}, "spec": {}}))).await;
    ids.insert("ws2", id_of(&ws2));
    let m = t
        .ok("POST", &format!("/v1/account/workspaces/{}/members", ids["ws2"]), Some(json!({"email": "x@example.com"})))
        .await;
    ids.insert("member", m["profileId"].as_str().unwrap().to_string());
    let b = t.ok("POST", &t.wp("/bulk_workspace_applies"), Some(json!({"data": {"bundleKey": "bk"}}))).await;
    ids.insert("bulk", id_of(&b));
    let asg = t
        .ok(
            "POST",
            &t.wp(&format!("/agents/{ag}/variations/{}/assignments", ids["variation"])),
            Some(json!({"toolSetId": ids["toolset"]})),
        )
        .await;
    ids.insert("assignment", id_of(&asg));
    let mla = t
        .ok(
            "POST",
            &t.wp(&format!("/agents/{ag}/variations/{}/memory_layer_assignments", ids["variation"])),
            Some(json!({"memoryLayerId": ids["ml"]})),
        )
        .await;
    ids.insert("mla", id_of(&mla));
    let (o1, tc1) = t.waiting_objective(&ag).await;
    let (o2, tc2) = t.waiting_objective(&ag).await;
    let (o3, _) = t.waiting_objective(&ag).await;
    ids.insert("objective", o1.clone());
    ids.insert("tc", tc1);
    ids.insert("objective2", o2);
    ids.insert("tc2", tc2);
    ids.insert("objective3", o3);
    let tasks = t.ok("GET", &t.wp(&format!("/objectives/{o1}/tasks")), None).await;
    ids.insert("task", id_of(&tasks["items"][0]));

    let mut ops = cadenya_server::operations();
    assert_eq!(ops.len(), 97);
    ops.sort_by_key(|(id, _, path)| rank(id, path));
    let mut done = 0;
    for (op, method, path) in &ops {
        let mut url = String::new();
        for seg in path.split('/').filter(|s| !s.is_empty()) {
            url.push('/');
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                url.push_str(&param(op, name, &ids));
            } else {
                url.push_str(seg);
            }
        }
        if op == "search.search_tools_or_tool_sets" {
            url.push_str("?query=tool");
        }
        let r = t.call(method, &url, body_for(op, &ids)).await;
        assert!((200..300).contains(&r.status), "{op} {method} {url} -> {} {}", r.status, r.text);
        assert!(r.headers.get("x-request-id").is_some());
        let has_schema = cadenya_server::validate_response(op, &Value::Null).is_err();
        if has_schema {
            let v: Value = serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("{op}: not JSON: {e}: {}", r.text));
            if let Err(e) = cadenya_server::validate_response(op, &v) {
                panic!("{op}: response does not match schema: {e}\n{v}");
            }
        } else {
            assert!(r.text.is_empty(), "{op} should have an empty body, got {}", r.text);
        }
        done += 1;
    }
    assert_eq!(done, 97);
}
