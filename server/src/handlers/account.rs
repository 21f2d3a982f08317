//! account.* and api_keys.* (including api_keys.access.*).

use super::{list, Items};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::store::Rec;
use crate::util::{new_api_token, new_id, new_webhook_secret};
use serde_json::{json, Value};

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    match ctx.op.id.as_str() {
        "account.retrieve" => {
            let workspaces: Vec<Value> =
                st.store.all("workspace", None, None).into_iter().map(|w| w.value.clone()).collect();
            let global = st.store.get("api_key", None, None, &st.initial_key_id).map(|k| render_key(st, k, false));
            Ok(json!({
                "metadata": {"id": st.account_id, "accountId": st.account_id, "name": st.account_name, "profileId": st.owner_profile_id},
                "spec": {"billingEmail": "billing@example.com", "description": "In-memory local account", "domain": "example.com", "workspaces": workspaces},
                "info": {"webhookEventsHmacSecret": st.webhook_secret, "globalApiKey": global}
            }))
        }
        "account.rotate_webhook_signing_key" => {
            st.webhook_secret = new_webhook_secret();
            Ok(json!({"webhookEventsHmacSecret": st.webhook_secret}))
        }
        "api_keys.create" => {
            let ws: Vec<String> = ctx
                .b("/initialWorkspaceIds")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            for w in &ws {
                if st.store.get("workspace", None, None, w).is_none() {
                    return Err(ApiError::not_found("workspace", w));
                }
            }
            let mut spec = ctx.b("/spec").cloned().unwrap_or_else(|| json!({}));
            if let Some(o) = spec.as_object_mut() {
                o.remove("token");
                o.insert("system".into(), json!(false));
            }
            let meta = ctx.b("/metadata").cloned().unwrap_or_else(|| json!({}));
            let id = create_key(st, meta, spec, new_api_token(), &ctx.profile_id, false, ws);
            key_out(st, &id, true)
        }
        "api_keys.list" => {
            list(ctx, st, "api_key", None, None, &|_| true, Items::Rendered(&|st, r| render_key(st, r, false)))
        }
        "api_keys.retrieve" => key_out(st, &ctx.p("id"), false),
        "api_keys.update" => {
            let id = ctx.p("id");
            let rec =
                st.store.get_mut("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            let system = rec.value.pointer("/spec/system").cloned();
            super::apply_update(ctx, &mut rec.value, false)?;
            // Server-owned spec fields stay as they were.
            if let Some(s) = rec.value.get_mut("spec").and_then(Value::as_object_mut) {
                s.remove("token");
                match system {
                    Some(v) => s.insert("system".into(), v),
                    None => s.remove("system"),
                };
            }
            let real = rec.id.clone();
            key_out(st, &real, false)
        }
        "api_keys.delete" => {
            let id = ctx.p("id");
            let rec = st.store.get("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            if rec.value.pointer("/spec/system").and_then(Value::as_bool).unwrap_or(false) {
                return Err(ApiError::new(409, "spec.system: system keys can be rotated but not deleted"));
            }
            st.store.remove("api_key", None, None, &id);
            Ok(Value::Null)
        }
        "api_keys.rotate" => {
            let id = ctx.p("id");
            let rec =
                st.store.get_mut("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            rec.hidden["token"] = json!(new_api_token());
            let real = rec.id.clone();
            key_out(st, &real, true)
        }
        "api_keys.access.list" => {
            let id = ctx.p("id");
            let rec = st.store.get("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            let allowed = st.key_workspaces(&rec.id);
            list(ctx, st, "workspace", None, None, &|w| allowed.contains(&w.id), Items::Stored(None))
        }
        "api_keys.access.add" => {
            let id = ctx.p("id");
            let ws = ctx.bs("/workspaceId").unwrap_or_default();
            if st.store.get("workspace", None, None, &ws).is_none() {
                return Err(ApiError::not_found("workspace", &ws));
            }
            let current = st.key_workspaces(&id);
            let rec =
                st.store.get_mut("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            if !rec.hidden.get("allWorkspaces").and_then(Value::as_bool).unwrap_or(false) && !current.contains(&ws) {
                let mut grants = current;
                grants.push(ws);
                rec.hidden["workspaces"] = json!(grants);
            }
            let real = rec.id.clone();
            key_out(st, &real, false)
        }
        "api_keys.access.remove" => {
            let id = ctx.p("id");
            let ws = ctx.ws();
            let current = st.key_workspaces(&id);
            let rec =
                st.store.get_mut("api_key", None, None, &id).ok_or_else(|| ApiError::not_found("api key", &id))?;
            if !current.contains(&ws) {
                return Err(ApiError::not_found("workspace grant", &ws));
            }
            rec.hidden["allWorkspaces"] = json!(false);
            rec.hidden["workspaces"] = json!(current.into_iter().filter(|w| *w != ws).collect::<Vec<_>>());
            Ok(Value::Null)
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

fn key_out(st: &State, id: &str, with_token: bool) -> HResult {
    let rec = st.store.get("api_key", None, None, id).ok_or_else(|| ApiError::not_found("api key", id))?;
    Ok(render_key(st, rec, with_token))
}

/// An APIKey; the token is only shown by create and rotate.
pub fn render_key(st: &State, rec: &Rec, with_token: bool) -> Value {
    let mut v = rec.value.clone();
    if with_token {
        v["spec"]["token"] = rec.hidden.get("token").cloned().unwrap_or_default();
    }
    let ws = st.key_workspaces(&rec.id);
    let preview: Vec<Value> = ws
        .iter()
        .take(3)
        .filter_map(|w| st.store.get("workspace", None, None, w))
        .map(|w| State::bare(&w.value))
        .collect();
    v["info"] = json!({
        "createdBy": super::created_by(st, rec),
        "workspacesPreview": preview,
        "workspacesTotal": ws.len(),
    });
    v
}

/// Stores a key (and its API-key profile); returns the key id.
pub fn create_key(
    st: &mut State,
    meta: Value,
    spec: Value,
    token: String,
    creator: &str,
    all: bool,
    workspaces: Vec<String>,
) -> String {
    let key_profile = new_id("prf");
    let name = meta.get("name").and_then(Value::as_str).unwrap_or("key").to_string();
    let profile = json!({
        "metadata": {"id": key_profile, "accountId": st.account_id, "name": name, "profileId": creator},
        "spec": {"type": "PROFILE_TYPE_API_KEY", "name": name}
    });
    st.store.insert("profile", None, None, key_profile.clone(), profile);
    let m = st.account_meta("key", creator, Some(&meta));
    let id = m.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let rec = st.store.insert("api_key", None, None, id.clone(), json!({"metadata": m, "spec": spec}));
    rec.hidden = json!({"token": token, "allWorkspaces": all, "workspaces": workspaces, "profileId": key_profile});
    id
}
