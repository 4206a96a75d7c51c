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

/// A webhook's (`kind` `"webhook"`) or swept message's (`"sweep"`) delivery
/// as a sans-IO run (`antonnia_relay::run::RunDriver`), JSON text in and
/// out: `next()` gives the effect to perform, `resume(answerJson)` takes its
/// answer and gives the next one, until `done` or `failed`.
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
    /// Checks and parses one delivery for the relay, in one crossing: JSON
    /// `{"event": <canonical JSON>, "action": <relay::classify_event>}`.
    #[wasm_bindgen(js_name = receiveForRelay)]
    pub fn receive_for_relay(
        &self,
        body: &[u8],
        headers: JsValue,
        now_ms: f64,
    ) -> Result<String, JsValue> {
        #[derive(serde::Serialize)]
        struct Received<'a> {
            event: &'a WebhookEvent,
            action: relay::EventAction,
        }
        let event = self.event(body, headers, now_ms)?;
        to_json(&Received {
            action: relay::classify_event(&event),
            event: &event,
        })
    }
}
