//! # antonnia-sandbox
//!
//! A local, stateful, in-memory server that behaves like the Antonnia
//! Conversations API: every endpoint of the contract, FastAPI-style errors, an
//! AI agent that answers after a debounce, webhooks signed the Standard
//! Webhooks way, and fault injection for retry tests. Think stripe-mock, but
//! with state. It is a binary (`antonnia-sandbox --port 0`) and a library that
//! Rust tests start in-process:
//!
//! ```no_run
//! # async fn demo() -> Result<(), antonnia_sandbox::SandboxError> {
//! use antonnia_sandbox::{Sandbox, SandboxConfig};
//!
//! let sandbox = Sandbox::start(SandboxConfig { time_scale: 0.01, ..SandboxConfig::default() }).await?;
//! println!("{}", sandbox.base_url()); // http://127.0.0.1:<port>/conversations/v2/api/v1
//! sandbox.stop().await;
//! # Ok(()) }
//! ```
//!
//! What it keeps is bounded by [`Limits`]; past them the oldest sessions (or a
//! session's oldest messages) are forgotten first.
//!
//! It is a witness of the wire format, not a copy of the SDK: everything it
//! keeps and sends uses its own types, written from the API contract. The
//! core appears only where the sandbox is a client ([`CoreClient`],
//! [`WebhookInbox`]) and for the webhook secret that signs deliveries.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod ai;
mod api;
pub mod cli;
pub mod client;
mod faults;
mod ids;
pub mod inbox;
mod store;
mod validate;
mod webhooks;
mod wire;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use antonnia_core::WebhookSecret;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use client::CoreClient;
pub use faults::FAIL_HEADER;
pub use inbox::{Delivery, WebhookInbox};
pub use store::Limits;

use crate::faults::FaultCounters;
use crate::ids::{IdGenerator, Random};
use crate::store::Store;
use crate::webhooks::{DeliveryPolicy, WebhookDispatcher};
use crate::wire::{Agent, AgentKind, Event, Payload, Time};

/// The token the sandbox accepts unless told otherwise.
pub const DEFAULT_TOKEN: &str = "sk_test_sandbox";

/// The path the API is served under unless told otherwise (as in production).
pub const DEFAULT_PATH_PREFIX: &str = "/conversations/v2/api/v1";

/// The AI agent every sandbox starts with (the Quick Start's `agent_abc`).
pub const SEEDED_AGENT_ID: &str = "agent_abc";

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The organization every resource belongs to.
pub(crate) const ORGANIZATION_ID: &str = "org_sandbox";

/// How a sandbox behaves.
#[derive(Clone)]
pub struct SandboxConfig {
    /// The address to listen on (default 127.0.0.1).
    pub host: IpAddr,
    /// The port (default 0: any free port).
    pub port: u16,
    /// The bearer token requests must carry.
    pub token: String,
    /// The path the API is served under (`""` for the root).
    pub path_prefix: String,
    /// Multiplies every delay: debounce timers, schedules, webhook retry
    /// backoff (tests use 0.01).
    pub time_scale: f64,
    /// Endpoints that receive every event (plain `http://` only).
    pub webhook_urls: Vec<String>,
    /// When set (`whsec_...`), deliveries carry Standard Webhooks signatures.
    pub webhook_secret: Option<String>,
    /// The fraction (0..=1) of events delivered twice and out of order.
    pub duplicate_webhooks: f64,
    /// Attempts per delivery before giving up (default 5).
    pub webhook_attempts: u32,
    /// Seeds ids and the duplicate draw, for reproducible runs.
    pub seed: u64,
    /// Caps on what is kept in memory.
    pub limits: Limits,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            token: DEFAULT_TOKEN.to_string(),
            path_prefix: DEFAULT_PATH_PREFIX.to_string(),
            time_scale: 1.0,
            webhook_urls: Vec::new(),
            webhook_secret: None,
            duplicate_webhooks: 0.0,
            webhook_attempts: 5,
            seed: 0,
            limits: Limits::default(),
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &"[redacted]")
            .field("path_prefix", &self.path_prefix)
            .field("time_scale", &self.time_scale)
            .field("webhook_urls", &self.webhook_urls)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("duplicate_webhooks", &self.duplicate_webhooks)
            .field("webhook_attempts", &self.webhook_attempts)
            .field("seed", &self.seed)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Why a sandbox could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum SandboxError {
    /// A setting is out of range; the message names it.
    InvalidConfig(String),
    /// The address could not be bound.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl fmt::Display for SandboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SandboxError::InvalidConfig(message) => write!(f, "invalid sandbox setting: {message}"),
            SandboxError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
        }
    }
}

impl std::error::Error for SandboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SandboxError::Bind { source, .. } => Some(source),
            SandboxError::InvalidConfig(_) => None,
        }
    }
}

