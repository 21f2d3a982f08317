//! objectives.* (events, context windows, tools, tool calls, tasks, feedback).

use super::{created_by, list, Items};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::objectives::{append_event, schedule, set_state, Step};
use crate::store::Rec;
use serde_json::{json, Value};

pub fn handle(ctx: &Ctx) -> HResult {
    let mut guard = ctx.shared.state();
    let st = &mut *guard;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "objectives.create" => {
            let (id, first) = create(ctx, st)?;
            let out = render_objective(st, objective(st, &ws, &id)?);
            // The label `simulate: fail` makes the run fail where it would ask for approval.
            let fails = ctx.bs("/metadata/labels/simulate").as_deref() == Some("fail");
            drop(guard);
            let last = if fails { Step::Fail("the simulated model call failed".into()) } else { Step::RequestApproval };
            schedule(
                &ctx.shared,
                ws,
                id,
                vec![Step::User(first), Step::Assistant("Let me look that up with a tool.".into()), last],
            );
            Ok(out)
        }
        "objectives.list" => {
            list(ctx, st, "objective", Some(&ws), None, &|_| true, Items::Rendered(&|st, r| render_objective(st, r)))
        }
        "objectives.retrieve" => Ok(render_objective(st, objective(st, &ws, &ctx.p("id"))?)),
        "objectives.cancel" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let state = objective(st, &ws, &id)?
                .value
                .pointer("/status/state")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            // Terminal objectives are returned unchanged.
            if !matches!(state.as_str(), "STATE_CANCELLED" | "STATE_FINALIZED" | "STATE_FAILED") {
                let reason = ctx.bs("/reason").unwrap_or_else(|| "cancelled by request".into());
                if let Some(o) = st.store.get_mut("objective", Some(&ws), None, &id) {
                    let e = o.hidden.get("epoch").and_then(Value::as_u64).unwrap_or(0);
                    o.hidden["epoch"] = json!(e + 1);
                }
                append_event(st, &ctx.shared, &ws, &id, "cancelled", json!({"message": reason}));
                set_state(st, &ws, &id, "STATE_CANCELLED", Some(&reason));
            }
            Ok(render_objective(st, objective(st, &ws, &id)?))
        }
        "objectives.compact" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let old =
                objective(st, &ws, &id)?.hidden.get("windowId").and_then(Value::as_str).unwrap_or_default().to_string();
            let compacted = st
                .store
                .all("event", Some(&ws), Some(&id))
                .iter()
                .filter(|e| e.value.get("contextWindowId").and_then(Value::as_str) == Some(old.as_str()))
                .count();
            let window =
                new_window(st, &ws, &id, &ctx.profile_id, Some("Continue from the summary of the previous window."));
            let data = window["data"].clone();
            let mut strategies = vec![];
            if ctx.b("/compactionConfig/summarization").is_some() || ctx.b("/compactionConfig").is_none() {
                strategies.push("summarization");
            }
            if ctx.b("/compactionConfig/toolResultClearing").is_some() {
                strategies.push("tool_result_clearing");
            }
            append_event(
                st,
                &ctx.shared,
                &ws,
                &id,
                "contextWindowCompacted",
                json!({"messagesCompacted": compacted, "newContextWindow": data, "strategies": strategies, "summary": "Summary of the conversation so far."}),
            );
            Ok(json!({"contextWindow": data}))
        }
        "objectives.continue" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let state = objective(st, &ws, &id)?
                .value
                .pointer("/status/state")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if state == "STATE_CANCELLED" {
                return Err(ApiError::new(409, "objective is cancelled and cannot be continued"));
            }
            let message = ctx.bs("/message").unwrap_or_default();
            set_state(st, &ws, &id, "STATE_RUNNING", None);
            let event = append_event(st, &ctx.shared, &ws, &id, "userMessage", json!({"content": message}));
            drop(guard);
            schedule(&ctx.shared, ws, id, vec![Step::Assistant(format!("You said: {message}")), Step::Settle]);
            Ok(event)
        }
        "objectives.list_context_windows" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            list(ctx, st, "context_window", Some(&ws), Some(&id), &|_| true, Items::Stored(None))
        }
        "objectives.list_events" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let since = match ctx.query.get("sinceEventId").and_then(Value::as_str).filter(|s| !s.is_empty()) {
                Some(e) => Some(
                    st.store
                        .get("event", Some(&ws), Some(&id), e)
                        .map(|r| r.seq)
                        .ok_or_else(|| ApiError::not_found("event", e))?,
                ),
                None => None,
            };
            let window =
                ctx.query.get("windowId").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
            list(
                ctx,
                st,
                "event",
                Some(&ws),
                Some(&id),
                &|r| {
                    since.map(|s| r.seq > s).unwrap_or(true)
                        && window
                            .as_deref()
                            .map(|w| r.value.get("contextWindowId").and_then(Value::as_str) == Some(w))
                            .unwrap_or(true)
                },
                Items::Stored(None),
            )
        }
        "objectives.tools.list" => {
            let o = objective(st, &ws, &ctx.p("objectiveId"))?;
            let tool = o.hidden.get("tool").cloned().unwrap_or_default();
            let item = json!({"metadata": State::bare(&tool), "snapshot": tool});
            // A one-item collection: the item is on the first page, and a cursor past it
            // (in either order) gives an empty page.
            let page = crate::store::PageReq::from_query(&ctx.query).map_err(ApiError::bad)?;
            let shown = match page.after {
                None => true,
                Some(a) => (page.desc && o.seq < a) || (!page.desc && o.seq > a),
            };
            let items = if shown { vec![item] } else { vec![] };
            Ok(json!({"items": items, "pagination": {}}))
        }
        "objectives.tool_calls.list" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            list(ctx, st, "tool_call", Some(&ws), Some(&id), &|_| true, Items::Stored(None))
        }
        "objectives.tool_calls.approve" | "objectives.tool_calls.deny" => {
            let approve = ctx.op.id.ends_with("approve");
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let tc = ctx.p("toolCallId");
            let rec = st
                .store
                .get("tool_call", Some(&ws), Some(&id), &tc)
                .ok_or_else(|| ApiError::not_found("tool call", &tc))?;
            if rec.value.get("status").and_then(Value::as_str) != Some("TOOL_CALL_STATUS_WAITING_FOR_APPROVAL") {
                return Err(ApiError::new(409, "status: tool call is not waiting for approval"));
            }
            let tc = rec.id.clone();
            let memo = ctx.bs("/memo").unwrap_or_default();
            let profile = st.profile(&ctx.profile_id);
            let out = {
                let rec = st
                    .store
                    .get_mut("tool_call", Some(&ws), Some(&id), &tc)
                    .ok_or_else(|| ApiError::not_found("tool call", &tc))?;
                rec.value["status"] =
                    json!(if approve { "TOOL_CALL_STATUS_APPROVED" } else { "TOOL_CALL_STATUS_DENIED" });
                rec.value["data"]["statusChangedBy"] = profile;
                if !approve {
                    rec.value["data"]["memo"] = json!(memo);
                }
                rec.value.clone()
            };
            set_state(st, &ws, &id, "STATE_RUNNING", None);
            drop(guard);
            let steps = if approve {
                vec![
                    Step::Approved(tc.clone()),
                    Step::Called(tc.clone()),
                    Step::Result(tc),
                    Step::Assistant("The tool returned 42.".into()),
                    Step::Finalize,
                ]
            } else {
                vec![
                    Step::Denied(tc, memo),
                    Step::Assistant("Understood, I will not run that tool.".into()),
                    Step::Finalize,
                ]
            };
            schedule(&ctx.shared, ws, id, steps);
            Ok(out)
        }
        "objectives.tasks.retrieve" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            let t = ctx.p("id");
            st.store
                .get("task", Some(&ws), Some(&id), &t)
                .map(|r| r.value.clone())
                .ok_or_else(|| ApiError::not_found("task", &t))
        }
        "objectives.tasks.list" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            list(ctx, st, "task", Some(&ws), Some(&id), &|_| true, Items::Stored(None))
        }
        "objectives.feedback.create" => {
            let o = objective(st, &ws, &ctx.p("objectiveId"))?;
            let (oid, agent, variation) = (
                o.id.clone(),
                o.hidden.get("agentId").cloned().unwrap_or_default(),
                o.hidden.get("variationId").cloned().unwrap_or_default(),
            );
            let meta = st.op_meta("fb", &ws, &ctx.profile_id, ctx.b("/metadata"));
            let fid = meta["id"].as_str().unwrap_or_default().to_string();
            let data = ctx.b("/data").cloned().unwrap_or_default();
            let comment = data.get("comment").and_then(Value::as_str).unwrap_or_default().to_string();
            let rec = st.store.insert(
                "feedback",
                Some(ws.clone()),
                Some(oid),
                fid.clone(),
                json!({"metadata": meta, "data": data}),
            );
            rec.hidden = json!({"agentId": agent, "agentVariationId": variation, "text": comment});
            let rec =
                st.store.get("feedback", Some(&ws), None, &fid).ok_or_else(|| ApiError::not_found("feedback", &fid))?;
            Ok(render_feedback(st, rec))
        }
        "objectives.feedback.list" => {
            let id = objective(st, &ws, &ctx.p("objectiveId"))?.id.clone();
            list(ctx, st, "feedback", Some(&ws), Some(&id), &|_| true, Items::Rendered(&render_feedback))
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

fn objective<'a>(st: &'a State, ws: &str, id: &str) -> Result<&'a Rec, ApiError> {
    st.store.get("objective", Some(ws), None, id).ok_or_else(|| ApiError::not_found("objective", id))
}

