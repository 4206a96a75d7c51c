//! The webhook procedure as one sans-IO state machine: [`WebhookRun`].
//!
//! A webhook's assistant message (or a swept one, [`RunKind::Sweep`]) goes
//! through one sequence, whatever the host language: claim it; maybe sleep
//! and claim again, or fetch the session and store whose it is, or take
//! over an earlier message first; read the session's earlier pending
//! messages from the API and run each of them through the same sequence
//! first (strict order); verify a redelivery against the API; hand it to
//! the channel; report it; settle the claim. The decisions are this crate's
//! ([`on_claim`], [`on_verified`], [`on_delivered`]); this module owns the
//! sequence, so that a host (Python's `ChannelRelay`, Node's) only performs
//! the [`Effect`]s it yields, store calls, API calls and the user's
//! `deliver`, and hands back each one's [`Answer`].
//!
//! Driven like the core's `Exchange`: [`WebhookRun::next`] gives the first
//! effect, [`WebhookRun::resume`] takes an effect's answer and gives the
//! next one, until [`Effect::Done`] or [`Effect::Failed`]. [`RunDriver`] is
//! the same with JSON text in and out, for bindings.
//!
//! ```
//! use antonnia_relay::run::{Answer, Effect, RunConfig, RunKind, WebhookRun};
//! use serde_json::json;
//!
//! let message = r#"{"id":"m1","session_id":"s1","role":"assistant","content":{"type":"text","text":"hi"}}"#;
//! let mut run = WebhookRun::new(RunKind::Webhook, RunConfig::new("whatsapp"), "t0", "s1", message, 0).unwrap();
//! let Effect::Claim { .. } = run.next() else { panic!() };
//! // The store says the message is done already: a duplicate, answered 200.
//! let effect = run.resume(Answer::Claimed { result: json!({"result": "done"}), waited_ms: 0 }).unwrap();
//! assert!(matches!(effect, Effect::Done { ref outcome, .. } if outcome == "duplicate"));
//! ```

pub mod driver;
pub mod inbound;
pub mod recover;

pub use driver::{RunDriver, Tally};

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use antonnia_core::channel::is_outbound_json;
use antonnia_core::error::Error;
use antonnia_core::stream::MessageText;

use crate::{
    ClaimResult, ContactRecord, Delivery, Keys, Outcome, RECORD_VERSION, SkipReason, WaitPolicy,
    WebhookResponse, WebhookStep, decode_record, encode_record, on_claim, on_delivered,
    on_verified, response_for,
};

/// How deep runs may nest (a take-over or an earlier message inside
/// another's run) before the webhook is answered "retry later": a bound on
/// the work one request does, as the hosts had it.
pub const MAX_DEPTH: u32 = 50;

/// Which procedure a run follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// A `message.created` webhook's assistant message.
    Webhook,
    /// A due entry of the recovery index ([`crate::SweepStep::Redeliver`]):
    /// the webhook's path, except that it never waits for a claim that is
    /// held (the sweep looks again later) and a store failure ends the run
    /// with [`Effect::Failed`] (the sweep stops, its entries stay).
    Sweep,
    /// A user message from the channel: [`crate::run::inbound::InboundRun`].
    Inbound,
    /// A sweep of the recovery index: [`crate::run::recover::RecoverRun`].
    Recover,
    /// A `session.finished` webhook: [`crate::run::recover::ForgetRun`].
    Forget,
}

/// The relay's settings a run needs (the host's constructor arguments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// The key prefix ([`crate::DEFAULT_PREFIX`] by default).
    pub prefix: String,
    /// The relay's channel type.
    pub channel_type: String,
    /// A claim's lease, ms (default 30 000).
    pub claim_lease_ms: u64,
    /// How long records live, ms (default 7 days).
    pub retention_ms: u64,
    /// Deliver the session's earlier pending messages first (default true).
    pub strict_order: bool,
    /// How far back an earlier message is held against this one, ms
    /// (default one hour).
    pub order_window_ms: i64,
    /// How long a webhook waits for a busy or earlier message.
    pub policy: WaitPolicy,
    /// A contact's lock lease, ms (default 30 000): how long a crashed
    /// `receive` keeps the contact's other messages waiting.
    pub lock_lease_ms: u64,
    /// How long `receive` waits for a contact's lock, ms (default 10 000).
    pub lock_wait_ms: u64,
    /// The reply's `debounce_time`, seconds (default 3).
    pub debounce: u64,
    /// The agent a new session gets (`None`: the organization's default).
    pub agent_id: Option<String>,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            prefix: crate::DEFAULT_PREFIX.to_string(),
            channel_type: String::new(),
            claim_lease_ms: 30_000,
            retention_ms: 7 * 24 * 3600 * 1000,
            strict_order: true,
            order_window_ms: 3600 * 1000,
            policy: WaitPolicy::default(),
            lock_lease_ms: 30_000,
            lock_wait_ms: 10_000,
            debounce: 3,
            agent_id: None,
        }
    }
}

impl RunConfig {
    /// The defaults, for a relay of `channel_type`.
    pub fn new(channel_type: &str) -> RunConfig {
        RunConfig {
            channel_type: channel_type.to_string(),
            ..RunConfig::default()
        }
    }
}

/// The claim operation's inputs ([`crate::CLAIM_LUA`]'s keys and arguments
/// by name, plus the recovery index entry the store writes beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimArgs {
    /// [`Keys::outbound`].
    pub outbound_key: String,
    /// [`Keys::queue`].
    pub queue_key: String,
    /// [`Keys::contact`].
    pub contact_key: String,
    /// The message's id.
    pub message_id: String,
    /// Its place in the session, Unix ms (0: first).
    pub created_at_ms: i64,
    /// The message as JSON text, stored so that any worker can deliver it.
    pub message_json: String,
    /// This claim's holder token.
    pub token: String,
    /// The lease, ms.
    pub lease_ms: u64,
    /// How long the record lives, ms.
    pub retention_ms: u64,
    /// The relay's channel type.
    pub channel_type: String,
    /// [`Keys::session_base`].
    pub session_base: String,
    /// [`Keys::pending`].
    pub pending_key: String,
    /// [`Keys::pending_member`].
    pub pending_member: String,
}