impl SandboxConfig {
    /// Checks every setting, naming the first bad one.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let bad = |m: String| Err(SandboxError::InvalidConfig(m));
        if antonnia_core::Token::new(self.token.clone()).is_err() {
            return bad("token: must be non-empty printable ASCII without spaces".into());
        }
        if !(self.time_scale.is_finite() && self.time_scale >= 0.0 && self.time_scale <= 1000.0) {
            return bad(format!(
                "time scale: must be a number from 0 to 1000, got {}",
                self.time_scale
            ));
        }
        if !(0.0..=1.0).contains(&self.duplicate_webhooks) {
            return bad(format!(
                "duplicate webhooks: must be a fraction from 0 to 1, got {}",
                self.duplicate_webhooks
            ));
        }
        if self.webhook_attempts == 0 || self.webhook_attempts > 100 {
            return bad(format!(
                "webhook attempts: must be 1..=100, got {}",
                self.webhook_attempts
            ));
        }
        if !self.path_prefix.is_empty()
            && (!self.path_prefix.starts_with('/') || self.path_prefix.ends_with('/'))
        {
            return bad(format!(
                "path prefix: must start with '/' and not end with one (or be empty), got {:?}",
                self.path_prefix
            ));
        }
        for url in &self.webhook_urls {
            match reqwest::Url::parse(url) {
                Ok(parsed) if parsed.scheme() == "http" && parsed.host().is_some() => {}
                Ok(_) => {
                    return bad(format!(
                        "webhook URL {url:?}: the sandbox delivers over plain http:// only"
                    ));
                }
                Err(e) => return bad(format!("webhook URL {url:?}: {e}")),
            }
        }
        if let Some(secret) = &self.webhook_secret {
            if WebhookSecret::new(secret).is_err() {
                return bad("webhook secret: expected whsec_ followed by base64".into());
            }
        }
        let l = &self.limits;
        if l.max_sessions == 0 || l.max_messages_per_session == 0 || l.max_agents == 0 {
            return bad("limits: every cap must be at least 1".into());
        }
        Ok(())
    }
}

/// What every handler and timer shares.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: SandboxConfig,
    store: Mutex<Store>,
    pub(crate) ids: IdGenerator,
    faults: Mutex<FaultCounters>,
    pub(crate) webhooks: WebhookDispatcher,
    shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// The store. A handler that panicked mid-update cannot poison the
    /// sandbox for every later request: the lock is taken back as is.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn faults(&self) -> MutexGuard<'_, FaultCounters> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps for `seconds` of sandbox time (scaled); `false` if the sandbox
    /// stopped meanwhile.
    pub(crate) async fn sleep(&self, seconds: f64) -> bool {
        let scaled = (seconds * self.config.time_scale).clamp(0.0, 86_400.0);
        let mut shutdown = self.shutdown.clone();
        if *shutdown.borrow() {
            return false;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs_f64(scaled)) => true,
            _ = shutdown.changed() => false,
        }
    }

    /// Sends an event to the webhook endpoints, with a fresh id and time.
    pub(crate) fn emit(&self, payload: Payload) {
        self.webhooks
            .emit(Event::new(self.ids.next("evt"), ids::now(), payload));
    }
}

/// A running sandbox. Stop it with [`Sandbox::stop`]; dropping it without
/// stopping leaves the server running until its runtime ends.
#[derive(Debug)]
pub struct Sandbox {
    local_addr: SocketAddr,
    base_url: String,
    token: String,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

impl Sandbox {
    /// Binds, starts serving on the current tokio runtime, and returns once
    /// the port accepts connections.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        config.validate()?;
        let addr = SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let random = Arc::new(Random::new(config.seed));
        let secret = config
            .webhook_secret
            .as_deref()
            .and_then(|s| WebhookSecret::new(s).ok());
        let webhooks = WebhookDispatcher::start(
            &config.webhook_urls,
            secret,
            DeliveryPolicy {
                attempts: config.webhook_attempts,
                time_scale: config.time_scale,
                duplicate_fraction: config.duplicate_webhooks,
            },
            random,
            shutdown_rx.clone(),
        );
        let store = Store::new(config.limits, vec![seeded_agent()]);
        let host = match config.host {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        let base_url = format!("http://{host}:{}{}", local_addr.port(), config.path_prefix);
        let token = config.token.clone();
        let state = Arc::new(AppState {
            ids: IdGenerator::new(config.seed),
            config,
            store: Mutex::new(store),
            faults: Mutex::new(FaultCounters::default()),
            webhooks,
            shutdown: shutdown_rx.clone(),
        });
        let router = api::router(state);
        let mut stop = shutdown_rx;
        let server = tokio::spawn(async move {
            let graceful = async move {
                let _ = stop.wait_for(|stopping| *stopping).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(graceful)
                .await
            {
                eprintln!("antonnia-sandbox: server error: {e}");
            }
        });
        Ok(Sandbox {
            local_addr,
            base_url,
            token,
            shutdown: shutdown_tx,
            server,
        })
    }

    /// The URL clients use as their base URL, e.g.
    /// `http://127.0.0.1:43123/conversations/v2/api/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bearer token it accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stops accepting requests, cancels pending timers and deliveries, and
    /// waits for requests in flight to finish.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.server.await;
    }
}

/// The Quick Start's agent: `agent_abc`, an AI agent named "Support Bot".
fn seeded_agent() -> Agent {
    Agent {
        id: SEEDED_AGENT_ID.to_string(),
        kind: AgentKind::Ai {
            assistant_id: "asst_sandbox".to_string(),
        },
        organization_id: ORGANIZATION_ID.to_string(),
        name: "Support Bot".to_string(),
        // 2025-01-01T00:00:00Z
        created_at: Time::from_unix(1_735_689_600, 0).unwrap_or_else(Time::now),
    }
}
