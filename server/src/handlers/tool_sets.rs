//! tool_sets.* and tool_sets.tools.*.

use super::agents::update;
use super::{created_by, find, list, with_info, Items, Kind};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::store::Rec;
use serde_json::{json, Value};

pub const TOOL_SET: Kind = Kind { kind: "tool_set", prefix: "ts", label: "tool set", parent: None };
pub const TOOL: Kind = Kind { kind: "tool", prefix: "tool", label: "tool", parent: Some(("toolSetId", "tool_set")) };

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "tool_sets.create" => {
            let id = super::create(ctx, st, &TOOL_SET)?;
            sync_events(st, &ws, &id, &ctx.profile_id);
            Ok(render_set(st, find(ctx, st, &TOOL_SET, &id)?))
        }
        "tool_sets.list" => list(ctx, st, "tool_set", Some(&ws), None, &|_| true, Items::Stored(Some(&set_info))),
        "tool_sets.retrieve" => Ok(render_set(st, find(ctx, st, &TOOL_SET, &ctx.p("id"))?)),
        "tool_sets.update" => {
            let id = update(ctx, st, &TOOL_SET, true)?;
            Ok(render_set(st, find(ctx, st, &TOOL_SET, &id)?))
        }
        "tool_sets.delete" => {
            let id = find(ctx, st, &TOOL_SET, &ctx.p("id"))?.id.clone();
            st.store.remove("tool_set", Some(&ws), None, &id);
            st.store.remove_children("tool", &id);
            st.store.remove_children("tool_set_event", &id);
            Ok(Value::Null)
        }
        "tool_sets.get_openapi_spec" => {
            let set = st
                .store
                .get("tool_set", Some(&ws), None, &ctx.p("toolSetId"))
                .ok_or_else(|| ApiError::not_found("tool set", &ctx.p("toolSetId")))?;
            let mut paths = serde_json::Map::new();
            for t in st.store.all("tool", Some(&ws), Some(&set.id)) {
                let name = t.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
                paths.insert(
                    format!("/{name}"),
                    json!({"post": {"operationId": name, "description": t.value.pointer("/spec/description")}}),
                );
            }
            let doc = json!({
                "openapi": "3.0.3",
                "info": {"title": set.value.pointer("/metadata/name"), "version": "1"},
                "paths": paths,
            });
            Ok(json!({"spec": serde_json::to_string_pretty(&doc).unwrap_or_default()}))
        }
        "tool_sets.list_events" => {
            let set = st
                .store
                .get("tool_set", Some(&ws), None, &ctx.p("toolSetId"))
                .ok_or_else(|| ApiError::not_found("tool set", &ctx.p("toolSetId")))?
                .id
                .clone();
            list(ctx, st, "tool_set_event", Some(&ws), Some(&set), &|_| true, Items::Stored(None))
        }
        "tool_sets.tools.create" => {
            let id = super::create(ctx, st, &TOOL)?;
            Ok(render_tool(st, find(ctx, st, &TOOL, &id)?))
        }
        "tool_sets.tools.list" => {
            let parent = super::parent_id(ctx, st, &TOOL)?;
            list(ctx, st, "tool", Some(&ws), parent.as_deref(), &|_| true, Items::Stored(Some(&tool_info)))
        }
        "tool_sets.tools.retrieve" => Ok(render_tool(st, find(ctx, st, &TOOL, &ctx.p("id"))?)),
        "tool_sets.tools.update" => {
            let id = update(ctx, st, &TOOL, true)?;
            Ok(render_tool(st, find(ctx, st, &TOOL, &id)?))
        }
        "tool_sets.tools.delete" => {
            let id = find(ctx, st, &TOOL, &ctx.p("id"))?.id.clone();
            st.store.remove("tool", Some(&ws), None, &id);
            Ok(Value::Null)
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

/// A new tool set "syncs" immediately: syncStarted then syncCompleted.
pub fn sync_events(st: &mut State, ws: &str, set_id: &str, profile: &str) {
    let set_meta =
        st.store.get("tool_set", Some(ws), None, set_id).map(|r| r.value["metadata"].clone()).unwrap_or_default();
    let tools = st.store.count("tool", Some(ws), Some(set_id));
    for (kind, payload) in [
        ("syncStarted", json!({"message": "sync started"})),
        ("syncCompleted", json!({"message": "sync completed", "toolsSynced": tools})),
    ] {
        let meta = st.op_meta("tse", ws, profile, None);
        let id = meta["id"].as_str().unwrap_or_default().to_string();
        let mut event = json!({"type": kind});
        event[kind] = payload;
        let v = json!({
            "metadata": meta, "toolSetId": set_id, "event": event,
            "info": {"createdBy": st.profile(profile), "toolSet": set_meta},
        });
        st.store.insert("tool_set_event", Some(ws.to_string()), Some(set_id.to_string()), id, v);
    }
}

pub fn render_set(st: &State, rec: &Rec) -> Value {
    with_info(rec, set_info(st, rec))
}

fn set_info(st: &State, rec: &Rec) -> Value {
    let n = st.store.count("tool", rec.ws.as_deref(), Some(&rec.id));
    let agents = st
        .store
        .all("assignment", rec.ws.as_deref(), None)
        .iter()
        .filter(|a| a.value.pointer("/toolSet/id").and_then(Value::as_str) == Some(rec.id.as_str()))
        .count();
    let last_sync = rec.value.pointer("/metadata/createdAt").cloned().unwrap_or_default();
    json!({"createdBy": created_by(st, rec), "toolCount": n, "agentCount": agents, "lastSync": last_sync})
}

pub fn render_tool(st: &State, rec: &Rec) -> Value {
    with_info(rec, tool_info(st, rec))
}

fn tool_info(st: &State, rec: &Rec) -> Value {
    let mut info = json!({"createdBy": created_by(st, rec)});
    if let Some(s) = rec.parent.as_deref().and_then(|p| st.store.get("tool_set", rec.ws.as_deref(), None, p)) {
        info["toolSet"] = s.value["metadata"].clone();
    }
    info
}
