//! The channel relay's shared pieces (the `antonnia-relay` crate), for the
//! server-only entry point `antonnia-sdk/relay`: key names, records, the Lua
//! scripts and the decisions, so that a Node worker and a Python worker make
//! the same ones over the same Redis. Records and decisions cross as JSON text.

use antonnia_core::webhook::WebhookEvent;
use antonnia_relay as relay;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::{WebhookReceiver, invalid, json_arg, throw, to_json};

/// The relay's store keys under one prefix (`antonnia_relay::Keys`).
#[wasm_bindgen]
pub struct RelayKeys {
    inner: relay::Keys,
}

#[wasm_bindgen]
impl RelayKeys {
    /// Keys under `prefix`; refused with `{` or `}` or over 200 bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(prefix: &str) -> Result<RelayKeys, JsValue> {
        let inner = relay::Keys::new(prefix).map_err(|e| throw(&e))?;
        Ok(RelayKeys { inner })
    }

    /// The prefix.
    #[wasm_bindgen(getter)]
    pub fn prefix(&self) -> String {
        self.inner.prefix().to_string()
    }

    /// The contact's lock.
    pub fn lock(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.inner.lock(channel_type, channel_user_id)
    }

    /// The contact's current session (`SessionRecord`).
    pub fn session(&self, channel_type: &str, channel_user_id: &str) -> String {
        self.inner.session(channel_type, channel_user_id)
    }

    /// A user message of the contact (`InboundRecord`).
    pub fn inbound(
        &self,
        channel_type: &str,
        channel_user_id: &str,
        provider_message_id: &str,
    ) -> String {
        self.inner
            .inbound(channel_type, channel_user_id, provider_message_id)
    }

    /// Whose session this is (`ContactRecord`).
    pub fn contact(&self, session_id: &str) -> String {
        self.inner.contact(session_id)
    }

    /// The session's queue of undelivered assistant messages.
    pub fn queue(&self, session_id: &str) -> String {
        self.inner.queue(session_id)
    }

    /// An assistant message's delivery (`OutboundRecord`).
    pub fn outbound(&self, session_id: &str, message_id: &str) -> String {
        self.inner.outbound(session_id, message_id)
    }

    /// What every key of a session starts with.
    #[wasm_bindgen(js_name = sessionBase)]
    pub fn session_base(&self, session_id: &str) -> String {
        self.inner.session_base(session_id)
    }

    /// The recovery index of a channel type's relays: claims by when they lapse.
    pub fn pending(&self, channel_type: &str) -> String {
        self.inner.pending(channel_type)
    }

    /// A message's entry in the recovery index.
    #[wasm_bindgen(js_name = pendingMember)]
    pub fn pending_member(&self, session_id: &str, message_id: &str) -> String {
        self.inner.pending_member(session_id, message_id)
    }

    /// The outbound record an entry of the recovery index stands for
    /// (`undefined` for text no relay wrote).
    #[wasm_bindgen(js_name = pendingOutbound)]
    pub fn pending_outbound(&self, member: &str) -> Option<String> {
        self.inner.pending_outbound(member)
    }
}

/// The relay's constants as JSON: `defaultPrefix`, `recordVersion` and the
/// Lua scripts `claim`, `finish`, `extend`, `unlock`, `forget` (never restated
/// in JS).
#[wasm_bindgen(js_name = relayConstants)]
pub fn relay_constants() -> String {
    serde_json::json!({
        "defaultPrefix": relay::DEFAULT_PREFIX,
        "recordVersion": relay::RECORD_VERSION,
        "claim": relay::CLAIM_LUA,
        "finish": relay::FINISH_LUA,
        "extend": relay::EXTEND_LUA,
        "unlock": relay::UNLOCK_LUA,
        "forget": relay::FORGET_LUA,
    })
    .to_string()
}

/// One of the relay's decisions by name (`relay::decide_json`), JSON in and out.
#[wasm_bindgen(js_name = relayDecide)]
pub fn relay_decide(kind: &str, input_json: &str) -> Result<String, JsValue> {
    let input = json_arg("input", input_json)?;
    let out = relay::decide_json(kind, input).map_err(|e| throw(&e))?;
    to_json(&out)
}

/// One of the relay's procedures (`kind` `webhook`, `sweep`, `inbound`,
/// `recover` or `forget`) as a sans-IO run
/// (`antonnia_relay::run::RunDriver`), JSON text in and out: `next()` gives
/// the effect to perform, `resume(answerJson)` takes its answer and gives
/// the next one, until the run ends.
#[wasm_bindgen]
pub struct RelayRun {
    inner: relay::run::RunDriver,
}