/// Whom a message goes to, as `deliver` receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// The session's channel type.
    pub channel_type: String,
    /// The contact on the channel.
    pub channel_user_id: String,
    /// The contact's name, when known.
    pub contact_name: Option<String>,
    /// The session.
    pub session_id: String,
}

/// How a claim is settled ([`crate::FINISH_LUA`]'s `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishState {
    /// Delivered (or refused) and reported.
    Done,
    /// On the channel, the report still to make.
    Delivered,
    /// Given up: nobody holds it now.
    Released,
}

impl std::str::FromStr for FinishState {
    type Err = Error;

    /// `done`, `delivered` or `released` (a store's `finish` argument).
    fn from_str(name: &str) -> Result<FinishState, Error> {
        match name {
            "done" => Ok(FinishState::Done),
            "delivered" => Ok(FinishState::Delivered),
            "released" => Ok(FinishState::Released),
            _ => Err(Error::invalid(
                "state",
                "must be done, delivered or released",
            )),
        }
    }
}

/// Why a run ended without an answer for the webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunFailure {
    /// The store failed during a sweep: the host raises that failure (the
    /// sweep's entries stay for the next one).
    StoreUnavailable,
    /// The host answered an effect with [`HostError::Other`] (an exception
    /// of its own, a cancellation): it raises that exception again, now that
    /// the claims it held are released.
    Host,
    /// `receive` waited its `lock_wait_ms` for the contact's lock in vain:
    /// the host raises its lock-timeout error with the effect's `detail`.
    LockTimeout,
    /// A record in the store that this SDK cannot read (a newer SDK's, or
    /// damaged): the host raises its relay error with the effect's `detail`.
    BadRecord,
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Run the claim operation; answer [`Answer::Claimed`] with its JSON
    /// result and how long this run has waited so far.
    Claim {
        /// Its inputs.
        args: ClaimArgs,
    },
    /// Sleep this long; answer [`Answer::Ok`].
    Sleep {
        /// Milliseconds.
        ms: u64,
    },
    /// `sessions.get(session_id)`; answer [`Answer::Session`] with its
    /// metadata, or [`HostError::NotFound`].
    FetchSession {
        /// The session.
        session_id: String,
    },
    /// Store `value` at `key` for `ttl_ms`; answer [`Answer::Ok`].
    Put {
        /// The key.
        key: String,
        /// The record's text.
        value: String,
        /// Its time to live, ms.
        ttl_ms: u64,
    },
    /// Every page of `messages.search(session_id, role="assistant")`;
    /// answer [`Answer::Messages`] with each message's JSON text.
    ListMessages {
        /// The session.
        session_id: String,
    },
    /// `messages.get(session_id, message_id)`; answer [`Answer::Message`].
    GetMessage {
        /// The session.
        session_id: String,
        /// The message.
        message_id: String,
    },
    /// Hand the message to the user's `deliver`, extending the claim
    /// (`outbound_key`, `token`, every `lease_ms / 3`) while it runs; answer
    /// [`Answer::Delivered`].
    Deliver {
        /// The message's JSON text.
        message: String,
        /// Whom it goes to.
        contact: Contact,
        /// An earlier claim may have sent it already.
        redelivery: bool,
        /// The key a channel with idempotency keys dedupes on (the message id).
        idempotency_key: String,
        /// The claimed record, to extend.
        outbound_key: String,
        /// The claim's token.
        token: String,
        /// The lease to extend by, ms.
        lease_ms: u64,
    },
    /// Extend this run's claim on a message it still has to deliver, after
    /// it waited for earlier ones; answer [`Answer::Extended`] with whether
    /// the claim is still this run's ([`crate::EXTEND_LUA`]'s result).
    Extend {
        /// The claimed record.
        outbound_key: String,
        /// The claim's token.
        token: String,
        /// The lease to extend by, ms.
        lease_ms: u64,
    },
    /// `messages.update(session_id, message_id, ...)` with the fields of
    /// `channel.sent` / `channel.failed` for `outcome`; answer [`Answer::Ok`].
    Report {
        /// The session.
        session_id: String,
        /// The message.
        message_id: String,
        /// What the channel said.
        outcome: Outcome,
    },
    /// Run the finish operation; answer [`Answer::Ok`].
    Finish {
        /// [`Keys::outbound`].
        outbound_key: String,
        /// [`Keys::queue`].
        queue_key: String,
        /// The message.
        message_id: String,
        /// The claim's token.
        token: String,
        /// How it is settled.
        state: FinishState,
        /// What to record (`done`, `delivered`).
        outcome: Option<Outcome>,
        /// How long the record lives, ms.
        retention_ms: u64,
    },
    /// The run is over: answer the webhook with `response` (for a sweep:
    /// `outcome` and `retry_after` go to [`crate::after_sweep`]).
    Done {
        /// How it ended ([`response_for`]'s outcome names).
        outcome: String,
        /// `Retry-After`, seconds, when the run named one.
        retry_after: Option<u64>,
        /// The webhook's HTTP answer.
        response: WebhookResponse,
    },
    /// Take the lock `key` for `token` (`SET NX PX lease_ms`); answer
    /// [`Answer::Acquired`].
    Acquire {
        /// The lock's key.
        key: String,
        /// Its holder's token.
        token: String,
        /// Its lease, ms.
        lease_ms: u64,
    },
    /// Release the lock `key` if `token` still holds it (compare-and-delete);
    /// answer [`Answer::Ok`] (a store failure is ignored: the lease frees it).
    Release {
        /// The lock's key.
        key: String,
        /// Its holder's token.
        token: String,
    },
    /// Read these keys in one round trip; answer [`Answer::Values`].
    GetMany {
        /// The keys.
        keys: Vec<String>,
    },
    /// Forget the contact's session record at `key` if it is still
    /// `session_id` ([`crate::FORGET_LUA`]); answer [`Answer::Ok`].
    Forget {
        /// The contact's session key.
        key: String,
        /// The session it must still name.
        session_id: String,
    },
    /// `messages.search(session_id, provider_message_id, limit=1)`; answer
    /// [`Answer::FoundMessage`].
    FindPosted {
        /// Where to look.
        session_id: String,
        /// The channel's message id.
        provider_message_id: String,
    },
    /// `sessions.search(status, metadata)`; answer [`Answer::Sessions`].
    SearchSessions {
        /// The status searched (`open`).
        status: String,
        /// The metadata every session found has.
        metadata: Value,
    },
    /// `sessions.create(...)` with these arguments; answer [`Answer::Created`].
    CreateSession {
        /// The contact's id.
        contact_id: String,
        /// The contact's name.
        contact_name: String,
        /// The agent, when set.
        agent_id: Option<String>,
        /// The session's metadata (whose it is).
        metadata: Value,
    },
    /// `messages.create(session_id, content, role, provider_message_id)`
    /// with the content the host holds; answer [`Answer::Created`] with the
    /// message's id.
    PostMessage {
        /// The session.
        session_id: String,
        /// The role (`user`).
        role: String,
        /// The channel's message id.
        provider_message_id: String,
    },
    /// `sessions.reply(session_id, debounce_time)`; answer [`Answer::Ok`],
    /// or [`HostError::Rejected`] for the API's validation error.
    Reply {
        /// The session.
        session_id: String,
        /// Seconds.
        debounce_time: u64,
    },
    /// The recovery index's entries due now (the host's clock), at most
    /// `limit`; answer [`Answer::Due`].
    IndexDue {
        /// The index's key.
        key: String,
        /// At most this many.
        limit: u32,
    },
    /// (Re)schedule `member` in the index, due `due_in_ms` from now (the
    /// host's clock); answer [`Answer::Ok`].
    IndexPut {
        /// The index's key.
        key: String,
        /// The entry.
        member: String,
        /// How far from now, ms.
        due_in_ms: u64,
    },
    /// Remove these entries from the index; answer [`Answer::Ok`].
    IndexDrop {
        /// The index's key.
        key: String,
        /// The entries.
        members: Vec<String>,
    },
    /// An inbound run is over: the message is in its session.
    Received {
        /// The session the message is in.
        session_id: String,
        /// Its API id, when known.
        message_id: Option<String>,
        /// It had been posted before (a repeated `provider_message_id`).
        duplicate: bool,
    },
    /// A recovery sweep is over: what it found.
    Recovered {
        /// Each due entry it ran, with how that ended.
        found: Vec<Swept>,
    },
    /// The run is over without an answer: see [`RunFailure`].
    Failed {
        /// Why.
        error: RunFailure,
        /// For [`RunFailure::LockTimeout`] and [`RunFailure::BadRecord`], the
        /// error's text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// The host's failure that ended the run (the host raises its first
        /// error of this kind again), when one did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<HostError>,
    },
}

