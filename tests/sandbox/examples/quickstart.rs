//! The Quick Start end to end, in Rust over the core: create a session, send
//! the user's message, ask the AI to reply, receive the `message.created`
//! webhook, deliver it, report the delivery.
//!
//! Without `ANTONNIA_TOKEN` it starts a local sandbox and a webhook receiver
//! in this process. With `ANTONNIA_TOKEN` (and optionally `ANTONNIA_BASE_URL`)
//! it talks to the real API; the real service sends its webhooks to the
//! endpoint configured for your organization, so the answer is read back with
//! a message search instead.
//!
//! Run: `cargo run -p antonnia-sandbox --example quickstart`

use std::collections::HashSet;
use std::time::{Duration, Instant};

use antonnia_core::channel::{DeliveryReport, outbound_message};
use antonnia_core::ops::{CreateMessage, CreateSession, ReplySession, SearchMessages};
use antonnia_core::{
    DEFAULT_BASE_URL, Error, Message, MessageContent, MessageRole, WebhookReceiver, WebhookSecret,
};
use antonnia_sandbox::{CoreClient, Sandbox, SandboxConfig, WebhookInbox};
use serde_json::json;

const DEBOUNCE_SECONDS: i64 = 3;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::var("ANTONNIA_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
    {
        Some(token) => {
            let base_url =
                std::env::var("ANTONNIA_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_string());
            println!("Antonnia Quick Start against {base_url}\n");
            let client = CoreClient::new(&base_url, &token)?;
            run(&client, None).await?;
        }
        None => {
            // A fresh signing secret for this run: the receiver verifies every delivery.
            let secret = WebhookSecret::from_bytes(&random_bytes())?.to_whsec();
            let inbox = WebhookInbox::start(WebhookReceiver::new(&secret)?).await?;
            let sandbox = Sandbox::start(SandboxConfig {
                webhook_urls: vec![inbox.url().to_string()],
                webhook_secret: Some(secret),
                ..SandboxConfig::default()
            })
            .await?;
            println!(
                "Antonnia Quick Start against the local sandbox at {}",
                sandbox.base_url()
            );
            println!(
                "(webhooks go to {}; set ANTONNIA_TOKEN to use the real API)\n",
                inbox.url()
            );
            let client = CoreClient::new(sandbox.base_url(), sandbox.token())?;
            let outcome = run(&client, Some(&inbox)).await;
            sandbox.stop().await;
            inbox.stop().await;
            outcome?;
        }
    }
    println!("\nDone: the Quick Start ran end to end.");
    Ok(())
}

async fn run(
    client: &CoreClient,
    inbox: Option<&WebhookInbox>,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("1. Create a session for the channel's user          POST /sessions");
    let metadata = json!({"channel_type": "my_channel", "channel_user_id": "ext_user_456"});
    let session = client
        .call(&CreateSession {
            contact_id: "user_123".into(),
            contact_name: "Jane Doe".into(),
            agent_id: Some("agent_abc".into()),
            status: None,
            metadata: metadata.as_object().cloned(),
        })
        .await?;
    println!(
        "   -> {} (status {}, agent {})",
        session.id,
        session.status.as_ref().map_or("?", |s| s.as_str()),
        session
            .agent
            .as_ref()
            .and_then(|a| a.name.as_deref())
            .unwrap_or("none"),
    );

    println!(
        "2. Record the user's message                         POST /sessions/{}/messages",
        session.id
    );
    let user_message = client
        .call(&CreateMessage {
            session_id: session.id.clone(),
            content: MessageContent::text("Hello, I need help with my order"),
            role: MessageRole::User,
            provider_message_id: Some(format!("ext_msg_{}", std::process::id())),
            replied_provider_message_id: None,
            run_id: None,
        })
        .await?;
    println!(
        "   -> {} \"Hello, I need help with my order\"",
        user_message.id
    );

    println!(
        "3. Ask the AI to reply (debounce {DEBOUNCE_SECONDS} s)                POST /sessions/{}/reply",
        session.id
    );
    client
        .call(&ReplySession {
            session_id: session.id.clone(),
            debounce_time: Some(DEBOUNCE_SECONDS),
            starting_node_id: None,
        })
        .await?;

    println!("4. Wait for the assistant's message.created webhook");
    let answer = match inbox {
        Some(inbox) => receive_answer(inbox, &session.id).await?,
        None => poll_answer(client, &session.id).await?,
    };
    println!(
        "   -> {} from the assistant, delivery_status {}:",
        answer.id,
        answer.delivery_status.as_str()
    );
    println!("      \"{}\"", text_of(&answer.content));

    println!(
        "5. Deliver it on the channel                         -> {} on {}",
        session.channel_user_id().unwrap_or("?"),
        session.channel_type().unwrap_or("?"),
    );
    let provider_id = format!("ext_msg_{}_reply", std::process::id());

    println!(
        "6. Report the delivery                               PATCH /sessions/{}/messages/{}",
        session.id, answer.id
    );
    let report = DeliveryReport::sent(provider_id).for_message(&answer)?;
    let delivered = client.call(&report).await?;
    println!(
        "   -> delivery_status {}, provider_message_id {}",
        delivered.delivery_status.as_str(),
        delivered.provider_message_id.as_deref().unwrap_or("?")
    );
    Ok(())
}

/// Reads webhooks until the assistant's message for this session arrives,
/// delivering each message id at most once (webhooks can repeat).
async fn receive_answer(
    inbox: &WebhookInbox,
    session_id: &str,
) -> Result<Message, Box<dyn std::error::Error>> {
    let deadline = Instant::now() + Duration::from_secs(30 + DEBOUNCE_SECONDS as u64);
    let mut seen = HashSet::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let delivery = inbox
            .next(left)
            .await
            .ok_or("no webhook with the AI's answer arrived in time")?;
        let event = delivery
            .event
            .map_err(|e| format!("a webhook was refused: {e}"))?;
        println!(
            "   <- {} (signature verified){}",
            event.event_type(),
            event
                .message()
                .map(|m| format!(", role {}", m.role.as_ref().map_or("?", |r| r.as_str())))
                .unwrap_or_default()
        );
        if let Some(message) = outbound_message(&event) {
            if message.session_id.as_deref() == Some(session_id) && seen.insert(message.id.clone())
            {
                return Ok(message.clone());
            }
        }
    }
}

/// Against the real API the webhooks go to your organization's endpoint, so
/// the demo looks the answer up instead.
async fn poll_answer(client: &CoreClient, session_id: &str) -> Result<Message, Error> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found = client
            .call(&SearchMessages {
                session_id: Some(session_id.to_string()),
                role: Some(MessageRole::Assistant),
                ..SearchMessages::default()
            })
            .await?;
        if let Some(message) = found.into_iter().find(antonnia_core::channel::is_outbound) {
            println!(
                "   (read back with a message search: the real API sends webhooks to your configured endpoint)"
            );
            return Ok(message);
        }
        if Instant::now() > deadline {
            return Err(Error::timeout("the AI agent did not answer within 60 s"));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn text_of(content: &MessageContent) -> String {
    match content {
        MessageContent::Text(text) => text.text.clone(),
        other => format!("[{}]", other.content_type()),
    }
}

/// 24 bytes for the run's signing secret, from the OS's hash seed (no extra dependency).
fn random_bytes() -> [u8; 24] {
    use std::hash::{BuildHasher, RandomState};
    let mut bytes = [0u8; 24];
    for chunk in bytes.chunks_mut(8) {
        let n = RandomState::new().hash_one(Instant::now());
        chunk.copy_from_slice(&n.to_le_bytes()[..chunk.len()]);
    }
    bytes
}
