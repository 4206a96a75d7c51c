//! The sandbox's AI agent: deterministic answers after a debounce, and
//! scheduled actions. Each `reply` restarts the session's timer; when the last
//! one fires, ONE assistant message answers every user message since the
//! previous answer, and `message.created` goes out.

use std::sync::Arc;

use crate::AppState;
use crate::ids::now;
use crate::store::SessionRecord;
use crate::wire::{
    AgentKind, Content, DeliveryStatus, Message, Payload, Role, ScheduleConfig, ScheduleStatus,
    SessionStatus, Time,
};

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
                || record.session.status == SessionStatus::Closed
            {
                return; // a later reply restarted the timer, or the session closed
            }
            let text = compose_answer(record);
            let message = assistant_message(&state, record, Content::text(text));
            record.push_message(message.clone(), cap);
            record.answered = record.messages.len();
            message
        };
        state.emit(Payload::MessageCreated(answer));
    });
}

/// Runs a schedule when its time comes: sends its message (or the node's
/// opening line) as the assistant, and marks it completed.
pub(crate) fn run_schedule(
    state: &Arc<AppState>,
    session_id: String,
    schedule_id: String,
    at: Time,
) {
    let state = state.clone();
    let wait = (at.as_secs_f64() - now().as_secs_f64()).max(0.0);
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
                ScheduleConfig::Message { message } => message.clone(),
                ScheduleConfig::Node { node_id } => {
                    Content::text(format!("(Flow node {node_id} started.)"))
                }
            };
            schedule.status = ScheduleStatus::Completed;
            let message = assistant_message(&state, record, content);
            record.push_message(message.clone(), cap);
            message
        };
        state.emit(Payload::MessageCreated(message));
    });
}

/// A new assistant message in the session, pending delivery.
pub(crate) fn assistant_message(
    state: &AppState,
    record: &SessionRecord,
    content: Content,
) -> Message {
    let at = now();
    Message {
        id: state.ids.next("msg"),
        session_id: record.session.id.clone(),
        conversation_id: record.session.conversation_id.clone(),
        organization_id: record.session.organization_id.clone(),
        role: Role::Assistant,
        content,
        provider_message_id: None,
        replied_provider_message_id: None,
        run_id: Some(state.ids.next("run")),
        created_at: at,
        delivery_status: DeliveryStatus::Pending,
        delivery_error_code: None,
        delivery_error_message: None,
        delivered_at: None,
        updated_at: at,
    }
}

/// The deterministic answer: it quotes every user message since the last one.
fn compose_answer(record: &SessionRecord) -> String {
    let agent = match &record.session.agent {
        Some(agent) if matches!(agent.kind, AgentKind::Ai { .. }) => agent.name.as_str(),
        _ => "your assistant",
    };
    let quotes: Vec<String> = record.messages[record.answered.min(record.messages.len())..]
        .iter()
        .filter(|m| m.role == Role::User)
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
fn describe(content: &Content) -> String {
    match content {
        Content::Text { text, .. } => {
            let mut quoted: String = text.chars().take(QUOTE_CHARS).collect();
            if text.chars().count() > QUOTE_CHARS {
                quoted.push('\u{2026}');
            }
            quoted
        }
        other => format!("[{}]", other.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::tests::session;

    fn record(messages: Vec<(Role, &str)>) -> SessionRecord {
        let session = session("s");
        let messages = messages
            .into_iter()
            .enumerate()
            .map(|(i, (role, text))| Message {
                id: format!("m{i}"),
                session_id: session.id.clone(),
                conversation_id: session.conversation_id.clone(),
                organization_id: session.organization_id.clone(),
                role,
                content: Content::text(text),
                provider_message_id: None,
                replied_provider_message_id: None,
                run_id: None,
                created_at: session.created_at,
                delivery_status: DeliveryStatus::Pending,
                delivery_error_code: None,
                delivery_error_message: None,
                delivered_at: None,
                updated_at: session.created_at,
            })
            .collect();
        SessionRecord {
            session,
            contact_name: "Jane Doe".into(),
            messages,
            answered: 0,
            reply_generation: 0,
            surveys: vec![],
            schedules: vec![],
        }
    }

    #[test]
    fn one_answer_quotes_every_unanswered_user_message() {
        let r = record(vec![
            (Role::User, "a"),
            (Role::Assistant, "x"),
            (Role::User, "b"),
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
