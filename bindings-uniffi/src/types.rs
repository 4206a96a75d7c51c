//! The resources as uniffi records and enums (Kotlin data classes and sealed
//! classes, Swift structs and enums; camelCase there is automatic).
//!
//! They mirror the core's types instead of deriving uniffi on them: the core
//! holds `Timestamp`s, `serde_json` maps and boxed payloads that uniffi
//! cannot carry, and it stays free of any binding's dependencies. The mirrors
//! keep the wire's field names, so most conversions are one serde hop through
//! the core's canonical JSON, which decides every value (timestamps as RFC
//! 3339 UTC strings, `metadata` as JSON text, unknown enum values and content
//! kinds kept whole).

use antonnia_core::types as core;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::errors::{AntonniaError, decode};

/// Open enums: the known values, and `Other` keeping one this version does
/// not know (never an error).
macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident => $core:ty { $($(#[$vdoc:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Enum)]
        #[uniffi::export(Display)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
            /// A value this SDK version does not know, as sent.
            Other {
                /// The value as sent.
                value: String,
            },
        }

        impl $name {
            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Other { value } => value,
                }
            }

            /// The value from its wire form.
            pub fn from_wire(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)+
                    other => $name::Other { value: other.to_string() },
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> $core {
                <$core>::from_wire(v.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from_wire(&String::deserialize(d)?))
            }
        }
    };
}

open_enum!(
    /// Whether a session is still going on.
    SessionStatus => core::SessionStatus {
        /// `open`
        Open = "open",
        /// `closed`
        Closed = "closed",
    }
);
open_enum!(
    /// Who wrote a message.
    MessageRole => core::MessageRole {
        /// `user`: the end user, on your channel.
        User = "user",
        /// `assistant`: the agent answering.
        Assistant = "assistant",
    }
);
open_enum!(
    /// How far a message got on the channel.
    DeliveryStatus => core::DeliveryStatus {
        /// `pending`: not yet handed to the channel.
        Pending = "pending",
        /// `sent`
        Sent = "sent",
        /// `delivered`
        Delivered = "delivered",
        /// `read`
        Read = "read",
        /// `failed`
        Failed = "failed",
        /// `rejected`
        Rejected = "rejected",
    }
);
open_enum!(
    /// Whether an agent is an AI assistant or a person.
    AgentType => core::AgentType {
        /// `ai` (needs `assistantId`).
        Ai = "ai",
        /// `human` (needs `profileId`).
        Human = "human",
    }
);
open_enum!(
    /// The state of a survey submission.
    SurveySubmissionStatus => core::SurveySubmissionStatus {
        /// `pending`
        Pending = "pending",
        /// `finished`
        Finished = "finished",
        /// `cancelled`
        Cancelled = "cancelled",
    }
);
open_enum!(
    /// The state of a scheduled action.
    ScheduleStatus => core::ScheduleStatus {
        /// `scheduled`
        Scheduled = "scheduled",
        /// `completed`
        Completed = "completed",
        /// `failed`
        Failed = "failed",
    }
);

/// `metadata` and other free-form objects cross as JSON text.
mod json_text {
    use super::*;

    pub fn serialize<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
        let value: Value = serde_json::from_str(text).map_err(serde::ser::Error::custom)?;
        value.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(Value::deserialize(d)?.to_string())
    }
}

// --- generated from core/src/schema (resources) by core/tests/generated.rs: begin ---
/// A conversation between one contact and an agent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct Session {
    /// The session's id, e.g. `sess_abc123`.
    pub id: String,
    /// The integrator's id for the contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// The organization owning the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The conversation the session belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// An optional thread id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// `open` or `closed` (or a status this SDK version does not know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// The agent in charge, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// The satisfaction survey started when the session finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_survey_submission_id: Option<String>,
    /// Free-form data; channels keep `channel_type` and `channel_user_id` here. As JSON text (`{}` when none).
    #[serde(with = "json_text")]
    pub metadata: String,
    /// When it was created (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it last changed (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// One message in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct Message {
    /// The message's id, e.g. `msg_xyz789`.
    pub id: String,
    /// The session it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The conversation it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The organization owning it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// `user` or `assistant` (or a role this SDK version does not know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MessageRole>,
    /// What it says: one content kind per `type`.
    pub content: MessageContent,
    /// The channel's id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// The channel's id of the message it replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_provider_message_id: Option<String>,
    /// The AI run that produced it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// When it was created (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// How far it got on the channel: `pending` (also when absent), `sent`, `delivered`, `read`, `failed` or `rejected`.
    pub delivery_status: DeliveryStatus,
    /// The channel's error code when delivery failed (e.g. WhatsApp's 131047).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error_code: Option<i64>,
    /// The channel's error message when delivery failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error_message: Option<String>,
    /// When the channel delivered it (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    /// When it last changed (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// An agent (AI or human) that can be put in charge of sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct Agent {
    /// The agent's id, e.g. `agent_abc`.
    pub id: String,
    /// `ai` or `human` (or a type this SDK version does not know).
    #[serde(rename = "type")]
    pub agent_type: AgentType,
    /// The organization owning it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// Its display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The AI assistant behind an `ai` agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<String>,
    /// The person's profile, for a `human` agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// When it was created (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// A satisfaction survey sent to the contact when a session finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct SurveySubmission {
    /// The submission's id.
    pub id: String,
    /// The survey answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey_id: Option<String>,
    /// The session it follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The organization owning it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// `pending`, `finished` or `cancelled` (or a status this SDK version does not know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SurveySubmissionStatus>,
    /// When it was created (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it stops accepting answers (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// When it was answered (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// When it last changed (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// An action scheduled on a session for a later time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]
