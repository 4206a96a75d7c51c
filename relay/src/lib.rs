//! # antonnia-relay
//!
//! The channel relay's decisions: the Quick Start loop (one session per
//! contact, each user message posted once, each assistant message delivered
//! once and in order) as pure functions over what a shared store holds.
//!
//! A binding's relay (Python's `antonnia_sdk.relay`, Node's `antonnia-sdk/relay`)
//! runs the steps these functions name, against the API and a store (in memory, or
//! Redis shared by many worker processes in any language). What it shares
//! with other languages is defined here, once:
//!
//! - the **key names** ([`Keys`]): a configurable prefix, then a Redis
//!   Cluster hash tag, `{channel_type:channel_user_id}` for a contact's keys and
//!   `{session_id}` for a session's, so that each group shares a slot and the
//!   Lua scripts may touch them together;
//! - the **records** ([`SessionRecord`], [`ContactRecord`], [`InboundRecord`],
//!   [`OutboundRecord`]): JSON objects with `"v": 1`;
//! - the **atomic operations** on Redis: the Lua scripts [`CLAIM_LUA`],
//!   [`FINISH_LUA`], [`EXTEND_LUA`], [`UNLOCK_LUA`] and [`FORGET_LUA`] (an in-memory store
//!   does the same under its own lock; `docs/relay.md` gives their semantics);
//! - the **decisions**: [`next_inbound`] (an inbound message, step by step),
//!   [`classify_event`] (which webhooks matter), [`on_claim`] (what a claim
//!   attempt's result means), [`on_verified`], [`on_delivered`] and
//!   [`response_for`] (the HTTP answer to the webhook);
//! - **recovery**: [`Keys::pending`], an index of claims by when they lapse,
//!   and [`sweep_entry`] / [`after_sweep`], what a sweep does with each due
//!   entry, so that a message whose worker died mid-send goes out without
//!   waiting for more traffic;
//! - the **sequence** of a webhook's delivery ([`run::WebhookRun`]): claim,
//!   wait, take over or deliver earlier messages first, verify, deliver,
//!   report, settle, as a sans-IO state machine whose effects a host
//!   performs (store calls, API calls, the user's `deliver`), so that no
//!   host writes the procedure itself; likewise a user message's posting
//!   ([`run::inbound::InboundRun`]), a sweep of the recovery index and a
//!   finished session's forgetting ([`run::recover`]), all behind one JSON
//!   interface for bindings ([`run::RunDriver`]);
//! - the **in-memory store** ([`memory::MemoryStore`]): the Lua scripts'
//!   semantics for one process, which Python's and Node's `MemoryStore` wrap;
//! - the **counters** an operator watches ([`stats::Stats`]), as a snapshot,
//!   OpenTelemetry samples or Prometheus text.
//!
//! ```
//! use antonnia_relay::{on_claim, ClaimResult, WaitPolicy, WebhookStep};
//!
//! // Another worker holds the message for 200 ms more: wait, then try again.
//! let step = on_claim(&ClaimResult::Busy { lease_ms: 200 }, 0, &WaitPolicy::default());
//! assert_eq!(step, WebhookStep::Wait { ms: 100 });
//! // The claim is ours, for the first time: deliver it.
//! let step = on_claim(&ClaimResult::Claimed { attempt: 1 }, 0, &WaitPolicy::default());
//! assert_eq!(step, WebhookStep::Deliver { redelivery: false });
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod memory;
pub mod run;
pub mod stats;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use antonnia_core::channel::is_outbound;
use antonnia_core::error::Error;
use antonnia_core::time::Timestamp;
use antonnia_core::types::MessageRole;
use antonnia_core::webhook::{EventPayload, WebhookEvent};

/// The version every record is written with (`"v"`); a record with a higher
/// one was written by a newer SDK and is refused rather than misread.
pub const RECORD_VERSION: u32 = 1;

/// The key prefix when none is given.
pub const DEFAULT_PREFIX: &str = "antonnia:relay";

