//! The relay's store in one process's memory: [`MemoryStore`], with the Lua
//! scripts' semantics.
//!
//! Python's and Node's `MemoryStore` wrap this one (a lock around each call
//! on the host), so that the atomic operations a Redis store runs as Lua
//! ([`crate::CLAIM_LUA`], [`crate::FINISH_LUA`], [`crate::EXTEND_LUA`],
//! [`crate::UNLOCK_LUA`], [`crate::FORGET_LUA`]) are restated once, here,
//! and the store conformance scenarios (`tests/fixtures/relay_store.json`)
//! hold for both. Sans-IO like the rest of the crate: every operation takes
//! the host's clock reading, `now_ms` (Unix milliseconds).

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::run::{ClaimArgs, FinishState};
use crate::{
    ContactRecord, OutboundRecord, OutboundState, Outcome, RECORD_VERSION, encode_record, escape,
};

// Expired values are swept every this many writes, so a long-lived process
// stays bounded by the records' retention.
const SWEEP_EVERY: u64 = 4096;

/// The relay's store in memory: see the [module documentation](self).
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    // key -> (value, expires at ms)
    values: HashMap<String, (String, Option<i64>)>,
    // queue key -> message id -> created_at ms
    queues: HashMap<String, HashMap<String, i64>>,
    // recovery index key -> member -> due ms
    indexes: HashMap<String, HashMap<String, i64>>,
    writes: u64,
}

fn read<T: for<'de> serde::Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_str(text).ok()
}

// Redis orders a sorted set by score, then member.
fn by_score(set: &HashMap<String, i64>) -> Vec<(&String, i64)> {
    let ordered: BTreeMap<(i64, &String), ()> = set.iter().map(|(m, s)| ((*s, m), ())).collect();
    ordered.into_keys().map(|(s, m)| (m, s)).collect()
}

fn lease_left(until: i64, now: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).unwrap_or(0)
}

