//! Webhooks (Standard Webhooks verification, then parsing) and the channel
//! loop's helpers: which message to deliver, in one shape for every kind, and
//! the delivery report that goes back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use antonnia_core::channel as core_channel;
use antonnia_core::webhook::{
    EventPayload as CoreEventPayload, WebhookEvent as CoreEvent, WebhookReceiver as CoreReceiver,
    WebhookSecret,
};
use antonnia_core::{Error as CoreError, Timestamp};
use serde_json::{Value, json};

use crate::errors::AntonniaError;
use crate::types::{Message, MessageContent, Session, mirror, to_core};

/// One webhook delivery.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WebhookEvent {
    /// The event's id (deliver once per id).
    pub id: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub created_at: Option<String>,
    /// Its `type`, e.g. `message.created`.
    pub event_type: String,
    /// What happened.
    pub payload: EventPayload,
}

/// What a webhook reports, by its `type`; a type this SDK version does not
/// know is kept whole as `Unknown`.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum EventPayload {
    /// `message.created`.
    MessageCreated {
        /// The new message.
        message: Message,
    },
    /// `session.created`.
    SessionCreated {
        /// The new session.
        session: Session,
    },
    /// `session.transferred`.
    SessionTransferred {
        /// The session, with its new agent.
        session: Session,
    },
    /// `session.finished`.
    SessionFinished {
        /// The closed session.
        session: Session,
        /// Why, when not closed by a call (`expired`).
        action: Option<String>,
    },
    /// `app.connection.created`, the connection as JSON text.
    AppConnectionCreated {
        /// The connection as sent.
        connection_json: String,
    },
    /// Any other `type`.
    Unknown {
        /// The whole body as JSON text.
        raw_json: String,
    },
}

fn from_core_event(e: CoreEvent) -> Result<WebhookEvent, AntonniaError> {
    let event_type = e.event_type().to_string();
    let payload = match e.payload {
        CoreEventPayload::MessageCreated(m) => EventPayload::MessageCreated {
            message: mirror(canonical(&*m))?,
        },
        CoreEventPayload::SessionCreated(s) => EventPayload::SessionCreated {
            session: mirror(canonical(&*s))?,
        },
        CoreEventPayload::SessionTransferred(s) => EventPayload::SessionTransferred {
            session: mirror(canonical(&*s))?,
        },
        CoreEventPayload::SessionFinished { session, action } => EventPayload::SessionFinished {
            session: mirror(canonical(&*session))?,
            action,
        },
        CoreEventPayload::AppConnectionCreated(v) => EventPayload::AppConnectionCreated {
            connection_json: v.to_string(),
        },
        CoreEventPayload::Unknown { raw, .. } => EventPayload::Unknown {
            raw_json: raw.to_string(),
        },
    };
    Ok(WebhookEvent {
        id: e.id,
        created_at: e.created_at.map(|t| t.to_rfc3339()),
        event_type,
        payload,
    })
}

fn canonical<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn to_core_event(e: &WebhookEvent) -> Result<CoreEvent, AntonniaError> {
    let json_text = |field: &str, text: &str| -> Result<Value, AntonniaError> {
        serde_json::from_str(text)
            .map_err(|err| AntonniaError::invalid(field, format!("is not valid JSON text: {err}")))
    };
    let payload = match &e.payload {
        EventPayload::MessageCreated { message } => {
            CoreEventPayload::MessageCreated(Box::new(to_core(message)?))
        }
        EventPayload::SessionCreated { session } => {
            CoreEventPayload::SessionCreated(Box::new(to_core(session)?))
        }
        EventPayload::SessionTransferred { session } => {
            CoreEventPayload::SessionTransferred(Box::new(to_core(session)?))
        }
        EventPayload::SessionFinished { session, action } => CoreEventPayload::SessionFinished {
            session: Box::new(to_core(session)?),
            action: action.clone(),
        },
        EventPayload::AppConnectionCreated { connection_json } => {
            CoreEventPayload::AppConnectionCreated(json_text("connection_json", connection_json)?)
        }
        EventPayload::Unknown { raw_json } => CoreEventPayload::Unknown {
            event_type: e.event_type.clone(),
            raw: json_text("raw_json", raw_json)?,
        },
    };
    let created_at = match &e.created_at {
        Some(t) => Some(
            Timestamp::parse(t)
                .map_err(|err| AntonniaError::invalid("created_at", err.to_string()))?,
        ),
        None => None,
    };
    Ok(CoreEvent {
        id: e.id.clone(),
        created_at,
        payload,
    })
}

#[uniffi::export]
impl WebhookEvent {
    /// The canonical JSON of the event, in its wire envelope.
    pub fn to_json(&self) -> Result<String, AntonniaError> {
        Ok(to_core_event(self)?.to_json().to_string())
    }
}

fn unix_now() -> Result<Timestamp, AntonniaError> {
    Timestamp::from_system_time(SystemTime::now())
        .ok_or_else(|| AntonniaError::invalid("now", "the system clock is out of range"))
}