/// Registers an assistant message and tries to claim it (one round trip).
pub const CLAIM_LUA: &str = include_str!("claim.lua");
/// Settles a claim: `done`, `delivered` (sent, report pending) or `released`.
pub const FINISH_LUA: &str = include_str!("finish.lua");
/// Extends a live claim for its holder (a `deliver` that runs long).
pub const EXTEND_LUA: &str = include_str!("extend.lua");
/// Compare-and-delete of a lock.
pub const UNLOCK_LUA: &str = include_str!("unlock.lua");
/// Forgets a contact's session only if it is still the given one.
pub const FORGET_LUA: &str = include_str!("forget.lua");

// Milliseconds as seconds for a message: `10`, `0.5`, `2.25`.
pub(crate) fn seconds(ms: u64) -> String {
    let (whole, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `%`, `:`, `{` and `}` in an id become `%25`, `%3A`, `%7B` and `%7D`, so
/// that no two ids give one key and no id ends a hash tag early.
pub fn escape(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            '%' => out.push_str("%25"),
            ':' => out.push_str("%3A"),
            '{' => out.push_str("%7B"),
            '}' => out.push_str("%7D"),
            c => out.push(c),
        }
    }
    out
}

/// The store's key names under one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// Keys under `prefix` (e.g. `antonnia:relay`); it must not contain `{`
    /// or `}` (they would change the hash tag) and is at most 200 bytes.
    pub fn new(prefix: &str) -> Result<Keys, Error> {
        if prefix.contains(['{', '}']) {
            return Err(Error::invalid("prefix", "must not contain { or }"));
        }
        if prefix.len() > 200 {
            return Err(Error::invalid("prefix", "must be at most 200 bytes"));
        }
        Ok(Keys {
            prefix: prefix.to_string(),
        })
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// What every key of a contact starts with: `<prefix>:{<type>:<user>}:`.
    pub fn contact_base(&self, channel_type: &str, channel_user_id: &str) -> String {
        format!(
            "{}:{{{}:{}}}:",
            self.prefix,
            escape(channel_type),
            escape(channel_user_id)
        )
    }

    /// What every key of a session starts with: `<prefix>:{<session_id>}:`.
    pub fn session_base(&self, session_id: &str) -> String {
        format!("{}:{{{}}}:", self.prefix, escape(session_id))
    }

    /// The contact's lock (value: the holder's token, with a lease).
    pub fn lock(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.contact_base(channel_type, channel_user_id) + "lock"
    }

    /// The contact's current session ([`SessionRecord`]).
    pub fn session(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.contact_base(channel_type, channel_user_id) + "session"
    }

    /// A user message of the contact, by the channel's id ([`InboundRecord`]).
    pub fn inbound(
        &self,
        channel_type: &str,
        channel_user_id: &str,
        provider_message_id: &str,
    ) -> String {
        self.contact_base(channel_type, channel_user_id) + "in:" + &escape(provider_message_id)
    }

    /// Whose session this is ([`ContactRecord`]).
    pub fn contact(&self, session_id: &str) -> String {
        self.session_base(session_id) + "contact"
    }

    /// The session's undelivered assistant messages: a sorted set of message
    /// ids scored by `created_at` in Unix milliseconds.
    pub fn queue(&self, session_id: &str) -> String {
        self.session_base(session_id) + "queue"
    }

    /// An assistant message's delivery ([`OutboundRecord`]).
    pub fn outbound(&self, session_id: &str, message_id: &str) -> String {
        self.session_base(session_id) + "out:" + &escape(message_id)
    }

    /// The recovery index of a channel type's relays,
    /// `<prefix>:pending:<channel_type>` (one per channel type, so that a
    /// relay of another type sharing the prefix never judges its entries): a
    /// sorted set of [`Keys::pending_member`]s, each scored by when its
    /// latest claim lapses (Unix ms, the claiming worker's clock). It has no
    /// hash tag of a contact or a session (one key finds every claim), so it
    /// is written in its own command, next to the claim script, never inside
    /// it; it may be stale (an entry for a message since done, a score off
    /// by a clock skew): the sweep checks every entry with the claim script
    /// ([`sweep_entry`], [`after_sweep`]).
    pub fn pending(&self, channel_type: &str) -> String {
        format!("{}:pending:{}", self.prefix, escape(channel_type))
    }

    /// A message's entry in [`Keys::pending`]: `<session_id>:<message_id>`,
    /// both escaped, so that the first `:` splits it back
    /// ([`parse_pending_member`]).
    pub fn pending_member(&self, session_id: &str, message_id: &str) -> String {
        format!("{}:{}", escape(session_id), escape(message_id))
    }

    /// The [`Keys::outbound`] record a [`Keys::pending_member`] stands for,
    /// or `None` for text no relay wrote.
    pub fn pending_outbound(&self, member: &str) -> Option<String> {
        parse_pending_member(member).map(|(s, m)| self.outbound(&s, &m))
    }
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3)?;
        out.push(match code {
            "25" => '%',
            "3A" => ':',
            "7B" => '{',
            "7D" => '}',
            _ => return None,
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Some(out)
}

/// The `(session_id, message_id)` of a [`Keys::pending_member`], or `None`
/// for text no relay wrote.
pub fn parse_pending_member(member: &str) -> Option<(String, String)> {
    let (session, message) = member.split_once(':')?;
    if session.is_empty() || message.is_empty() {
        return None;
    }
    Some((unescape(session)?, unescape(message)?))
}

fn check_version(v: u32) -> Result<(), Error> {
    if v == RECORD_VERSION {
        Ok(())
    } else {
        Err(Error::decode(
            "v",
            format!("relay record version {v}; this SDK reads version {RECORD_VERSION}"),
        ))
    }
}

/// Reads a record from its stored JSON text, checking its version.
pub fn decode_record<T: Record>(text: &str) -> Result<T, Error> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| Error::decode("", format!("relay record: {e}")))?;
    let v = value.get("v").and_then(Value::as_u64).unwrap_or(0);
    check_version(u32::try_from(v).unwrap_or(u32::MAX))?;
    serde_json::from_value(value).map_err(|e| Error::decode("", format!("relay record: {e}")))
}

