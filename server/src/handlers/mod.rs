//! Operation handlers, one file per resource group, plus the generic CRUD
//! helpers most resources share. `dispatch` maps operationIds to handlers.

pub mod account;
pub mod agents;
pub mod bulk;
pub mod memory;
pub mod misc;
pub mod objectives;
pub mod tool_sets;
pub mod workspaces;

use crate::app::{ApiError, Ctx, HResult, State};
use crate::spec::spec;
use crate::store::{next_cursor, Filters, PageReq, Rec};
use crate::util::{new_id, now_rfc3339};
use crate::validate::conform;
use serde_json::{json, Map, Value};

pub fn dispatch(ctx: &Ctx) -> HResult {
    let id = ctx.op.id.as_str();
    let group = id.split('.').next().unwrap_or_default();
    match group {
        "account" | "api_keys" => account::handle(ctx),
        "agents" => agents::handle(ctx),
        "objectives" => objectives::handle(ctx),
        "memory_layers" => memory::handle(ctx),
        "tool_sets" => tool_sets::handle(ctx),
        "workspaces" | "workspace_admin" => workspaces::handle(ctx),
        "bulk_workspace_resources" => bulk::handle(ctx),
        "uploads" | "models" | "search" | "workspace_secrets" => misc::handle(ctx),
        _ => Err(ApiError::new(501, format!("operation {id} not implemented"))),
    }
}

/// Builds the initial state: account, owner profile, default workspace and key.
pub fn bootstrap(api_key: &str) -> State {
    let mut st = State {
        account_id: new_id("acct"),
        account_name: "Local account".into(),
        owner_profile_id: new_id("prf"),
        webhook_secret: crate::util::new_webhook_secret(),
        default_workspace: String::new(),
        initial_key_id: String::new(),
        store: Default::default(),
    };
    let owner = st.owner_profile_id.clone();
    let profile = json!({
        "metadata": {"id": owner, "accountId": st.account_id, "name": "Local Owner", "profileId": owner},
        "spec": {"type": "PROFILE_TYPE_USER", "email": "owner@example.com", "name": "Local Owner"}
    });
    st.store.insert("profile", None, None, owner.clone(), profile);
    let ws = workspaces::create_workspace(
        &mut st,
        json!({"name": "Default"}),
        json!({"description": "Default workspace"}),
        &owner,
    );
    st.default_workspace = ws;
    let key = account::create_key(
        &mut st,
        json!({"name": "Initial key"}),
        json!({"description": "Key the server started with", "system": true}),
        api_key.to_string(),
        &owner,
        true,
        vec![],
    );
    st.initial_key_id = key;
    st
}

/// A collection of workspace resources with ResourceMetadata + spec.
#[derive(Clone, Copy)]
pub struct Kind {
    pub kind: &'static str,
    pub prefix: &'static str,
    pub label: &'static str,
    /// (path parameter, parent kind) for nested collections.
    pub parent: Option<(&'static str, &'static str)>,
}

/// Resolves and checks the parent of a nested collection (404 when missing).
pub fn parent_id(ctx: &Ctx, st: &State, k: &Kind) -> Result<Option<String>, ApiError> {
    let Some((param, pkind)) = k.parent else { return Ok(None) };
    let raw = ctx.p(param);
    let rec = st.store.get(pkind, Some(&ctx.ws()), None, &raw).ok_or_else(|| ApiError::not_found(pkind, &raw))?;
    Ok(Some(rec.id.clone()))
}

pub fn find<'a>(ctx: &Ctx, st: &'a State, k: &Kind, id: &str) -> Result<&'a Rec, ApiError> {
    let parent = parent_id(ctx, st, k)?;
    st.store.get(k.kind, Some(&ctx.ws()), parent.as_deref(), id).ok_or_else(|| ApiError::not_found(k.label, id))
}

/// Creates `{metadata, spec}` from the body and stores it.
pub fn create(ctx: &Ctx, st: &mut State, k: &Kind) -> Result<String, ApiError> {
    let parent = parent_id(ctx, st, k)?;
    let ws = ctx.ws();
    let meta = st.resource_meta(k.prefix, &ws, &ctx.profile_id, ctx.b("/metadata"));
    let id = meta.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let spec_v = ctx.b("/spec").cloned().unwrap_or_else(|| json!({}));
    let value = json!({"metadata": meta, "spec": spec_v});
    st.store.insert(k.kind, Some(ws), parent, id.clone(), value);
    Ok(id)
}

/// Applies a PATCH/PUT body to a stored `{metadata, spec}` value.
///
/// With `updateMask` only the listed paths change (a listed path absent from
/// the body is cleared). Without a mask PATCH merges the provided top-level
/// fields of metadata/spec, and PUT replaces metadata's writable fields and spec.
pub fn apply_update(ctx: &Ctx, value: &mut Value, put: bool) -> Result<(), ApiError> {
    let body = &ctx.body;
    let mask = body.get("updateMask").and_then(Value::as_str).filter(|m| !m.trim().is_empty());
    if let Some(mask) = mask {
        let sp = spec().map_err(|e| ApiError::new(500, e))?;
        let body_schema = ctx.op.body.as_ref().map(|(_, s)| s.clone()).unwrap_or_default();
        for path in mask.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parts: Vec<&str> = path.split('.').collect();
            // The path must name a writable field of the request schema.
            let mut schema = sp.resolve(&body_schema).clone();
            for part in &parts {
                let next = schema.pointer(&format!("/properties/{part}")).cloned();
                match next {
                    Some(n) if *part != "updateMask" => schema = sp.resolve(&n).clone(),
                    _ => return Err(ApiError::bad(format!("updateMask: unknown field path {path:?}"))),
                }
            }
            let src = body.pointer(&format!("/{}", parts.join("/"))).cloned();
            set_path(value, &parts, src);
        }
        return Ok(());
    }
    for top in ["metadata", "spec"] {
        let Some(Value::Object(new)) = body.get(top) else { continue };
        let Some(target) = value.get_mut(top).and_then(Value::as_object_mut) else { continue };
        if put {
            let keep = ["id", "accountId", "workspaceId", "profileId", "createdAt"];
            target.retain(|k, _| top == "metadata" && keep.contains(&k.as_str()));
        }
        for (k, v) in new {
            target.insert(k.clone(), v.clone());
        }
    }
    Ok(())
}

