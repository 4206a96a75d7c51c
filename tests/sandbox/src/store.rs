//! The sandbox's memory: sessions with their messages, surveys and
//! schedules, and agents. Bounded: past the caps the oldest entries go first.

use std::collections::{HashMap, VecDeque};

use crate::wire::{Agent, Message, Session, SessionSchedule, SurveySubmission};
use serde_json::{Map, Value};

/// How much the sandbox keeps before it forgets the oldest entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sessions kept; creating one more forgets the oldest (with its messages).
    pub max_sessions: usize,
    /// Messages kept per session; adding one more forgets that session's oldest.
    pub max_messages_per_session: usize,
    /// Agents kept; creating one more is refused with 422.
    pub max_agents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sessions: 10_000,
            max_messages_per_session: 1_000,
            max_agents: 1_000,
        }
    }
}

/// One session and everything that hangs off it.
#[derive(Debug)]
pub(crate) struct SessionRecord {
    pub(crate) session: Session,
    /// The contact's display name (kept for the AI's greeting; not part of Session).
    pub(crate) contact_name: String,
    pub(crate) messages: Vec<Message>,
    /// `messages[..answered]` have been answered by the AI agent.
    pub(crate) answered: usize,
    /// Bumped by every `reply`: only the latest debounce timer may answer.
    pub(crate) reply_generation: u64,
    pub(crate) surveys: Vec<SurveySubmission>,
    pub(crate) schedules: Vec<SessionSchedule>,
}

impl SessionRecord {
    /// Adds a message, forgetting the oldest past the cap.
    pub(crate) fn push_message(&mut self, message: Message, cap: usize) {
        self.messages.push(message);
        let excess = self.messages.len().saturating_sub(cap.max(1));
        if excess > 0 {
            self.messages.drain(..excess);
            self.answered = self.answered.saturating_sub(excess);
        }
    }

    /// Adds a schedule; a session keeps its latest `cap` schedules, like its messages.
    pub(crate) fn push_schedule(&mut self, schedule: SessionSchedule, cap: usize) {
        self.schedules.push(schedule);
        let excess = self.schedules.len().saturating_sub(cap.max(1));
        self.schedules.drain(..excess);
    }

    /// Starts a new debounce round: timers of earlier rounds will not answer.
    pub(crate) fn next_reply_generation(&mut self) -> u64 {
        self.reply_generation += 1;
        self.reply_generation
    }

    pub(crate) fn message_mut(&mut self, message_id: &str) -> Option<&mut Message> {
        self.messages.iter_mut().find(|m| m.id == message_id)
    }
}

/// Everything the sandbox holds.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) limits: Limits,
    sessions: HashMap<String, SessionRecord>,
    /// Session ids in creation order: search order, and eviction order.
    session_order: VecDeque<String>,
    /// Agents in creation order.
    agents: Vec<Agent>,
}

impl Store {
    pub(crate) fn new(limits: Limits, agents: Vec<Agent>) -> Store {
        Store {
            limits,
            sessions: HashMap::new(),
            session_order: VecDeque::new(),
            agents,
        }
    }

    pub(crate) fn insert_session(&mut self, record: SessionRecord) {
        while self.session_order.len() >= self.limits.max_sessions.max(1) {
            match self.session_order.pop_front() {
                Some(oldest) => {
                    self.sessions.remove(&oldest);
                }
                None => break,
            }
        }
        self.session_order.push_back(record.session.id.clone());
        self.sessions.insert(record.session.id.clone(), record);
    }

    pub(crate) fn session(&self, id: &str) -> Option<&SessionRecord> {
        self.sessions.get(id)
    }

    pub(crate) fn session_mut(&mut self, id: &str) -> Option<&mut SessionRecord> {
        self.sessions.get_mut(id)
    }

    /// Sessions in creation order.
    pub(crate) fn sessions(&self) -> impl Iterator<Item = &SessionRecord> {
        self.session_order
            .iter()
            .filter_map(|id| self.sessions.get(id))
    }

    pub(crate) fn agent(&self, id: &str) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == id)
    }

    pub(crate) fn agent_mut(&mut self, id: &str) -> Option<&mut Agent> {
        self.agents.iter_mut().find(|a| a.id == id)
    }

    pub(crate) fn agents(&self) -> &[Agent] {
        &self.agents
    }

    /// Adds an agent; `false` when the cap is reached.
    pub(crate) fn insert_agent(&mut self, agent: Agent) -> bool {
        if self.agents.len() >= self.limits.max_agents {
            return false;
        }
        self.agents.push(agent);
        true
    }

    /// Removes an agent; `false` when there was none with that id.
    pub(crate) fn remove_agent(&mut self, id: &str) -> bool {
        let before = self.agents.len();
        self.agents.retain(|a| a.id != id);
        self.agents.len() != before
    }
}

/// Whether `metadata` holds `expected` at `key`: the key as written first,
/// then read as a dotted path into nested objects (`internal.user_id`).
/// Numbers match by value (`1` matches `1.0`).
pub(crate) fn metadata_matches(metadata: &Map<String, Value>, key: &str, expected: &Value) -> bool {
    let found = metadata.get(key).or_else(|| {
        let mut parts = key.split('.');
        let first = metadata.get(parts.next()?)?;
        parts.try_fold(first, |value, part| value.as_object()?.get(part))
    });
    match (found, expected) {
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(found), expected) => found == expected,
        (None, _) => false,
    }
}

/// The `offset`/`limit` window of an iterator.
pub(crate) fn page<T>(items: impl Iterator<Item = T>, offset: usize, limit: usize) -> Vec<T> {
    items.skip(offset).take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_matches_literal_and_dotted_keys() {
        let meta = json!({"channel_type": "whatsapp", "internal": {"user_id": 42}, "a.b": "lit"});
        let meta = meta.as_object().unwrap();
        assert!(metadata_matches(meta, "channel_type", &json!("whatsapp")));
        assert!(metadata_matches(meta, "internal.user_id", &json!(42)));
        assert!(metadata_matches(meta, "internal.user_id", &json!(42.0)));
        assert!(metadata_matches(meta, "a.b", &json!("lit")));
        assert!(!metadata_matches(meta, "internal.user_id", &json!("42")));
        assert!(!metadata_matches(meta, "internal.missing", &json!(1)));
    }

    #[test]
    fn sessions_past_the_cap_forget_the_oldest() {
        let mut store = Store::new(
            Limits {
                max_sessions: 2,
                ..Limits::default()
            },
            vec![],
        );
        for id in ["a", "b", "c"] {
            store.insert_session(SessionRecord {
                session: crate::wire::tests::session(id),
                contact_name: String::new(),
                messages: vec![],
                answered: 0,
                reply_generation: 0,
                surveys: vec![],
                schedules: vec![],
            });
        }
        let ids: Vec<&str> = store.sessions().map(|r| r.session.id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
        assert!(store.session("a").is_none());
    }
}