/// Writes a record as compact JSON.
pub fn encode_record<T: Record>(record: &T) -> String {
    serde_json::to_string(record).unwrap_or_default()
}

/// A stored record.
pub trait Record: Serialize + for<'de> Deserialize<'de> {}

/// `<contact>:session`: the contact's open session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// [`RECORD_VERSION`].
    pub v: u32,
    /// The session's id.
    pub session_id: String,
}
impl Record for SessionRecord {}

/// `<session>:contact`: the contact a session talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRecord {
    /// [`RECORD_VERSION`].
    pub v: u32,
    /// The session's `metadata.channel_type` (a relay of another type skips it).
    pub channel_type: String,
    /// The contact on the channel.
    pub channel_user_id: String,
    /// The contact's name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
}
impl Record for ContactRecord {}

/// How far a user message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboundState {
    /// About to be posted (a crash here leaves it unknown whether it was).
    Posting,
    /// Posted, and the reply requested.
    Posted,
}

/// `<contact>:in:<provider_message_id>`: a user message's posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundRecord {
    /// [`RECORD_VERSION`].
    pub v: u32,
    /// How far it got.
    pub state: InboundState,
    /// The session it was posted in.
    pub session_id: String,
    /// The API's id for it, once posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}
impl Record for InboundRecord {}

/// What became of a delivered message, as reported to the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// `sent` or `failed`.
    pub status: String,
    /// The channel's id for it (`sent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// The channel's error code (`failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// The channel's error message (`failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// An assistant message's delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboundState {
    /// Not delivered yet (maybe claimed: see `owner` and `lease_until_ms`).
    Pending,
    /// Handed to the channel, the report to the API still to make.
    Delivered,
    /// Delivered (or failed) and reported.
    Done,
}

/// `<session>:out:<message_id>`: an assistant message's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRecord {
    /// [`RECORD_VERSION`].
    pub v: u32,
    /// How far it got.
    pub state: OutboundState,
    /// The message's `created_at`, Unix milliseconds (its place in the session).
    pub created_at_ms: i64,
    /// How many claims were granted (more than 1: a redelivery).
    pub attempts: u32,
    /// Until when (Unix ms, the store's clock) the last claim holds.
    pub lease_until_ms: i64,
    /// The last claim's holder token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The message as the webhook carried it (JSON text), so that any worker
    /// can deliver it; dropped once done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What became of it (`delivered`, `done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}
impl Record for OutboundRecord {}

// ---------------------------------------------------------------- inbound --