fn seconds(field: &str, s: f64) -> Result<Timestamp, AntonniaError> {
    Timestamp::from_unix_seconds_f64(s)
        .ok_or_else(|| AntonniaError::invalid(field, "is out of range"))
}

/// Verifies and parses webhook deliveries. Verification is on unless
/// `verify = false` is given by name: a missing secret is an error, never a
/// silent skip.
#[derive(Debug, uniffi::Object)]
pub struct WebhookReceiver {
    inner: CoreReceiver,
}

#[uniffi::export]
impl WebhookReceiver {
    /// `secret` is the endpoint's `whsec_...`; `tolerance_seconds` (default
    /// 300) bounds the timestamp's skew; `max_body_bytes` (default 1 MiB)
    /// refuses bigger bodies before any work.
    #[uniffi::constructor(default(verify = true, tolerance_seconds = None, max_body_bytes = None))]
    pub fn new(
        secret: Option<String>,
        verify: bool,
        tolerance_seconds: Option<i64>,
        max_body_bytes: Option<i64>,
    ) -> Result<Arc<Self>, AntonniaError> {
        let mut inner = CoreReceiver::from_options(secret.as_deref(), verify)?;
        if let Some(t) = tolerance_seconds {
            let t = u64::try_from(t)
                .map_err(|_| AntonniaError::invalid("tolerance_seconds", "must be 0 or more"))?;
            inner = inner.with_tolerance(Duration::from_secs(t));
        }
        if let Some(n) = max_body_bytes {
            let n = usize::try_from(n)
                .map_err(|_| AntonniaError::invalid("max_body_bytes", "must be 0 or more"))?;
            inner = inner.with_max_body_bytes(n);
        }
        Ok(Arc::new(WebhookReceiver { inner }))
    }

    /// Checks and parses one delivery: the raw body bytes (as received, not
    /// re-encoded) and its headers. `now_unix_seconds` absent: the clock.
    #[uniffi::method(default(now_unix_seconds = None))]
    pub fn receive(
        &self,
        body: Vec<u8>,
        headers: HashMap<String, String>,
        now_unix_seconds: Option<f64>,
    ) -> Result<WebhookEvent, AntonniaError> {
        let now = match now_unix_seconds {
            Some(s) => seconds("now_unix_seconds", s)?,
            None => unix_now()?,
        };
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        from_core_event(self.inner.receive(&body, &headers, now)?)
    }
}

/// Verifies (unless `verify = false`) and parses one webhook delivery.
#[uniffi::export(default(secret = None, verify = true))]
pub fn parse_webhook(
    body: Vec<u8>,
    headers: HashMap<String, String>,
    secret: Option<String>,
    verify: bool,
) -> Result<WebhookEvent, AntonniaError> {
    WebhookReceiver::new(secret, verify, None, None)?.receive(body, headers, None)
}

/// The Standard Webhooks signature (`v1,<base64>`) of a delivery: for tests
/// and for servers that forward deliveries.
#[uniffi::export]
pub fn sign_webhook(
    secret: String,
    id: String,
    timestamp: i64,
    body: Vec<u8>,
) -> Result<String, AntonniaError> {
    Ok(WebhookSecret::new(&secret)?.sign(&id, timestamp, &body))
}

/// Whether the message is one your channel must deliver: an assistant
/// message, still `pending`, whose content a user may see.
#[uniffi::export]
pub fn is_outbound(message: Message) -> Result<bool, AntonniaError> {
    Ok(core_channel::is_outbound(&to_core(&message)?))
}

/// The message a `message.created` event asks your channel to deliver, or
/// nothing (deliver once per message id: webhooks can come twice).
#[uniffi::export]
pub fn outbound_message(event: WebhookEvent) -> Result<Option<Message>, AntonniaError> {
    match event.payload {
        EventPayload::MessageCreated { message } if is_outbound(message.clone())? => {
            Ok(Some(message))
        }
        _ => Ok(None),
    }
}

/// What kind of thing to send on the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DeliverableKind {
    /// Text.
    Text,
    /// An image at `media_url`.
    Image,
    /// A video at `media_url`.
    Video,
    /// Audio at `media_url`.
    Audio,
    /// A file at `media_url`, with `mime_type` and `filename`.
    File,
    /// A kind this SDK version does not know: see `content`.
    Unknown,
}

/// An outbound message's content in one shape for every kind, so a channel
/// needs no `when` over the content kinds.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Deliverable {
    /// The kind.
    pub kind: DeliverableKind,
    /// The text, for `Text`.
    pub text: Option<String>,
    /// The media URL, for `Image`, `Video`, `Audio` and `File`.
    pub media_url: Option<String>,
    /// The MIME type, for `File`.
    pub mime_type: Option<String>,
    /// The file name, for `File`.
    pub filename: Option<String>,
    /// The transcript, for `Audio` when there is one.
    pub transcript: Option<String>,
    /// The WhatsApp template, for text rendered from one.
    pub template_id: Option<String>,
    /// The template's parameters (JSON object text).
    pub template_parameters: Option<String>,
    /// The content itself.
    pub content: MessageContent,
}

