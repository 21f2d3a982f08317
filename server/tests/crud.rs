#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! CRUD, update masks, PUT replacement and cursor pagination.

mod common;
use common::*;
use serde_json::{json, Value};

fn names(v: &Value) -> Vec<String> {
    v["items"].as_array().unwrap().iter().map(|i| i["metadata"]["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn pagination_sort_and_filters() {
    let t = server().await;
    for i in 0..7 {
        t.agent(&format!("agent-{i}")).await;
    }
    t.agent("other").await;
    let mut seen = vec![];
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let q = if cursor.is_empty() { "?limit=3".to_string() } else { format!("?limit=3&cursor={cursor}") };
        let p = t.ok("GET", &t.wp(&format!("/agents{q}")), None).await;
        pages += 1;
        seen.extend(names(&p));
        match p["pagination"]["nextCursor"].as_str() {
            Some(c) if !c.is_empty() => cursor = c.to_string(),
            _ => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 8);
    assert_eq!(seen[0], "agent-0");
    let desc = t.ok("GET", &t.wp("/agents?sortOrder=desc&limit=2"), None).await;
    assert_eq!(names(&desc), vec!["other", "agent-6"]);
    let pre = t.ok("GET", &t.wp("/agents?prefix=agent-&limit=100"), None).await;
    assert_eq!(names(&pre).len(), 7);
    let q = t.ok("GET", &t.wp("/agents?query=OTH"), None).await;
    assert_eq!(names(&q), vec!["other"]);
    assert!(q["pagination"].get("nextCursor").is_none());
    assert!(q["items"][0].get("info").is_none());
    let info = t.ok("GET", &t.wp("/agents?query=other&includeInfo=true"), None).await;
    assert_eq!(info["items"][0]["info"]["variationCount"], 0);
    let st = t.ok("GET", &t.wp("/agents?status=AGENT_STATUS_PUBLISHED"), None).await;
    assert!(names(&st).is_empty());
    assert_eq!(t.call("GET", &t.wp("/agents?cursor=garbage!"), None).await.status, 400);
}

#[tokio::test]
async fn update_mask_merge_and_put() {
    let t = server().await;
    let a = t.agent("m").await;
    let id = a["metadata"]["id"].as_str().unwrap();
    let path = t.wp(&format!("/agents/{id}"));
    // Mask: only spec.description changes even though status is sent too.
    let u = t
        .ok("PATCH", &path, Some(json!({"spec": {"description": "new", "status": "AGENT_STATUS_PUBLISHED", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"}, "updateMask": "spec.description"})))
        .await;
    assert_eq!(u["spec"]["description"], "new");
    assert_eq!(u["spec"]["status"], "AGENT_STATUS_DRAFT");
    assert_eq!(u["metadata"]["id"], id);
    // Masked path missing from the body clears it.
    let u = t.ok("PATCH", &path, Some(json!({"updateMask": "spec.description"}))).await;
    assert!(u["spec"].get("description").is_none());
    let r = t.call("PATCH", &path, Some(json!({"updateMask": "spec.nope"}))).await;
    assert_eq!(r.status, 400);
    assert!(r.msg().starts_with("updateMask:"));
    // No mask: provided fields merge.
    let u = t.ok("PATCH", &path, Some(json!({"metadata": {"name": "renamed", "labels": {"a": "b"}}}))).await;
    assert_eq!(u["metadata"]["name"], "renamed");
    assert_eq!(u["spec"]["status"], "AGENT_STATUS_DRAFT");
    let g = t.ok("GET", &path, None).await;
    assert_eq!(g["metadata"]["labels"]["a"], "b");

    // PUT replaces the spec.
    let ts = t.ok("POST", &t.wp("/tool_sets"), Some(json!({"metadata": {"name": "ts"}, "spec": {"description": "d", "adapter": {"mcp": {"url": "https://x"}}}}))).await;
    let tid = ts["metadata"]["id"].as_str().unwrap();
    let p = t
        .ok(
            "PUT",
            &t.wp(&format!("/tool_sets/{tid}")),
            Some(json!({"metadata": {"name": "ts2"}, "spec": {"description": "only"}})),
        )
        .await;
    assert_eq!(p["spec"], json!({"description": "only"}));
    assert_eq!(p["metadata"]["name"], "ts2");
    assert_eq!(p["metadata"]["id"], tid);

    assert_eq!(t.call("DELETE", &path, None).await.text, "");
    assert_eq!(t.call("GET", &path, None).await.status, 404);
    assert_eq!(t.call("DELETE", &path, None).await.status, 404);
}

#[tokio::test]
async fn nested_resources_and_external_ids() {
    let t = server().await;
    let a = t.ok("POST", &t.wp("/agents"), Some(json!({"metadata": {"name": "x", "externalId": "ext-1"}, "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM"},
        "defaultVariation": {"metadata": {"name": "default"}, "spec": {"prompt": "p"}}}))).await;
    assert_eq!(a["info"]["variationCount"], 1);
    let vs = t.ok("GET", &t.wp("/agents/external_id:ext-1/variations"), None).await;
    assert_eq!(names(&vs), vec!["default"]);
    let ml = t
        .ok(
            "POST",
            &t.wp("/memory_layers"),
            Some(json!({"metadata": {"name": "l"}, "spec": {"type": "MEMORY_LAYER_TYPE_SKILLS"}})),
        )
        .await;
    let mlid = ml["metadata"]["id"].as_str().unwrap();
    let e = t
        .ok(
            "POST",
            &t.wp(&format!("/memory_layers/{mlid}/entries")),
            Some(json!({"metadata": {"name": "e"}, "spec": {"key": "k", "content": "hello"}})),
        )
        .await;
    assert_eq!(e["content"], "hello");
    assert_eq!(e["spec"], json!({"key": "k"}));
    let l = t.ok("GET", &t.wp(&format!("/memory_layers/{mlid}")), None).await;
    assert_eq!(l["info"]["entryCount"], 1);
    assert_eq!(t.call("GET", &t.wp("/memory_layers/ml_missing/entries"), None).await.status, 404);
}

/// List pages reuse each record's rendered JSON; a change to a record must show on the next page
/// that lists it, and info (which depends on other records) is always computed fresh.
#[tokio::test]
async fn listed_items_follow_updates_deletes_and_info() {
    let t = server().await;
    let a = t.agent("first").await;
    let b = t.agent("second").await;
    let (aid, bid) = (a["metadata"]["id"].as_str().unwrap(), b["metadata"]["id"].as_str().unwrap());
    assert_eq!(names(&t.ok("GET", &t.wp("/agents"), None).await), vec!["first", "second"]);

    t.ok("PATCH", &t.wp(&format!("/agents/{aid}")), Some(json!({"metadata": {"name": "renamed"}}))).await;
    assert_eq!(names(&t.ok("GET", &t.wp("/agents"), None).await), vec!["renamed", "second"]);

    let var = json!({"metadata": {"name": "v"}, "spec": {"prompt": "p"}});
    t.ok("POST", &t.wp(&format!("/agents/{bid}/variations")), Some(var)).await;
    let info = t.ok("GET", &t.wp("/agents?includeInfo=true"), None).await;
    assert_eq!(info["items"][0]["info"]["variationCount"], 0);
    assert_eq!(info["items"][1]["info"]["variationCount"], 1);
    let plain = t.ok("GET", &t.wp("/agents"), None).await;
    assert!(plain["items"][1].get("info").is_none());

    t.call("DELETE", &t.wp(&format!("/agents/{bid}")), None).await;
    assert_eq!(names(&t.ok("GET", &t.wp("/agents"), None).await), vec!["renamed"]);
}

#[tokio::test]
async fn descending_pages_continue_from_the_cursor() {
    let t = server().await;
    for i in 0..5 {
        t.agent(&format!("agent-{i}")).await;
    }
    let mut seen = vec![];
    let mut q = "?sortOrder=desc&limit=2".to_string();
    loop {
        let p = t.ok("GET", &t.wp(&format!("/agents{q}")), None).await;
        seen.extend(names(&p));
        match p["pagination"]["nextCursor"].as_str() {
            Some(c) => q = format!("?sortOrder=desc&limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["agent-4", "agent-3", "agent-2", "agent-1", "agent-0"]);
}
