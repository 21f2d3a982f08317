#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The deterministic objective lifecycle.

mod common;
use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_path_completes() {
    let t = server_with(std::time::Duration::from_millis(2)).await;
    let a = t.agent("o").await;
    let (obj, tc) = t.waiting_objective(a["metadata"]["id"].as_str().unwrap()).await;
    assert_eq!(
        t.event_types(&obj).await,
        [
            "OBJECTIVE_EVENT_TYPE_USER_MESSAGE",
            "OBJECTIVE_EVENT_TYPE_ASSISTANT_MESSAGE",
            "OBJECTIVE_EVENT_TYPE_TOOL_APPROVAL_REQUESTED"
        ]
    );
    let ev = t.events(&obj).await;
    assert_eq!(ev[0]["data"]["userMessage"]["content"], "What is the answer?");
    assert_eq!(ev[2]["data"]["toolApprovalRequested"]["toolCallId"], tc.as_str());
    let waiting = t
        .ok("GET", &t.wp(&format!("/objectives/{obj}/tool_calls?status=TOOL_CALL_STATUS_WAITING_FOR_APPROVAL")), None)
        .await;
    assert_eq!(waiting["items"].as_array().unwrap().len(), 1);
    let r = t.ok("PUT", &t.wp(&format!("/objectives/{obj}/tool_calls/{tc}/approve")), Some(json!({}))).await;
    assert_eq!(r["status"], "TOOL_CALL_STATUS_APPROVED");
    t.wait_state(&obj, "STATE_FINALIZED").await;
    let types = t.event_types(&obj).await;
    assert_eq!(
        types[3..],
        [
            "OBJECTIVE_EVENT_TYPE_TOOL_APPROVED",
            "OBJECTIVE_EVENT_TYPE_TOOL_CALLED",
            "OBJECTIVE_EVENT_TYPE_TOOL_RESULT",
            "OBJECTIVE_EVENT_TYPE_ASSISTANT_MESSAGE",
            "OBJECTIVE_EVENT_TYPE_FINALIZED"
        ]
    );
    // A second approval is a conflict.
    assert_eq!(t.call("PUT", &t.wp(&format!("/objectives/{obj}/tool_calls/{tc}/approve")), None).await.status, 409);
    let tasks = t.ok("GET", &t.wp(&format!("/objectives/{obj}/tasks")), None).await;
    assert!(tasks["items"].as_array().unwrap().iter().all(|x| x["data"]["completed"] == true));
    let o = t.ok("GET", &t.wp(&format!("/objectives/{obj}")), None).await;
    assert_eq!(o["info"]["totalEvents"], 8);
    assert_eq!(o["info"]["totalToolCalls"], 1);
    // Events paginate in order.
    let p1 = t.ok("GET", &t.wp(&format!("/objectives/{obj}/events?limit=5")), None).await;
    let c = p1["pagination"]["nextCursor"].as_str().unwrap();
    let p2 = t.ok("GET", &t.wp(&format!("/objectives/{obj}/events?limit=5&cursor={c}")), None).await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 3);
    assert_eq!(p2["items"][2]["data"]["type"], "OBJECTIVE_EVENT_TYPE_FINALIZED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_cancel_continue_compact_feedback() {
    let t = server().await;
    let a = t.agent("o").await;
    let agent = a["metadata"]["id"].as_str().unwrap().to_string();

    let (obj, tc) = t.waiting_objective(&agent).await;
    let r = t
        .ok("PUT", &t.wp(&format!("/objectives/{obj}/tool_calls/{tc}/deny")), Some(json!({"memo": "not allowed"})))
        .await;
    assert_eq!(r["status"], "TOOL_CALL_STATUS_DENIED");
    assert_eq!(r["data"]["memo"], "not allowed");
    t.wait_state(&obj, "STATE_FINALIZED").await;
    let types = t.event_types(&obj).await;
    assert_eq!(
        types[3..],
        [
            "OBJECTIVE_EVENT_TYPE_TOOL_DENIED",
            "OBJECTIVE_EVENT_TYPE_ASSISTANT_MESSAGE",
            "OBJECTIVE_EVENT_TYPE_FINALIZED"
        ]
    );

    // continue: returns the user message event, then an assistant reply.
    let ev = t.ok("POST", &t.wp(&format!("/objectives/{obj}/continue")), Some(json!({"message": "and then?"}))).await;
    assert_eq!(ev["data"]["userMessage"]["content"], "and then?");
    cadenya_server::validate_response("objectives.continue", &ev).unwrap();
    t.wait_for(|| async {
        let types = t.event_types(&obj).await;
        (types.len() == 9 && types[7] == "OBJECTIVE_EVENT_TYPE_ASSISTANT_MESSAGE").then_some(json!(null))
    })
    .await;

    // compact: new context window, event in the new window.
    let c = t.ok("POST", &t.wp(&format!("/objectives/{obj}/compact")), Some(json!({}))).await;
    assert_eq!(c["contextWindow"]["sequence"], 1);
    let ws = t.ok("GET", &t.wp(&format!("/objectives/{obj}/context_windows")), None).await;
    assert_eq!(ws["items"].as_array().unwrap().len(), 2);
    let new_window = ws["items"][1]["metadata"]["id"].as_str().unwrap();
    let in_new = t.ok("GET", &t.wp(&format!("/objectives/{obj}/events?windowId={new_window}")), None).await;
    assert_eq!(in_new["items"][0]["data"]["type"], "OBJECTIVE_EVENT_TYPE_CONTEXT_WINDOW_COMPACTED");

    // feedback on the objective shows up under the agent too.
    t.ok(
        "POST",
        &t.wp(&format!("/objectives/{obj}/feedback")),
        Some(json!({"metadata": {}, "data": {"score": -1, "comment": "meh"}})),
    )
    .await;
    let fb = t.ok("GET", &t.wp(&format!("/agents/{agent}/feedback?sentiment=FEEDBACK_SENTIMENT_NEGATIVE")), None).await;
    assert_eq!(fb["items"].as_array().unwrap().len(), 1);
    let fb = t.ok("GET", &t.wp(&format!("/agents/{agent}/feedback?sentiment=FEEDBACK_SENTIMENT_POSITIVE")), None).await;
    assert!(fb["items"].as_array().unwrap().is_empty());

    // cancel stops a waiting objective; later steps never run.
    let (obj2, _) = t.waiting_objective(&agent).await;
    let o = t.ok("POST", &t.wp(&format!("/objectives/{obj2}/cancel")), Some(json!({"reason": "stop"}))).await;
    assert_eq!(o["status"]["state"], "STATE_CANCELLED");
    let types = t.event_types(&obj2).await;
    assert_eq!(types.last().unwrap(), "OBJECTIVE_EVENT_TYPE_CANCELLED");
    let listed = t.ok("GET", &t.wp("/objectives?state=STATE_CANCELLED"), None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.call("POST", &t.wp(&format!("/objectives/{obj2}/continue")), Some(json!({"message": "x"}))).await.status,
        409
    );
    assert_eq!(
        t.call("POST", &t.wp("/objectives"), Some(json!({"agentId": "agt_missing", "data": {}}))).await.status,
        404
    );
}