impl Effect {
    /// A run's end without an answer, caused by the host's failure `cause`.
    pub fn failed(error: RunFailure, cause: Option<HostError>) -> Effect {
        Effect::Failed {
            error,
            detail: None,
            cause,
        }
    }

    /// Whether this ends a run ([`Effect::Done`], [`Effect::Received`],
    /// [`Effect::Recovered`], [`Effect::Failed`]).
    pub fn is_end(&self) -> bool {
        matches!(
            self,
            Effect::Done { .. }
                | Effect::Received { .. }
                | Effect::Recovered { .. }
                | Effect::Failed { .. }
        )
    }

    /// The effect's name, as its JSON form's `effect` field has it.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Claim { .. } => "claim",
            Effect::Sleep { .. } => "sleep",
            Effect::FetchSession { .. } => "fetch_session",
            Effect::Put { .. } => "put",
            Effect::ListMessages { .. } => "list_messages",
            Effect::GetMessage { .. } => "get_message",
            Effect::Deliver { .. } => "deliver",
            Effect::Extend { .. } => "extend",
            Effect::Report { .. } => "report",
            Effect::Finish { .. } => "finish",
            Effect::Done { .. } => "done",
            Effect::Acquire { .. } => "acquire",
            Effect::Release { .. } => "release",
            Effect::GetMany { .. } => "get_many",
            Effect::Forget { .. } => "forget",
            Effect::FindPosted { .. } => "find_posted",
            Effect::SearchSessions { .. } => "search_sessions",
            Effect::CreateSession { .. } => "create_session",
            Effect::PostMessage { .. } => "post_message",
            Effect::Reply { .. } => "reply",
            Effect::IndexDue { .. } => "index_due",
            Effect::IndexPut { .. } => "index_put",
            Effect::IndexDrop { .. } => "index_drop",
            Effect::Received { .. } => "received",
            Effect::Recovered { .. } => "recovered",
            Effect::Failed { .. } => "failed",
        }
    }

    /// Whether `answer` is one this effect can have (any effect but an end
    /// may fail with [`Answer::Error`]).
    pub fn fits(&self, answer: &Answer) -> bool {
        match (self, answer) {
            (e, _) if e.is_end() => false,
            (_, Answer::Error(_)) => true,
            (Effect::Claim { .. }, Answer::Claimed { .. })
            | (Effect::FetchSession { .. }, Answer::Session { .. })
            | (Effect::ListMessages { .. }, Answer::Messages { .. })
            | (Effect::GetMessage { .. }, Answer::Message { .. })
            | (Effect::Deliver { .. }, Answer::Delivered(_))
            | (Effect::Extend { .. }, Answer::Extended { .. })
            | (Effect::Acquire { .. }, Answer::Acquired { .. })
            | (Effect::GetMany { .. }, Answer::Values { .. })
            | (Effect::FindPosted { .. }, Answer::FoundMessage { .. })
            | (Effect::SearchSessions { .. }, Answer::Sessions { .. })
            | (Effect::CreateSession { .. } | Effect::PostMessage { .. }, Answer::Created { .. })
            | (Effect::IndexDue { .. }, Answer::Due { .. }) => true,
            (e, Answer::Ok) => e.answered_by_ok(),
            _ => false,
        }
    }

    // The effects whose answer carries nothing ([`Answer::Ok`]).
    fn answered_by_ok(&self) -> bool {
        matches!(
            self,
            Effect::Sleep { .. }
                | Effect::Put { .. }
                | Effect::Report { .. }
                | Effect::Finish { .. }
                | Effect::Release { .. }
                | Effect::Forget { .. }
                | Effect::Reply { .. }
                | Effect::IndexPut { .. }
                | Effect::IndexDrop { .. }
        )
    }
}

