//! memory_layers.* and memory_layers.entries.*.

use super::agents::update;
use super::{created_by, find, list, with_info, Items, Kind};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::store::Rec;
use serde_json::{json, Value};

pub const LAYER: Kind = Kind { kind: "memory_layer", prefix: "ml", label: "memory layer", parent: None };
pub const ENTRY: Kind =
    Kind { kind: "memory_entry", prefix: "me", label: "memory entry", parent: Some(("memoryLayerId", "memory_layer")) };

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    let ws = ctx.ws();
    match ctx.op.id.as_str() {
        "memory_layers.create" => {
            let id = super::create(ctx, st, &LAYER)?;
            Ok(render_layer(st, find(ctx, st, &LAYER, &id)?))
        }
        "memory_layers.list" => {
            list(ctx, st, "memory_layer", Some(&ws), None, &|_| true, Items::Stored(Some(&layer_info)))
        }
        "memory_layers.retrieve" => Ok(render_layer(st, find(ctx, st, &LAYER, &ctx.p("id"))?)),
        "memory_layers.update" => {
            let id = update(ctx, st, &LAYER, false)?;
            Ok(render_layer(st, find(ctx, st, &LAYER, &id)?))
        }
        "memory_layers.delete" => {
            let id = find(ctx, st, &LAYER, &ctx.p("id"))?.id.clone();
            st.store.remove("memory_layer", Some(&ws), None, &id);
            st.store.remove_children("memory_entry", &id);
            Ok(Value::Null)
        }
        "memory_layers.entries.create" => {
            let id = super::create(ctx, st, &ENTRY)?;
            let rec = st
                .store
                .get_mut("memory_entry", Some(&ws), None, &id)
                .ok_or_else(|| ApiError::not_found("memory entry", &id))?;
            split_content(rec);
            Ok(render_entry(st, find(ctx, st, &ENTRY, &id)?))
        }
        "memory_layers.entries.list" => {
            let parent = super::parent_id(ctx, st, &ENTRY)?;
            list(ctx, st, "memory_entry", Some(&ws), parent.as_deref(), &|_| true, Items::Stored(Some(&entry_info)))
        }
        "memory_layers.entries.retrieve" => Ok(render_entry(st, find(ctx, st, &ENTRY, &ctx.p("id"))?)),
        "memory_layers.entries.update" => {
            let id = update(ctx, st, &ENTRY, false)?;
            let rec = st
                .store
                .get_mut("memory_entry", Some(&ws), None, &id)
                .ok_or_else(|| ApiError::not_found("memory entry", &id))?;
            split_content(rec);
            Ok(render_entry(st, find(ctx, st, &ENTRY, &id)?))
        }
        "memory_layers.entries.delete" => {
            let id = find(ctx, st, &ENTRY, &ctx.p("id"))?.id.clone();
            st.store.remove("memory_entry", Some(&ws), None, &id);
            Ok(Value::Null)
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

/// The write spec carries `content`/`uploadId`; the stored spec keeps key and
/// description while content moves to the top level (MemoryEntryDetail).
fn split_content(rec: &mut Rec) {
    let Some(spec) = rec.value.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let content = spec.remove("content");
    let upload = spec.remove("uploadId");
    if let Some(c) = content {
        rec.value["content"] = c;
    } else if let Some(u) = upload {
        rec.value["content"] = json!(format!("(content of upload {})", u.as_str().unwrap_or_default()));
    }
    if rec.value.get("content").is_none() {
        rec.value["content"] = json!("");
    }
    let text = rec.value["content"].as_str().unwrap_or_default().to_string();
    rec.hidden["text"] = json!(text);
}

pub fn render_layer(st: &State, rec: &Rec) -> Value {
    with_info(rec, layer_info(st, rec))
}

fn layer_info(st: &State, rec: &Rec) -> Value {
    let n = st.store.count("memory_entry", rec.ws.as_deref(), Some(&rec.id));
    json!({"createdBy": created_by(st, rec), "entryCount": n})
}

pub fn render_entry(st: &State, rec: &Rec) -> Value {
    with_info(rec, entry_info(st, rec))
}

fn entry_info(st: &State, rec: &Rec) -> Value {
    let layer = rec
        .parent
        .as_deref()
        .and_then(|p| st.store.get("memory_layer", rec.ws.as_deref(), None, p))
        .map(|l| l.value["metadata"].clone());
    let mut info = json!({"createdBy": created_by(st, rec)});
    if let Some(l) = layer {
        info["memoryLayer"] = l;
    }
    info
}
