#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]
//! Shared helpers for the integration tests (real HTTP over loopback).

use cadenya_server::{spawn, ServerConfig, ServerHandle};
use serde_json::Value;
use std::time::{Duration, Instant};

pub struct T {
    pub h: ServerHandle,
    pub c: reqwest::Client,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn msg(&self) -> String {
        self.json()["message"].as_str().unwrap_or_default().to_string()
    }
}

pub async fn server() -> T {
    server_with(Duration::from_millis(0)).await
}

pub async fn server_with(step_delay: Duration) -> T {
    let h = spawn(ServerConfig { step_delay, ..Default::default() }).await.unwrap();
    T { h, c: reqwest::Client::new() }
}

impl T {
    pub fn ws(&self) -> String {
        self.h.workspace_id()
    }
    pub fn wp(&self, suffix: &str) -> String {
        format!("/v1/workspaces/{}{}", self.ws(), suffix)
    }
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        self.raw(method, path, body.map(|b| b.to_string()), &[]).await
    }
    pub async fn raw(&self, method: &str, path: &str, body: Option<String>, headers: &[(&str, &str)]) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.c.request(m, format!("{}{}", self.h.base_url(), path)).bearer_auth(self.h.api_key());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.header("content-type", "application/json").body(b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        Resp { status, headers, text }
    }
    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let r = self.call(method, path, body).await;
        assert!((200..300).contains(&r.status), "{method} {path} -> {} {}", r.status, r.text);
        r.json()
    }
    pub async fn agent(&self, name: &str) -> Value {
        self.ok("POST", &self.wp("/agents"), Some(agent_body(name))).await
    }
    /// Polls `f` until it returns Some, for at most 5 s.
    pub async fn wait_for<F, Fut>(&self, mut f: F) -> Value
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<Value>>,
    {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(v) = f().await {
                return v;
            }
            assert!(Instant::now() < deadline, "condition not reached in time");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    pub async fn events(&self, obj: &str) -> Vec<Value> {
        let v = self.ok("GET", &self.wp(&format!("/objectives/{obj}/events?limit=100")), None).await;
        v["items"].as_array().cloned().unwrap_or_default()
    }
    pub async fn event_types(&self, obj: &str) -> Vec<String> {
        self.events(obj).await.iter().map(|e| e["data"]["type"].as_str().unwrap_or_default().to_string()).collect()
    }
    pub async fn state(&self, obj: &str) -> String {
        let v = self.ok("GET", &self.wp(&format!("/objectives/{obj}")), None).await;
        v["status"]["state"].as_str().unwrap_or_default().to_string()
    }
    pub async fn wait_state(&self, obj: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.state(obj).await != want {
            assert!(Instant::now() < deadline, "objective never reached {want}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    /// Creates an objective and waits until its tool call waits for approval.
    pub async fn waiting_objective(&self, agent_id: &str) -> (String, String) {
        let o = self
            .ok(
                "POST",
                &self.wp("/objectives"),
                Some(serde_json::json!({"agentId": agent_id, "data": {"initialMessage": "What is the answer?"}})),
            )
            .await;
        let id = o["metadata"]["id"].as_str().unwrap().to_string();
        self.wait_state(&id, "STATE_WAITING").await;
        let tcs = self.ok("GET", &self.wp(&format!("/objectives/{id}/tool_calls")), None).await;
        let tc = tcs["items"][0]["metadata"]["id"].as_str().unwrap().to_string();
        (id, tc)
    }
}

pub fn agent_body(name: &str) -> Value {
    serde_json::json!({
        "metadata": {"name": name},
        "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM", "description": format!("agent {name}")}
    })
}