pub struct SessionSchedule {
    /// The schedule's id.
    pub id: String,
    /// The session it acts on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The organization owning it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// When it runs (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ScheduleConfig>,
    /// `scheduled`, `completed` or `failed` (or a status this SDK version does not know).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ScheduleStatus>,
    /// When it was created (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}
// --- generated from core/src/schema (resources) by core/tests/generated.rs: end ---

/// What a schedule does when its time comes.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum ScheduleConfig {
    /// Send this message.
    Message {
        /// The content to send.
        message: MessageContent,
    },
    /// Run the agent from this flow node.
    Node {
        /// The node to start from.
        node_id: String,
    },
    /// A `type` this SDK version does not know, kept whole.
    Unknown {
        /// The `type` as sent.
        config_type: String,
        /// Every field as sent, as JSON text.
        raw_json: String,
    },
}

// --- generated from core/src/schema (content) by core/tests/generated.rs: begin ---
/// A message's content, by kind. `Unknown` keeps a kind this SDK version
/// does not know, every field included.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum MessageContent {
    /// `type: "text"`: text, possibly rendered from a template.
    Text {
        /// The text.
        text: String,
        /// The template it was rendered from (WhatsApp templates).
        #[uniffi(default)]
        template_id: Option<String>,
        /// The template's parameters. As a JSON object's text.
        #[uniffi(default)]
        template_parameters: Option<String>,
    },
    /// `type: "image"`.
    Image {
        /// Where the image can be downloaded.
        url: String,
    },
    /// `type: "video"`.
    Video {
        /// Where the video can be downloaded.
        url: String,
    },
    /// `type: "audio"`.
    Audio {
        /// Where the audio can be downloaded.
        url: String,
        /// What was said, when transcribed.
        #[uniffi(default)]
        transcript: Option<String>,
    },
    /// `type: "file"`.
    File {
        /// Where the file can be downloaded.
        url: String,
        /// Its MIME type, e.g. `application/pdf`.
        mime_type: String,
        /// Its file name.
        name: String,
    },
    /// `type: "function_call"`: the AI agent calling a tool (internal, never shown to users).
    FunctionCall {
        /// The call's id, matched by the result.
        id: String,
        /// The function's name.
        name: String,
        /// The arguments, a JSON document as a string.
        input: String,
    },
    /// `type: "function_result"`: a tool's answer to a call (internal).
    FunctionResult {
        /// The id of the call answered.
        id: String,
        /// The function's name.
        name: String,
        /// The result, as a string.
        output: String,
    },
    /// `type: "thought"`: the AI agent's internal reasoning; a channel never shows it.
    Thought {
        /// The reasoning.
        thought: String,
    },
    /// A kind this SDK version does not know.
    Unknown {
        /// The `type` as sent.
        content_type: String,
        /// Every field as sent (`type` included), as JSON text.
        raw_json: String,
    },
}

