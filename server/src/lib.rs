//! Local, in-memory Cadenya API server.
//!
//! Implements every operation of `spec/openapi.yaml` in memory, validates
//! requests against the spec, runs a deterministic objective lifecycle, sends
//! signed webhooks and offers fault injection plus a request log for client
//! tests. See `server/README.md` for the conventions.

pub mod app;
pub mod faults;
pub mod handlers;
pub mod http;
pub mod log;
pub mod objectives;
pub mod spec;
pub mod store;
pub mod util;
pub mod validate;
pub mod webhooks;

pub use log::RecordedRequest;
pub use webhooks::sign_webhook;

use app::{lock, Shared};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Server start-up options.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Bearer token of the initial key; `None` generates `cdn_test_...`.
    pub api_key: Option<String>,
    /// Pause before each simulated objective step.
    pub step_delay: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { port: 0, api_key: None, step_delay: Duration::from_millis(25) }
    }
}

/// A running server. Dropping it stops the server.
pub struct ServerHandle {
    addr: std::net::SocketAddr,
    api_key: String,
    workspace_id: String,
    account_id: String,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
    worker: Option<JoinHandle<()>>,
}

impl ServerHandle {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }
    pub fn workspace_id(&self) -> String {
        self.workspace_id.clone()
    }
    pub fn account_id(&self) -> String {
        self.account_id.clone()
    }
    /// The account's current webhook signing secret (`whsec_...`).
    pub fn webhook_secret(&self) -> String {
        self.shared.state().webhook_secret.clone()
    }

    /// The one JSON line a server prints on start: how to connect to it.
    pub fn announcement(&self) -> serde_json::Value {
        serde_json::json!({
            "base_url": self.base_url(),
            "api_key": self.api_key(),
            "workspace_id": self.workspace_id(),
            "account_id": self.account_id(),
            "webhook_secret": self.webhook_secret(),
        })
    }
    /// Every API request received so far (control routes excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }
    pub async fn shutdown(mut self) {
        if let Some(w) = self.worker.take() {
            w.abort();
        }
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(w) = self.worker.take() {
            w.abort();
        }
    }
}

/// Starts a server on 127.0.0.1 in the current tokio runtime.
pub async fn spawn(config: ServerConfig) -> std::io::Result<ServerHandle> {
    spec::spec().map_err(std::io::Error::other)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let api_key = config.api_key.clone().unwrap_or_else(util::new_api_token);
    let state = handlers::bootstrap(&api_key);
    let workspace_id = state.default_workspace.clone();
    let account_id = state.account_id.clone();
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().map_err(std::io::Error::other)?;
    let (webhook_tx, webhook_rx) = tokio::sync::mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        state: Mutex::new(state),
        faults: Mutex::new(Default::default()),
        log: Mutex::new(Vec::new()),
        idem: Mutex::new(Default::default()),
        step_delay: config.step_delay,
        http,
        webhook_tx,
    });
    let worker = tokio::spawn(webhooks::worker(Arc::downgrade(&shared), webhook_rx));
    let task = tokio::spawn(http::serve(listener, shared.clone()));
    Ok(ServerHandle { addr, api_key, workspace_id, account_id, shared, task: Some(task), worker: Some(worker) })
}

/// Starts a server on a free port with a generated key.
pub async fn spawn_default() -> std::io::Result<ServerHandle> {
    spawn(ServerConfig::default()).await
}

/// Validates a JSON value against a response schema of an operation (used by
/// tests to check that every response matches the spec).
pub fn validate_response(operation_id: &str, body: &serde_json::Value) -> Result<(), String> {
    let spec = spec::spec()?;
    let op = spec.op(operation_id).ok_or_else(|| format!("unknown operation {operation_id}"))?;
    match &op.response {
        Some(schema) => validate::validate(spec, schema, body, ""),
        None => Ok(()),
    }
}

/// Validates a value against a named component schema.
pub fn validate_schema(name: &str, body: &serde_json::Value) -> Result<(), String> {
    let spec = spec::spec()?;
    let schema = serde_json::json!({ "$ref": format!("#/components/schemas/{name}") });
    validate::validate(spec, &schema, body, "")
}

/// `(operationId, method, path template)` of every operation in the spec.
pub fn operations() -> Vec<(String, String, String)> {
    spec::spec()
        .map(|s| s.ops.iter().map(|o| (o.id.clone(), o.method.clone(), o.path.clone())).collect())
        .unwrap_or_default()
}