/// A session a `sessions.search` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Its id.
    pub id: String,
    /// Its `created_at`, RFC 3339, when known (the oldest is reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// What an inbound message's handling knows so far; the binding fills it in
/// as it runs the steps [`next_inbound`] names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InboundFacts {
    /// The contact's lock is held.
    pub locked: bool,
    /// The store was read (under the lock): `cached` and `inbound` below.
    pub read: bool,
    /// The contact's session as the store had it.
    pub cached: Option<String>,
    /// The user message's record as the store had it.
    pub inbound: Option<InboundRecord>,
    /// For a `posting` record: what searching the session for the
    /// `provider_message_id` found (`Some(None)`, JSON `null`: nothing;
    /// absent: not searched yet).
    #[serde(deserialize_with = "present")]
    pub found_posted: Option<Option<String>>,
    /// The open sessions a search by metadata found.
    pub searched: Option<Vec<Found>>,
    /// The session created.
    pub created: Option<String>,
    /// The session in use was stored as the contact's.
    pub remembered: bool,
    /// The message was posted (its id).
    pub posted: Option<String>,
    /// The reply was requested.
    pub replied: bool,
    /// The reply was refused because the session is closed.
    pub closed: bool,
}

// A field that is present, even as `null`, is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// What to do next with an inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum InboundStep {
    /// Take the contact's lock (`SET NX PX`; wait and retry while held).
    Lock,
    /// Read the contact's session and this message's record.
    Read,
    /// A crashed attempt left it unknown whether the message was posted:
    /// search the session's messages by `provider_message_id`.
    FindPosted {
        /// Where to look.
        session_id: String,
    },
    /// Search open sessions by `metadata.channel_type` / `channel_user_id`.
    Search,
    /// Create the session (with the contact's metadata).
    Create,
    /// Store the session as the contact's (and whose it is).
    Remember {
        /// The session.
        session_id: String,
    },
    /// Write the `posting` record, then post the user message.
    Post {
        /// Where.
        session_id: String,
    },
    /// Ask the agent to reply, with the debounce.
    Reply {
        /// Which session.
        session_id: String,
    },
    /// The session is closed: forget it (compare-and-delete), then start
    /// over with `closed` cleared and only `locked`/`read` kept.
    Replace {
        /// The closed session.
        session_id: String,
    },
    /// Write the `posted` record and release the lock: done.
    Finish {
        /// The session the message is in.
        session_id: String,
        /// Its API id, when known.
        message_id: Option<String>,
        /// It had been posted before (a repeated `provider_message_id`).
        duplicate: bool,
    },
}

/// The next step for an inbound message, from what is known.
pub fn next_inbound(f: &InboundFacts) -> InboundStep {
    if !f.locked {
        return InboundStep::Lock;
    }
    if !f.read {
        return InboundStep::Read;
    }
    if let Some(rec) = &f.inbound {
        if rec.state == InboundState::Posted {
            return InboundStep::Finish {
                session_id: rec.session_id.clone(),
                message_id: rec.message_id.clone(),
                duplicate: true,
            };
        }
    }
    // The session: the one a crashed attempt posted in, else the cached one,
    // else the oldest open one found, else a new one.
    let (session, from_store) = match (&f.inbound, &f.cached, &f.searched, &f.created) {
        (Some(rec), ..) => (Some(rec.session_id.clone()), true),
        (None, Some(cached), ..) => (Some(cached.clone()), true),
        (None, None, _, Some(created)) => (Some(created.clone()), false),
        (None, None, Some(found), None) => {
            // By instant, not by text: `10:30:00Z` is older than
            // `10:30:00.5Z` though it sorts after it. A missing or
            // unreadable time sorts first, as the earliest possible.
            let instant = |s: &Found| {
                s.created_at
                    .as_deref()
                    .and_then(|t| Timestamp::parse(t).ok())
            };
            let oldest = found
                .iter()
                .min_by(|a, b| (instant(a), &a.id).cmp(&(instant(b), &b.id)));
            match oldest {
                Some(s) => (Some(s.id.clone()), false),
                None => return InboundStep::Create,
            }
        }
        (None, None, None, None) => return InboundStep::Search,
    };
    let session_id = session.unwrap_or_default();
    if f.closed {
        return InboundStep::Replace { session_id };
    }
    if !from_store && !f.remembered {
        return InboundStep::Remember { session_id };
    }
    let already = match (&f.inbound, &f.found_posted) {
        (Some(_), None) => return InboundStep::FindPosted { session_id },
        (Some(_), Some(found)) => found.clone(),
        _ => None,
    };
    let posted = f.posted.clone().or(already);
    if posted.is_none() {
        return InboundStep::Post { session_id };
    }
    if !f.replied {
        return InboundStep::Reply { session_id };
    }
    InboundStep::Finish {
        session_id,
        message_id: posted,
        duplicate: false,
    }
}

