//! Deterministic objective lifecycle (no model involved).
//!
//! `objectives.create` schedules: user message → assistant message → a tool
//! call waiting for approval. Approve: toolApproved → toolCalled → toolResult →
//! assistant message → finalized. Deny: toolDenied → assistant message →
//! finalized. An objective created with the label `simulate: fail` fails instead of asking
//! (error event, STATE_FAILED). Steps run on a spawned task, each after `step_delay`. Every
//! objective carries an `epoch`; cancel bumps it so queued steps of an older
//! epoch are dropped.

use crate::app::{Shared, State};
use crate::util::now_rfc3339;
use crate::webhooks::Job;
use serde_json::{json, Value};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum Step {
    Running,
    User(String),
    Assistant(String),
    RequestApproval,
    Approved(String),
    Called(String),
    Result(String),
    Denied(String, String),
    /// Finalize unless a tool call still waits for approval (then wait).
    Settle,
    Finalize,
    /// An `error` event, then STATE_FAILED with the message.
    Fail(String),
}

/// Runs steps after the request that scheduled them has returned.
pub fn schedule(shared: &Arc<Shared>, ws: String, objective_id: String, steps: Vec<Step>) {
    let epoch = {
        let st = shared.state();
        st.store
            .get("objective", Some(&ws), None, &objective_id)
            .and_then(|r| r.hidden.get("epoch").and_then(Value::as_u64))
            .unwrap_or(0)
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        for step in steps {
            if !shared.step_delay.is_zero() {
                tokio::time::sleep(shared.step_delay).await;
            } else {
                tokio::task::yield_now().await;
            }
            let mut st = shared.state();
            let Some(obj) = st.store.get("objective", Some(&ws), None, &objective_id) else { return };
            let cur = obj.hidden.get("epoch").and_then(Value::as_u64).unwrap_or(0);
            let state = obj.value.pointer("/status/state").and_then(Value::as_str).unwrap_or_default();
            if cur != epoch || state == "STATE_CANCELLED" {
                return;
            }
            run_step(&mut st, &shared, &ws, &objective_id, step);
        }
    });
}

pub fn set_state(st: &mut State, ws: &str, id: &str, state: &str, message: Option<&str>) {
    if let Some(o) = st.store.get_mut("objective", Some(ws), None, id) {
        o.value["status"]["state"] = json!(state);
        match message {
            Some(m) => o.value["status"]["message"] = json!(m),
            None => {
                if let Some(s) = o.value["status"].as_object_mut() {
                    s.remove("message");
                }
            }
        }
    }
}

