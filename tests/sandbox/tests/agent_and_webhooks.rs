//! The AI agent's debounce and the webhook deliveries: signed events the core
//! verifies, retries when the endpoint fails, duplicates when asked for.

use std::collections::HashMap;
use std::time::Duration;

use antonnia_core::channel::{DeliveryReport, outbound_message};
use antonnia_core::{EventPayload, MessageRole, WebhookEvent, WebhookReceiver};
use antonnia_sandbox::{CoreClient, Sandbox, SandboxConfig, WebhookInbox};
use serde_json::json;

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const WAIT: Duration = Duration::from_secs(5);

async fn start(
    inbox: &WebhookInbox,
    tweak: impl FnOnce(&mut SandboxConfig),
) -> (Sandbox, CoreClient) {
    let mut config = SandboxConfig {
        time_scale: 0.01,
        webhook_urls: vec![inbox.url().to_string()],
        webhook_secret: Some(SECRET.to_string()),
        ..SandboxConfig::default()
    };
    tweak(&mut config);
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let client = CoreClient::new(sandbox.base_url(), sandbox.token()).expect("client");
    (sandbox, client)
}

fn is_assistant_message(e: &WebhookEvent) -> bool {
    e.message()
        .is_some_and(|m| m.role == Some(MessageRole::Assistant))
}

#[tokio::test]
async fn quickstart_loop_with_signed_webhooks() {
    let inbox = WebhookInbox::start(WebhookReceiver::new(SECRET).unwrap())
        .await
        .unwrap();
    let (sandbox, client) = start(&inbox, |_| {}).await;
    let session = client
        .call_json(
            "sessions.create",
            json!({"contact_id": "user_123", "contact_name": "Jane Doe", "agent_id": "agent_abc",
                   "metadata": {"channel_type": "my_channel", "channel_user_id": "ext_user_456"}}),
        )
        .await
        .unwrap();
    let sid = session["id"].as_str().unwrap().to_string();

    let created = inbox.next(WAIT).await.expect("session.created delivered");
    let event = created.event.expect("signature verified by the core");
    assert!(matches!(event.payload, EventPayload::SessionCreated(ref s) if s.id == sid));
    for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert!(
            created.headers.iter().any(|(n, _)| n == header),
            "{header} missing"
        );
    }
    assert!(event.id.is_some() && event.created_at.is_some());

    client
        .call_json(
            "messages.create",
            json!({"session_id": sid, "content": {"type": "text", "text": "Hello, I need help with my order"},
                   "provider_message_id": "ext_msg_001"}),
        )
        .await
        .unwrap();
    let user = inbox.next(WAIT).await.unwrap().event.unwrap();
    assert_eq!(user.message().unwrap().role, Some(MessageRole::User));
    assert!(
        outbound_message(&user).is_none(),
        "a user's own message is not delivered back"
    );

    client
        .call_json(
            "sessions.reply",
            json!({"session_id": sid, "debounce_time": 3}),
        )
        .await
        .unwrap();
    let answer = inbox
        .next_matching(WAIT, is_assistant_message)
        .await
        .expect("the AI answered");
    let message = outbound_message(&answer)
        .expect("pending assistant text is outbound")
        .clone();
    assert!(
        serde_json::to_string(&message.content)
            .unwrap()
            .contains("Hello, I need help with my order"),
        "{message:?}"
    );

    let update = DeliveryReport::sent("ext_msg_002")
        .for_message(&message)
        .unwrap();
    let sent = client.call(&update).await.unwrap();
    assert_eq!(sent.delivery_status.as_str(), "sent");
    assert_eq!(sent.provider_message_id.as_deref(), Some("ext_msg_002"));

    client
        .call_json(
            "sessions.transfer",
            json!({"session_id": sid, "agent_id": null}),
        )
        .await
        .unwrap();
    client
        .call_json("sessions.finish", json!({"session_id": sid}))
        .await
        .unwrap();
    let transferred = inbox
        .next_matching(WAIT, |e| e.event_type() == "session.transferred")
        .await
        .expect("session.transferred delivered");
    assert!(transferred.session().unwrap().agent.is_none());
    let finished = inbox
        .next_matching(WAIT, |e| e.event_type() == "session.finished")
        .await
        .expect("session.finished delivered");
    assert_eq!(
        finished
            .session()
            .unwrap()
            .status
            .as_ref()
            .map(|s| s.as_str()),
        Some("closed")
    );
    sandbox.stop().await;
    inbox.stop().await;
}

