//! `/sessions/{id}/messages` and `/messages/search`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::failure::ApiFailure;
use super::{JsonBody, window};
use crate::AppState;
use crate::ids::now;
use crate::store::{SessionRecord, page};
use crate::validate::{Validator, body_object, content};
use crate::wire::{DeliveryStatus, Message, Payload, Role};

type Result<T> = std::result::Result<Json<T>, ApiFailure>;

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Message> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let content = content(&mut v, obj.get("content"), &["body", "content"]);
    let role = v.required_enum(&obj, loc, "role", Role::NAMES);
    let provider_message_id = v.optional_str(&obj, loc, "provider_message_id");
    let replied_provider_message_id = v.optional_str(&obj, loc, "replied_provider_message_id");
    let run_id = v.optional_str(&obj, loc, "run_id");
    v.finish()?;
    let (Some(content), Some(role)) = (content, role.as_deref().and_then(Role::parse)) else {
        return Err(ApiFailure::unprocessable(
            "content and role could not be read",
        ));
    };

    let mut store = state.store();
    let cap = store.limits.max_messages_per_session;
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    if let Some(pid) = &provider_message_id {
        if record
            .messages
            .iter()
            .any(|m| m.provider_message_id.as_ref() == Some(pid))
        {
            return Err(ApiFailure::new(
                StatusCode::CONFLICT,
                format!(
                    "A message with provider_message_id {pid} already exists in session {session_id}"
                ),
            ));
        }
    }
    let at = now();
    let message = Message {
        id: state.ids.next("msg"),
        session_id: session_id.clone(),
        conversation_id: record.session.conversation_id.clone(),
        organization_id: record.session.organization_id.clone(),
        role,
        content,
        provider_message_id,
        replied_provider_message_id,
        run_id,
        created_at: at,
        delivery_status: DeliveryStatus::Pending, // the service's default
        delivery_error_code: None,
        delivery_error_message: None,
        delivered_at: None,
        updated_at: at,
    };
    record.push_message(message.clone(), cap);
    drop(store);
    state.emit(Payload::MessageCreated(message.clone()));
    Ok(Json(message))
}

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    Path((session_id, message_id)): Path<(String, String)>,
) -> Result<Message> {
    let store = state.store();
    let record = super::session_or_404(&store, &session_id)?;
    record
        .messages
        .iter()
        .find(|m| m.id == message_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiFailure::not_found("Message", &message_id))
}

pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Path((session_id, message_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Message> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let provider_message_id = v.optional_str(&obj, loc, "provider_message_id");
    let replied = v.optional_str(&obj, loc, "replied_provider_message_id");
    let status = v.optional_enum(&obj, loc, "delivery_status", DeliveryStatus::NAMES);
    let code = v.optional_int(&obj, loc, "delivery_error_code", i64::MIN, i64::MAX);
    let error_message = v.optional_str(&obj, loc, "delivery_error_message");
    let delivered_at = v.optional_time(&obj, loc, "delivered_at");
    v.finish()?;

    let mut store = state.store();
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let message = record
        .message_mut(&message_id)
        .ok_or_else(|| ApiFailure::not_found("Message", &message_id))?;
    if provider_message_id.is_some() {
        message.provider_message_id = provider_message_id;
    }
    if replied.is_some() {
        message.replied_provider_message_id = replied;
    }
    if let Some(status) = status.as_deref().and_then(DeliveryStatus::parse) {
        message.delivery_status = status;
    }
    if code.is_some() {
        message.delivery_error_code = code;
    }
    if error_message.is_some() {
        message.delivery_error_message = error_message;
    }
    if delivered_at.is_some() {
        message.delivered_at = delivered_at;
    }
    message.updated_at = now();
    Ok(Json(message.clone()))
}

/// The filters both message searches take.
struct MessageFilter {
    provider_message_id: Option<String>,
    replied_provider_message_id: Option<String>,
    role: Option<String>,
    offset: usize,
    limit: usize,
}

impl MessageFilter {
    fn read(body: Value) -> std::result::Result<MessageFilter, ApiFailure> {
        let obj: Map<String, Value> = body_object(body, false)?;
        let mut v = Validator::new();
        let loc = &["body"][..];
        let filter = MessageFilter {
            provider_message_id: v.optional_str(&obj, loc, "provider_message_id"),
            replied_provider_message_id: v.optional_str(&obj, loc, "replied_provider_message_id"),
            role: v.optional_enum(&obj, loc, "role", Role::NAMES),
            offset: 0,
            limit: 0,
        };
        let (offset, limit) = window(&mut v, &obj);
        v.finish()?;
        Ok(MessageFilter {
            offset,
            limit,
            ..filter
        })
    }

    fn matches(&self, m: &Message) -> bool {
        self.provider_message_id
            .as_ref()
            .is_none_or(|p| m.provider_message_id.as_ref() == Some(p))
            && self
                .replied_provider_message_id
                .as_ref()
                .is_none_or(|p| m.replied_provider_message_id.as_ref() == Some(p))
            && self.role.as_ref().is_none_or(|r| m.role.as_str() == r)
    }
}

pub(crate) async fn search_in_session(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Vec<Message>> {
    let filter = MessageFilter::read(body)?;
    let store = state.store();
    let record = super::session_or_404(&store, &session_id)?;
    let matching = record
        .messages
        .iter()
        .filter(|m| filter.matches(m))
        .cloned();
    Ok(Json(page(matching, filter.offset, filter.limit)))
}

pub(crate) async fn search_all(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody,
) -> Result<Vec<Message>> {
    let filter = MessageFilter::read(body)?;
    let store = state.store();
    let matching = store
        .sessions()
        .flat_map(|r: &SessionRecord| r.messages.iter())
        .filter(|m| filter.matches(m))
        .cloned();
    Ok(Json(page(matching, filter.offset, filter.limit)))
}
