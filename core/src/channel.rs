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

use std::borrow::Cow;

use crate::error::Error;
use crate::json::{ReadError, Reader};
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
    let (role, status, kind) = crate::json::read_shaped(
        message_json.as_bytes(),
        b'{',
        "an object",
        read_outbound_probe,
    )?;
    let kind = kind.ok_or_else(|| Error::decode("", "missing field `content`"))?;
    Ok(outbound(role.as_ref(), &status.unwrap_or_default(), &kind))
}

/// What [`is_outbound_json`] reads of a message: its role, delivery status
/// and content type; everything else is skipped unread.
type Probe<'a> = (
    Option<MessageRole>,
    Option<DeliveryStatus>,
    Option<Cow<'a, str>>,
);

fn read_outbound_probe<'a>(r: &mut Reader<'a>) -> Result<Probe<'a>, ReadError> {
    use crate::json::{Step, at};
    let mut probe: Probe<'a> = (None, None, None);
    r.object("a message")?;
    let mut first = true;
    while let Some(key) = r.key(first)? {
        first = false;
        match key.as_ref() {
            "role" => {
                probe.0 = at(|| Step::Field("role"), r.nullable(Reader::str))?
                    .map(|s| MessageRole::from_wire(&s))
            }
            "delivery_status" => {
                probe.1 = at(|| Step::Field("delivery_status"), r.nullable(Reader::str))?
                    .map(|s| DeliveryStatus::from_wire(&s))
            }
            "content" => probe.2 = Some(at(|| Step::Field("content"), content_type(r))?),
            _ => {
                r.skip()?;
            }
        }
    }
    r.end_object()?;
    Ok(probe)
}