/// A message a recovery sweep ran through the webhook's path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swept {
    /// Its session.
    pub session_id: String,
    /// Its id.
    pub message_id: String,
    /// How it ended ([`response_for`]'s outcome names).
    pub outcome: String,
    /// When it ended `api_unavailable`: the name of the host's error (for
    /// the log; never its text, which may quote a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How an effect failed on the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostError {
    /// The store failed (Python `StoreUnavailableError`).
    StoreUnavailable,
    /// The API failed (any `AntonniaError` but not-found).
    ApiUnavailable,
    /// The API has no such object (404); for other effects than
    /// [`Effect::FetchSession`] the same as [`HostError::ApiUnavailable`].
    NotFound,
    /// The API refused the request as invalid (Python `ValidationError`):
    /// to a [`Effect::Reply`], a closed session; elsewhere the same as
    /// [`HostError::ApiUnavailable`].
    Rejected,
    /// Anything else (an exception of the host's, a cancellation): the run
    /// releases what it holds and ends with [`RunFailure::Host`].
    Other,
}

/// The host's answer to an effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// For [`Effect::Sleep`], [`Effect::Put`], [`Effect::Report`],
    /// [`Effect::Finish`]: done.
    Ok,
    /// For [`Effect::Claim`]: the store's JSON result (with its `contact`
    /// text when claimed), and the milliseconds this run has waited since it
    /// started (the host's monotonic clock).
    Claimed {
        /// The claim operation's result.
        result: Value,
        /// Milliseconds since the run started.
        waited_ms: u64,
    },
    /// For [`Effect::FetchSession`]: the session's `metadata` (`None`: none)
    /// and `status`.
    Session {
        /// Its metadata object.
        metadata: Option<Value>,
        /// Its status (`open`, `closed`, ...; empty when not given).
        status: String,
    },
    /// For [`Effect::Acquire`]: whether the lock is now this run's, and the
    /// milliseconds since the run started (the host's monotonic clock).
    Acquired {
        /// Taken.
        acquired: bool,
        /// Milliseconds since the run started.
        waited_ms: u64,
    },
    /// For [`Effect::GetMany`]: each key's text, `None` where absent.
    Values {
        /// In the keys' order.
        values: Vec<Option<String>>,
    },
    /// For [`Effect::FindPosted`]: the message found, if any.
    FoundMessage {
        /// Its id.
        message_id: Option<String>,
    },
    /// For [`Effect::SearchSessions`]: the sessions found.
    Sessions {
        /// Their ids and `created_at`.
        sessions: Vec<crate::Found>,
    },
    /// For [`Effect::CreateSession`] and [`Effect::PostMessage`]: the new
    /// object's id.
    Created {
        /// Its id.
        id: String,
    },
    /// For [`Effect::IndexDue`]: the due entries (members).
    Due {
        /// Their members, soonest first.
        members: Vec<String>,
    },
    /// For [`Effect::ListMessages`]: each message as JSON text.
    Messages {
        /// The messages.
        messages: Vec<String>,
    },
    /// For [`Effect::GetMessage`]: its `delivery_status`.
    Message {
        /// As the API has it now.
        delivery_status: String,
    },
    /// For [`Effect::Deliver`]: what `deliver` did.
    Delivered(Delivery),
    /// For [`Effect::Extend`]: whether the claim was still this run's (and
    /// is now extended); `false` when its lease lapsed and another run took
    /// the message over.
    Extended {
        /// Still held.
        held: bool,
    },
    /// For any effect: it failed.
    Error(HostError),
}

// Why a frame's sequence stopped early; it unwinds to the run's top, each
// frame on the way releasing what it holds when its state says so.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fault {
    Retry {
        outcome: &'static str,
        after: Option<u64>,
    },
    Store,
    Api,
    Other,
}

impl Fault {
    // Not-found matters only to a session's fetch (matched before this);
    // anywhere else it is the API failing like any other way.
    fn from_host(e: HostError) -> Fault {
        match e {
            HostError::StoreUnavailable => Fault::Store,
            HostError::ApiUnavailable | HostError::NotFound | HostError::Rejected => Fault::Api,
            HostError::Other => Fault::Other,
        }
    }
}

// How a frame's message is to be handed over once earlier ones went out.
#[derive(Debug, Clone)]
struct Plan {
    verify: bool,
    redelivery: bool,
    contact: Contact,
}

// An earlier message to run first: its text, id, own `created_at` and
// the place the claim gives it.
#[derive(Debug, Clone)]
struct Child {
    text: String,
    id: String,
    created_at: Option<i64>,
    claim_created_at_ms: i64,
}

#[derive(Debug, Clone)]
enum State {
    Claiming,
    Sleeping,
    FetchingSession,
    PuttingContact,
    TakingOver,
    Listing(Plan),
    Earlier(Plan, VecDeque<Child>),
    Extending(Plan, VecDeque<Child>),
    Releasing(Fault),
    Verifying(Plan),
    FinishingDuplicate,
    Delivering,
    ReleasingCrash,
    Reporting(Outcome),
    FinishingDelivered(Fault),
    FinishingDone(String),
}

#[derive(Debug, Clone)]
struct Frame {
    message_id: String,
    text: String,
    created_at: Option<i64>,
    args: ClaimArgs,
    depth: u32,
    state: State,
}

// What a frame does after an answer.
enum Flow {
    Emit(Effect),
    Push(Child),
    Return(Result<String, Fault>),
}

