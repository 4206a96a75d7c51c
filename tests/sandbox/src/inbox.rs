//! A local webhook endpoint: it receives the sandbox's deliveries, verifies
//! them with the core (when given the secret), and hands the events out in
//! arrival order. Used by the Quick Start demo and the sandbox's tests.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use antonnia_core::{Timestamp, WebhookEvent, WebhookReceiver};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tokio::sync::{Notify, watch};

/// One delivery as it arrived.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Its headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// Its raw body.
    pub body: Vec<u8>,
    /// The event, or why the core refused it (bad signature, bad body).
    pub event: Result<WebhookEvent, String>,
}

#[derive(Debug)]
struct Shared {
    receiver: WebhookReceiver,
    deliveries: Mutex<VecDeque<Delivery>>,
    arrived: Notify,
    /// Answer this many more deliveries with 500 (to exercise retries).
    fail_next: AtomicUsize,
    received: AtomicUsize,
}

/// A running webhook endpoint on 127.0.0.1.
#[derive(Debug)]
pub struct WebhookInbox {
    url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl WebhookInbox {
    /// Listens on a free loopback port; deliveries are verified with `receiver`.
    pub async fn start(receiver: WebhookReceiver) -> std::io::Result<WebhookInbox> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/webhooks", listener.local_addr()?);
        let shared = Arc::new(Shared {
            receiver,
            deliveries: Mutex::new(VecDeque::new()),
            arrived: Notify::new(),
            fail_next: AtomicUsize::new(0),
            received: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/webhooks", post(accept))
            .with_state(shared.clone());
        let (stop, mut stopping) = watch::channel(false);
        let server = tokio::spawn(async move {
            let graceful = async move {
                let _ = stopping.wait_for(|s| *s).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(graceful)
                .await;
        });
        Ok(WebhookInbox {
            url,
            shared,
            stop,
            server,
        })
    }

    /// The URL to give the sandbox (`--webhook-url`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers the next `n` deliveries with 500, so the sender retries.
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_next.store(n, Ordering::SeqCst);
    }

    /// Deliveries received so far, failed ones included.
    pub fn received(&self) -> usize {
        self.shared.received.load(Ordering::SeqCst)
    }

    /// The next accepted delivery, waiting up to `timeout`.
    pub async fn next(&self, timeout: Duration) -> Option<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            if let Some(d) = self.lock().pop_front() {
                return Some(d);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.lock().pop_front();
            }
        }
    }

    /// The next accepted delivery whose event satisfies `wanted`, skipping others.
    pub async fn next_matching(
        &self,
        timeout: Duration,
        wanted: impl Fn(&WebhookEvent) -> bool,
    ) -> Option<WebhookEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let delivery = self.next(left).await?;
            if let Ok(event) = delivery.event {
                if wanted(&event) {
                    return Some(event);
                }
            }
        }
    }

    /// Stops listening.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Delivery>> {
        self.shared
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

async fn accept(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    shared.received.fetch_add(1, Ordering::SeqCst);
    let failing = shared
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let now =
        Timestamp::from_system_time(std::time::SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH);
    let event = shared
        .receiver
        .receive(&body, &headers, now)
        .map_err(|e| e.to_string());
    let status = if event.is_ok() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::BAD_REQUEST
    };
    shared
        .deliveries
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push_back(Delivery {
            headers,
            body: body.to_vec(),
            event,
        });
    shared.arrived.notify_waiters();
    status
}