// ---------------------------------------------------------------- webhooks --

/// Why a webhook needs no delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The message was delivered and reported already.
    Duplicate,
    /// The session belongs to another channel type.
    NotOurs,
    /// A `message.created` that is not a pending assistant message with
    /// content a user may see (a user message, a thought, one already sent).
    NotAssistant,
    /// Any other event type.
    OtherEvent,
}

/// What a webhook is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EventAction {
    /// An assistant message to deliver: claim it.
    Claim {
        /// Its session.
        session_id: String,
        /// Its id.
        message_id: String,
        /// Its `created_at`, Unix ms (0 when absent: first in its session).
        created_at_ms: i64,
    },
    /// `session.finished`: forget the session as its contact's.
    Forget {
        /// The finished session.
        session_id: String,
    },
    /// Nothing to do.
    Skip {
        /// Why.
        reason: SkipReason,
    },
}

/// What a verified, parsed webhook asks of the relay.
pub fn classify_event(event: &WebhookEvent) -> EventAction {
    match &event.payload {
        EventPayload::MessageCreated(m) => {
            let session = m.session_id.as_deref().filter(|s| !s.is_empty());
            match session {
                Some(session_id) if is_outbound(m) => EventAction::Claim {
                    session_id: session_id.to_string(),
                    message_id: m.id.clone(),
                    created_at_ms: m.created_at.map_or(0, |t| t.unix_millis()),
                },
                _ => EventAction::Skip {
                    reason: SkipReason::NotAssistant,
                },
            }
        }
        EventPayload::SessionFinished { session, .. } => EventAction::Forget {
            session_id: session.id.clone(),
        },
        _ => EventAction::Skip {
            reason: SkipReason::OtherEvent,
        },
    }
}

/// Whether a message role is the agent's (for bindings classifying their own objects).
pub fn is_assistant(role: Option<MessageRole>) -> bool {
    role == Some(MessageRole::Assistant)
}

/// What the store's claim operation found ([`CLAIM_LUA`]'s JSON answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ClaimResult {
    /// The claim is ours; `attempt` counts the claims granted so far.
    Claimed {
        /// 1 for the first.
        attempt: u32,
    },
    /// Another worker holds it for `lease_ms` more.
    Busy {
        /// Milliseconds left on its lease.
        lease_ms: u64,
    },
    /// An earlier message of the session is not done yet.
    Earlier {
        /// Its id.
        message_id: String,
        /// Milliseconds left on its claim (0: nobody holds it).
        lease_ms: u64,
        /// It as stored (JSON text), to deliver it when nobody holds it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Delivered and reported already.
    Done,
    /// Delivered, but the report was not made: the claim is ours, to report it.
    Unreported {
        /// The claims granted so far.
        attempt: u32,
        /// What the channel said.
        outcome: Outcome,
    },
    /// The store does not know whose session it is.
    UnknownSession,
    /// The session belongs to another channel type.
    NotOurs,
}

/// How long a webhook handler waits for an earlier or busy message before
/// it answers "retry later".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WaitPolicy {
    /// The longest wait within one webhook request, in ms (default 5000).
    pub max_wait_ms: u64,
    /// The longest single sleep between claim attempts, in ms (default 100).
    pub poll_ms: u64,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        WaitPolicy {
            max_wait_ms: 5_000,
            poll_ms: 100,
        }
    }
}