/// A content object's `type`, the rest of it skipped.
fn content_type<'a>(r: &mut Reader<'a>) -> Result<Cow<'a, str>, ReadError> {
    use crate::json::{Step, at};
    r.object("struct Content")?;
    let mut kind = None;
    let mut first = true;
    while let Some(key) = r.key(first)? {
        first = false;
        if key == "type" {
            kind = Some(at(|| Step::Field("type"), r.str())?);
        } else {
            r.skip()?;
        }
    }
    r.end_object()?;
    kind.ok_or_else(|| ReadError::missing("type"))
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
        // names its field (`at`), not the tag; and without serde, so that the
        // web build carries no deserializer for it.
        use serde_json::Value;
        // Fields are read with `get`, not taken with `remove`: `remove`
        // compiles BTreeMap's rebalancing into the web build for this alone.
        fn text(map: &serde_json::Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
            match map.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(Error::invalid(
                    name,
                    format!(
                        "must be a string, got {}",
                        crate::ops::describe_value(other)
                    ),
                )),
            }
        }
        // The first field (in key order) that is neither `status` nor one of
        // `known`.
        fn none_left(
            map: &serde_json::Map<String, Value>,
            known: &[&str],
            expected: &str,
        ) -> Result<(), Error> {
            match map
                .keys()
                .find(|k| *k != "status" && !known.contains(&k.as_str()))
            {
                None => Ok(()),
                Some(name) => Err(Error::invalid(
                    name.as_str(),
                    format!("unknown field `{name}`, expected {expected}"),
                )),
            }
        }
        let progress = |map: &serde_json::Map<String, Value>| {
            let provider_message_id = text(map, "provider_message_id")?;
            let at =
                match text(map, "at")? {
                    None => None,
                    Some(at) => Some(Timestamp::parse_with_offset(&at).map_err(|e| {
                        Error::invalid("at", format!("invalid timestamp {at:?}: {e}"))
                    })?),
                };
            none_left(
                map,
                &["provider_message_id", "at"],
                "`provider_message_id` or `at`",
            )?;
            Ok::<_, Error>((provider_message_id, at))
        };
        let serde_json::Value::Object(rest) = value else {
            return Err(Error::invalid("report", "must be an object with a status"));
        };
        let status = match rest.get("status") {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => {
                return Err(Error::invalid(
                    "status",
                    "must be sent, delivered, read or failed",
                ));
            }
        };
        Ok(match status.as_str() {
            "sent" => {
                let (provider_message_id, at) = progress(&rest)?;
                DeliveryReport::Sent {
                    provider_message_id,
                    at,
                }
            }
            "delivered" => {
                let (provider_message_id, at) = progress(&rest)?;
                DeliveryReport::Delivered {
                    provider_message_id,
                    at,
                }
            }
            "read" => {
                let (provider_message_id, at) = progress(&rest)?;
                DeliveryReport::Read {
                    provider_message_id,
                    at,
                }
            }
            "failed" => {
                let code = match rest.get("code") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
                    Some(other) => {
                        return Err(Error::invalid(
                            "code",
                            format!("must be an integer, got {}", crate::json::value_text(other)),
                        ));
                    }
                };
                let message = text(&rest, "message")?;
                none_left(&rest, &["code", "message"], "`code` or `message`")?;
                DeliveryReport::Failed { code, message }
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
    use serde_json::json;

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

    #[test]
    fn a_wrong_report_names_its_field() {
        let field_of = |report: serde_json::Value| {
            let info = DeliveryReport::from_json(report)
                .expect_err("refused")
                .info();
            (info.field.clone(), info.message.clone())
        };
        for (report, field, says) in [
            (json!("sent"), "report", "object"),
            (
                json!({"provider_message_id": "w"}),
                "status",
                "sent, delivered",
            ),
            (json!({"status": "lost"}), "status", "\"lost\""),
            (
                json!({"status": "sent", "at": "2025-01-15T10:30:00"}),
                "at",
                "invalid timestamp",
            ),
            (json!({"status": "read", "at": 3}), "at", "string"),
            (
                json!({"status": "sent", "code": 1}),
                "code",
                "unknown field `code`",
            ),
            (
                json!({"status": "failed", "code": "131047"}),
                "code",
                "integer",
            ),
            (json!({"status": "failed", "code": 1.5}), "code", "integer"),
            (
                json!({"status": "failed", "at": "x"}),
                "at",
                "unknown field `at`",
            ),
        ] {
            let (got_field, message) = field_of(report.clone());
            assert_eq!(got_field.as_deref(), Some(field), "{report}: {message}");
            assert!(message.contains(says), "{report}: {message}");
        }
        assert_eq!(
            DeliveryReport::from_json(json!({"status": "failed", "code": null, "message": null})),
            Ok(DeliveryReport::failed(None, None))
        );
    }

    #[test]
    fn outbound_json_reads_only_what_the_rule_needs() {
        let outbound = |text: &str| is_outbound_json(text);
        assert_eq!(
            outbound(
                r#" {"role":"assistant","content":{"type":"text","text":{"x":[1]}},"extra":[{}]}"#
            ),
            Ok(true)
        );
        assert_eq!(
            outbound(r#"{"role":"assistant","delivery_status":"sent","content":{"type":"text"}}"#),
            Ok(false)
        );
        assert_eq!(
            outbound(r#"{"role":null,"delivery_status":null,"content":{"type":"text"}}"#),
            Ok(false)
        );
        assert_eq!(
            outbound(r#"{"role":"assistant","content":{"type":"function_call"}}"#),
            Ok(false)
        );
        let path = |text: &str| outbound(text).expect_err("refused").info().path.clone();
        assert_eq!(path(r#"{"role":"assistant"}"#).as_deref(), Some(""));
        assert_eq!(
            path(r#"{"role":1,"content":{"type":"text"}}"#).as_deref(),
            Some("role")
        );
        assert_eq!(
            path(r#"{"content":{"text":"hi"}}"#).as_deref(),
            Some("content")
        );
        assert_eq!(
            path(r#"{"content":{"type":"text"}} x"#).as_deref(),
            Some("")
        );
        assert!(outbound("[]").is_err());
    }
}
