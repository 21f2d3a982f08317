#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Webhook signing, delivery to a local receiver, and secret rotation.

mod common;
use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn signature_matches_a_reference_vector() {
    let raw = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/webhooks/vectors.json")).unwrap();
    let doc: Value = serde_json::from_str(&raw).unwrap();
    let v =
        doc["vectors"].as_array().unwrap().iter().find(|v| v["expect"] == "ok" && v["name"] == "valid_basic").unwrap();
    let h = &v["headers"];
    let ts: i64 = h["webhook-timestamp"].as_str().unwrap().parse().unwrap();
    let sig = cadenya_server::sign_webhook(
        v["secret"].as_str().unwrap(),
        h["webhook-id"].as_str().unwrap(),
        ts,
        v["payload"].as_str().unwrap().as_bytes(),
    );
    assert_eq!(sig, h["webhook-signature"].as_str().unwrap());
}

#[derive(Clone, Debug)]
struct Got {
    headers: Vec<(String, String)>,
    body: String,
}

/// A tiny HTTP/1.1 receiver: reads one request per connection, answers 200.
async fn receiver() -> (String, Arc<Mutex<Vec<Got>>>) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else { return };
            let g = g.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                loop {
                    let n = s.read(&mut tmp).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&tmp[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let head = &text[..end];
                        let headers: Vec<(String, String)> = head
                            .lines()
                            .skip(1)
                            .filter_map(|l| l.split_once(':'))
                            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                            .collect();
                        let len: usize = headers
                            .iter()
                            .find(|(k, _)| k == "content-length")
                            .map(|(_, v)| v.parse().unwrap())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
                            g.lock().unwrap().push(Got { headers, body });
                            let _ = s
                                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                                .await;
                            return;
                        }
                    }
                }
            });
        }
    });
    (url, got)
}

fn header<'a>(g: &'a Got, k: &str) -> &'a str {
    g.headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_delivered_signed_and_recorded() {
    let t = server().await;
    let (url, got) = receiver().await;
    let a = t
        .ok("POST", &t.wp("/agents"), Some(json!({"metadata": {"name": "hooked"}, "spec": {"status": "AGENT_STATUS_DRAFT", "variationSelectionMode": "VARIATION_SELECTION_MODE_RANDOM", "webhookEventsUrl": url}})))
        .await;
    let agent = a["metadata"]["id"].as_str().unwrap().to_string();
    let secret1 = t.h.webhook_secret();
    let (obj, _) = t.waiting_objective(&agent).await;
    t.wait_for(|| async { (got.lock().unwrap().len() >= 3).then_some(Value::Null) }).await;
    let first = got.lock().unwrap()[0].clone();
    assert_eq!(header(&first, "content-type"), "application/json");
    assert!(header(&first, "webhook-id").starts_with("msg_"));
    let ts: i64 = header(&first, "webhook-timestamp").parse().unwrap();
    assert_eq!(
        header(&first, "webhook-signature"),
        cadenya_server::sign_webhook(&secret1, header(&first, "webhook-id"), ts, first.body.as_bytes())
    );
    let env: Value = serde_json::from_str(&first.body).unwrap();
    cadenya_server::validate_schema("UnwrapWebhookEvent", &env).unwrap();
    assert_eq!(env["type"], "objective_event.user_message");
    assert_eq!(env["data"]["objective"]["id"], obj.as_str());
    let third: Value = serde_json::from_str(&got.lock().unwrap()[2].body).unwrap();
    assert_eq!(third["type"], "objective_event.tool_approval_requested");

    let d = t
        .wait_for(|| async {
            let d = t.ok("GET", &t.wp(&format!("/agents/{agent}/webhook_deliveries?objectiveId={obj}")), None).await;
            (d["items"].as_array().unwrap().len() >= 3).then_some(d)
        })
        .await;
    let item = &d["items"][0]["data"];
    assert_eq!(item["status"], "WEBHOOK_DELIVERY_STATUS_COMPLETED");
    assert_eq!(item["httpStatusCode"], 200);
    assert_eq!(item["eventType"], "OBJECTIVE_EVENT_TYPE_USER_MESSAGE");
    cadenya_server::validate_response("agents.webhook_deliveries.list", &d).unwrap();

    // Rotation: the account shows the new secret and new deliveries use it.
    let r = t.ok("POST", "/v1/account/rotate_webhook_signing_key", None).await;
    let secret2 = r["webhookEventsHmacSecret"].as_str().unwrap().to_string();
    assert!(secret2.starts_with("whsec_"));
    assert_ne!(secret1, secret2);
    assert_eq!(t.h.webhook_secret(), secret2);
    let acct = t.ok("GET", "/v1/account", None).await;
    assert_eq!(acct["info"]["webhookEventsHmacSecret"], secret2.as_str());
    let before = got.lock().unwrap().len();
    t.ok("POST", &t.wp(&format!("/objectives/{obj}/cancel")), Some(json!({}))).await;
    t.wait_for(|| async { (got.lock().unwrap().len() > before).then_some(Value::Null) }).await;
    let last = got.lock().unwrap()[before].clone();
    let ts: i64 = header(&last, "webhook-timestamp").parse().unwrap();
    assert_eq!(
        header(&last, "webhook-signature"),
        cadenya_server::sign_webhook(&secret2, header(&last, "webhook-id"), ts, last.body.as_bytes())
    );
}