fn create(ctx: &Ctx, st: &mut State) -> Result<(String, String), ApiError> {
    let ws = ctx.ws();
    let agent_raw = ctx.bs("/agentId").unwrap_or_default();
    let agent =
        st.store.get("agent", Some(&ws), None, &agent_raw).ok_or_else(|| ApiError::not_found("agent", &agent_raw))?;
    let agent_id = agent.id.clone();
    let agent_v = agent.value.clone();
    let variation = match ctx.bs("/variationId").filter(|s| !s.is_empty()) {
        Some(v) => Some(
            st.store
                .get("variation", Some(&ws), Some(&agent_id), &v)
                .ok_or_else(|| ApiError::not_found("variation", &v))?,
        ),
        None => st.store.all("variation", Some(&ws), Some(&agent_id)).into_iter().next(),
    };
    let (variation_id, variation_v) = match variation {
        Some(v) => (v.id.clone(), Some(v.value.clone())),
        None => (String::new(), None),
    };
    let meta = st.op_meta("obj", &ws, &ctx.profile_id, ctx.b("/metadata"));
    let id = meta["id"].as_str().unwrap_or_default().to_string();
    let mut data = ctx.b("/data").cloned().unwrap_or_else(|| json!({}));
    data["agent"] = agent_v;
    if let Some(v) = variation_v {
        data["variation"] = v;
    }
    let first = data.get("initialMessage").and_then(Value::as_str).unwrap_or_default().to_string();
    // The one tool every simulated objective asks to call.
    let tool_meta = st.resource_meta("tool", &ws, &st.owner_profile_id.clone(), Some(&json!({"name": "lookup"})));
    let tool = json!({
        "metadata": tool_meta,
        "spec": {"description": "Looks up an answer.", "status": "TOOL_STATUS_AVAILABLE", "requiresApproval": true,
                  "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
                  "config": {"mcp": {"toolName": "lookup"}}}
    });
    let value = json!({"metadata": meta, "data": data, "status": {"state": "STATE_PENDING"}});
    let hidden = json!({
        "agentId": agent_id,
        "variationId": variation_id,
        "agentScheduleId": data.get("sourceScheduleId").cloned().unwrap_or(json!("")),
        "parentObjectiveId": data.get("parentObjectiveId").cloned().unwrap_or(json!("")),
        "epoch": 0,
        "tool": tool,
    });
    let rec = st.store.insert("objective", Some(ws.clone()), None, id.clone(), value);
    rec.hidden = hidden;
    new_window(st, &ws, &id, &ctx.profile_id, None);
    for (n, task) in [(1, "Understand the request"), (2, "Run the lookup tool"), (3, "Report the answer")] {
        let tid = crate::util::new_id("task");
        let v = json!({"metadata": {"id": tid, "name": task}, "data": {"number": n, "task": task, "completed": false}});
        st.store.insert("task", Some(ws.clone()), Some(id.clone()), tid, v);
    }
    Ok((id, first))
}