/// One webhook's (or swept message's) delivery in progress: see the
/// [module documentation](self).
#[derive(Clone)]
pub struct WebhookRun {
    kind: RunKind,
    config: RunConfig,
    keys: Keys,
    session_id: String,
    token: String,
    frames_made: u64,
    stack: Vec<Frame>,
    pending: Option<Effect>,
}

// Tokens are claim credentials: Debug names the run, not them.
impl std::fmt::Debug for WebhookRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRun")
            .field("kind", &self.kind)
            .field("session_id", &self.session_id)
            .field("depth", &self.stack.len())
            .finish_non_exhaustive()
    }
}

// What the run reads of a message's JSON text: its id and its place
// (`created_at`, Unix ms, as `classify_event` computes it).
fn probe(text: &str) -> Result<(String, Option<i64>), Error> {
    let message = MessageText::read(text).map_err(|e| {
        let info = e.info();
        let path = match info.path.as_deref() {
            None | Some("") => "message".to_string(),
            Some(inner) => format!("message.{inner}"),
        };
        Error::decode(path, format!("relay message: {}", info.message))
    })?;
    Ok((message.id, message.created_at.map(|t| t.unix_millis())))
}

// `str(metadata.get(name) or "")`: a missing or empty value is "", a string
// is itself, anything else its JSON text.
fn metadata_text(md: Option<&Value>, name: &str) -> String {
    match md.and_then(|m| m.get(name)) {
        None | Some(Value::Null) | Some(Value::Bool(false)) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.as_f64() == Some(0.0) => String::new(),
        Some(v) => v.to_string(),
    }
}

impl WebhookRun {
    /// A run for the message `message_json` (its canonical JSON text) of
    /// `session_id`, placed at `created_at_ms` in its session (the
    /// webhook's, or the swept record's). `token` is fresh randomness from
    /// the host (at least 16 bytes, hex): each claim of the run holds a token
    /// made from it. Refused: a bad prefix, an empty channel type or token,
    /// or a message without an id.
    pub fn new(
        kind: RunKind,
        config: RunConfig,
        token: &str,
        session_id: &str,
        message_json: &str,
        created_at_ms: i64,
    ) -> Result<WebhookRun, Error> {
        let keys = Keys::new(&config.prefix)?;
        if !matches!(kind, RunKind::Webhook | RunKind::Sweep) {
            return Err(Error::invalid(
                "kind",
                "a webhook run is a webhook's or a sweep's",
            ));
        }
        if config.channel_type.is_empty() {
            return Err(Error::invalid("channel_type", "must not be empty"));
        }
        if token.is_empty() {
            return Err(Error::invalid("token", "must not be empty"));
        }
        if session_id.is_empty() {
            return Err(Error::invalid("session_id", "must not be empty"));
        }
        let (id, created_at) = probe(message_json)?;
        let mut run = WebhookRun {
            kind,
            config,
            keys,
            session_id: session_id.to_string(),
            token: token.to_string(),
            frames_made: 0,
            stack: Vec::new(),
            pending: None,
        };
        let top = run.frame(
            Child {
                text: message_json.to_string(),
                id,
                created_at,
                claim_created_at_ms: created_at_ms,
            },
            0,
        );
        run.pending = Some(Effect::Claim {
            args: top.args.clone(),
        });
        run.stack.push(top);
        Ok(run)
    }

    /// Which procedure the run follows.
    pub fn kind(&self) -> RunKind {
        self.kind
    }

    /// The effect to perform now: the first claim, or the effect the last
    /// [`resume`](Self::resume) gave (again), or the run's end.
    pub fn next(&self) -> Effect {
        self.pending().clone()
    }

    /// The effect to perform now, borrowed.
    pub fn pending(&self) -> &Effect {
        // Unreachable by construction (every step sets it); an end rather
        // than a panic, since this crosses FFI.
        static LOST: Effect = Effect::Failed {
            error: RunFailure::Host,
            detail: None,
            cause: None,
        };
        self.pending.as_ref().unwrap_or(&LOST)
    }

    /// Whether the run is over ([`Effect::Done`] or [`Effect::Failed`]).
    pub fn is_over(&self) -> bool {
        self.pending.as_ref().is_some_and(Effect::is_end)
    }

    fn frame(&mut self, child: Child, depth: u32) -> Frame {
        // Each claim gets its own token: a run that meets a message it holds
        // in an outer frame must see it as held, not claim it again as a
        // redelivery.
        let token = if self.frames_made == 0 {
            self.token.clone()
        } else {
            format!("{}.{}", self.token, self.frames_made)
        };
        self.frames_made += 1;
        let sid = &self.session_id;
        let args = ClaimArgs {
            outbound_key: self.keys.outbound(sid, &child.id),
            queue_key: self.keys.queue(sid),
            contact_key: self.keys.contact(sid),
            message_id: child.id.clone(),
            created_at_ms: child.claim_created_at_ms,
            message_json: child.text.clone(),
            token,
            lease_ms: self.config.claim_lease_ms,
            retention_ms: self.config.retention_ms,
            channel_type: self.config.channel_type.clone(),
            session_base: self.keys.session_base(sid),
            pending_key: self.keys.pending(&self.config.channel_type),
            pending_member: self.keys.pending_member(sid, &child.id),
        };
        Frame {
            message_id: child.id,
            text: child.text,
            created_at: child.created_at,
            args,
            depth,
            state: State::Claiming,
        }
    }

    /// Takes the answer to the pending effect and gives the next effect.
    /// An answer of the wrong kind for the effect (a host's bug) is refused
    /// with an `invalid` error and changes nothing; so is any answer once
    /// the run is over.
    pub fn resume(&mut self, answer: Answer) -> Result<Effect, Error> {
        let Some(pending) = &self.pending else {
            return Err(Error::invalid("answer", "the run has no pending effect"));
        };
        check_fits(pending, &answer)?;
        let flow = self.step(answer);
        let effect = self.drive(flow);
        self.pending = Some(effect.clone());
        Ok(effect)
    }

