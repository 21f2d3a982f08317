//! Standard Webhooks signing and delivery of objective events.
//!
//! Deliveries run on one worker task per server, in event order, off the
//! request path. Each attempt (at most `MAX_ATTEMPTS`, 5 s timeout each) is
//! recorded as a WebhookDelivery under the agent.

use crate::app::Shared;
use crate::util::{new_id, now_ms, now_secs, rfc3339_from_ms};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::{Arc, Weak};
use tokio::sync::mpsc;

pub const MAX_ATTEMPTS: u32 = 3;

/// The `webhook-signature` header value (`v1,<base64>`) for one message:
/// HMAC-SHA256 over `{msg_id}.{timestamp}.{body}` keyed with the base64-decoded
/// secret (an optional `whsec_` prefix is stripped first).
pub fn sign_webhook(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let raw = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = b64.decode(raw).unwrap_or_else(|_| raw.as_bytes().to_vec());
    let mut content = format!("{msg_id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    let sig = match <Hmac<Sha256> as Mac>::new_from_slice(&key) {
        Ok(mut mac) => {
            mac.update(&content);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    };
    format!("v1,{}", b64.encode(sig))
}

/// One event to deliver.
#[derive(Debug, Clone)]
pub struct Job {
    pub ws: String,
    pub agent_id: String,
    pub url: String,
    pub objective_id: String,
    pub event_id: String,
    /// `OBJECTIVE_EVENT_TYPE_*`.
    pub event_type: String,
    /// The UnwrapWebhookEvent envelope.
    pub envelope: Value,
}

/// Runs until the sender side is dropped or the server goes away.
pub async fn worker(shared: Weak<Shared>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(job) = rx.recv().await {
        let Some(shared) = shared.upgrade() else { return };
        deliver(&shared, job).await;
    }
}

async fn deliver(shared: &Arc<Shared>, job: Job) {
    let msg_id = new_id("msg");
    let body = serde_json::to_vec(&job.envelope).unwrap_or_default();
    for attempt in 1..=MAX_ATTEMPTS {
        let secret = shared.state().webhook_secret.clone();
        let ts = now_secs();
        let sig = sign_webhook(&secret, &msg_id, ts, &body);
        let started = now_ms();
        let res = shared
            .http
            .post(&job.url)
            .header("webhook-id", &msg_id)
            .header("webhook-timestamp", ts.to_string())
            .header("webhook-signature", sig)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        let latency = now_ms().saturating_sub(started);
        let (code, headers, len, error, ok) = match res {
            Ok(r) => {
                let code = r.status().as_u16();
                let headers: serde_json::Map<String, Value> = r
                    .headers()
                    .iter()
                    .map(|(k, v)| (k.as_str().to_string(), json!(String::from_utf8_lossy(v.as_bytes()))))
                    .collect();
                let bytes = r.bytes().await.map(|b| b.len()).unwrap_or(0);
                let ok = (200..300).contains(&code);
                let err = if ok { None } else { Some(format!("receiver answered {code}")) };
                (code, headers, bytes, err, ok)
            }
            Err(e) => (0, Default::default(), 0, Some(e.to_string()), false),
        };
        let status = if ok {
            "WEBHOOK_DELIVERY_STATUS_COMPLETED"
        } else if attempt < MAX_ATTEMPTS {
            "WEBHOOK_DELIVERY_STATUS_PENDING"
        } else {
            "WEBHOOK_DELIVERY_STATUS_FAILED"
        };
        {
            let mut st = shared.state();
            let owner = st.owner_profile_id.clone();
            let meta = st.op_meta("whd", &job.ws, &owner, None);
            let id = meta["id"].as_str().unwrap_or_default().to_string();
            let mut data = json!({
                "agentId": job.agent_id,
                "attemptCount": attempt,
                "eventType": job.event_type,
                "httpStatusCode": code,
                "lastAttemptAt": rfc3339_from_ms(started),
                "latencyMs": latency,
                "objectiveEventId": job.event_id,
                "objectiveId": job.objective_id,
                "responseContentLength": len.to_string(),
                "responseHeaders": headers,
                "status": status,
                "webhookId": msg_id,
                "webhookUrl": job.url,
            });
            if let Some(e) = error {
                data["errorMessage"] = json!(e);
            }
            // The agent may have been deleted meanwhile; then there is nothing to record under.
            if st.store.get("agent", Some(&job.ws), None, &job.agent_id).is_some() {
                st.store.insert(
                    "webhook_delivery",
                    Some(job.ws.clone()),
                    Some(job.agent_id.clone()),
                    id,
                    json!({"metadata": meta, "data": data}),
                );
            }
        }
        if ok {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100 * attempt as u64)).await;
    }
}
