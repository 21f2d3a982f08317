//! bulk_workspace_resources.* — declarative applies. An apply runs
//! synchronously: every agent, tool set and memory layer entry (with their
//! nested variations, schedules, tools and memory entries) is created, or
//! updated when a resource with the same bundleKey + externalId exists.

use super::{list, Items};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::util::now_rfc3339;
use serde_json::{json, Map, Value};

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "bulk_workspace_resources.apply" => apply(ctx, st),
        "bulk_workspace_resources.retrieve" => {
            let id = ctx.p("id");
            st.store
                .get("bulk_apply", Some(&ws), None, &id)
                .map(|r| r.value.clone())
                .ok_or_else(|| ApiError::not_found("bulk apply", &id))
        }
        "bulk_workspace_resources.list" => list(ctx, st, "bulk_apply", Some(&ws), None, &|_| true, Items::Stored(None)),
        "bulk_workspace_resources.results.list" => {
            let id = ctx.p("bulkWorkspaceApplyId");
            let apply = st
                .store
                .get("bulk_apply", Some(&ws), None, &id)
                .ok_or_else(|| ApiError::not_found("bulk apply", &id))?
                .id
                .clone();
            let action = ctx
                .query
                .get("action")
                .and_then(Value::as_str)
                .filter(|a| !a.ends_with("_UNSPECIFIED"))
                .map(str::to_string);
            list(
                ctx,
                st,
                "bulk_result",
                Some(&ws),
                Some(&apply),
                &|r| {
                    action.as_deref().map(|a| r.hidden.get("action").and_then(Value::as_str) == Some(a)).unwrap_or(true)
                },
                Items::Stored(None),
            )
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

struct Applier<'a> {
    st: &'a mut State,
    ws: String,
    profile: String,
    bundle: String,
    apply_id: String,
    counts: Map<String, Value>,
}

impl Applier<'_> {
    /// Creates or updates one resource; records a result; returns its id.
    fn upsert(
        &mut self,
        kind: &'static str,
        prefix: &str,
        parent: Option<String>,
        ext: &str,
        name: &str,
        spec: Value,
        labels: Option<&Value>,
        branch: &str,
        result_kind: &str,
    ) -> String {
        let existing = self
            .st
            .store
            .all(kind, Some(&self.ws), parent.as_deref())
            .into_iter()
            .find(|r| {
                r.value.pointer("/metadata/bundleKey").and_then(Value::as_str) == Some(self.bundle.as_str())
                    && r.value.pointer("/metadata/externalId").and_then(Value::as_str) == Some(ext)
            })
            .map(|r| r.id.clone());
        let mut writable = json!({"name": name, "externalId": ext, "bundleKey": self.bundle});
        if let Some(l) = labels {
            writable["labels"] = l.clone();
        }
        let (id, action) = match existing {
            Some(id) => {
                let (spec, content) = stored_shape(kind, spec);
                let rec = self.st.store.get_mut(kind, Some(&self.ws), None, &id);
                let mut changed = false;
                if let Some(rec) = rec {
                    changed = rec.value["spec"] != spec
                        || rec.value["metadata"]["name"] != json!(name)
                        || content.as_ref().is_some_and(|c| rec.value["content"] != *c);
                    rec.value["spec"] = spec;
                    rec.value["metadata"]["name"] = json!(name);
                    if let Some(c) = content {
                        rec.value["content"] = c;
                    }
                }
                (id, if changed { "ACTION_UPDATED" } else { "ACTION_UNCHANGED" })
            }
            None => {
                let meta = self.st.resource_meta(prefix, &self.ws, &self.profile, Some(&writable));
                let id = meta["id"].as_str().unwrap_or_default().to_string();
                let (spec, content) = stored_shape(kind, spec);
                let mut v = json!({"metadata": meta, "spec": spec});
                if let Some(c) = content {
                    v["content"] = c;
                }
                self.st.store.insert(kind, Some(self.ws.clone()), parent, id.clone(), v);
                (id, "ACTION_CREATED")
            }
        };
        let counter = match action {
            "ACTION_CREATED" => "createdCount",
            "ACTION_UPDATED" => "updatedCount",
            _ => "unchangedCount",
        };
        let n = self.counts.get(counter).and_then(Value::as_i64).unwrap_or(0);
        self.counts.insert(counter.into(), json!(n + 1));
        let resource = self.st.store.get(kind, Some(&self.ws), None, &id).map(|r| r.value.clone()).unwrap_or_default();
        let meta = self.st.op_meta("bwr", &self.ws, &self.profile, None);
        let rid = meta["id"].as_str().unwrap_or_default().to_string();
        let mut data = json!({"type": result_kind});
        data[branch] = json!({"action": action, "externalId": ext, "resource": resource});
        let rec = self.st.store.insert(
            "bulk_result",
            Some(self.ws.clone()),
            Some(self.apply_id.clone()),
            rid,
            json!({"metadata": meta, "data": data}),
        );
        rec.hidden = json!({"action": action});
        id
    }
}

