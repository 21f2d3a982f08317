//! Shared server state and the per-request context handed to handlers.

use crate::faults::Faults;
use crate::log::RecordedRequest;
use crate::spec::Operation;
use crate::store::Store;
use crate::util::{new_id, now_rfc3339};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Everything the server keeps in memory.
pub struct State {
    pub account_id: String,
    pub account_name: String,
    /// The user profile that owns the account (creator of the initial key).
    pub owner_profile_id: String,
    pub webhook_secret: String,
    pub default_workspace: String,
    pub initial_key_id: String,
    pub store: Store,
}

/// A stored response for idempotent replays.
#[derive(Clone)]
pub struct StoredResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

pub struct Shared {
    pub state: Mutex<State>,
    pub faults: Mutex<Faults>,
    pub log: Mutex<Vec<RecordedRequest>>,
    pub idem: Mutex<HashMap<(String, String, String), StoredResponse>>,
    pub step_delay: Duration,
    pub http: reqwest::Client,
    /// Queue of the webhook delivery worker.
    pub webhook_tx: tokio::sync::mpsc::UnboundedSender<crate::webhooks::Job>,
}

/// Locks a mutex, recovering from poisoning (a panicked task must not take the
/// whole server down).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError { status, message: message.into() }
    }
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }
    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(404, format!("{what} {id:?} not found"))
    }
}

pub type HResult = Result<Value, ApiError>;

/// What a handler sees of one validated request.
pub struct Ctx {
    pub op: &'static Operation,
    pub path: HashMap<String, String>,
    pub query: Map<String, Value>,
    pub body: Value,
    pub key_id: String,
    pub profile_id: String,
    pub shared: Arc<Shared>,
    /// The response's JSON text, when a handler has it already (list pages of cached items):
    /// it is sent as is, already conformed, instead of the value the handler returns.
    pub reply_text: std::cell::OnceCell<String>,
}

impl Ctx {
    pub fn reply_with_text(&self, text: String) {
        let _ = self.reply_text.set(text);
    }
    pub fn p(&self, name: &str) -> String {
        self.path.get(name).cloned().unwrap_or_default()
    }
    pub fn ws(&self) -> String {
        self.p("workspaceId")
    }
    pub fn b(&self, ptr: &str) -> Option<&Value> {
        self.body.pointer(ptr)
    }
    pub fn bs(&self, ptr: &str) -> Option<String> {
        self.body.pointer(ptr).and_then(Value::as_str).map(str::to_string)
    }
    pub fn q_bool(&self, name: &str) -> bool {
        self.query.get(name).and_then(Value::as_bool).unwrap_or(false)
    }
}

impl State {
    /// ResourceMetadata for a new workspace resource.
    pub fn resource_meta(&self, prefix: &str, ws: &str, profile: &str, writable: Option<&Value>) -> Value {
        let mut m = writable.and_then(Value::as_object).cloned().unwrap_or_default();
        m.insert("id".into(), json!(new_id(prefix)));
        m.insert("accountId".into(), json!(self.account_id));
        m.insert("workspaceId".into(), json!(ws));
        m.insert("profileId".into(), json!(profile));
        m.insert("createdAt".into(), json!(now_rfc3339()));
        Value::Object(m)
    }

    /// OperationMetadata (no name) for operations such as objectives and events.
    pub fn op_meta(&self, prefix: &str, ws: &str, profile: &str, writable: Option<&Value>) -> Value {
        let mut m = self.resource_meta(prefix, ws, profile, writable);
        if let Some(o) = m.as_object_mut() {
            o.remove("name");
            o.remove("bundleKey");
        }
        m
    }

    /// AccountResourceMetadata for account-level resources.
    pub fn account_meta(&self, prefix: &str, profile: &str, writable: Option<&Value>) -> Value {
        let mut m = writable.and_then(Value::as_object).cloned().unwrap_or_default();
        m.insert("id".into(), json!(new_id(prefix)));
        m.insert("accountId".into(), json!(self.account_id));
        m.insert("profileId".into(), json!(profile));
        Value::Object(m)
    }

    pub fn profile(&self, id: &str) -> Value {
        self.store.get("profile", None, None, id).map(|r| r.value.clone()).unwrap_or_else(|| {
            json!({"metadata": {"id": id, "accountId": self.account_id, "name": "unknown", "profileId": id},
                       "spec": {"type": "PROFILE_TYPE_UNSPECIFIED"}})
        })
    }

    /// True when the workspace exists, is not archived and the key may use it.
    pub fn key_can_use(&self, key_id: &str, ws: &str) -> bool {
        let Some(w) = self.store.get("workspace", None, None, ws) else { return false };
        if w.value.get("status").and_then(Value::as_str) == Some("STATUS_ARCHIVED") {
            return false;
        }
        self.key_workspaces(key_id).iter().any(|x| x == ws)
    }

    /// Workspaces a key may use, in creation order.
    pub fn key_workspaces(&self, key_id: &str) -> Vec<String> {
        let all: Vec<String> = self
            .store
            .all("workspace", None, None)
            .into_iter()
            .filter(|w| w.value.get("status").and_then(Value::as_str) != Some("STATUS_ARCHIVED"))
            .map(|w| w.id.clone())
            .collect();
        let Some(k) = self.store.get("api_key", None, None, key_id) else { return vec![] };
        if k.hidden.get("allWorkspaces").and_then(Value::as_bool).unwrap_or(false) {
            return all;
        }
        let grants: Vec<String> = k
            .hidden
            .get("workspaces")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        all.into_iter().filter(|w| grants.contains(w)).collect()
    }

    pub fn bare(rec_value: &Value) -> Value {
        json!({
            "id": rec_value.pointer("/metadata/id").cloned().unwrap_or_default(),
            "name": rec_value.pointer("/metadata/name").cloned().unwrap_or_default(),
        })
    }
}