/// What to send for a message. The AI's own content (`Thought`,
/// `FunctionCall`, `FunctionResult`) is never delivered: an `InvalidRequest`
/// error (`outboundMessage` never returns such a message).
#[uniffi::export]
pub fn deliverable(message: Message) -> Result<Deliverable, AntonniaError> {
    let content = message.content;
    let mut d = Deliverable {
        kind: DeliverableKind::Unknown,
        text: None,
        media_url: None,
        mime_type: None,
        filename: None,
        transcript: None,
        template_id: None,
        template_parameters: None,
        content: content.clone(),
    };
    match content {
        MessageContent::Text {
            text,
            template_id,
            template_parameters,
        } => {
            d.kind = DeliverableKind::Text;
            d.text = Some(text);
            d.template_id = template_id;
            d.template_parameters = template_parameters;
        }
        MessageContent::Image { url } => {
            d.kind = DeliverableKind::Image;
            d.media_url = Some(url);
        }
        MessageContent::Video { url } => {
            d.kind = DeliverableKind::Video;
            d.media_url = Some(url);
        }
        MessageContent::Audio { url, transcript } => {
            d.kind = DeliverableKind::Audio;
            d.media_url = Some(url);
            d.transcript = transcript;
        }
        MessageContent::File {
            url,
            mime_type,
            name,
        } => {
            d.kind = DeliverableKind::File;
            d.media_url = Some(url);
            d.mime_type = Some(mime_type);
            d.filename = Some(name);
        }
        MessageContent::Unknown { .. } => {}
        MessageContent::FunctionCall { .. }
        | MessageContent::FunctionResult { .. }
        | MessageContent::Thought { .. } => {
            return Err(CoreError::invalid(
                "message",
                "the AI's own content (thought, function call or result) is never delivered",
            )
            .into());
        }
    }
    Ok(d)
}

/// What became of a delivered message (`messages.reportDelivery`).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DeliveryReport {
    /// The channel accepted it.
    Sent {
        /// The channel's id for it.
        #[uniffi(default)]
        provider_message_id: Option<String>,
        /// When (RFC 3339 with an offset).
        #[uniffi(default)]
        at: Option<String>,
    },
    /// It reached the user's device.
    Delivered {
        /// The channel's id for it.
        #[uniffi(default)]
        provider_message_id: Option<String>,
        /// When (RFC 3339 with an offset).
        #[uniffi(default)]
        at: Option<String>,
    },
    /// The user saw it.
    Read {
        /// The channel's id for it.
        #[uniffi(default)]
        provider_message_id: Option<String>,
        /// When (RFC 3339 with an offset).
        #[uniffi(default)]
        at: Option<String>,
    },
    /// It could not be delivered.
    Failed {
        /// The channel's error code (a known WhatsApp code without a
        /// message sends its description).
        #[uniffi(default)]
        code: Option<i64>,
        /// The channel's error message.
        #[uniffi(default)]
        message: Option<String>,
    },
}

impl DeliveryReport {
    /// The core's report, checked by the core (timestamps need an offset).
    pub(crate) fn to_core(&self) -> Result<core_channel::DeliveryReport, AntonniaError> {
        let value = match self {
            DeliveryReport::Sent {
                provider_message_id,
                at,
            }
            | DeliveryReport::Delivered {
                provider_message_id,
                at,
            }
            | DeliveryReport::Read {
                provider_message_id,
                at,
            } => {
                let status = match self {
                    DeliveryReport::Sent { .. } => "sent",
                    DeliveryReport::Delivered { .. } => "delivered",
                    _ => "read",
                };
                let mut v = json!({ "status": status });
                if let Some(p) = provider_message_id {
                    v["provider_message_id"] = json!(p);
                }
                if let Some(at) = at {
                    v["at"] = json!(at);
                }
                v
            }
            DeliveryReport::Failed { code, message } => {
                let mut v = json!({ "status": "failed" });
                if let Some(c) = code {
                    v["code"] = json!(c);
                }
                if let Some(m) = message {
                    v["message"] = json!(m);
                }
                v
            }
        };
        Ok(core_channel::DeliveryReport::from_json(value)?)
    }
}

/// A WhatsApp Cloud API error code and what it means.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WhatsappError {
    /// The code.
    pub code: i64,
    /// What it means.
    pub description: String,
}

/// What a WhatsApp Cloud API error code means, if the SDK knows it.
#[uniffi::export]
pub fn whatsapp_error_description(code: i64) -> Option<String> {
    core_channel::whatsapp_error_description(code).map(str::to_string)
}

/// Every WhatsApp error code the SDK knows.
#[uniffi::export]
pub fn whatsapp_errors() -> Vec<WhatsappError> {
    core_channel::WHATSAPP_ERRORS
        .iter()
        .map(|(code, description)| WhatsappError {
            code: *code,
            description: description.to_string(),
        })
        .collect()
}
