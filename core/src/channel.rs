//! The channel side of the Quick Start: which messages to deliver, and how to
//! report what became of them.
//!
//! ```
//! use antonnia_core::channel::DeliveryReport;
//! use antonnia_core::webhook::parse_event;
//!
//! let body = br#"{"type":"message.created","data":{"object":{"id":"msg_1","session_id":"sess_1",
//!   "role":"assistant","content":{"type":"text","text":"Hi!"},"delivery_status":"pending"}}}"#;
//! let event = parse_event(body).unwrap();
//! let message = antonnia_core::channel::outbound_message(&event).expect("deliver this one");
//! // ... send message.content on the channel, which answers with its own id ...
//! let update = DeliveryReport::sent("wamid.123").for_message(message).unwrap();
//! assert_eq!(update.fields.delivery_status.unwrap().as_str(), "sent");
//! ```

use serde::Deserialize;

use crate::error::Error;
use crate::ops::{MessageFields, UpdateMessage};
use crate::time::Timestamp;
use crate::types::{DeliveryStatus, Message, MessageRole};
use crate::webhook::WebhookEvent;

/// Whether a message is one the channel must deliver to the contact: written
/// by the agent, still `pending`, and with content a user may see (never the
/// AI's `thought`, `function_call` or `function_result`).
pub fn is_outbound(message: &Message) -> bool {
    outbound(
        message.role.as_ref(),
        &message.delivery_status,
        message.content.content_type(),
    )
}

fn outbound(role: Option<&MessageRole>, status: &DeliveryStatus, content_type: &str) -> bool {
    role == Some(&MessageRole::Assistant)
        && *status == DeliveryStatus::Pending
        && crate::types::is_deliverable_kind(content_type)
}

/// [`is_outbound`] for a message held as JSON (its canonical form, as a
/// binding that hands JSON to its host has it): reads only what the rule
/// needs.
pub fn is_outbound_json(message_json: &str) -> Result<bool, Error> {
    #[derive(Deserialize)]
    struct Content<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(default)]
        role: Option<MessageRole>,
        #[serde(default)]
        delivery_status: Option<DeliveryStatus>,
        #[serde(borrow)]
        content: Content<'a>,
    }
    let probe: Probe<'_> = crate::ops::decode_json(message_json.as_bytes())?;
    Ok(outbound(
        probe.role.as_ref(),
        &probe.delivery_status.unwrap_or_default(),
        &probe.content.kind,
    ))
}

/// The message to deliver, when the event is a `message.created` for one
/// (see [`is_outbound`]). Webhooks can arrive twice: deliver each message id once.
pub fn outbound_message(event: &WebhookEvent) -> Option<&Message> {
    event.message().filter(|m| is_outbound(m))
}

/// What became of a message on the channel.
///
/// It reads from JSON tagged by `status` — `{"status": "sent",
/// "provider_message_id": "wamid.1", "at": "2025-01-15T10:30:00Z"}` or
/// `{"status": "failed", "code": 131047}` — which is how bindings pass one in;
/// `at` must state its UTC offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryReport {
    /// The channel accepted it.
    Sent {
        /// The channel's id for it.
        provider_message_id: Option<String>,
        /// When, if the channel says.
        at: Option<Timestamp>,
    },
    /// It reached the contact's device.
    Delivered {
        /// The channel's id for it.
        provider_message_id: Option<String>,
        /// When.
        at: Option<Timestamp>,
    },
    /// The contact saw it.
    Read {
        /// The channel's id for it.
        provider_message_id: Option<String>,
        /// When.
        at: Option<Timestamp>,
    },
    /// It could not be delivered.
    Failed {
        /// The channel's error code (e.g. WhatsApp's 131047).
        code: Option<i64>,
        /// The channel's explanation; when absent, a known WhatsApp code's
        /// description is sent instead.
        message: Option<String>,
    },
}

impl DeliveryReport {
    /// `sent`, with the channel's id for the message.
    pub fn sent(provider_message_id: impl Into<String>) -> DeliveryReport {
        DeliveryReport::Sent {
            provider_message_id: Some(provider_message_id.into()),
            at: None,
        }
    }

    /// `failed`, with the channel's code and message.
    pub fn failed(code: Option<i64>, message: Option<String>) -> DeliveryReport {
        DeliveryReport::Failed { code, message }
    }