    fn policy(&self) -> WaitPolicy {
        match self.kind {
            // A sweep never waits for a claim that is held: it looks again later.
            RunKind::Sweep => WaitPolicy {
                max_wait_ms: 0,
                ..self.config.policy
            },
            _ => self.config.policy,
        }
    }

    fn drive(&mut self, mut flow: Flow) -> Effect {
        loop {
            flow = match flow {
                Flow::Emit(effect) => return effect,
                Flow::Push(child) => {
                    let depth = self.stack.last().map_or(0, |f| f.depth + 1);
                    let frame = self.frame(child, depth);
                    let effect = Effect::Claim {
                        args: frame.args.clone(),
                    };
                    self.stack.push(frame);
                    return effect;
                }
                Flow::Return(result) => {
                    self.stack.pop();
                    if self.stack.is_empty() {
                        return self.end(result);
                    }
                    self.on_child(result)
                }
            }
        }
    }

    fn end(&self, result: Result<String, Fault>) -> Effect {
        let sweep = self.kind == RunKind::Sweep;
        let (outcome, retry_after) = match result {
            Ok(outcome) => (outcome, None),
            Err(Fault::Retry { outcome, after }) => (outcome.to_string(), after),
            Err(Fault::Store) if sweep => {
                return Effect::failed(
                    RunFailure::StoreUnavailable,
                    Some(HostError::StoreUnavailable),
                );
            }
            Err(Fault::Store) => ("store_unavailable".to_string(), None),
            Err(Fault::Api) => ("api_unavailable".to_string(), None),
            Err(Fault::Other) => {
                return Effect::failed(RunFailure::Host, Some(HostError::Other));
            }
        };
        let response = response_for(&outcome, retry_after);
        Effect::Done {
            outcome,
            retry_after,
            response,
        }
    }

    fn claim_effect(frame: &Frame) -> Flow {
        Flow::Emit(Effect::Claim {
            args: frame.args.clone(),
        })
    }

    fn finish(frame: &Frame, state: FinishState, outcome: Option<Outcome>, retention: u64) -> Flow {
        Flow::Emit(Effect::Finish {
            outbound_key: frame.args.outbound_key.clone(),
            queue_key: frame.args.queue_key.clone(),
            message_id: frame.message_id.clone(),
            token: frame.args.token.clone(),
            state,
            outcome,
            retention_ms: retention,
        })
    }