/// Memory entries keep their content beside the spec, not in it (as `memory_layers.entries`
/// stores them); every other kind is stored as given. Create and re-apply both use this, so a
/// re-applied unchanged entry compares equal.
fn stored_shape(kind: &str, mut spec: Value) -> (Value, Option<Value>) {
    if kind != "memory_entry" {
        return (spec, None);
    }
    let content = spec.as_object_mut().and_then(|s| s.remove("content")).unwrap_or(json!(""));
    if let Some(s) = spec.as_object_mut() {
        s.remove("uploadId");
    }
    (spec, Some(content))
}

fn entries(v: Option<&Value>) -> Vec<(String, Value)> {
    v.and_then(Value::as_object).map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

fn apply(ctx: &Ctx, st: &mut State) -> HResult {
    let ws = ctx.ws();
    let data = ctx.b("/data").cloned().unwrap_or_default();
    let bundle = data.get("bundleKey").and_then(Value::as_str).unwrap_or_default().to_string();
    let started = now_rfc3339();
    let meta = st.op_meta("bwa", &ws, &ctx.profile_id, None);
    let apply_id = meta["id"].as_str().unwrap_or_default().to_string();
    let publish = data.get("automaticallyPublishAgents").and_then(Value::as_bool).unwrap_or(false);
    let mut a = Applier {
        st,
        ws: ws.clone(),
        profile: ctx.profile_id.clone(),
        bundle,
        apply_id: apply_id.clone(),
        counts: Map::new(),
    };
    for (ext, e) in entries(data.get("toolSets")) {
        let name = e["name"].as_str().unwrap_or(&ext).to_string();
        let set =
            a.upsert("tool_set", "ts", None, &ext, &name, e["spec"].clone(), e.get("labels"), "toolSet", "tool_set");
        for (text, t) in entries(e.get("tools")) {
            let tname = t["name"].as_str().unwrap_or(&text).to_string();
            a.upsert(
                "tool",
                "tool",
                Some(set.clone()),
                &text,
                &tname,
                t["spec"].clone(),
                t.get("labels"),
                "tool",
                "tool",
            );
        }
    }
    for (ext, e) in entries(data.get("memoryLayers")) {
        let name = e["name"].as_str().unwrap_or(&ext).to_string();
        let layer = a.upsert(
            "memory_layer",
            "ml",
            None,
            &ext,
            &name,
            e["spec"].clone(),
            e.get("labels"),
            "memoryLayer",
            "memory_layer",
        );
        for (eext, item) in entries(e.get("entries")) {
            a.upsert(
                "memory_entry",
                "me",
                Some(layer.clone()),
                &eext,
                &eext,
                item.clone(),
                None,
                "memoryEntry",
                "memory_entry",
            );
        }
    }
    for (ext, e) in entries(data.get("agents")) {
        let name = e["name"].as_str().unwrap_or(&ext).to_string();
        let mut spec = e["spec"].clone();
        if publish {
            spec["status"] = json!("AGENT_STATUS_PUBLISHED");
        }
        let agent = a.upsert("agent", "agt", None, &ext, &name, spec, e.get("labels"), "agent", "agent");
        for (vext, v) in entries(e.get("variations")) {
            let vname = v["name"].as_str().unwrap_or(&vext).to_string();
            a.upsert(
                "variation",
                "var",
                Some(agent.clone()),
                &vext,
                &vname,
                v["spec"].clone(),
                v.get("labels"),
                "agentVariation",
                "agent_variation",
            );
        }
        for (sext, s) in entries(e.get("schedules")) {
            let sname = s["name"].as_str().unwrap_or(&sext).to_string();
            a.upsert(
                "schedule",
                "sch",
                Some(agent.clone()),
                &sext,
                &sname,
                s["spec"].clone(),
                s.get("labels"),
                "agentSchedule",
                "agent_schedule",
            );
        }
    }
    let mut counts = a.counts;
    let total: i64 = counts.values().filter_map(Value::as_i64).sum();
    for k in ["createdCount", "updatedCount", "unchangedCount", "deletedCount", "failedCount"] {
        counts.entry(k.to_string()).or_insert(json!(0));
    }
    let mut info = Value::Object(counts);
    info["totalCount"] = json!(total);
    info["startedAt"] = json!(started);
    info["completedAt"] = json!(now_rfc3339());
    info["createdBy"] = st.profile(&ctx.profile_id);
    let v = json!({
        "metadata": meta,
        "data": data,
        "status": {"state": "STATE_SUCCEEDED", "message": format!("applied {total} resources")},
        "info": info,
    });
    st.store.insert("bulk_apply", Some(ws), None, apply_id, v.clone());
    Ok(v)
}