/// Opens a new context window and makes it current.
fn new_window(st: &mut State, ws: &str, obj: &str, profile: &str, instructions: Option<&str>) -> Value {
    let seq = st.store.count("context_window", Some(ws), Some(obj));
    let obj_meta =
        st.store.get("objective", Some(ws), None, obj).map(|o| o.value["metadata"].clone()).unwrap_or_default();
    let meta = st.op_meta("cw", ws, profile, None);
    let id = meta["id"].as_str().unwrap_or_default().to_string();
    let mut data = json!({"objectiveId": obj, "sequence": seq, "promptTokens": 0, "completionTokens": 0});
    if let Some(i) = instructions {
        data["previousWindowContinueInstructions"] = json!(i);
    }
    let v = json!({"metadata": meta, "data": data, "info": {"createdBy": st.profile(profile), "objective": obj_meta}});
    st.store.insert("context_window", Some(ws.to_string()), Some(obj.to_string()), id.clone(), v.clone());
    if let Some(o) = st.store.get_mut("objective", Some(ws), None, obj) {
        o.hidden["windowId"] = json!(id);
    }
    v
}

pub fn render_objective(st: &State, rec: &Rec) -> Value {
    let ws = rec.ws.as_deref();
    let mut v = rec.value.clone();
    let windows: Vec<Value> =
        st.store.all("context_window", ws, Some(&rec.id)).iter().map(|r| r.value.clone()).collect();
    let last5: Vec<Value> = windows.iter().rev().take(5).rev().cloned().collect();
    let agent = rec.hidden.get("agentId").and_then(Value::as_str).and_then(|a| st.store.get("agent", ws, None, a));
    let variation =
        rec.hidden.get("variationId").and_then(Value::as_str).and_then(|a| st.store.get("variation", ws, None, a));
    let events = st.store.count("event", ws, Some(&rec.id));
    let mut info = json!({
        "createdBy": created_by(st, rec),
        "effectiveMemoryStack": [],
        "totalContextWindows": windows.len(),
        "totalEvents": events,
        "totalInputTokens": events * 120,
        "totalOutputTokens": events * 40,
        "totalToolCalls": st.store.count("tool_call", ws, Some(&rec.id)),
    });
    if let Some(a) = agent {
        info["agent"] = a.value["metadata"].clone();
    }
    if let Some(va) = variation {
        info["agentVariation"] = va.value["metadata"].clone();
    }
    v["info"] = info;
    v["lastFiveWindows"] = json!(last5);
    v
}

pub fn render_feedback(st: &State, rec: &Rec) -> Value {
    let ws = rec.ws.as_deref();
    let mut v = rec.value.clone();
    let mut info = json!({"submittedBy": created_by(st, rec)});
    if let Some(o) = rec.parent.as_deref() {
        info["objective"] = json!({"id": o, "name": ""});
    }
    if let Some(var) = rec
        .hidden
        .get("agentVariationId")
        .and_then(Value::as_str)
        .and_then(|id| st.store.get("variation", ws, None, id))
    {
        info["agentVariation"] = State::bare(&var.value);
    }
    v["info"] = info;
    v
}
