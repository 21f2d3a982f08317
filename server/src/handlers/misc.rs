//! uploads.*, models.*, search.*, workspace_secrets.*.

use super::{created_by, find, list, with_info, Items, Kind};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::store::Rec;
use crate::util::{now_ms, rfc3339_from_ms};
use serde_json::{json, Value};

const UPLOAD: Kind = Kind { kind: "upload", prefix: "upl", label: "upload", parent: None };
const MODEL: Kind = Kind { kind: "model", prefix: "mdl", label: "model", parent: None };
const SECRET: Kind = Kind { kind: "workspace_secret", prefix: "sec", label: "workspace secret", parent: None };

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "uploads.create" => {
            let id = super::create(ctx, st, &UPLOAD)?;
            let rec = find(ctx, st, &UPLOAD, &id)?;
            Ok(render_upload(st, rec))
        }
        "uploads.retrieve" => Ok(render_upload(st, find(ctx, st, &UPLOAD, &ctx.p("id"))?)),
        "models.retrieve" => Ok(find(ctx, st, &MODEL, &ctx.p("id"))?.value.clone()),
        "models.list" => list(ctx, st, "model", Some(&ws), None, &|_| true, Items::Stored(None)),
        "models.set_status" => {
            let id = find(ctx, st, &MODEL, &ctx.p("id"))?.id.clone();
            let status = ctx.bs("/status").unwrap_or_else(|| "MODEL_STATUS_UNSPECIFIED".into());
            let rec =
                st.store.get_mut("model", Some(&ws), None, &id).ok_or_else(|| ApiError::not_found("model", &id))?;
            rec.value["spec"]["status"] = json!(status);
            Ok(rec.value.clone())
        }
        "search.search_tools_or_tool_sets" => {
            let q = ctx.query.get("query").and_then(Value::as_str).unwrap_or_default().to_lowercase();
            let hit = |r: &&Rec| {
                let name = r.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_lowercase();
                let desc =
                    r.value.pointer("/spec/description").and_then(Value::as_str).unwrap_or_default().to_lowercase();
                q.is_empty() || name.contains(&q) || desc.contains(&q)
            };
            let agents: Vec<Value> = st
                .store
                .all("agent", Some(&ws), None)
                .into_iter()
                .filter(&hit)
                .take(20)
                .map(|r| r.value.clone())
                .collect();
            let tools: Vec<Value> = st
                .store
                .all("tool", Some(&ws), None)
                .into_iter()
                .filter(&hit)
                .take(20)
                .map(|r| r.value.clone())
                .collect();
            let sets: Vec<Value> = st
                .store
                .all("tool_set", Some(&ws), None)
                .into_iter()
                .filter(&hit)
                .take(20)
                .map(|r| r.value.clone())
                .collect();
            Ok(json!({"agents": agents, "tools": tools, "toolSets": sets}))
        }
        "workspace_secrets.create" => {
            let id = super::create(ctx, st, &SECRET)?;
            Ok(render_secret(st, find(ctx, st, &SECRET, &id)?))
        }
        "workspace_secrets.list" => {
            list(ctx, st, "workspace_secret", Some(&ws), None, &|_| true, Items::Rendered(&render_secret))
        }
        "workspace_secrets.retrieve" => Ok(render_secret(st, find(ctx, st, &SECRET, &ctx.p("id"))?)),
        "workspace_secrets.update" => {
            let id = find(ctx, st, &SECRET, &ctx.p("id"))?.id.clone();
            let rec = st
                .store
                .get_mut("workspace_secret", Some(&ws), None, &id)
                .ok_or_else(|| ApiError::not_found("workspace secret", &id))?;
            super::apply_update(ctx, &mut rec.value, false)?;
            Ok(render_secret(st, find(ctx, st, &SECRET, &id)?))
        }
        "workspace_secrets.delete" => {
            let id = find(ctx, st, &SECRET, &ctx.p("id"))?.id.clone();
            st.store.remove("workspace_secret", Some(&ws), None, &id);
            Ok(Value::Null)
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

fn render_upload(st: &State, rec: &Rec) -> Value {
    let id = rec.id.clone();
    with_info(
        rec,
        json!({
            "createdBy": created_by(st, rec),
            "status": "UPLOAD_STATUS_PENDING",
            "uploadUrl": format!("https://uploads.cadenya.local/{id}"),
            "uploadUrlExpiresAt": rfc3339_from_ms(now_ms() + 3_600_000),
        }),
    )
}

/// Secret values are write-only: responses never echo `spec.value`.
fn render_secret(st: &State, rec: &Rec) -> Value {
    let mut v = with_info(rec, json!({"createdBy": created_by(st, rec)}));
    if let Some(s) = v.get_mut("spec").and_then(Value::as_object_mut) {
        s.remove("value");
    }
    v
}

/// Every workspace starts with the same three models.
pub fn seed_models(st: &mut State, ws: &str) {
    let owner = st.owner_profile_id.clone();
    for (name, family, provider, inp, out) in [
        ("gpt-4o", "gpt-4o", "openai", "2500000", "10000000"),
        ("claude-sonnet-4", "claude", "anthropic", "3000000", "15000000"),
        ("gemini-2.5-pro", "gemini", "google", "1250000", "10000000"),
    ] {
        let meta = st.resource_meta("mdl", ws, &owner, Some(&json!({"name": name})));
        let id = meta.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        let v = json!({"metadata": meta, "spec": {
            "family": family, "provider": provider, "status": "MODEL_STATUS_ENABLED",
            "inputPricePerMillionTokens": inp, "outputPricePerMillionTokens": out,
            "maxInputTokens": 200000, "maxOutputTokens": 8192
        }});
        st.store.insert("model", Some(ws.to_string()), None, id, v);
    }
}

pub const MODEL_KIND: Kind = MODEL;