/// What to do with an assistant message after a claim attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum WebhookStep {
    /// Hand it to the channel (`redelivery`: a previous claim's lease
    /// expired; the message id is the idempotency key), then report.
    Deliver {
        /// Whether an earlier claim may have sent it already.
        redelivery: bool,
    },
    /// A redelivery: first read the message from the API; deliver only if it
    /// is still `pending` ([`on_verified`]).
    Verify,
    /// Report the stored outcome to the API (the channel already has it).
    Report {
        /// What the channel said.
        outcome: Outcome,
    },
    /// Sleep this long, then claim again.
    Wait {
        /// Milliseconds.
        ms: u64,
    },
    /// An earlier message of the session lies unclaimed: claim and deliver
    /// it first (from its stored copy), then claim this one again.
    TakeOver {
        /// The earlier message's id.
        message_id: String,
        /// Its stored JSON text.
        message: Option<String>,
    },
    /// Read the session (`sessions.get`), store its [`ContactRecord`], and
    /// claim again.
    FetchSession,
    /// Nothing to deliver.
    Skip {
        /// Why.
        reason: SkipReason,
    },
    /// Answer with a retryable 503 and `Retry-After`: it is in hand elsewhere.
    RetryLater {
        /// Seconds.
        after: u64,
    },
}

/// The step after a claim attempt, having already waited `waited_ms` in this request.
pub fn on_claim(result: &ClaimResult, waited_ms: u64, policy: &WaitPolicy) -> WebhookStep {
    let wait = |lease_ms: u64| {
        let ms = lease_ms.clamp(1, policy.poll_ms.max(1));
        if waited_ms.saturating_add(ms) > policy.max_wait_ms {
            WebhookStep::RetryLater {
                after: lease_ms.div_ceil(1000).max(1),
            }
        } else {
            WebhookStep::Wait { ms }
        }
    };
    match result {
        ClaimResult::Claimed { attempt } if *attempt <= 1 => {
            WebhookStep::Deliver { redelivery: false }
        }
        ClaimResult::Claimed { .. } => WebhookStep::Verify,
        ClaimResult::Busy { lease_ms } => wait(*lease_ms),
        ClaimResult::Earlier {
            lease_ms: 0,
            message_id,
            message,
        } => WebhookStep::TakeOver {
            message_id: message_id.clone(),
            message: message.clone(),
        },
        ClaimResult::Earlier { lease_ms, .. } => wait(*lease_ms),
        ClaimResult::Done => WebhookStep::Skip {
            reason: SkipReason::Duplicate,
        },
        ClaimResult::Unreported { outcome, .. } => WebhookStep::Report {
            outcome: outcome.clone(),
        },
        ClaimResult::UnknownSession => WebhookStep::FetchSession,
        ClaimResult::NotOurs => WebhookStep::Skip {
            reason: SkipReason::NotOurs,
        },
    }
}

/// After [`WebhookStep::Verify`]: the message's `delivery_status` as the API
/// has it now. Still `pending` → deliver it again (flagged); anything else →
/// an earlier claim delivered and reported it: settle it as done.
pub fn on_verified(delivery_status: &str) -> WebhookStep {
    if delivery_status == "pending" {
        WebhookStep::Deliver { redelivery: true }
    } else {
        WebhookStep::Skip {
            reason: SkipReason::Duplicate,
        }
    }
}

/// What the channel's `deliver` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "delivery", rename_all = "snake_case")]
pub enum Delivery {
    /// It sent the message, and gave its id (if any).
    Sent {
        /// The channel's id.
        #[serde(default)]
        provider_message_id: Option<String>,
    },
    /// It raised the relay's delivery error: the channel refused the message.
    Refused {
        /// The channel's error code.
        #[serde(default)]
        code: Option<i64>,
        /// The channel's explanation.
        #[serde(default)]
        message: Option<String>,
    },
    /// It raised anything else: nothing is known; the claim is released and
    /// the webhook answered with a retryable error.
    Crashed,
}

/// The report to make after `deliver`, or `None` (release the claim, answer 503).
pub fn on_delivered(delivery: &Delivery) -> Option<Outcome> {
    match delivery {
        Delivery::Sent {
            provider_message_id,
        } => Some(Outcome {
            status: "sent".into(),
            provider_message_id: provider_message_id.clone(),
            code: None,
            message: None,
        }),
        Delivery::Refused { code, message } => Some(Outcome {
            status: "failed".into(),
            provider_message_id: None,
            code: *code,
            message: message.clone(),
        }),
        Delivery::Crashed => None,
    }
}