fn hidden_str(st: &State, ws: &str, id: &str, key: &str) -> String {
    st.store
        .get("objective", Some(ws), None, id)
        .and_then(|o| o.hidden.get(key).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

fn set_tool_call(st: &mut State, ws: &str, tc: &str, f: impl FnOnce(&mut Value)) {
    if let Some(r) = st.store.get_mut("tool_call", Some(ws), None, tc) {
        f(&mut r.value);
    }
}

fn complete_tasks(st: &mut State, ws: &str, obj: &str, upto: i64) {
    let ids: Vec<String> = st.store.all("task", Some(ws), Some(obj)).iter().map(|r| r.id.clone()).collect();
    for id in ids {
        if let Some(t) = st.store.get_mut("task", Some(ws), Some(obj), &id) {
            let n = t.value.pointer("/data/number").and_then(Value::as_i64).unwrap_or(0);
            if n <= upto && t.value.pointer("/data/completed") != Some(&json!(true)) {
                t.value["data"]["completed"] = json!(true);
                t.value["data"]["completedAt"] = json!(now_rfc3339());
            }
        }
    }
}

fn run_step(st: &mut State, shared: &Arc<Shared>, ws: &str, obj: &str, step: Step) {
    match step {
        Step::Running => set_state(st, ws, obj, "STATE_RUNNING", None),
        Step::User(text) => {
            set_state(st, ws, obj, "STATE_RUNNING", None);
            append_event(st, shared, ws, obj, "userMessage", json!({"content": text}));
        }
        Step::Assistant(text) => {
            append_event(st, shared, ws, obj, "assistantMessage", json!({"content": text}));
        }
        Step::RequestApproval => {
            let tc = create_tool_call(st, ws, obj);
            append_event(st, shared, ws, obj, "toolApprovalRequested", json!({"toolCallId": tc}));
            complete_tasks(st, ws, obj, 1);
            set_state(st, ws, obj, "STATE_WAITING", Some("waiting for tool approval"));
        }
        Step::Approved(tc) => {
            set_state(st, ws, obj, "STATE_RUNNING", None);
            append_event(st, shared, ws, obj, "toolApproved", json!({"toolCallId": tc}));
        }
        Step::Called(tc) => {
            set_tool_call(st, ws, &tc, |v| v["executionStatus"] = json!("TOOL_CALL_EXECUTION_STATUS_RUNNING"));
            append_event(st, shared, ws, obj, "toolCalled", json!({"toolCallId": tc}));
        }
        Step::Result(tc) => {
            let result = "{\"answer\":42}";
            set_tool_call(st, ws, &tc, |v| {
                v["executionStatus"] = json!("TOOL_CALL_EXECUTION_STATUS_COMPLETED");
                v["data"]["result"] = json!(result);
            });
            append_event(st, shared, ws, obj, "toolResult", json!({"toolCallId": tc, "content": result}));
            complete_tasks(st, ws, obj, 2);
        }
        Step::Denied(tc, memo) => {
            set_state(st, ws, obj, "STATE_RUNNING", None);
            append_event(st, shared, ws, obj, "toolDenied", json!({"toolCallId": tc, "memo": memo}));
        }
        Step::Settle => {
            let waiting = st.store.all("tool_call", Some(ws), Some(obj)).iter().any(|t| {
                t.value.get("status").and_then(Value::as_str) == Some("TOOL_CALL_STATUS_WAITING_FOR_APPROVAL")
            });
            if waiting {
                set_state(st, ws, obj, "STATE_WAITING", Some("waiting for tool approval"));
            } else {
                run_step(st, shared, ws, obj, Step::Finalize);
            }
        }
        Step::Fail(message) => {
            append_event(st, shared, ws, obj, "error", json!({"type": "simulated", "message": message}));
            set_state(st, ws, obj, "STATE_FAILED", Some(&message));
        }
        Step::Finalize => {
            let output = json!({"summary": "objective completed"});
            append_event(st, shared, ws, obj, "finalized", json!({"output": output}));
            complete_tasks(st, ws, obj, i64::MAX);
            if let Some(o) = st.store.get_mut("objective", Some(ws), None, obj) {
                o.value["data"]["output"] = output;
            }
            set_state(st, ws, obj, "STATE_FINALIZED", None);
        }
    }
}

fn create_tool_call(st: &mut State, ws: &str, obj: &str) -> String {
    let owner = st.owner_profile_id.clone();
    let creator = st
        .store
        .get("objective", Some(ws), None, obj)
        .and_then(|o| o.value.pointer("/metadata/profileId").and_then(Value::as_str))
        .unwrap_or(&owner)
        .to_string();
    let meta = st.op_meta("tc", ws, &creator, None);
    let id = meta["id"].as_str().unwrap_or_default().to_string();
    let (tool_meta, obj_meta, question) = match st.store.get("objective", Some(ws), None, obj) {
        Some(o) => (
            o.hidden.pointer("/tool/metadata").cloned().unwrap_or_default(),
            o.value["metadata"].clone(),
            o.value.pointer("/data/initialMessage").cloned().unwrap_or(json!("")),
        ),
        None => return id,
    };
    let v = json!({
        "metadata": meta,
        "status": "TOOL_CALL_STATUS_WAITING_FOR_APPROVAL",
        "executionStatus": "TOOL_CALL_EXECUTION_STATUS_PENDING",
        "data": {"callable": {"tool": tool_meta}, "arguments": {"query": question}},
        "info": {"createdBy": st.profile(&creator), "objective": obj_meta},
    });
    st.store.insert("tool_call", Some(ws.to_string()), Some(obj.to_string()), id.clone(), v);
    id
}

/// `toolApprovalRequested` → `tool_approval_requested`.
pub fn snake(kind: &str) -> String {
    let mut out = String::new();
    for c in kind.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `toolApprovalRequested` → `OBJECTIVE_EVENT_TYPE_TOOL_APPROVAL_REQUESTED`.
pub fn event_type(kind: &str) -> String {
    format!("OBJECTIVE_EVENT_TYPE_{}", snake(kind).to_uppercase())
}

/// Appends one event (payload under the `kind` branch of ObjectiveEventData),
/// queues its webhook when the agent has `webhookEventsUrl`, and returns it.
pub fn append_event(st: &mut State, shared: &Arc<Shared>, ws: &str, obj: &str, kind: &str, payload: Value) -> Value {
    let Some(o) = st.store.get("objective", Some(ws), None, obj) else { return Value::Null };
    let obj_meta = o.value["metadata"].clone();
    let creator = obj_meta["profileId"].as_str().unwrap_or_default().to_string();
    let window = hidden_str(st, ws, obj, "windowId");
    let agent_id = hidden_str(st, ws, obj, "agentId");
    let variation_id = hidden_str(st, ws, obj, "variationId");
    let meta = st.op_meta("evt", ws, &creator, None);
    let id = meta["id"].as_str().unwrap_or_default().to_string();
    let mut data = json!({"type": event_type(kind)});
    data[kind] = payload;
    let event = json!({
        "metadata": meta,
        "data": data,
        "contextWindowId": window,
        "info": {"createdBy": st.profile(&creator), "objective": obj_meta.clone()},
    });
    st.store.insert("event", Some(ws.to_string()), Some(obj.to_string()), id.clone(), event.clone());

    let agent = st.store.get("agent", Some(ws), None, &agent_id);
    let url = agent
        .and_then(|a| a.value.pointer("/spec/webhookEventsUrl").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    if !url.is_empty() {
        let agent_meta = agent.map(|a| a.value["metadata"].clone()).unwrap_or_default();
        // Objectives without a variation report the agent as their variation holder.
        let variation_meta = st
            .store
            .get("variation", Some(ws), None, &variation_id)
            .map(|v| v.value["metadata"].clone())
            .unwrap_or_else(|| agent_meta.clone());
        let envelope = json!({
            "type": format!("objective_event.{}", snake(kind)),
            "timestamp": now_rfc3339(),
            "data": {
                "agent": agent_meta,
                "agentVariation": variation_meta,
                "objective": obj_meta,
                "objectiveEvent": event.clone(),
            }
        });
        let _ = shared.webhook_tx.send(Job {
            ws: ws.to_string(),
            agent_id,
            url,
            objective_id: obj.to_string(),
            event_id: id,
            event_type: event_type(kind),
            envelope,
        });
    }
    event
}
