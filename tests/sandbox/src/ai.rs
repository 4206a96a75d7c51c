//! The sandbox's AI agent: deterministic answers after a debounce, and
//! scheduled actions. Each `reply` restarts the session's timer; when the last
//! one fires, ONE assistant message answers every user message since the
//! previous answer, and `message.created` goes out.

use std::sync::Arc;

use antonnia_core::{
    AgentKind, DeliveryStatus, EventPayload, Message, MessageContent, MessageRole, ScheduleConfig,
    SessionStatus, Timestamp,
    types::{ScheduleStatus, TextContent},
};

use crate::AppState;
use crate::ids::now;
use crate::store::SessionRecord;

/// Longest quote of one user message in an answer, in characters.
const QUOTE_CHARS: usize = 200;

/// Starts (or restarts) the session's debounce timer.
pub(crate) fn schedule_reply(
    state: &Arc<AppState>,
    session_id: String,
    generation: u64,
    debounce_seconds: f64,
) {
    let state = state.clone();
    tokio::spawn(async move {
        if !state.sleep(debounce_seconds).await {
            return;
        }
        let answer = {
            let mut store = state.store();
            let cap = store.limits.max_messages_per_session;
            let Some(record) = store.session_mut(&session_id) else {
                return;
            };
            if record.reply_generation != generation
                || record.session.status == Some(SessionStatus::Closed)
            {
                return; // a later reply restarted the timer, or the session closed
            }
            let text = compose_answer(record);
            let message = assistant_message(&state, record, MessageContent::text(text));
            record.push_message(message.clone(), cap);
            record.answered = record.messages.len();
            message
        };
        state.emit(EventPayload::MessageCreated(Box::new(answer)));
    });
}

/// Runs a schedule when its time comes: sends its message (or the node's
/// opening line) as the assistant, and marks it completed.
pub(crate) fn run_schedule(
    state: &Arc<AppState>,
    session_id: String,
    schedule_id: String,
    at: Timestamp,
) {
    let state = state.clone();
    let wait = (at.as_unix_seconds_f64() - now().as_unix_seconds_f64()).max(0.0);
    tokio::spawn(async move {
        if !state.sleep(wait).await {
            return;
        }
        let message = {
            let mut store = state.store();
            let cap = store.limits.max_messages_per_session;
            let Some(record) = store.session_mut(&session_id) else {
                return;
            };
            let Some(schedule) = record.schedules.iter_mut().find(|s| s.id == schedule_id) else {
                return;
            };
            let content = match &schedule.config {
                Some(ScheduleConfig::Message { message }) => Some(message.clone()),
                Some(ScheduleConfig::Node { node_id }) => Some(MessageContent::text(format!(
                    "(Flow node {node_id} started.)"
                ))),
                _ => None,
            };
            schedule.status = Some(match content {
                Some(_) => ScheduleStatus::Completed,
                None => ScheduleStatus::Failed,
            });
            let Some(content) = content else { return };
            let message = assistant_message(&state, record, content);
            record.push_message(message.clone(), cap);
            message
        };
        state.emit(EventPayload::MessageCreated(Box::new(message)));
    });
}

/// A new assistant message in the session, pending delivery.
pub(crate) fn assistant_message(
    state: &AppState,
    record: &SessionRecord,
    content: MessageContent,
) -> Message {
    let at = now();
    let mut message = Message::new(state.ids.next("msg"), content);
    message.session_id = Some(record.session.id.clone());
    message.conversation_id = record.session.conversation_id.clone();
    message.organization_id = record.session.organization_id.clone();
    message.role = Some(MessageRole::Assistant);
    message.run_id = Some(state.ids.next("run"));
    message.created_at = Some(at);
    message.updated_at = Some(at);
    message.delivery_status = DeliveryStatus::Pending;
    message
}

/// The deterministic answer: it quotes every user message since the last one.
fn compose_answer(record: &SessionRecord) -> String {
    let agent = match &record.session.agent {
        Some(agent) if matches!(agent.kind, AgentKind::Ai { .. }) => agent
            .name
            .clone()
            .unwrap_or_else(|| "your assistant".to_string()),
        _ => "your assistant".to_string(),
    };
    let quotes: Vec<String> = record.messages[record.answered.min(record.messages.len())..]
        .iter()
        .filter(|m| m.role == Some(MessageRole::User))
        .map(|m| format!("\u{201c}{}\u{201d}", describe(&m.content)))
        .collect();
    if quotes.is_empty() {
        let name = if record.contact_name.is_empty() {
            "there"
        } else {
            &record.contact_name
        };
        return format!("Hi {name}! This is {agent}. How can I help you today?");
    }
    let noun = if quotes.len() == 1 {
        "your message"
    } else {
        "your messages"
    };
    format!(
        "This is {agent}. I'd be happy to help. I read {noun}: {}",
        quotes.join(" / ")
    )
}

/// A user message as the answer quotes it.
fn describe(content: &MessageContent) -> String {
    match content {
        MessageContent::Text(TextContent { text, .. }) => {
            let mut quoted: String = text.chars().take(QUOTE_CHARS).collect();
            if text.chars().count() > QUOTE_CHARS {
                quoted.push('\u{2026}');
            }
            quoted
        }
        other => format!("[{}]", other.content_type()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use antonnia_core::Session;

    fn record(messages: Vec<(MessageRole, &str)>) -> SessionRecord {
        SessionRecord {
            session: Session::with_id("s"),
            contact_name: "Jane Doe".into(),
            messages: messages
                .into_iter()
                .enumerate()
                .map(|(i, (role, text))| {
                    let mut m = Message::new(format!("m{i}"), MessageContent::text(text));
                    m.role = Some(role);
                    m
                })
                .collect(),
            answered: 0,
            reply_generation: 0,
            surveys: vec![],
            schedules: vec![],
        }
    }

    #[test]
    fn one_answer_quotes_every_unanswered_user_message() {
        let r = record(vec![
            (MessageRole::User, "a"),
            (MessageRole::Assistant, "x"),
            (MessageRole::User, "b"),
        ]);
        let answer = compose_answer(&r);
        assert!(
            answer.contains("\u{201c}a\u{201d} / \u{201c}b\u{201d}"),
            "{answer}"
        );
        assert!(!answer.contains('x'));
    }

    #[test]
    fn nothing_to_answer_greets_the_contact() {
        assert!(compose_answer(&record(vec![])).starts_with("Hi Jane Doe!"));
    }
}
