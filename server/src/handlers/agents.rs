//! agents.* with variations (and their assignments), schedules, feedback and
//! webhook deliveries.

use super::{created_by, find, list, with_info, Items, Kind};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::store::Rec;
use crate::util::new_id;
use serde_json::{json, Value};

pub const AGENT: Kind = Kind { kind: "agent", prefix: "agt", label: "agent", parent: None };
pub const VARIATION: Kind =
    Kind { kind: "variation", prefix: "var", label: "variation", parent: Some(("agentId", "agent")) };
pub const SCHEDULE: Kind =
    Kind { kind: "schedule", prefix: "sch", label: "schedule", parent: Some(("agentId", "agent")) };

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "agents.create" => {
            let id = super::create(ctx, st, &AGENT)?;
            if let (Some(meta), Some(spec)) = (ctx.b("/defaultVariation/metadata"), ctx.b("/defaultVariation/spec")) {
                let m = st.resource_meta("var", &ws, &ctx.profile_id, Some(meta));
                let vid = m.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                st.store.insert(
                    "variation",
                    Some(ws.clone()),
                    Some(id.clone()),
                    vid,
                    json!({"metadata": m, "spec": spec}),
                );
            }
            Ok(render_agent(st, find(ctx, st, &AGENT, &id)?))
        }
        "agents.list" => list(ctx, st, "agent", Some(&ws), None, &|_| true, Items::Stored(Some(&agent_info))),
        "agents.retrieve" => Ok(render_agent(st, find(ctx, st, &AGENT, &ctx.p("id"))?)),
        "agents.update" => {
            let id = update(ctx, st, &AGENT, false)?;
            Ok(render_agent(st, find(ctx, st, &AGENT, &id)?))
        }
        "agents.delete" => {
            let id = find(ctx, st, &AGENT, &ctx.p("id"))?.id.clone();
            st.store.remove("agent", Some(&ws), None, &id);
            for k in ["variation", "schedule", "webhook_delivery"] {
                st.store.remove_children(k, &id);
            }
            Ok(Value::Null)
        }
        "agents.feedback.list" => {
            let agent = find(ctx, st, &AGENT, &ctx.p("agentId"))?.id.clone();
            let after = ctx.query.get("createdAfter").and_then(Value::as_str).map(str::to_string);
            let before = ctx.query.get("createdBefore").and_then(Value::as_str).map(str::to_string);
            let sentiment = ctx.query.get("sentiment").and_then(Value::as_str).unwrap_or_default().to_string();
            let extra = move |r: &Rec| {
                if r.hidden.get("agentId").and_then(Value::as_str) != Some(agent.as_str()) {
                    return false;
                }
                let created = r.value.pointer("/metadata/createdAt").and_then(Value::as_str).unwrap_or_default();
                if after.as_deref().map(|a| created <= a).unwrap_or(false)
                    || before.as_deref().map(|b| created >= b).unwrap_or(false)
                {
                    return false;
                }
                let score = r.value.pointer("/data/score").and_then(Value::as_f64).unwrap_or(0.0);
                match sentiment.as_str() {
                    "FEEDBACK_SENTIMENT_POSITIVE" => score > 0.0,
                    "FEEDBACK_SENTIMENT_NEGATIVE" => score < 0.0,
                    _ => true,
                }
            };
            list(ctx, st, "feedback", Some(&ws), None, &extra, Items::Rendered(&super::objectives::render_feedback))
        }
        "agents.webhook_deliveries.list" => {
            let agent = find(ctx, st, &AGENT, &ctx.p("agentId"))?.id.clone();
            list(ctx, st, "webhook_delivery", Some(&ws), Some(&agent), &|_| true, Items::Stored(None))
        }
        "agents.variations.create" => {
            let id = super::create(ctx, st, &VARIATION)?;
            Ok(render_variation(st, find(ctx, st, &VARIATION, &id)?))
        }
        "agents.variations.list" => {
            let parent = super::parent_id(ctx, st, &VARIATION)?;
            list(ctx, st, "variation", Some(&ws), parent.as_deref(), &|_| true, Items::Rendered(&render_variation))
        }
        "agents.variations.retrieve" => Ok(render_variation(st, find(ctx, st, &VARIATION, &ctx.p("id"))?)),
        "agents.variations.update" => {
            let id = update(ctx, st, &VARIATION, false)?;
            Ok(render_variation(st, find(ctx, st, &VARIATION, &id)?))
        }
        "agents.variations.delete" => {
            let id = find(ctx, st, &VARIATION, &ctx.p("id"))?.id.clone();
            st.store.remove("variation", Some(&ws), None, &id);
            st.store.remove_children("assignment", &id);
            st.store.remove_children("ml_assignment", &id);
            Ok(Value::Null)
        }
        "agents.variations.add_assignment" => {
            let var = variation_of(ctx, st)?;
            let mut v = json!({"id": new_id("vas")});
            let refs =
                [("/toolId", "tool", "tool"), ("/toolSetId", "tool_set", "toolSet"), ("/subAgentId", "agent", "agent")];
            let mut n = 0;
            for (ptr, kind, field) in refs {
                if let Some(rid) = ctx.bs(ptr).filter(|s| !s.is_empty()) {
                    let r = st.store.get(kind, Some(&ws), None, &rid).ok_or_else(|| ApiError::not_found(kind, &rid))?;
                    v[field] = State::bare(&r.value);
                    n += 1;
                }
            }
            if n != 1 {
                return Err(ApiError::bad("toolId: exactly one of toolId, toolSetId or subAgentId is required"));
            }
            let id = v["id"].as_str().unwrap_or_default().to_string();
            st.store.insert("assignment", Some(ws), Some(var), id, v.clone());
            Ok(v)
        }
        "agents.variations.remove_assignment" => {
            let var = variation_of(ctx, st)?;
            let id = ctx.p("id");
            st.store
                .remove("assignment", Some(&ws), Some(&var), &id)
                .ok_or_else(|| ApiError::not_found("assignment", &id))?;
            Ok(Value::Null)
        }
        "agents.variations.add_memory_layer" => {
            let var = variation_of(ctx, st)?;
            let ml = ctx.bs("/memoryLayerId").unwrap_or_default();
            let layer = st
                .store
                .get("memory_layer", Some(&ws), None, &ml)
                .ok_or_else(|| ApiError::not_found("memory layer", &ml))?;
            let position = ctx
                .b("/position")
                .and_then(Value::as_i64)
                .unwrap_or_else(|| st.store.count("ml_assignment", Some(&ws), Some(&var)) as i64);
            let v = json!({"id": new_id("vml"), "memoryLayer": State::bare(&layer.value), "position": position});
            let id = v["id"].as_str().unwrap_or_default().to_string();
            st.store.insert("ml_assignment", Some(ws), Some(var), id, v.clone());
            Ok(v)
        }
        "agents.variations.remove_memory_layer" => {
            let var = variation_of(ctx, st)?;
            let id = ctx.p("id");
            st.store
                .remove("ml_assignment", Some(&ws), Some(&var), &id)
                .ok_or_else(|| ApiError::not_found("memory layer assignment", &id))?;
            Ok(Value::Null)
        }
        "agents.variations.update_memory_layer" => {
            let var = variation_of(ctx, st)?;
            let id = ctx.p("id");
            let rec = st
                .store
                .get_mut("ml_assignment", Some(&ws), Some(&var), &id)
                .ok_or_else(|| ApiError::not_found("memory layer assignment", &id))?;
            if let Some(p) = ctx.b("/position") {
                rec.value["position"] = p.clone();
            }
            Ok(rec.value.clone())
        }
        "agents.schedules.create" => {
            let id = super::create(ctx, st, &SCHEDULE)?;
            Ok(render_schedule(st, find(ctx, st, &SCHEDULE, &id)?))
        }
        "agents.schedules.list" => {
            let parent = super::parent_id(ctx, st, &SCHEDULE)?;
            list(ctx, st, "schedule", Some(&ws), parent.as_deref(), &|_| true, Items::Stored(Some(&schedule_info)))
        }
        "agents.schedules.retrieve" => Ok(render_schedule(st, find(ctx, st, &SCHEDULE, &ctx.p("id"))?)),
        "agents.schedules.update" => {
            let id = update(ctx, st, &SCHEDULE, false)?;
            Ok(render_schedule(st, find(ctx, st, &SCHEDULE, &id)?))
        }
        "agents.schedules.delete" => {
            let id = find(ctx, st, &SCHEDULE, &ctx.p("id"))?.id.clone();
            st.store.remove("schedule", Some(&ws), None, &id);
            Ok(Value::Null)
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

/// Finds a record through `find`, then applies the update body; returns its id.
pub fn update(ctx: &Ctx, st: &mut State, k: &Kind, put: bool) -> Result<String, ApiError> {
    let id = find(ctx, st, k, &ctx.p("id"))?.id.clone();
    let ws = ctx.ws();
    let rec = st.store.get_mut(k.kind, Some(&ws), None, &id).ok_or_else(|| ApiError::not_found(k.label, &id))?;
    super::apply_update(ctx, &mut rec.value, put)?;
    Ok(id)
}

fn variation_of(ctx: &Ctx, st: &State) -> Result<String, ApiError> {
    let agent = find(ctx, st, &AGENT, &ctx.p("agentId"))?.id.clone();
    let v = ctx.p("variationId");
    st.store
        .get("variation", Some(&ctx.ws()), Some(&agent), &v)
        .map(|r| r.id.clone())
        .ok_or_else(|| ApiError::not_found("variation", &v))
}

pub fn render_agent(st: &State, rec: &Rec) -> Value {
    with_info(rec, agent_info(st, rec))
}

fn agent_info(st: &State, rec: &Rec) -> Value {
    let n = st.store.count("variation", rec.ws.as_deref(), Some(&rec.id));
    json!({"createdBy": created_by(st, rec), "variationCount": n})
}

pub fn render_variation(st: &State, rec: &Rec) -> Value {
    let ws = rec.ws.as_deref();
    let assignments: Vec<Value> =
        st.store.all("assignment", ws, Some(&rec.id)).iter().map(|r| r.value.clone()).collect();
    let mls: Vec<Value> = st.store.all("ml_assignment", ws, Some(&rec.id)).iter().map(|r| r.value.clone()).collect();
    let count = |f: &str| assignments.iter().filter(|a| a.get(f).is_some()).count();
    let feedback: Vec<f64> = st
        .store
        .all("feedback", ws, None)
        .iter()
        .filter(|f| f.hidden.get("agentVariationId").and_then(Value::as_str) == Some(rec.id.as_str()))
        .filter_map(|f| f.value.pointer("/data/score").and_then(Value::as_f64))
        .collect();
    let mut info = json!({
        "createdBy": created_by(st, rec),
        "toolCount": count("tool"),
        "toolSetCount": count("toolSet"),
        "subAgentCount": count("agent"),
        "memoryLayerCount": mls.len(),
        "feedbackCount": feedback.len(),
        "assignments": assignments,
        "memoryLayerAssignments": mls,
    });
    if !feedback.is_empty() {
        info["score"] = json!(feedback.iter().sum::<f64>() / feedback.len() as f64);
    }
    if let Some(model_id) = rec.value.pointer("/spec/modelConfig/modelId").and_then(Value::as_str) {
        if let Some(m) = st.store.get("model", ws, None, model_id) {
            info["model"] = m.value["metadata"].clone();
        }
    }
    with_info(rec, info)
}

fn render_schedule(st: &State, rec: &Rec) -> Value {
    with_info(rec, schedule_info(st, rec))
}

fn schedule_info(st: &State, rec: &Rec) -> Value {
    json!({"createdBy": created_by(st, rec), "totalFires": 0})
}