#[tokio::test]
async fn three_quick_replies_give_one_answer_quoting_every_message() {
    let inbox = WebhookInbox::start(WebhookReceiver::new(SECRET).unwrap())
        .await
        .unwrap();
    let (sandbox, client) = start(&inbox, |c| c.time_scale = 0.05).await;
    let session = client
        .call_json(
            "sessions.create",
            json!({"contact_id": "c", "contact_name": "Jane"}),
        )
        .await
        .unwrap();
    let sid = session["id"].as_str().unwrap().to_string();
    for text in ["one", "two", "three"] {
        client
            .call_json(
                "messages.create",
                json!({"session_id": sid, "content": {"type": "text", "text": text}}),
            )
            .await
            .unwrap();
        // 2 s of sandbox time (0.1 s here): each reply restarts the timer.
        client
            .call_json(
                "sessions.reply",
                json!({"session_id": sid, "debounce_time": 2}),
            )
            .await
            .unwrap();
    }
    let answer = inbox
        .next_matching(WAIT, is_assistant_message)
        .await
        .expect("one answer");
    let text = serde_json::to_string(&answer.message().unwrap().content).unwrap();
    for quoted in ["one", "two", "three"] {
        assert!(text.contains(quoted), "{text}");
    }
    // Well past every timer: still exactly one assistant message.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let assistants = client
        .call_json(
            "messages.search",
            json!({"session_id": sid, "role": "assistant"}),
        )
        .await
        .unwrap();
    assert_eq!(assistants.as_array().unwrap().len(), 1, "{assistants}");
    assert!(
        inbox
            .next_matching(Duration::from_millis(100), is_assistant_message)
            .await
            .is_none()
    );
    sandbox.stop().await;
    inbox.stop().await;
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_event_id() {
    let inbox = WebhookInbox::start(WebhookReceiver::new(SECRET).unwrap())
        .await
        .unwrap();
    inbox.fail_next(2);
    let (sandbox, client) = start(&inbox, |_| {}).await;
    client
        .call_json(
            "sessions.create",
            json!({"contact_id": "c", "contact_name": "n"}),
        )
        .await
        .unwrap();
    let delivered = inbox
        .next(WAIT)
        .await
        .expect("delivered on the third attempt");
    assert_eq!(inbox.received(), 3, "two failures, then success");
    assert!(delivered.event.is_ok(), "re-signed correctly on retry");
    sandbox.stop().await;
    inbox.stop().await;
}

#[tokio::test]
async fn a_wrong_secret_is_caught_by_the_receiver() {
    let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let inbox = WebhookInbox::start(WebhookReceiver::new(other).unwrap())
        .await
        .unwrap();
    let (sandbox, client) = start(&inbox, |c| c.webhook_attempts = 1).await;
    client
        .call_json(
            "sessions.create",
            json!({"contact_id": "c", "contact_name": "n"}),
        )
        .await
        .unwrap();
    let delivery = inbox.next(WAIT).await.unwrap();
    assert!(delivery.event.unwrap_err().contains("signature"));
    sandbox.stop().await;
    inbox.stop().await;
}

#[tokio::test]
async fn duplicate_webhooks_arrive_twice_and_out_of_order() {
    let inbox = WebhookInbox::start(WebhookReceiver::unverified())
        .await
        .unwrap();
    let (sandbox, client) = start(&inbox, |c| {
        c.webhook_secret = None;
        c.duplicate_webhooks = 1.0;
    })
    .await;
    for i in 0..5 {
        client
            .call_json(
                "sessions.create",
                json!({"contact_id": format!("c{i}"), "contact_name": "n"}),
            )
            .await
            .unwrap();
    }
    let mut order = vec![];
    while let Some(delivery) = inbox.next(Duration::from_secs(2)).await {
        order.push(delivery.event.unwrap().id.unwrap());
        if order.len() == 10 {
            break;
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for id in &order {
        *counts.entry(id).or_default() += 1;
    }
    assert_eq!(counts.len(), 5);
    assert!(counts.values().all(|&n| n == 2), "{order:?}");
    // The five originals come first (in order); the late copies after them.
    let first_five: std::collections::HashSet<_> = order[..5].iter().collect();
    assert_eq!(
        first_five.len(),
        5,
        "copies arrive after later events: {order:?}"
    );
    sandbox.stop().await;
    inbox.stop().await;
}