fn after(now: i64, ms: u64) -> i64 {
    now.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// How many values it holds (expired ones too, until a sweep drops them).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it holds no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value at `key`, unless it expired by `now_ms`.
    pub fn get(&mut self, key: &str, now_ms: i64) -> Option<String> {
        let (value, expires) = self.values.get(key)?;
        if expires.is_some_and(|at| at <= now_ms) {
            self.values.remove(key);
            return None;
        }
        Some(value.clone())
    }

    /// The values at `keys`, in order.
    pub fn get_many(&mut self, keys: &[String], now_ms: i64) -> Vec<Option<String>> {
        keys.iter().map(|k| self.get(k, now_ms)).collect()
    }

    /// Stores `value` at `key` for `ttl_ms` (`None`: for good).
    pub fn put(&mut self, key: &str, value: &str, ttl_ms: Option<u64>, now_ms: i64) {
        let expires = ttl_ms.map(|ttl| after(now_ms, ttl));
        self.values
            .insert(key.to_string(), (value.to_string(), expires));
        self.writes += 1;
        if self.writes % SWEEP_EVERY == 0 {
            self.values
                .retain(|_, (_, exp)| exp.is_none_or(|at| at > now_ms));
        }
    }

    // An outbound record, written for the records' retention.
    fn put_outbound(&mut self, key: &str, rec: &OutboundRecord, retention_ms: u64, now_ms: i64) {
        self.put(key, &encode_record(rec), Some(retention_ms), now_ms);
    }

    /// Takes the lock `key` for `token` unless it is held (`SET NX PX`).
    pub fn acquire(&mut self, key: &str, token: &str, lease_ms: u64, now_ms: i64) -> bool {
        if self.get(key, now_ms).is_some() {
            return false;
        }
        self.put(key, token, Some(lease_ms), now_ms);
        true
    }

    /// Releases the lock `key` if `token` holds it ([`crate::UNLOCK_LUA`]).
    pub fn release(&mut self, key: &str, token: &str, now_ms: i64) -> bool {
        if self.get(key, now_ms).as_deref() == Some(token) {
            self.values.remove(key);
            return true;
        }
        false
    }

    /// Forgets the session record at `key` if it still names `session_id`
    /// ([`crate::FORGET_LUA`]).
    pub fn forget(&mut self, key: &str, session_id: &str, now_ms: i64) -> bool {
        let names = self
            .get(key, now_ms)
            .and_then(|raw| read::<Value>(&raw))
            .is_some_and(|v| v.get("session_id").and_then(Value::as_str) == Some(session_id));
        if names {
            self.values.remove(key);
        }
        names
    }

    /// (Re)schedules `member` in the index `key`, due at `due_ms` (`ZADD`).
    pub fn index_put(&mut self, key: &str, member: &str, due_ms: i64) {
        self.indexes
            .entry(key.to_string())
            .or_default()
            .insert(member.to_string(), due_ms);
    }

    /// The index's entries due by `now_ms`, soonest first, at most `limit`
    /// (`ZRANGE BYSCORE LIMIT`).
    pub fn index_due(&self, key: &str, now_ms: i64, limit: usize) -> Vec<(String, i64)> {
        let Some(index) = self.indexes.get(key) else {
            return Vec::new();
        };
        by_score(index)
            .into_iter()
            .filter(|(_, due)| *due <= now_ms)
            .take(limit)
            .map(|(m, due)| (m.clone(), due))
            .collect()
    }

    /// Removes these entries from the index (`ZREM`).
    pub fn index_drop(&mut self, key: &str, members: &[String]) {
        if let Some(index) = self.indexes.get_mut(key) {
            for m in members {
                index.remove(m);
            }
            if index.is_empty() {
                self.indexes.remove(key);
            }
        }
    }

    /// The claim operation ([`crate::CLAIM_LUA`], with the recovery index
    /// entry a Redis store writes in the same round trip): its JSON result,
    /// as [`crate::ClaimResult`] plus the `contact` record's text (claimed,
    /// unreported) and the stored `message` (claimed, earlier).
    pub fn claim(&mut self, a: &ClaimArgs, now_ms: i64) -> Value {
        let now = now_ms;
        if !a.pending_key.is_empty() {
            self.index_put(&a.pending_key, &a.pending_member, after(now, a.lease_ms));
        }
        let Some(raw_contact) = self.get(&a.contact_key, now) else {
            return json!({"result": "unknown_session"});
        };
        let ours =
            read::<ContactRecord>(&raw_contact).is_some_and(|c| c.channel_type == a.channel_type);
        if !ours {
            return json!({"result": "not_ours"});
        }
        let stored = self
            .get(&a.outbound_key, now)
            .and_then(|raw| read::<OutboundRecord>(&raw));
        let is_new = stored.is_none();
        let mut rec = match stored {
            Some(rec) if rec.state == OutboundState::Done => return json!({"result": "done"}),
            Some(rec) => rec,
            None => {
                self.queues
                    .entry(a.queue_key.clone())
                    .or_default()
                    .insert(a.message_id.clone(), a.created_at_ms);
                OutboundRecord {
                    v: RECORD_VERSION,
                    state: OutboundState::Pending,
                    created_at_ms: a.created_at_ms,
                    attempts: 0,
                    lease_until_ms: 0,
                    owner: None,
                    message: Some(a.message_json.clone()),
                    outcome: None,
                }
            }
        };
        let ordered: Vec<String> = self
            .queues
            .get(&a.queue_key)
            .map(|q| by_score(q).into_iter().map(|(m, _)| m.clone()).collect())
            .unwrap_or_default();
        for mid in ordered {
            if mid == a.message_id {
                break;
            }
            let key = format!("{}out:{}", a.session_base, escape(&mid));
            let earlier = self
                .get(&key, now)
                .and_then(|raw| read::<OutboundRecord>(&raw))
                .filter(|e| e.state != OutboundState::Done);
            let Some(e) = earlier else {
                if let Some(q) = self.queues.get_mut(&a.queue_key) {
                    q.remove(&mid);
                }
                continue;
            };
            if is_new {
                self.put_outbound(&a.outbound_key, &rec, a.retention_ms, now);
            }
            let mut result = json!({
                "result": "earlier",
                "message_id": mid,
                "lease_ms": lease_left(e.lease_until_ms, now),
            });
            if let Some(message) = e.message {
                result["message"] = json!(message);
            }
            return result;
        }
        if rec.lease_until_ms > now && rec.owner.as_deref() != Some(a.token.as_str()) {
            if is_new {
                self.put_outbound(&a.outbound_key, &rec, a.retention_ms, now);
            }
            return json!({"result": "busy", "lease_ms": lease_left(rec.lease_until_ms, now)});
        }
        rec.attempts += 1;
        rec.owner = Some(a.token.clone());
        rec.lease_until_ms = after(now, a.lease_ms);
        self.put_outbound(&a.outbound_key, &rec, a.retention_ms, now);
        if rec.state == OutboundState::Delivered {
            return json!({"result": "unreported", "attempt": rec.attempts, "outcome": rec.outcome,
                          "contact": raw_contact});
        }
        json!({"result": "claimed", "attempt": rec.attempts, "contact": raw_contact,
               "message": rec.message})
    }

    /// Extends a live claim for its holder ([`crate::EXTEND_LUA`]): never a
    /// lapsed one (another worker may hold it now); the record's retention
    /// stays.
    pub fn extend(&mut self, outbound_key: &str, token: &str, lease_ms: u64, now_ms: i64) -> bool {
        let Some(mut rec) = self
            .get(outbound_key, now_ms)
            .and_then(|raw| read::<OutboundRecord>(&raw))
        else {
            return false;
        };
        if rec.owner.as_deref() != Some(token)
            || rec.state != OutboundState::Pending
            || rec.lease_until_ms <= now_ms
        {
            return false;
        }
        rec.lease_until_ms = after(now_ms, lease_ms);
        if let Some(slot) = self.values.get_mut(outbound_key) {
            slot.0 = encode_record(&rec);
        }
        true
    }

    /// Settles a claim ([`crate::FINISH_LUA`]): whether `token` held it.
    #[allow(clippy::too_many_arguments)] // the script's keys and arguments, by name
    pub fn finish(
        &mut self,
        outbound_key: &str,
        queue_key: &str,
        message_id: &str,
        token: &str,
        state: FinishState,
        outcome: Option<Outcome>,
        retention_ms: u64,
        now_ms: i64,
    ) -> bool {
        let Some(mut rec) = self
            .get(outbound_key, now_ms)
            .and_then(|raw| read::<OutboundRecord>(&raw))
        else {
            return false;
        };
        let owned = rec.owner.as_deref() == Some(token);
        if rec.state == OutboundState::Done {
            return owned;
        }
        let empty = || Outcome {
            status: String::new(),
            provider_message_id: None,
            code: None,
            message: None,
        };
        match state {
            FinishState::Released => {
                if !owned {
                    return false;
                }
                rec.lease_until_ms = 0;
            }
            FinishState::Done => {
                rec = OutboundRecord {
                    v: RECORD_VERSION,
                    state: OutboundState::Done,
                    created_at_ms: rec.created_at_ms,
                    attempts: rec.attempts,
                    lease_until_ms: 0,
                    owner: rec.owner,
                    message: None,
                    outcome: Some(outcome.unwrap_or_else(empty)),
                };
                if let Some(q) = self.queues.get_mut(queue_key) {
                    q.remove(message_id);
                    if q.is_empty() {
                        self.queues.remove(queue_key);
                    }
                }
            }
            FinishState::Delivered => {
                rec.state = OutboundState::Delivered;
                rec.outcome = Some(outcome.unwrap_or_else(empty));
                rec.lease_until_ms = 0;
            }
        }
        self.put_outbound(outbound_key, &rec, retention_ms, now_ms);
        owned
    }
}
