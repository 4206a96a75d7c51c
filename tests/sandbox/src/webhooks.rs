//! Webhook deliveries: each event goes to every configured endpoint, signed
//! with the Standard Webhooks headers when a secret is set, retried with
//! backoff when the endpoint fails, and — when asked — sometimes delivered
//! twice and late, so that receivers can test their deduplication.

use std::sync::Arc;
use std::time::Duration;

use antonnia_core::WebhookSecret;
use tokio::sync::{mpsc, watch};

use crate::ids::{Random, now};
use crate::wire::Event;

/// Events waiting for one endpoint beyond this many are dropped, with a log line.
const QUEUE_CAPACITY: usize = 10_000;

/// How a delivery is attempted.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryPolicy {
    pub(crate) attempts: u32,
    pub(crate) time_scale: f64,
    pub(crate) duplicate_fraction: f64,
}

/// One serialized event.
#[derive(Debug, Clone)]
struct Outgoing {
    id: String,
    body: Arc<[u8]>,
}

/// Sends events to the configured endpoints.
#[derive(Debug)]
pub(crate) struct WebhookDispatcher {
    endpoints: Vec<Endpoint>,
    policy: DeliveryPolicy,
    random: Arc<Random>,
    shutdown: watch::Receiver<bool>,
}

#[derive(Debug)]
struct Endpoint {
    queue: mpsc::Sender<Outgoing>,
    sender: Arc<Sender>,
}

/// What a delivery needs besides the event.
#[derive(Debug)]
struct Sender {
    client: reqwest::Client,
    url: String,
    secret: Option<WebhookSecret>,
    policy: DeliveryPolicy,
    shutdown: watch::Receiver<bool>,
}

impl WebhookDispatcher {
    /// Starts one delivery worker per endpoint (on the current tokio runtime).
    pub(crate) fn start(
        urls: &[String],
        secret: Option<WebhookSecret>,
        policy: DeliveryPolicy,
        random: Arc<Random>,
        shutdown: watch::Receiver<bool>,
    ) -> WebhookDispatcher {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("antonnia-sandbox/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        let endpoints = urls
            .iter()
            .map(|url| {
                let (queue, mut receiver) = mpsc::channel::<Outgoing>(QUEUE_CAPACITY);
                let sender = Arc::new(Sender {
                    client: client.clone(),
                    url: url.clone(),
                    secret: secret.clone(),
                    policy: policy.clone(),
                    shutdown: shutdown.clone(),
                });
                let worker = sender.clone();
                // One worker per endpoint keeps its events in order (when no
                // duplicates are asked for) and retries each before the next.
                tokio::spawn(async move {
                    while let Some(event) = receiver.recv().await {
                        if !worker.deliver(&event).await {
                            break;
                        }
                    }
                });
                Endpoint { queue, sender }
            })
            .collect();
        WebhookDispatcher {
            endpoints,
            policy,
            random,
            shutdown,
        }
    }

    /// Queues an event for every endpoint.
    pub(crate) fn emit(&self, event: Event) {
        if self.endpoints.is_empty() {
            return;
        }
        let body = match serde_json::to_vec(&event) {
            Ok(body) => body,
            Err(e) => {
                eprintln!("antonnia-sandbox: could not serialize a webhook event: {e}");
                return;
            }
        };
        let outgoing = Outgoing {
            id: event.id,
            body: body.into(),
        };
        for endpoint in &self.endpoints {
            if self.policy.duplicate_fraction > 0.0
                && self.random.unit() < self.policy.duplicate_fraction
            {
                // The copy goes out on its own, late: after events emitted
                // after it, so the receiver sees it twice and out of order.
                let delay = Duration::from_millis(100 + (self.random.unit() * 300.0) as u64);
                let sender = endpoint.sender.clone();
                let copy = outgoing.clone();
                let mut shutdown = self.shutdown.clone();
                tokio::spawn(async move {
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => { sender.deliver(&copy).await; }
                        _ = shutdown.changed() => {}
                    }
                });
            }
            if endpoint.queue.try_send(outgoing.clone()).is_err() {
                eprintln!(
                    "antonnia-sandbox: webhook queue for {} is full ({QUEUE_CAPACITY} events); dropped event {}",
                    endpoint.sender.url, outgoing.id
                );
            }
        }
    }
}

impl Sender {
    /// Delivers one event with retries; `false` once the sandbox is stopping.
    async fn deliver(&self, event: &Outgoing) -> bool {
        let attempts = self.policy.attempts.max(1);
        for attempt in 1..=attempts {
            if *self.shutdown.borrow() {
                return false;
            }
            let failure = match self.attempt(event).await {
                Ok(()) => return true,
                Err(failure) => failure,
            };
            if attempt == attempts {
                eprintln!(
                    "antonnia-sandbox: webhook {} to {} failed {attempts} times, giving up: {failure}",
                    event.id, self.url
                );
                return true;
            }
            // 1 s, 2 s, 4 s, ... capped at 60 s, all times the time scale.
            let backoff = (2f64.powi(attempt as i32 - 1)).min(60.0) * self.policy.time_scale;
            eprintln!(
                "antonnia-sandbox: webhook {} to {} failed (attempt {attempt} of {attempts}: {failure}); retrying in {backoff:.3}s",
                event.id, self.url
            );
            let mut shutdown = self.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs_f64(backoff)) => {}
                _ = shutdown.changed() => return false,
            }
        }
        true
    }

    async fn attempt(&self, event: &Outgoing) -> Result<(), String> {
        let mut request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .header("webhook-id", &event.id);
        let timestamp = now().unix_seconds();
        request = request.header("webhook-timestamp", timestamp.to_string());
        if let Some(secret) = &self.secret {
            request = request.header(
                "webhook-signature",
                secret.sign(&event.id, timestamp, &event.body),
            );
        }
        let response = request
            .body(event.body.to_vec())
            .send()
            .await
            .map_err(|e| format!("{e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("HTTP {}", response.status().as_u16()))
        }
    }
}