#[wasm_bindgen]
impl RelayRun {
    /// A run from its input, JSON text (`RunDriver::new`).
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, input_json: &str) -> Result<RelayRun, JsValue> {
        let inner = relay::run::RunDriver::new(kind, input_json).map_err(|e| throw(&e))?;
        Ok(RelayRun { inner })
    }

    /// The effect to perform now, JSON text.
    pub fn next(&self) -> String {
        self.inner.next()
    }

    /// Takes the pending effect's answer (JSON text) and gives the next effect.
    pub fn resume(&mut self, answer_json: &str) -> Result<String, JsValue> {
        self.inner.resume(answer_json).map_err(|e| throw(&e))
    }
}

/// The relay's store in this process's memory
/// (`antonnia_relay::memory::MemoryStore`: the Lua scripts' semantics),
/// which `MemoryStore` in relay.js wraps. Every operation takes the caller's
/// clock, `now` (Unix ms).
#[wasm_bindgen]
pub struct RelayMemory {
    inner: relay::memory::MemoryStore,
}

impl Default for RelayMemory {
    fn default() -> Self {
        RelayMemory::new()
    }
}

#[wasm_bindgen]
impl RelayMemory {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RelayMemory {
        RelayMemory {
            inner: relay::memory::MemoryStore::new(),
        }
    }

    /// The values at `keys` (JSON text: an array of strings), as JSON text.
    #[wasm_bindgen(js_name = getMany)]
    pub fn get_many(&mut self, keys_json: &str, now: f64) -> Result<String, JsValue> {
        let keys: Vec<String> =
            serde_json::from_str(keys_json).map_err(|e| invalid("keys", e.to_string()))?;
        to_json(&self.inner.get_many(&keys, now as i64))
    }

    /// Stores `value` at `key` for `ttl_ms` (`undefined`: for good).
    pub fn put(&mut self, key: &str, value: &str, ttl_ms: Option<f64>, now: f64) {
        self.inner
            .put(key, value, ttl_ms.map(|t| t.max(0.0) as u64), now as i64);
    }

    /// Takes the lock `key` for `token` unless it is held.
    pub fn acquire(&mut self, key: &str, token: &str, lease_ms: f64, now: f64) -> bool {
        self.inner
            .acquire(key, token, lease_ms.max(0.0) as u64, now as i64)
    }

    /// Releases the lock `key` if `token` holds it.
    pub fn release(&mut self, key: &str, token: &str, now: f64) -> bool {
        self.inner.release(key, token, now as i64)
    }

    /// Forgets the session record at `key` if it still names `session_id`.
    pub fn forget(&mut self, key: &str, session_id: &str, now: f64) -> bool {
        self.inner.forget(key, session_id, now as i64)
    }

    /// (Re)schedules `member` in the index `key`, due at `due_ms`.
    #[wasm_bindgen(js_name = indexPut)]
    pub fn index_put(&mut self, key: &str, member: &str, due_ms: f64) {
        self.inner.index_put(key, member, due_ms as i64);
    }

    /// The index's entries due by `now`, at most `limit`, as JSON text
    /// `[[member, due_ms], ...]`.
    #[wasm_bindgen(js_name = indexDue)]
    pub fn index_due(&self, key: &str, now: f64, limit: u32) -> Result<String, JsValue> {
        to_json(&self.inner.index_due(key, now as i64, limit as usize))
    }

    /// Removes these entries (JSON text: an array of strings) from the index.
    #[wasm_bindgen(js_name = indexDrop)]
    pub fn index_drop(&mut self, key: &str, members_json: &str) -> Result<(), JsValue> {
        let members: Vec<String> =
            serde_json::from_str(members_json).map_err(|e| invalid("members", e.to_string()))?;
        self.inner.index_drop(key, &members);
        Ok(())
    }

    /// The claim operation: `args_json` the claim's fields (`ClaimArgs`,
    /// snake_case), its result as JSON text.
    pub fn claim(&mut self, args_json: &str, now: f64) -> Result<String, JsValue> {
        let args: relay::run::ClaimArgs =
            serde_json::from_str(args_json).map_err(|e| invalid("args", e.to_string()))?;
        to_json(&self.inner.claim(&args, now as i64))
    }

    /// Extends a live claim for its holder.
    pub fn extend(&mut self, outbound_key: &str, token: &str, lease_ms: f64, now: f64) -> bool {
        self.inner
            .extend(outbound_key, token, lease_ms.max(0.0) as u64, now as i64)
    }

    /// Settles a claim: `state` `done`, `delivered` or `released`;
    /// `outcome_json` an `Outcome` or `null`. Whether `token` held it.
    #[allow(clippy::too_many_arguments)] // the script's keys and arguments, by name
    pub fn finish(
        &mut self,
        outbound_key: &str,
        queue_key: &str,
        message_id: &str,
        token: &str,
        state: &str,
        outcome_json: &str,
        retention_ms: f64,
        now: f64,
    ) -> Result<bool, JsValue> {
        let state: relay::run::FinishState = state.parse().map_err(|e| throw(&e))?;
        let outcome: Option<relay::Outcome> =
            serde_json::from_str(outcome_json).map_err(|e| invalid("outcome", e.to_string()))?;
        Ok(self.inner.finish(
            outbound_key,
            queue_key,
            message_id,
            token,
            state,
            outcome,
            retention_ms.max(0.0) as u64,
            now as i64,
        ))
    }
}