/// The HTTP answer to a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookResponse {
    /// The status code.
    pub status: u16,
    /// `Retry-After`, seconds, for a retryable answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// The HTTP answer for how a webhook's handling ended:
/// - `sent`, `failed` (delivered or refused, and reported), `duplicate`,
///   `not_ours`, `not_assistant`, `other_event`, `forgotten` → 200;
/// - `bad_signature` → 401; `bad_request` (unparseable) → 400;
/// - `busy` (in hand elsewhere), `store_unavailable`, `api_unavailable`,
///   `deliver_crashed` → 503 with `Retry-After` (`retry_after`, default 1 s):
///   the sender must try again, so nothing is dropped.
pub fn response_for(outcome: &str, retry_after: Option<u64>) -> WebhookResponse {
    let status = match outcome {
        "sent" | "failed" | "duplicate" | "not_ours" | "not_assistant" | "other_event"
        | "forgotten" => 200,
        "bad_signature" => 401,
        "bad_request" => 400,
        _ => 503,
    };
    WebhookResponse {
        status,
        retry_after: (status == 503).then(|| retry_after.unwrap_or(1).max(1)),
    }
}

// ---------------------------------------------------------------- recovery --

/// What a sweep does with one due entry of [`Keys::pending`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum SweepStep {
    /// Nothing is left to deliver (no record, a `done` one, an entry no
    /// relay wrote): remove the entry.
    Drop,
    /// Leave the entry as it is: the record is from a newer SDK.
    Leave,
    /// The message may be stranded (its claim's worker died mid-send): run
    /// it through the webhook's path (claim, then deliver or report), without
    /// waiting for a claim that is still held ([`after_sweep`] reschedules it).
    Redeliver {
        /// Its session.
        session_id: String,
        /// Its id.
        message_id: String,
        /// Its `created_at`, Unix ms.
        created_at_ms: i64,
        /// The message as the webhook carried it (JSON text).
        message: String,
    },
}

/// The step for a due entry of [`Keys::pending`], given its outbound
/// record's stored text (`None`: no record).
pub fn sweep_entry(member: &str, record: Option<&str>) -> SweepStep {
    let Some((session_id, message_id)) = parse_pending_member(member) else {
        return SweepStep::Drop;
    };
    let Some(text) = record else {
        return SweepStep::Drop;
    };
    let rec: OutboundRecord = match decode_record(text) {
        Ok(rec) => rec,
        Err(_) if serde_json::from_str::<Value>(text).is_ok_and(|v| v["v"].as_u64() > Some(1)) => {
            return SweepStep::Leave;
        }
        Err(_) => return SweepStep::Drop,
    };
    match (rec.state, rec.message) {
        (OutboundState::Done, _) | (_, None) => SweepStep::Drop,
        (_, Some(message)) => SweepStep::Redeliver {
            session_id,
            message_id,
            created_at_ms: rec.created_at_ms,
            message,
        },
    }
}

/// What to do with an entry after its [`SweepStep::Redeliver`] ended with
/// `outcome` (as for [`response_for`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum AfterSweep {
    /// Settled (delivered, reported, skipped): remove the entry.
    Drop,
    /// Not settled (held elsewhere, an outage, a `deliver` that crashed):
    /// keep the entry, due again at `due_ms` (the sweeping worker's clock).
    Keep {
        /// When to look at it again, Unix ms.
        due_ms: i64,
    },
}

/// After a swept message's redelivery ended with `outcome` at `now_ms`:
/// a settled outcome drops its entry; a retryable one (a 503 for a
/// webhook) keeps it, due after `Retry-After` seconds.
pub fn after_sweep(outcome: &str, retry_after: Option<u64>, now_ms: i64) -> AfterSweep {
    let r = response_for(outcome, retry_after);
    match r.retry_after {
        Some(after) if r.status == 503 => AfterSweep::Keep {
            due_ms: now_ms
                .saturating_add(i64::try_from(after.saturating_mul(1000)).unwrap_or(i64::MAX)),
        },
        _ => AfterSweep::Drop,
    }
}

