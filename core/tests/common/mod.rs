//! Shared setup for the core's integration tests: a local server per test, real HTTP over loopback.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use cadenya::models::*;
use cadenya::params::*;
use cadenya::Client;
use cadenya_server::{RecordedRequest, ServerConfig, ServerHandle};
use std::time::Duration;

pub struct Env {
    pub server: ServerHandle,
    pub client: Client,
}

/// A builder pointed at `server`, isolated from the process environment.
pub fn builder(server: &ServerHandle) -> cadenya::ClientBuilder {
    Client::builder()
        .env_lookup(|_| None)
        .api_key(server.api_key())
        .base_url(server.base_url())
        .workspace_id(server.workspace_id())
        .timeout(Duration::from_secs(10))
}

pub async fn start() -> Env {
    let server = cadenya_server::spawn(ServerConfig { step_delay: Duration::from_millis(2), ..Default::default() })
        .await
        .expect("server starts");
    let client = builder(&server).build().expect("client builds");
    Env { server, client }
}

/// A unique fault header value, so parallel tests never share a fault counter.
pub fn fault(spec: &str) -> String {
    format!("id={};{spec}", ulid_like())
}

fn ulid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{t}-{}", N.fetch_add(1, Ordering::Relaxed))
}

pub fn agent_params(name: &str) -> AgentsCreateParams {
    AgentsCreateParams {
        metadata: CreateResourceMetadata { name: name.into(), ..Default::default() },
        spec: AgentSpec {
            status: AgentStatus::Draft,
            variation_selection_mode: VariationSelectionMode::Random,
            description: Some(format!("{name} agent")),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Requests the server saw for paths ending in `suffix`.
pub fn requests_to(server: &ServerHandle, method: &str, path_suffix: &str) -> Vec<RecordedRequest> {
    server.requests().into_iter().filter(|r| r.method == method && r.path.ends_with(path_suffix)).collect()
}

pub fn header<'a>(r: &'a RecordedRequest, name: &str) -> Option<&'a str> {
    r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A new objective of a new agent; `labels` steer the server's simulation (`simulate: fail`).
pub async fn start_objective(client: &Client, labels: &[(&str, &str)]) -> String {
    let agent = client.agents().create(agent_params("helper")).await.unwrap();
    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let objective = client
        .objectives()
        .create(ObjectivesCreateParams {
            agent_id: agent.metadata.id,
            metadata: Some(CreateOperationMetadata { labels: Some(labels), ..Default::default() }),
            data: ObjectiveData { initial_message: Some("What is the answer?".into()), ..Default::default() },
            ..Default::default()
        })
        .await
        .unwrap();
    objective.metadata.id
}