/// The relay's counters (`antonnia_relay::stats::Stats`).
#[wasm_bindgen]
pub struct RelayStats {
    inner: relay::stats::Stats,
}

#[wasm_bindgen]
impl RelayStats {
    /// Counters for a relay of `channel_type`, all zero.
    #[wasm_bindgen(constructor)]
    pub fn new(channel_type: &str) -> RelayStats {
        RelayStats {
            inner: relay::stats::Stats::new(channel_type),
        }
    }

    /// The HTTP answer for a webhook that ended with `outcome`, counted:
    /// JSON `{"status", "retry_after"?}`.
    pub fn respond(&mut self, outcome: &str, retry_after: Option<u32>) -> String {
        let response = self.inner.respond(outcome, retry_after.map(u64::from));
        serde_json::to_string(&response).unwrap_or_default()
    }

    /// Adds what an ended run did.
    pub fn add(&mut self, run: &RelayRun) {
        self.inner.add(&run.inner);
    }

    /// The counters now, JSON text.
    pub fn snapshot(&self) -> String {
        serde_json::to_string(&self.inner.snapshot()).unwrap_or_default()
    }

    /// The counters as samples of `relayMetrics()`, JSON text:
    /// `[[metric index, [[label, value], ...], value], ...]`.
    pub fn samples(&self) -> String {
        let samples: Vec<_> = self
            .inner
            .samples()
            .into_iter()
            .map(|s| (s.metric, s.labels, s.value))
            .collect();
        serde_json::to_string(&samples).unwrap_or_default()
    }

    /// The counters in the Prometheus text format.
    #[wasm_bindgen(js_name = prometheusText)]
    pub fn prometheus_text(&self) -> String {
        self.inner.prometheus_text()
    }
}

/// Every counter's names, unit and description, JSON text:
/// `[{"prometheus", "otel", "unit", "help"}, ...]`.
#[wasm_bindgen(js_name = relayMetrics)]
pub fn relay_metrics() -> String {
    serde_json::to_string(relay::stats::METRICS).unwrap_or_default()
}

/// A stored record (`session`, `contact`, `inbound`, `outbound`) read from
/// its text, its version checked: its JSON value as text.
#[wasm_bindgen(js_name = relayDecodeRecord)]
pub fn relay_decode_record(record_type: &str, text: &str) -> Result<String, JsValue> {
    use relay::{ContactRecord, InboundRecord, OutboundRecord, SessionRecord, decode_record};
    fn value<T: relay::Record>(text: &str) -> Result<String, JsValue> {
        let record = decode_record::<T>(text).map_err(|e| throw(&e))?;
        to_json(&record)
    }
    match record_type {
        "session" => value::<SessionRecord>(text),
        "contact" => value::<ContactRecord>(text),
        "inbound" => value::<InboundRecord>(text),
        "outbound" => value::<OutboundRecord>(text),
        _ => Err(invalid(
            "recordType",
            "must be session, contact, inbound or outbound",
        )),
    }
}

/// A record (JSON text of its value) as the exact text every worker writes;
/// checks its fields.
#[wasm_bindgen(js_name = relayEncodeRecord)]
pub fn relay_encode_record(record_type: &str, record_json: &str) -> Result<String, JsValue> {
    use relay::{ContactRecord, InboundRecord, OutboundRecord, SessionRecord, encode_record};
    fn text<T: relay::Record>(v: Value) -> Result<String, JsValue> {
        let r: T = serde_json::from_value(v).map_err(|e| invalid("record", e.to_string()))?;
        Ok(encode_record(&r))
    }
    let v = json_arg("record", record_json)?;
    match record_type {
        "session" => text::<SessionRecord>(v),
        "contact" => text::<ContactRecord>(v),
        "inbound" => text::<InboundRecord>(v),
        "outbound" => text::<OutboundRecord>(v),
        _ => Err(invalid(
            "recordType",
            "must be session, contact, inbound or outbound",
        )),
    }
}

#[wasm_bindgen]
impl WebhookReceiver {
    /// Checks and parses the delivery written at `deliveryAt` for the relay,
    /// in one crossing: JSON `{"event": <canonical JSON>, "action":
    /// <relay::classify_event>}`; the arguments as in `receive`.
    #[wasm_bindgen(js_name = receiveForRelay)]
    pub fn receive_for_relay(
        &mut self,
        len: usize,
        headers_len: usize,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        #[derive(serde::Serialize)]
        struct Received<'a> {
            event: &'a WebhookEvent,
            action: relay::EventAction,
        }
        let event = self.event(len, headers_len, now_ms)?;
        to_json(&Received {
            action: relay::classify_event(&event),
            event: &event,
        })
    }
}