impl From<core::MessageContent> for MessageContent {
    fn from(c: core::MessageContent) -> Self {
        use core::MessageContent as C;
        match c {
            C::Text(k) => MessageContent::Text {
                text: k.text,
                template_id: k.template_id,
                template_parameters: k.template_parameters.map(object_text),
            },
            C::Image(k) => MessageContent::Image { url: k.url },
            C::Video(k) => MessageContent::Video { url: k.url },
            C::Audio(k) => MessageContent::Audio {
                url: k.url,
                transcript: k.transcript,
            },
            C::File(k) => MessageContent::File {
                url: k.url,
                mime_type: k.mime_type,
                name: k.name,
            },
            C::FunctionCall(k) => MessageContent::FunctionCall {
                id: k.id,
                name: k.name,
                input: k.input,
            },
            C::FunctionResult(k) => MessageContent::FunctionResult {
                id: k.id,
                name: k.name,
                output: k.output,
            },
            C::Thought(k) => MessageContent::Thought { thought: k.thought },
            C::Unknown(u) => MessageContent::Unknown {
                content_type: u.content_type,
                raw_json: object_text(u.raw),
            },
        }
    }
}

impl MessageContent {
    /// The content as the wire's JSON object, for the core to check and read.
    /// Only JSON text given by the host can fail to parse.
    pub(crate) fn to_wire(&self) -> Result<Value, AntonniaError> {
        let mut o = Map::new();
        match self {
            MessageContent::Text {
                text,
                template_id,
                template_parameters,
            } => {
                o.insert("type".into(), "text".into());
                o.insert("text".into(), text.as_str().into());
                if let Some(v) = template_id {
                    o.insert("template_id".into(), v.as_str().into());
                }
                if let Some(v) = template_parameters {
                    o.insert(
                        "template_parameters".into(),
                        json_text_value("content.template_parameters", v)?,
                    );
                }
            }
            MessageContent::Image { url } => {
                o.insert("type".into(), "image".into());
                o.insert("url".into(), url.as_str().into());
            }
            MessageContent::Video { url } => {
                o.insert("type".into(), "video".into());
                o.insert("url".into(), url.as_str().into());
            }
            MessageContent::Audio { url, transcript } => {
                o.insert("type".into(), "audio".into());
                o.insert("url".into(), url.as_str().into());
                if let Some(v) = transcript {
                    o.insert("transcript".into(), v.as_str().into());
                }
            }
            MessageContent::File {
                url,
                mime_type,
                name,
            } => {
                o.insert("type".into(), "file".into());
                o.insert("url".into(), url.as_str().into());
                o.insert("mime_type".into(), mime_type.as_str().into());
                o.insert("name".into(), name.as_str().into());
            }
            MessageContent::FunctionCall { id, name, input } => {
                o.insert("type".into(), "function_call".into());
                o.insert("id".into(), id.as_str().into());
                o.insert("name".into(), name.as_str().into());
                o.insert("input".into(), input.as_str().into());
            }
            MessageContent::FunctionResult { id, name, output } => {
                o.insert("type".into(), "function_result".into());
                o.insert("id".into(), id.as_str().into());
                o.insert("name".into(), name.as_str().into());
                o.insert("output".into(), output.as_str().into());
            }
            MessageContent::Thought { thought } => {
                o.insert("type".into(), "thought".into());
                o.insert("thought".into(), thought.as_str().into());
            }
            MessageContent::Unknown { raw_json, .. } => {
                return json_text_value("content", raw_json);
            }
        }
        Ok(Value::Object(o))
    }
}
// --- generated from core/src/schema (content) by core/tests/generated.rs: end ---

fn object_text(map: Map<String, Value>) -> String {
    Value::Object(map).to_string()
}

/// JSON text from the host, as a value: refused, naming the field, unless it
/// is JSON.
fn json_text_value(field: &str, text: &str) -> Result<Value, AntonniaError> {
    serde_json::from_str(text)
        .map_err(|e| AntonniaError::invalid(field, format!("is not valid JSON text: {e}")))
}

impl MessageContent {
    fn to_core(&self) -> Result<core::MessageContent, AntonniaError> {
        core::MessageContent::from_json(self.to_wire()?)
            .map_err(|e| AntonniaError::invalid("content", e.to_string()))
    }
}

impl Serialize for MessageContent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_core()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(core::MessageContent::deserialize(d)?.into())
    }
}

impl From<core::ScheduleConfig> for ScheduleConfig {
    fn from(c: core::ScheduleConfig) -> Self {
        match c {
            core::ScheduleConfig::Message { message } => ScheduleConfig::Message {
                message: message.into(),
            },
            core::ScheduleConfig::Node { node_id } => ScheduleConfig::Node { node_id },
            core::ScheduleConfig::Unknown { config_type, raw } => ScheduleConfig::Unknown {
                config_type,
                raw_json: object_text(raw),
            },
        }
    }
}