/// The relay's decisions by name, JSON in and out, for bindings and vectors:
/// `inbound` ([`InboundFacts`] → [`InboundStep`]), `claim`
/// (`{"result": ClaimResult, "waited_ms", "policy"?}` → [`WebhookStep`]),
/// `verified` (`{"delivery_status"}` → [`WebhookStep`]), `delivered`
/// ([`Delivery`] → [`Outcome`] or `null`), `response`
/// (`{"outcome", "retry_after"?}` → [`WebhookResponse`]), `sweep`
/// (`{"member", "record"}`, `record` the stored text or `null` →
/// [`SweepStep`]), `after_sweep` (`{"outcome", "retry_after"?, "now_ms"}` →
/// [`AfterSweep`]).
pub fn decide_json(kind: &str, input: Value) -> Result<Value, Error> {
    fn read<T: for<'de> Deserialize<'de>>(what: &str, v: Value) -> Result<T, Error> {
        serde_json::from_value(v).map_err(|e| Error::invalid(what, e.to_string()))
    }
    fn out<T: Serialize>(v: &T) -> Result<Value, Error> {
        serde_json::to_value(v).map_err(|e| Error::invalid("output", e.to_string()))
    }
    fn text<'a>(input: &'a Value, name: &str) -> Result<&'a str, Error> {
        input
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(name, "must be a string"))
    }
    match kind {
        "inbound" => out(&next_inbound(&read::<InboundFacts>("facts", input)?)),
        "claim" => {
            let result: ClaimResult =
                read("result", input.get("result").cloned().unwrap_or_default())?;
            let waited = input.get("waited_ms").and_then(Value::as_u64).unwrap_or(0);
            let policy: WaitPolicy = match input.get("policy") {
                Some(p) => read("policy", p.clone())?,
                None => WaitPolicy::default(),
            };
            out(&on_claim(&result, waited, &policy))
        }
        "verified" => {
            let status = text(&input, "delivery_status")?;
            out(&on_verified(status))
        }
        "delivered" => out(&on_delivered(&read::<Delivery>("delivery", input)?)),
        "response" => {
            let outcome = text(&input, "outcome")?;
            out(&response_for(
                outcome,
                input.get("retry_after").and_then(Value::as_u64),
            ))
        }
        "sweep" => {
            let member = text(&input, "member")?;
            let record = match input.get("record") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.as_str()),
                Some(_) => return Err(Error::invalid("record", "must be a string or null")),
            };
            out(&sweep_entry(member, record))
        }
        "after_sweep" => {
            let outcome = text(&input, "outcome")?;
            let now_ms = input
                .get("now_ms")
                .and_then(Value::as_i64)
                .ok_or_else(|| Error::invalid("now_ms", "must be an integer"))?;
            out(&after_sweep(
                outcome,
                input.get("retry_after").and_then(Value::as_u64),
                now_ms,
            ))
        }
        other => Err(Error::invalid(
            "kind",
            format!("unknown decision {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_share_a_slot_and_cannot_collide() {
        let k = Keys::new("p").unwrap();
        assert_eq!(k.lock("wa", "1"), "p:{wa:1}:lock");
        assert_ne!(k.session("a:b", "c"), k.session("a", "b:c"));
        assert_eq!(k.outbound("s}x", "m"), "p:{s%7Dx}:out:m");
        assert!(Keys::new("a{b").is_err());
    }

    #[test]
    fn a_pending_member_splits_back_into_its_ids() {
        let k = Keys::new("p").unwrap();
        assert_eq!(k.pending("web:chat"), "p:pending:web%3Achat");
        let m = k.pending_member("s:1%", "m{2}");
        assert_eq!(m, "s%3A1%25:m%7B2%7D");
        assert_eq!(
            parse_pending_member(&m),
            Some(("s:1%".into(), "m{2}".into()))
        );
        assert_eq!(k.pending_outbound(&m), Some(k.outbound("s:1%", "m{2}")));
        assert_eq!(parse_pending_member("nocolon"), None);
        assert_eq!(parse_pending_member("a:%zz"), None);
    }

    #[test]
    fn a_newer_record_is_refused() {
        let e = decode_record::<SessionRecord>(r#"{"v":2,"session_id":"s"}"#).unwrap_err();
        assert_eq!(e.kind(), "decode");
        let r: SessionRecord = decode_record(r#"{"v":1,"session_id":"s"}"#).unwrap();
        assert_eq!(encode_record(&r), r#"{"v":1,"session_id":"s"}"#);
    }
}