    /// A report from its JSON form (see the type's documentation); a wrong
    /// status or field is an `invalid_request` error naming it.
    pub fn from_json(value: serde_json::Value) -> Result<DeliveryReport, Error> {
        // Read by hand rather than as a serde-tagged enum, so that an error
        // names its field (`at`), not the tag.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Progress {
            #[serde(default)]
            provider_message_id: Option<String>,
            #[serde(default, deserialize_with = "crate::time::deserialize_opt_with_offset")]
            at: Option<Timestamp>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Failure {
            #[serde(default)]
            code: Option<i64>,
            #[serde(default)]
            message: Option<String>,
        }
        fn fields<T: serde::de::DeserializeOwned>(rest: serde_json::Value) -> Result<T, Error> {
            serde_path_to_error::deserialize(rest).map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                // serde names an unknown field only in its message.
                let field = match path.as_str() {
                    "." => message.split('`').nth(1).unwrap_or("report").to_string(),
                    _ => path,
                };
                Error::invalid(field, message)
            })
        }
        let serde_json::Value::Object(mut map) = value else {
            return Err(Error::invalid("report", "must be an object with a status"));
        };
        let status = match map.remove("status") {
            Some(serde_json::Value::String(s)) => s,
            _ => {
                return Err(Error::invalid(
                    "status",
                    "must be sent, delivered, read or failed",
                ));
            }
        };
        let rest = serde_json::Value::Object(map);
        let progress = |rest| fields::<Progress>(rest).map(|p| (p.provider_message_id, p.at));
        Ok(match status.as_str() {
            "sent" => {
                let (provider_message_id, at) = progress(rest)?;
                DeliveryReport::Sent {
                    provider_message_id,
                    at,
                }
            }
            "delivered" => {
                let (provider_message_id, at) = progress(rest)?;
                DeliveryReport::Delivered {
                    provider_message_id,
                    at,
                }
            }
            "read" => {
                let (provider_message_id, at) = progress(rest)?;
                DeliveryReport::Read {
                    provider_message_id,
                    at,
                }
            }
            "failed" => {
                let f = fields::<Failure>(rest)?;
                DeliveryReport::Failed {
                    code: f.code,
                    message: f.message,
                }
            }
            other => {
                return Err(Error::invalid(
                    "status",
                    format!("must be sent, delivered, read or failed, got {other:?}"),
                ));
            }
        })
    }

    /// The fields of the message update that reports this.
    pub fn fields(&self) -> MessageFields {
        let (status, provider_message_id, at) = match self {
            DeliveryReport::Sent {
                provider_message_id,
                at,
            } => (DeliveryStatus::Sent, provider_message_id, at),
            DeliveryReport::Delivered {
                provider_message_id,
                at,
            } => (DeliveryStatus::Delivered, provider_message_id, at),
            DeliveryReport::Read {
                provider_message_id,
                at,
            } => (DeliveryStatus::Read, provider_message_id, at),
            DeliveryReport::Failed { code, message } => {
                return MessageFields {
                    delivery_status: Some(DeliveryStatus::Failed),
                    delivery_error_code: *code,
                    delivery_error_message: message.clone().or_else(|| {
                        code.and_then(whatsapp_error_description)
                            .map(str::to_string)
                    }),
                    ..MessageFields::default()
                };
            }
        };
        MessageFields {
            provider_message_id: provider_message_id.clone(),
            delivery_status: Some(status),
            delivered_at: *at,
            ..MessageFields::default()
        }
    }

    /// The `messages.update` call reporting this for a message in a session.
    pub fn to_update(
        &self,
        session_id: impl Into<String>,
        message_id: impl Into<String>,
    ) -> UpdateMessage {
        UpdateMessage {
            session_id: session_id.into(),
            message_id: message_id.into(),
            fields: self.fields(),
        }
    }

    /// The `messages.update` call reporting this for a message received in a
    /// webhook; fails if the message does not say which session it is in.
    pub fn for_message(&self, message: &Message) -> Result<UpdateMessage, Error> {
        let session_id = message
            .session_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid("session_id", "the message does not name its session"))?;
        Ok(self.to_update(session_id, message.id.as_str()))
    }
}

/// WhatsApp Cloud API delivery error codes and what they mean.
pub const WHATSAPP_ERRORS: &[(i64, &str)] = &[
    (130429, "Cloud API throughput limit reached"),
    (130472, "Recipient is part of an experiment"),
    (131000, "Unknown error"),
    (131026, "Recipient cannot receive this message"),
    (131042, "Business eligibility or payment problem"),
    (131045, "Phone number registration problem"),
    (
        131047,
        "More than 24 hours since the user's last message: a template is required",
    ),
    (131048, "Spam rate limit reached"),
    (131049, "Not delivered to keep the ecosystem healthy"),
    (131050, "The user stopped marketing messages"),
    (131051, "Unsupported message type"),
    (131052, "Media download failed"),
    (131053, "Media upload failed"),
    (131056, "Too many messages to the same recipient"),
    (131057, "Business account is in maintenance mode"),
];

/// A WhatsApp delivery error code described in English, if it is a known one.
pub fn whatsapp_error_description(code: i64) -> Option<&'static str> {
    WHATSAPP_ERRORS
        .binary_search_by_key(&code, |(c, _)| *c)
        .ok()
        .map(|i| WHATSAPP_ERRORS[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MessageContent;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(WHATSAPP_ERRORS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(WHATSAPP_ERRORS.len(), 15);
        assert!(
            whatsapp_error_description(131047)
                .unwrap()
                .contains("template")
        );
        assert_eq!(whatsapp_error_description(1), None);
    }

    #[test]
    fn only_pending_visible_assistant_messages_go_out() {
        let mut m = Message::new("m", MessageContent::text("hi"));
        assert!(!is_outbound(&m));
        m.role = Some(MessageRole::Assistant);
        assert!(is_outbound(&m));
        m.delivery_status = DeliveryStatus::Sent;
        assert!(!is_outbound(&m));
    }

    #[test]
    fn failure_without_message_uses_the_table() {
        let f = DeliveryReport::failed(Some(131047), None).fields();
        assert_eq!(f.delivery_status, Some(DeliveryStatus::Failed));
        assert!(f.delivery_error_message.unwrap().contains("24 hours"));
    }
}
