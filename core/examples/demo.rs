//! The Cadenya walkthrough, end to end against the embedded local server:
//! create an agent with a variation, start an objective, follow its events, approve the pending
//! tool call, receive the signed webhooks on a local receiver, verify and unwrap them.
//!
//! Run: `cargo run -p cadenya --example demo`

use cadenya::models::*;
use cadenya::objectives::{FollowOptions, WaitOptions};
use cadenya::params::*;
use cadenya::webhooks::WebhookEventType;
use cadenya::Client;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

type Demo<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// One webhook delivery as received: headers and the raw body.
struct Delivery {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("demo failed: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Demo<()> {
    let server = cadenya_server::spawn(cadenya_server::ServerConfig {
        step_delay: Duration::from_millis(120),
        ..Default::default()
    })
    .await?;
    println!("Cadenya demo · local server {} · workspace {}\n", server.base_url(), server.workspace_id());

    let client = Client::builder()
        .env_lookup(|_| None)
        .api_key(server.api_key())
        .base_url(server.base_url())
        .workspace_id(server.workspace_id())
        .build()?;

    // The account's webhook signing secret, as a user would read it from the API.
    let account = client.account().retrieve().await?;
    let secret = account.info.webhook_events_hmac_secret.ok_or("the account has no webhook signing secret")?;
    let (webhook_url, mut deliveries) = start_receiver().await?;
    println!("· webhook receiver listening on {webhook_url}");

    let agent = client
        .agents()
        .create(AgentsCreateParams {
            metadata: CreateResourceMetadata { name: "travel-helper".into(), ..Default::default() },
            spec: AgentSpec {
                status: AgentStatus::Published,
                variation_selection_mode: VariationSelectionMode::Random,
                description: Some("Answers travel questions, asks before calling tools".into()),
                webhook_events_url: Some(webhook_url.clone()),
                ..Default::default()
            },
            ..Default::default()
        })
        .await?;
    let variation = client
        .agents()
        .variations()
        .create(
            &agent.metadata.id,
            AgentsVariationsCreateParams {
                metadata: CreateResourceMetadata { name: "concise".into(), ..Default::default() },
                spec: AgentVariationSpec { prompt: Some("Be brief and precise.".into()), ..Default::default() },
            },
        )
        .await?;
    println!(
        "✓ agent {:?} ({}) with variation {:?} ({})",
        agent.metadata.name, agent.metadata.id, variation.metadata.name, variation.metadata.id
    );

    let question = "What's the weather in Lisbon tomorrow?";
    let objective = client
        .objectives()
        .create(ObjectivesCreateParams {
            agent_id: agent.metadata.id.clone(),
            variation_id: Some(variation.metadata.id.clone()),
            data: ObjectiveData { initial_message: Some(question.into()), ..Default::default() },
            ..Default::default()
        })
        .await?;
    let objective_id = objective.metadata.id.clone();
    println!("✓ objective {objective_id} started\n");

    // Follow the events as they happen (each once, in order); approve the tool call when asked.
    let mut follower = client.objectives().event_follower(&objective_id, FollowOptions::default());
    let mut expected = 0;
    while let Some(event) = follower.next().await? {
        expected += 1;
        println!("  {}", describe(&event.data));
        if let Some(call_id) = event.data.tool_approval_requested.as_ref().and_then(|t| t.tool_call_id.clone()) {
            let calls = client.objectives().tool_calls().list(&objective_id, Default::default()).await?;
            let call = calls.items.iter().find(|c| c.metadata.id == call_id);
            let tool_name = call.and_then(|c| c.data.callable.tool.as_ref()).map_or("tool", |t| t.name.as_str());
            println!("\n✓ approving tool call {call_id} ({tool_name})\n");
            client.objectives().tool_calls().approve(&objective_id, &call_id).await?;
        }
    }
    let done = client.objectives().wait(&objective_id, WaitOptions::default().timeout(Duration::from_secs(30))).await?;
    if done.status.state != ObjectiveStatusState::Finalized {
        return Err(format!("the objective ended in {}", done.status.state.as_str()).into());
    }

    // Every event is also delivered as a signed webhook: verify and unwrap each one.
    let verifier = client.webhooks().verifier(Some(&secret))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut verified = 0;
    println!("\nWebhooks (Standard Webhooks, HMAC-SHA256):");
    while verified < expected && Instant::now() < deadline {
        let Ok(Some(delivery)) = tokio::time::timeout(Duration::from_secs(2), deliveries.recv()).await else { break };
        let event = verifier.unwrap(&delivery.body, &delivery.headers)?;
        let kind = WebhookEventType::from(event.r#type.as_str());
        let id = delivery.headers.iter().find(|(k, _)| k == "webhook-id").map(|(_, v)| v.as_str()).unwrap_or("?");
        println!("  ✓ verified {:<42} {id}", kind.as_str());
        verified += 1;
    }
    // A forged delivery (fresh timestamp, made-up signature) is refused.
    let forged = b"{\"type\":\"objective_event.finalized\"}";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs().to_string();
    let fake_sig = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=";
    let refused = verifier.verify(
        forged,
        [("webhook-id", "msg_forged"), ("webhook-timestamp", now.as_str()), ("webhook-signature", fake_sig)],
    );
    println!("  ✗ forged delivery refused: {}", refused.err().map(|e| e.to_string()).unwrap_or_default());

    let deliveries_log = client
        .agents()
        .webhook_deliveries()
        .list(&agent.metadata.id, AgentsWebhookDeliveriesListParams::default())
        .await?;
    println!(
        "\nDone: {} events, {verified} webhooks verified, {} delivery records on the agent.",
        expected,
        deliveries_log.items.len()
    );
    if verified < expected {
        return Err(format!("only {verified} of {expected} webhooks arrived").into());
    }
    Ok(())
}

fn describe(d: &ObjectiveEventData) -> String {
    if let Some(m) = &d.user_message {
        return format!("[user]      {}", m.content.as_deref().unwrap_or(""));
    }
    if let Some(m) = &d.assistant_message {
        return format!("[assistant] {}", m.content.as_deref().unwrap_or(""));
    }
    if let Some(t) = &d.tool_approval_requested {
        return format!("[tool]      approval requested for call {}", t.tool_call_id.as_deref().unwrap_or("?"));
    }
    if d.tool_approved.is_some() {
        return "[tool]      approved".into();
    }
    if d.tool_called.is_some() {
        return "[tool]      called".into();
    }
    if d.tool_result.is_some() {
        return "[tool]      result received".into();
    }
    if d.finalized.is_some() {
        return "[done]      objective finalized".into();
    }
    format!("[event]     {}", d.r#type.as_deref().unwrap_or("?"))
}

/// A minimal HTTP/1.1 receiver on loopback: every POST body with its headers goes to the channel.
async fn start_receiver() -> Demo<(String, mpsc::Receiver<Delivery>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks", listener.local_addr()?);
    let (tx, rx) = mpsc::channel(256);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                // Keep-alive: several deliveries may share one connection.
                loop {
                    let mut headers = Vec::new();
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':') {
                            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                        }
                    }
                    let len = headers
                        .iter()
                        .find(|(k, _)| k == "content-length")
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                        .unwrap_or(0)
                        .min(1 << 20);
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    if write.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.is_err() {
                        return;
                    }
                    let _ = tx.send(Delivery { headers, body }).await;
                }
            });
        }
    });
    Ok((url, rx))
}