fn set_path(value: &mut Value, parts: &[&str], src: Option<Value>) {
    let Some((last, dirs)) = parts.split_last() else { return };
    let mut cur = value;
    for d in dirs {
        if !cur.get(*d).map(Value::is_object).unwrap_or(false) {
            if let Some(o) = cur.as_object_mut() {
                o.insert(d.to_string(), json!({}));
            }
        }
        match cur.get_mut(*d) {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(o) = cur.as_object_mut() {
        match src {
            Some(v) => {
                o.insert(last.to_string(), v);
            }
            None => {
                o.remove(*last);
            }
        }
    }
}

/// Renders a record (or a part of it) from the record and the rest of the state.
pub type RenderFn<'a> = &'a dyn Fn(&State, &Rec) -> Value;

/// How a list renders its items.
pub enum Items<'a> {
    /// The record's stored value, with `info` from the function merged in when the request asks
    /// for it (`includeInfo`). An item without info depends on its record alone, so its JSON
    /// text is cached on the record and a page is mostly copied text.
    Stored(Option<RenderFn<'a>>),
    /// Rendered from the record and the rest of the state on every request.
    Rendered(RenderFn<'a>),
}

/// Generic list: scope, filters, pagination, rendering. Answers with the page's JSON text (see
/// [`Ctx::reply_text`]): items are conformed to the item schema one by one, and stored items
/// come from their cache.
pub fn list(
    ctx: &Ctx,
    st: &State,
    kind: &str,
    ws: Option<&str>,
    parent: Option<&str>,
    extra: &dyn Fn(&Rec) -> bool,
    items: Items<'_>,
) -> HResult {
    let page = PageReq::from_query(&ctx.query).map_err(ApiError::bad)?;
    let has_info_param = ctx.op.params.iter().any(|p| p.name == "includeInfo");
    // `info` is dropped unless asked for, on operations that take `includeInfo`.
    let drop_info = has_info_param && !ctx.q_bool("includeInfo");
    let filters = Filters::from_query(&ctx.query);
    let in_scope = |r: &Rec| {
        ws.is_none_or(|w| r.ws.as_deref() == Some(w)) && parent.is_none_or(|p| r.parent.as_deref() == Some(p))
    };
    let (recs, more) = st.store.page(kind, page, |r| in_scope(r) && filters.matches(r) && extra(r));

    let sp = spec().map_err(|e| ApiError::new(500, e))?;
    // Without a declared item schema, items are conformed to (and cached under) an empty one.
    static NO_SCHEMA: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::Object(Map::new()));
    let item_schema =
        ctx.op.response.as_ref().and_then(|s| sp.resolve(s).pointer("/properties/items/items")).unwrap_or(&NO_SCHEMA);
    // The cache key: the item schema's identity (schemas live as long as the process and are
    // 8-aligned), its low bit telling whether `info` was dropped.
    let cache_key = (item_schema as *const Value as usize) | usize::from(drop_info);
    let text = |v: Value| serde_json::to_string(&conform(sp, item_schema, v)).unwrap_or_default();
    let without_info = |r: &Rec| {
        let mut v = r.value.clone();
        if let Some(o) = v.as_object_mut().filter(|_| drop_info) {
            o.remove("info");
        }
        v
    };
    let mut out = String::with_capacity(64 + recs.len() * 512);
    out.push_str("{\"items\":[");
    for (i, r) in recs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match &items {
            Items::Stored(Some(info)) if !drop_info => out.push_str(&text(with_info(r, info(st, r)))),
            Items::Stored(_) if drop_info || !has_info_param => {
                out.push_str(&r.cached_json(cache_key, || text(without_info(r))))
            }
            Items::Stored(_) => out.push_str(&text(r.value.clone())),
            Items::Rendered(render) => {
                let mut v = render(st, r);
                if let Some(o) = v.as_object_mut().filter(|_| drop_info) {
                    o.remove("info");
                }
                out.push_str(&text(v));
            }
        }
    }
    out.push_str("],\"pagination\":{");
    if let Some(c) = next_cursor(recs.last().copied(), more) {
        out.push_str("\"nextCursor\":");
        out.push_str(&serde_json::to_string(&c).unwrap_or_default());
    }
    out.push_str("}}");
    ctx.reply_with_text(out);
    Ok(Value::Null)
}

pub fn created_by(st: &State, rec: &Rec) -> Value {
    let pid = rec.value.pointer("/metadata/profileId").and_then(Value::as_str).unwrap_or_default();
    st.profile(pid)
}

/// Adds `info` (merged over any stored info) to a rendered value.
pub fn with_info(rec: &Rec, info: Value) -> Value {
    let mut v = rec.value.clone();
    let mut merged: Map<String, Value> = v.get("info").and_then(Value::as_object).cloned().unwrap_or_default();
    if let Value::Object(i) = info {
        merged.extend(i);
    }
    if let Some(o) = v.as_object_mut() {
        o.insert("info".into(), Value::Object(merged));
    }
    v
}

pub fn now() -> Value {
    Value::String(now_rfc3339())
}