impl ScheduleConfig {
    /// The config as the wire's JSON object.
    pub(crate) fn to_wire(&self) -> Result<Value, AntonniaError> {
        Ok(match self {
            ScheduleConfig::Message { message } => {
                serde_json::json!({"type": "message", "message": message.to_wire()?})
            }
            ScheduleConfig::Node { node_id } => {
                serde_json::json!({"type": "node", "node_id": node_id})
            }
            ScheduleConfig::Unknown { raw_json, .. } => {
                serde_json::from_str(raw_json).map_err(|e| {
                    AntonniaError::invalid("config", format!("is not valid JSON text: {e}"))
                })?
            }
        })
    }
}

impl Serialize for ScheduleConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_wire()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ScheduleConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(core::ScheduleConfig::deserialize(d)?.into())
    }
}

/// Core value → mirror, through the core's canonical JSON.
pub(crate) fn mirror<M: DeserializeOwned>(canonical: Value) -> Result<M, AntonniaError> {
    serde_json::from_value(canonical).map_err(|e| decode("the SDK could not convert a result", e))
}

/// Mirror → the core's canonical JSON text (what `toJson()` returns): the
/// mirror is read back by the core and written out again, so the text is the
/// same as every other binding's.
fn canonical<M: Serialize, C: Serialize + DeserializeOwned>(
    m: &M,
) -> Result<String, AntonniaError> {
    let value =
        serde_json::to_value(m).map_err(|e| AntonniaError::invalid("value", e.to_string()))?;
    let core: C = serde_json::from_value(value)
        .map_err(|e| AntonniaError::invalid("value", e.to_string()))?;
    serde_json::to_string(&core).map_err(|e| decode("value", e))
}

/// Mirror → core value.
pub(crate) fn to_core<M: Serialize, C: DeserializeOwned>(m: &M) -> Result<C, AntonniaError> {
    let value =
        serde_json::to_value(m).map_err(|e| AntonniaError::invalid("value", e.to_string()))?;
    serde_json::from_value(value).map_err(|e| AntonniaError::invalid("value", e.to_string()))
}

/// Wire JSON text → mirror, read by the core as it reads the API's bodies.
fn from_wire<C: Serialize + DeserializeOwned, M: DeserializeOwned>(
    what: &str,
    json: &str,
) -> Result<M, AntonniaError> {
    let core: C = serde_json::from_str(json).map_err(|e| decode(what, e))?;
    mirror(serde_json::to_value(&core).map_err(|e| decode(what, e))?)
}

macro_rules! to_json_methods {
    ($($name:ident => $core:ty, $from:ident, $doc:literal;)+) => {$(
        #[uniffi::export]
        impl $name {
            /// The canonical JSON, in the wire's field names (the same text in
            /// every language of the SDK). Fails only on JSON text fields
            /// (`metadata`, ...) that the app filled with something else.
            pub fn to_json(&self) -> Result<String, AntonniaError> {
                canonical::<$name, $core>(self)
            }
        }

        #[doc = $doc]
        /// From JSON text in the wire's field names (what `toJson()` writes, or an API body), read as the SDK reads the API's
        /// answers: a `Decode` error names what does not fit.
        #[uniffi::export]
        pub fn $from(json: String) -> Result<$name, AntonniaError> {
            from_wire::<$core, $name>(stringify!($name), &json)
        }
    )+};
}

to_json_methods! {
    Session => core::Session, session_from_json, "A session.";
    Message => core::Message, message_from_json, "A message.";
    Agent => core::Agent, agent_from_json, "An agent.";
    SurveySubmission => core::SurveySubmission, survey_submission_from_json, "A survey submission.";
    SessionSchedule => core::SessionSchedule, session_schedule_from_json, "A session's schedule.";
}

/// Content to send, from the wire's JSON text (e.g. `{"type":"text","text":"hi"}`),
/// checked as the core checks content it sends: every field the kind needs
/// must be there; a kind this version does not know becomes `Unknown`.
#[uniffi::export]
pub fn message_content_from_json(json: String) -> Result<MessageContent, AntonniaError> {
    let value: Value = serde_json::from_str(&json)
        .map_err(|e| AntonniaError::invalid("content", format!("is not valid JSON text: {e}")))?;
    // The core's strict reader of outgoing content is the one behind
    // messages.create's `content`: go through it rather than restate its rules.
    let args = serde_json::json!({"session_id": "_", "content": value});
    match antonnia_core::Call::from_json("messages.create", args)? {
        antonnia_core::Call::MessagesCreate(op) => Ok(op.content.into()),
        _ => Err(AntonniaError::invalid("content", "is not message content")),
    }
}

/// The content's canonical JSON text.
#[uniffi::export]
pub fn message_content_to_json(content: MessageContent) -> Result<String, AntonniaError> {
    Ok(content.to_core()?.to_json().to_string())
}