    // The top frame's answer to its own effect.
    fn step(&mut self, answer: Answer) -> Flow {
        let policy = self.policy();
        let retention = self.config.retention_ms;
        let strict = self.config.strict_order;
        let window = self.config.order_window_ms;
        let session_id = self.session_id.clone();
        let contact_key = self.keys.contact(&session_id);
        let Some(frame) = self.stack.last_mut() else {
            return Flow::Return(Err(Fault::Other));
        };
        let state = std::mem::replace(&mut frame.state, State::Claiming);
        let fault = match &answer {
            Answer::Error(e) => Some(Fault::from_host(*e)),
            _ => None,
        };
        match (state, answer) {
            (State::Claiming, Answer::Claimed { result, waited_ms }) => {
                let contact_text = result
                    .get("contact")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                // A result this SDK cannot read is an outage of a kind
                // (a store from a newer SDK): retryable, as the hosts had it.
                let Ok(result) = serde_json::from_value::<ClaimResult>(result) else {
                    return Flow::Return(Err(Fault::Api));
                };
                match on_claim(&result, waited_ms, &policy) {
                    WebhookStep::Wait { ms } => {
                        frame.state = State::Sleeping;
                        Flow::Emit(Effect::Sleep { ms })
                    }
                    WebhookStep::RetryLater { after } => Flow::Return(Err(Fault::Retry {
                        outcome: "busy",
                        after: Some(after),
                    })),
                    WebhookStep::FetchSession => {
                        frame.state = State::FetchingSession;
                        Flow::Emit(Effect::FetchSession { session_id })
                    }
                    WebhookStep::TakeOver { message, .. } => {
                        let Some(text) = message.filter(|_| frame.depth <= MAX_DEPTH) else {
                            return Flow::Return(Err(Fault::Retry {
                                outcome: "busy",
                                after: Some(1),
                            }));
                        };
                        let Ok((id, created_at)) = probe(&text) else {
                            return Flow::Return(Err(Fault::Api));
                        };
                        frame.state = State::TakingOver;
                        // Placed at 0 as the hosts did: its record exists
                        // already, so the place is not used.
                        Flow::Push(Child {
                            text,
                            id,
                            created_at,
                            claim_created_at_ms: 0,
                        })
                    }
                    WebhookStep::Skip { reason } => Flow::Return(Ok(skip_name(reason).into())),
                    WebhookStep::Report { outcome } => {
                        frame.state = State::Reporting(outcome.clone());
                        Flow::Emit(Effect::Report {
                            session_id,
                            message_id: frame.message_id.clone(),
                            outcome,
                        })
                    }
                    step @ (WebhookStep::Deliver { .. } | WebhookStep::Verify) => {
                        let record = contact_text
                            .ok_or_else(|| Error::decode("contact", "missing"))
                            .and_then(|t| decode_record::<ContactRecord>(&t));
                        let Ok(record) = record else {
                            return Flow::Return(Err(Fault::Api));
                        };
                        let plan = Plan {
                            verify: step == WebhookStep::Verify,
                            redelivery: matches!(step, WebhookStep::Deliver { redelivery: true }),
                            contact: Contact {
                                channel_type: record.channel_type,
                                channel_user_id: record.channel_user_id,
                                contact_name: record.contact_name,
                                session_id: session_id.clone(),
                            },
                        };
                        if strict && frame.created_at.is_some() {
                            frame.state = State::Listing(plan);
                            Flow::Emit(Effect::ListMessages { session_id })
                        } else {
                            Self::proceed(frame, plan)
                        }
                    }
                }
            }
            (State::Claiming, _) => Flow::Return(Err(fault.unwrap_or(Fault::Other))),
            (State::Sleeping, Answer::Ok) => Self::claim_effect(frame),
            (State::FetchingSession, Answer::Error(HostError::NotFound)) => {
                // A session this organization does not have (any more).
                Flow::Return(Ok("not_ours".into()))
            }
            (State::FetchingSession, Answer::Session { metadata, .. }) => {
                let record = ContactRecord {
                    v: RECORD_VERSION,
                    channel_type: metadata_text(metadata.as_ref(), "channel_type"),
                    channel_user_id: metadata_text(metadata.as_ref(), "channel_user_id"),
                    contact_name: None,
                };
                frame.state = State::PuttingContact;
                Flow::Emit(Effect::Put {
                    key: contact_key,
                    value: encode_record(&record),
                    ttl_ms: retention,
                })
            }
            (State::PuttingContact, Answer::Ok) => Self::claim_effect(frame),
            (State::Listing(plan), Answer::Messages { messages }) => {
                match earlier_than(frame, &messages, window) {
                    Ok(queue) => Self::next_earlier(frame, plan, queue),
                    Err(fault) => {
                        frame.state = State::Releasing(fault.clone());
                        Self::finish(frame, FinishState::Released, None, retention)
                    }
                }
            }
            (State::Listing(_), _) => {
                frame.state = State::Releasing(fault.unwrap_or(Fault::Other));
                Self::finish(frame, FinishState::Released, None, retention)
            }
            (State::Extending(plan, queue), Answer::Extended { held: true }) => {
                Self::next_earlier(frame, plan, queue)
            }
            // The lease lapsed while earlier messages went out and another
            // run has claimed this one: it is that run's to deliver (flagged
            // as a redelivery), never this one's as well.
            (State::Extending(..), Answer::Extended { held: false }) => {
                Flow::Return(Ok("duplicate".into()))
            }
            (State::Extending(..), _) => Flow::Return(Err(fault.unwrap_or(Fault::Other))),
            (State::Releasing(fault), Answer::Ok) => Flow::Return(Err(fault)),
            (State::Verifying(plan), Answer::Message { delivery_status }) => {
                match on_verified(&delivery_status) {
                    WebhookStep::Deliver { .. } => Self::deliver(
                        frame,
                        Plan {
                            redelivery: true,
                            ..plan
                        },
                    ),
                    _ => {
                        frame.state = State::FinishingDuplicate;
                        let outcome = Outcome {
                            status: delivery_status,
                            provider_message_id: None,
                            code: None,
                            message: None,
                        };
                        Self::finish(frame, FinishState::Done, Some(outcome), retention)
                    }
                }
            }
            (State::FinishingDuplicate, Answer::Ok) => Flow::Return(Ok("duplicate".into())),
            (State::Delivering, Answer::Delivered(delivery)) => match on_delivered(&delivery) {
                Some(outcome) => {
                    frame.state = State::Reporting(outcome.clone());
                    Flow::Emit(Effect::Report {
                        session_id,
                        message_id: frame.message_id.clone(),
                        outcome,
                    })
                }
                None => {
                    frame.state = State::ReleasingCrash;
                    Self::finish(frame, FinishState::Released, None, retention)
                }
            },
            (State::ReleasingCrash, Answer::Ok) => Flow::Return(Err(Fault::Retry {
                outcome: "deliver_crashed",
                after: None,
            })),
            (State::Reporting(outcome), Answer::Ok) => {
                let status = outcome.status.clone();
                frame.state = State::FinishingDone(status);
                Self::finish(frame, FinishState::Done, Some(outcome), retention)
            }
            (
                State::Reporting(outcome),
                Answer::Error(
                    HostError::ApiUnavailable | HostError::NotFound | HostError::Rejected,
                ),
            ) => {
                // On the channel but not reported: the next delivery of this
                // webhook reports it without sending again.
                frame.state = State::FinishingDelivered(Fault::Api);
                Self::finish(frame, FinishState::Delivered, Some(outcome), retention)
            }
            (State::FinishingDelivered(fault), Answer::Ok) => Flow::Return(Err(fault)),
            (State::FinishingDone(status), Answer::Ok) => Flow::Return(Ok(status)),
            // Every other answer is an error (`fits` let nothing else
            // through): the frame unwinds with it.
            (_, _) => Flow::Return(Err(fault.unwrap_or(Fault::Other))),
        }
    }

    // The frame below the one that ended gets its result.
    fn on_child(&mut self, result: Result<String, Fault>) -> Flow {
        let retention = self.config.retention_ms;
        let Some(frame) = self.stack.last_mut() else {
            return Flow::Return(Err(Fault::Other));
        };
        let state = std::mem::replace(&mut frame.state, State::Claiming);
        match (state, result) {
            // Taken over (whatever became of it): claim this one again.
            (State::TakingOver, Ok(_)) => Self::claim_effect(frame),
            // An earlier message went out (or was skipped): this one's claim
            // is extended first, since waiting on that one may have taken
            // most of its lease; then the next one.
            (State::Earlier(plan, queue), Ok(_)) => {
                frame.state = State::Extending(plan, queue);
                Flow::Emit(Effect::Extend {
                    outbound_key: frame.args.outbound_key.clone(),
                    token: frame.args.token.clone(),
                    lease_ms: frame.args.lease_ms,
                })
            }
            // It did not: this one's claim is released, then the fault goes on.
            (State::Earlier(..), Err(fault)) => {
                frame.state = State::Releasing(fault);
                Self::finish(frame, FinishState::Released, None, retention)
            }
            (_, Err(fault)) => Flow::Return(Err(fault)),
            (_, Ok(_)) => Flow::Return(Err(Fault::Other)),
        }
    }

    fn next_earlier(frame: &mut Frame, plan: Plan, mut queue: VecDeque<Child>) -> Flow {
        match queue.pop_front() {
            Some(child) => {
                frame.state = State::Earlier(plan, queue);
                Flow::Push(child)
            }
            None => Self::proceed(frame, plan),
        }
    }

