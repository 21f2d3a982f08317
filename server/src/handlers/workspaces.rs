//! workspaces.*, workspace_admin.* (members, profiles).

use super::{list, now, Items};
use crate::app::{ApiError, Ctx, HResult, State};
use crate::util::new_id;
use serde_json::{json, Value};

pub fn handle(ctx: &Ctx) -> HResult {
    let mut st = ctx.shared.state();
    let st = &mut *st;
    match ctx.op.id.as_str() {
        "workspaces.list" => {
            let allowed = st.key_workspaces(&ctx.key_id);
            list(ctx, st, "workspace", None, None, &|w| allowed.contains(&w.id), Items::Stored(None))
        }
        "workspaces.get" => {
            let allowed = st.key_workspaces(&ctx.key_id);
            let current = if allowed.contains(&st.default_workspace) {
                st.default_workspace.clone()
            } else {
                allowed.first().cloned().ok_or_else(|| ApiError::new(404, "the API key has no workspace"))?
            };
            ws_out(st, &current)
        }
        "workspace_admin.create" => {
            let meta = ctx.b("/metadata").cloned().unwrap_or_else(|| json!({}));
            let spec = ctx.b("/spec").cloned().unwrap_or_else(|| json!({}));
            let id = create_workspace(st, meta, spec, &ctx.profile_id);
            ws_out(st, &id)
        }
        "workspace_admin.list" => {
            let archived = ctx.q_bool("includeArchived");
            list(
                ctx,
                st,
                "workspace",
                None,
                None,
                &|w| archived || w.value.get("status").and_then(Value::as_str) != Some("STATUS_ARCHIVED"),
                Items::Stored(None),
            )
        }
        "workspace_admin.retrieve" => ws_out(st, &ctx.ws()),
        "workspace_admin.update" => {
            let id = ctx.ws();
            let rec =
                st.store.get_mut("workspace", None, None, &id).ok_or_else(|| ApiError::not_found("workspace", &id))?;
            super::apply_update(ctx, &mut rec.value, false)?;
            ws_out(st, &id)
        }
        "workspace_admin.archive" => {
            let id = ctx.ws();
            let rec =
                st.store.get_mut("workspace", None, None, &id).ok_or_else(|| ApiError::not_found("workspace", &id))?;
            rec.value["status"] = json!("STATUS_ARCHIVED");
            Ok(Value::Null)
        }
        "workspace_admin.members.list" => {
            let ws = ctx.ws();
            list(ctx, st, "member", None, Some(&ws), &|_| true, Items::Stored(None))
        }
        "workspace_admin.members.add" => {
            let ws = ctx.ws();
            let profile_id =
                match (ctx.bs("/profileId").filter(|s| !s.is_empty()), ctx.bs("/email").filter(|s| !s.is_empty())) {
                    (Some(p), _) => {
                        st.store.get("profile", None, None, &p).ok_or_else(|| ApiError::not_found("profile", &p))?;
                        p
                    }
                    (None, Some(email)) => profile_for_email(st, &email),
                    (None, None) => return Err(ApiError::bad("profileId: one of profileId or email is required")),
                };
            if let Some(existing) = st.store.get("member", None, Some(&ws), &profile_id) {
                return Ok(existing.value.clone());
            }
            Ok(add_member(st, &ws, &profile_id))
        }
        "workspace_admin.members.remove" => {
            let ws = ctx.ws();
            let p = ctx.p("profileId");
            st.store.remove("member", None, Some(&ws), &p).ok_or_else(|| ApiError::not_found("member", &p))?;
            Ok(Value::Null)
        }
        "workspace_admin.profiles.list" => {
            let q = ctx.query.get("query").and_then(Value::as_str).map(str::to_lowercase);
            // `query` matches name or email here, so it is handled locally.
            let mut cq = ctx.query.clone();
            cq.remove("query");
            let ctx2 = Ctx {
                op: ctx.op,
                path: ctx.path.clone(),
                query: cq,
                body: Value::Null,
                key_id: ctx.key_id.clone(),
                profile_id: ctx.profile_id.clone(),
                shared: ctx.shared.clone(),
                reply_text: Default::default(),
            };
            let out = list(
                &ctx2,
                st,
                "profile",
                None,
                None,
                &|r| match &q {
                    None => true,
                    Some(q) => ["/metadata/name", "/spec/email", "/spec/name"].iter().any(|p| {
                        r.value
                            .pointer(p)
                            .and_then(Value::as_str)
                            .map(|s| s.to_lowercase().contains(q))
                            .unwrap_or(false)
                    }),
                },
                Items::Stored(None),
            );
            if let Some(text) = ctx2.reply_text.into_inner() {
                ctx.reply_with_text(text);
            }
            out
        }
        other => Err(ApiError::new(501, format!("{other} not implemented"))),
    }
}

fn ws_out(st: &State, id: &str) -> HResult {
    st.store
        .get("workspace", None, None, id)
        .map(|r| r.value.clone())
        .ok_or_else(|| ApiError::not_found("workspace", id))
}

fn profile_for_email(st: &mut State, email: &str) -> String {
    if let Some(p) = st
        .store
        .all("profile", None, None)
        .into_iter()
        .find(|p| p.value.pointer("/spec/email").and_then(Value::as_str) == Some(email))
    {
        return p.id.clone();
    }
    let id = new_id("prf");
    let name = email.split('@').next().unwrap_or(email).to_string();
    let v = json!({
        "metadata": {"id": id, "accountId": st.account_id, "name": name, "profileId": st.owner_profile_id},
        "spec": {"type": "PROFILE_TYPE_USER", "email": email, "name": name}
    });
    st.store.insert("profile", None, None, id.clone(), v);
    id
}

fn add_member(st: &mut State, ws: &str, profile_id: &str) -> Value {
    let p = st.profile(profile_id);
    let v = json!({
        "actorId": profile_id,
        "profileId": profile_id,
        "addedAt": now(),
        "email": p.pointer("/spec/email").cloned().unwrap_or(json!("")),
        "name": p.pointer("/metadata/name").cloned().unwrap_or(json!("")),
    });
    st.store.insert("member", None, Some(ws.to_string()), profile_id.to_string(), v.clone());
    v
}

/// Creates a workspace with its seeded models and the owner as member.
pub fn create_workspace(st: &mut State, meta: Value, spec: Value, creator: &str) -> String {
    let m = st.account_meta("ws", creator, Some(&meta));
    let id = m.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    st.store.insert(
        "workspace",
        None,
        None,
        id.clone(),
        json!({"metadata": m, "spec": spec, "status": "STATUS_ENABLED"}),
    );
    let owner = st.owner_profile_id.clone();
    add_member(st, &id, &owner);
    super::misc::seed_models(st, &id);
    id
}