    fn proceed(frame: &mut Frame, plan: Plan) -> Flow {
        if plan.verify {
            let message_id = frame.message_id.clone();
            let session_id = plan.contact.session_id.clone();
            frame.state = State::Verifying(plan);
            Flow::Emit(Effect::GetMessage {
                session_id,
                message_id,
            })
        } else {
            Self::deliver(frame, plan)
        }
    }

    fn deliver(frame: &mut Frame, plan: Plan) -> Flow {
        frame.state = State::Delivering;
        Flow::Emit(Effect::Deliver {
            message: frame.text.clone(),
            contact: plan.contact,
            redelivery: plan.redelivery,
            idempotency_key: frame.message_id.clone(),
            outbound_key: frame.args.outbound_key.clone(),
            token: frame.args.token.clone(),
            lease_ms: frame.args.lease_ms,
        })
    }
}

// The session's pending assistant messages placed before `frame`'s (and
// within `window` ms of it), in order: they go out first.
fn earlier_than(frame: &Frame, texts: &[String], window: i64) -> Result<VecDeque<Child>, Fault> {
    let Some(mine_at) = frame.created_at else {
        return Ok(VecDeque::new());
    };
    let mine = (mine_at, frame.message_id.as_str());
    // Older pending messages (from before the relay ran, say) are not held against this one.
    let since = mine_at.saturating_sub(window);
    let mut earlier = Vec::new();
    for text in texts {
        let (id, created_at) = probe(text).map_err(|_| Fault::Api)?;
        let Some(at) = created_at else { continue };
        if id == frame.message_id || !is_outbound_json(text).map_err(|_| Fault::Api)? {
            continue;
        }
        if since <= at && (at, id.as_str()) < mine {
            earlier.push(Child {
                text: text.clone(),
                id,
                created_at: Some(at),
                claim_created_at_ms: at,
            });
        }
    }
    earlier.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(earlier.into())
}

fn skip_name(reason: SkipReason) -> &'static str {
    match reason {
        SkipReason::Duplicate => "duplicate",
        SkipReason::NotOurs => "not_ours",
        SkipReason::NotAssistant => "not_assistant",
        SkipReason::OtherEvent => "other_event",
    }
}

/// Refuses an answer the effect cannot have (a host's bug).
pub(crate) fn check_fits(effect: &Effect, answer: &Answer) -> Result<(), Error> {
    if effect.fits(answer) {
        Ok(())
    } else if effect.is_end() {
        Err(Error::invalid("answer", "the run is over"))
    } else {
        Err(Error::invalid(
            "answer",
            format!("does not answer the {} effect", effect.name()),
        ))
    }
}

/// An answer from its JSON form, for the effect it answers: `{"error":
/// "store_unavailable" | "api_unavailable" | "not_found" | "rejected" |
/// "other"}` for any effect; else, by effect: `claim` `{"result": <the claim
/// operation's JSON>, "waited_ms"}`; `fetch_session` `{"metadata": <object or
/// null>, "status"}`; `list_messages` `{"messages": [<JSON text>, ...]}`;
/// `get_message` `{"delivery_status"}`; `deliver` a [`Delivery`]; `extend`
/// `{"held": bool}`; `acquire` `{"acquired": bool, "waited_ms"}`; `get_many`
/// `{"values": [<text or null>, ...]}`; `find_posted` `{"message_id": <id or
/// null>}`; `search_sessions` `{"sessions": [{"id", "created_at"?}, ...]}`;
/// `create_session`, `post_message` `{"id"}`; `index_due` `{"members":
/// [...]}`; any other effect anything (`null`).
pub fn answer_from_json(effect: &Effect, v: Value) -> Result<Answer, Error> {
    fn read<T: for<'de> Deserialize<'de>>(what: &str, v: Value) -> Result<T, Error> {
        serde_json::from_value(v).map_err(|e| Error::invalid(what, e.to_string()))
    }
    fn field<T: for<'de> Deserialize<'de>>(v: &Value, name: &str) -> Result<T, Error> {
        read(name, v.get(name).cloned().unwrap_or_default())
    }
    fn text(v: &Value, name: &str) -> String {
        v.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }
    fn millis(v: &Value) -> u64 {
        v.get("waited_ms").and_then(Value::as_u64).unwrap_or(0)
    }
    if let Some(error) = v.get("error") {
        return Ok(Answer::Error(read("error", error.clone())?));
    }
    let answer = match effect {
        Effect::Claim { .. } => Answer::Claimed {
            result: v.get("result").cloned().unwrap_or_default(),
            waited_ms: millis(&v),
        },
        Effect::FetchSession { .. } => Answer::Session {
            metadata: v.get("metadata").cloned().filter(|m| !m.is_null()),
            status: text(&v, "status"),
        },
        Effect::ListMessages { .. } => Answer::Messages {
            messages: field(&v, "messages")?,
        },
        Effect::GetMessage { .. } => Answer::Message {
            delivery_status: text(&v, "delivery_status"),
        },
        Effect::Deliver { .. } => Answer::Delivered(read("delivery", v)?),
        Effect::Extend { .. } => Answer::Extended {
            held: field(&v, "held")?,
        },
        Effect::Acquire { .. } => Answer::Acquired {
            acquired: field(&v, "acquired")?,
            waited_ms: millis(&v),
        },
        Effect::GetMany { .. } => Answer::Values {
            values: field(&v, "values")?,
        },
        Effect::FindPosted { .. } => Answer::FoundMessage {
            message_id: field(&v, "message_id")?,
        },
        Effect::SearchSessions { .. } => Answer::Sessions {
            sessions: field(&v, "sessions")?,
        },
        Effect::CreateSession { .. } | Effect::PostMessage { .. } => Answer::Created {
            id: field(&v, "id")?,
        },
        Effect::IndexDue { .. } => Answer::Due {
            members: field(&v, "members")?,
        },
        e if e.answered_by_ok() => Answer::Ok,
        // The ends: nothing answers them.
        _ => return Err(Error::invalid("answer", "the run is over")),
    };
    Ok(answer)
}
