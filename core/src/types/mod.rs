//! The API's resources, parsed liberally: only `id` (and a discriminating
//! `type`) is required, unknown fields are ignored, unknown enum values kept.

pub(crate) mod content;
mod open_enum;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

pub use content::{
    AudioContent, FileContent, FunctionCallContent, FunctionResultContent, ImageContent,
    MessageContent, TextContent, ThoughtContent, UnknownContent, VideoContent,
};
pub(crate) use content::{deserialize_outgoing, is_deliverable_kind, json_type_name};
use open_enum::open_enum;

use std::borrow::Cow;
use std::fmt;

use serde::de::Visitor;

use crate::schema::{Ty, resource};
use crate::time::Timestamp;

open_enum! {
    /// Whether a session is still going on.
    pub enum SessionStatus {
        /// The conversation is going on.
        Open = "open",
        /// The conversation has ended.
        Closed = "closed",
    }
}

open_enum! {
    /// Who wrote a message.
    pub enum MessageRole {
        /// The end user, on the integrator's channel.
        User = "user",
        /// The agent (AI or human) answering.
        Assistant = "assistant",
    }
}

open_enum! {
    /// How far a message got on the channel.
    #[derive(Default)]
    pub enum DeliveryStatus {
        /// Not yet handed to the channel (the default).
        #[default]
        Pending = "pending",
        /// Accepted by the channel.
        Sent = "sent",
        /// Reached the user's device.
        Delivered = "delivered",
        /// Seen by the user.
        Read = "read",
        /// Could not be delivered; see the error code and message.
        Failed = "failed",
        /// Refused by the channel.
        Rejected = "rejected",
    }
}

open_enum! {
    /// Whether an agent is an AI assistant or a person.
    pub enum AgentType {
        /// An AI assistant (needs `assistant_id`).
        Ai = "ai",
        /// A human operator (needs `profile_id`).
        Human = "human",
    }
}

open_enum! {
    /// The state of a satisfaction survey submission.
    pub enum SurveySubmissionStatus {
        /// Waiting for the user's answers.
        Pending = "pending",
        /// Answered.
        Finished = "finished",
        /// Cancelled before being answered.
        Cancelled = "cancelled",
    }
}

open_enum! {
    /// The state of a scheduled action.
    pub enum ScheduleStatus {
        /// Waiting for its time.
        Scheduled = "scheduled",
        /// Carried out.
        Completed = "completed",
        /// Could not be carried out.
        Failed = "failed",
    }
}

resource! {
    /// A conversation between one contact and an agent.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Session in SESSION {
        /// The session's id, e.g. `sess_abc123`.
        id: String => req Ty::Str,
        /// The integrator's id for the contact.
        contact_id: Option<String> => opt Ty::Str,
        /// The organization owning the session.
        organization_id: Option<String> => opt Ty::Str,
        /// The conversation the session belongs to.
        conversation_id: Option<String> => opt Ty::Str,
        /// An optional thread id.
        thread_id: Option<String> => opt Ty::Str,
        /// `open` or `closed` (or a status this SDK version does not know).
        status: Option<SessionStatus> => opt Ty::Enum(SessionStatus::KNOWN),
        /// The agent in charge, if any.
        agent: Option<Agent> => opt Ty::Object(&AGENT),
        /// The satisfaction survey started when the session finished.
        ending_survey_submission_id: Option<String> => opt Ty::Str,
        /// Free-form data; channels keep `channel_type` and `channel_user_id` here.
        metadata: Map<String, Value> => default("{}", "null_as_empty_map") Ty::Map,
        /// When it was created.
        created_at: Option<Timestamp> => opt Ty::Time,
        /// When it last changed.
        updated_at: Option<Timestamp> => opt Ty::Time,
    }
}

impl Session {
    /// A session with only an id, every other field unset.
    pub fn with_id(id: impl Into<String>) -> Session {
        Session {
            id: id.into(),
            contact_id: None,
            organization_id: None,
            conversation_id: None,
            thread_id: None,
            status: None,
            agent: None,
            ending_survey_submission_id: None,
            metadata: Map::new(),
            created_at: None,
            updated_at: None,
        }
    }

    /// `metadata.channel_type`, by the channel-integration convention.
    pub fn channel_type(&self) -> Option<&str> {
        self.metadata.get("channel_type").and_then(Value::as_str)
    }

    /// `metadata.channel_user_id`, by the channel-integration convention.
    pub fn channel_user_id(&self) -> Option<&str> {
        self.metadata.get("channel_user_id").and_then(Value::as_str)
    }
}

fn null_as_empty_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default())
}

fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

resource! {
    /// One message in a session.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Message in MESSAGE {
        /// The message's id, e.g. `msg_xyz789`.
        id: String => req Ty::Str,
        /// The session it belongs to.
        session_id: Option<String> => opt Ty::Str,
        /// The conversation it belongs to.
        conversation_id: Option<String> => opt Ty::Str,
        /// The organization owning it.
        organization_id: Option<String> => opt Ty::Str,
        /// `user` or `assistant` (or a role this SDK version does not know).
        role: Option<MessageRole> => opt Ty::Enum(MessageRole::KNOWN),
        /// What it says: one content kind per `type`.
        content: MessageContent => req Ty::Content,
        /// The channel's id for it.
        provider_message_id: Option<String> => opt Ty::Str,
        /// The channel's id of the message it replies to.
        replied_provider_message_id: Option<String> => opt Ty::Str,
        /// The AI run that produced it.
        run_id: Option<String> => opt Ty::Str,
        /// When it was created.
        created_at: Option<Timestamp> => opt Ty::Time,
        /// How far it got on the channel: `pending` (also when absent), `sent`,
        /// `delivered`, `read`, `failed` or `rejected`.
        delivery_status: DeliveryStatus
            => default("\"pending\"", "null_as_default") Ty::Enum(DeliveryStatus::KNOWN),
        /// The channel's error code when delivery failed (e.g. WhatsApp's 131047).
        delivery_error_code: Option<i64> => opt Ty::I64,
        /// The channel's error message when delivery failed.
        delivery_error_message: Option<String> => opt Ty::Str,
        /// When the channel delivered it.
        delivered_at: Option<Timestamp> => opt Ty::Time,
        /// When it last changed.
        updated_at: Option<Timestamp> => opt Ty::Time,
    }
}

impl Message {
    /// A message with only an id and content, every other field unset.
    pub fn new(id: impl Into<String>, content: MessageContent) -> Message {
        Message {
            id: id.into(),
            session_id: None,
            conversation_id: None,
            organization_id: None,
            role: None,
            content,
            provider_message_id: None,
            replied_provider_message_id: None,
            run_id: None,
            created_at: None,
            delivery_status: DeliveryStatus::Pending,
            delivery_error_code: None,
            delivery_error_message: None,
            delivered_at: None,
            updated_at: None,
        }
    }
}

/// What distinguishes one kind of agent from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentKind {
    /// `type: "ai"`
    Ai {
        /// The AI assistant behind the agent.
        assistant_id: Option<String>,
    },
    /// `type: "human"`
    Human {
        /// The person's profile.
        profile_id: Option<String>,
    },
    /// A `type` this SDK version does not know.
    Unknown {
        /// The `type` as sent.
        agent_type: String,
    },
}

/// An agent (AI or human) that can be put in charge of sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// The agent's id, e.g. `agent_abc`.
    pub id: String,
    /// The organization owning it.
    pub organization_id: Option<String>,
    /// Its display name.
    pub name: Option<String>,
    /// When it was created.
    pub created_at: Option<Timestamp>,
    /// AI or human, with the id that goes with each.
    pub kind: AgentKind,
}

impl Agent {
    /// The `type` as sent on the wire.
    pub fn agent_type(&self) -> AgentType {
        match &self.kind {
            AgentKind::Ai { .. } => AgentType::Ai,
            AgentKind::Human { .. } => AgentType::Human,
            AgentKind::Unknown { agent_type } => AgentType::from_wire(agent_type),
        }
    }
}

resource! {
    /// An agent (AI or human) that can be put in charge of sessions.
    #[derive(Serialize, Deserialize)]
    pub(crate) struct AgentWire in AGENT named "Agent" {
        /// The agent's id, e.g. `agent_abc`.
        id: String => req Ty::Str,
        /// `ai` or `human` (or a type this SDK version does not know).
        #[wire("type")]
        agent_type: String => req Ty::Enum(AgentType::KNOWN),
        /// The organization owning it.
        organization_id: Option<String> => opt Ty::Str,
        /// Its display name.
        name: Option<String> => opt Ty::Str,
        /// The AI assistant behind an `ai` agent.
        assistant_id: Option<String> => opt_only("ai") Ty::Str,
        /// The person's profile, for a `human` agent.
        profile_id: Option<String> => opt_only("human") Ty::Str,
        /// When it was created.
        created_at: Option<Timestamp> => opt Ty::Time,
    }
}

impl Serialize for Agent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (assistant_id, profile_id) = match &self.kind {
            AgentKind::Ai { assistant_id } => (assistant_id.clone(), None),
            AgentKind::Human { profile_id } => (None, profile_id.clone()),
            AgentKind::Unknown { .. } => (None, None),
        };
        AgentWire {
            id: self.id.clone(),
            agent_type: self.agent_type().as_str().to_string(),
            organization_id: self.organization_id.clone(),
            name: self.name.clone(),
            assistant_id,
            profile_id,
            created_at: self.created_at,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Agent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let w = AgentWire::deserialize(d)?;
        let kind = match w.agent_type.as_str() {
            "ai" => AgentKind::Ai {
                assistant_id: w.assistant_id,
            },
            "human" => AgentKind::Human {
                profile_id: w.profile_id,
            },
            _ => AgentKind::Unknown {
                agent_type: w.agent_type,
            },
        };
        Ok(Agent {
            id: w.id,
            organization_id: w.organization_id,
            name: w.name,
            created_at: w.created_at,
            kind,
        })
    }
}

resource! {
    /// A satisfaction survey sent to the contact when a session finished.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct SurveySubmission in SURVEY_SUBMISSION {
        /// The submission's id.
        id: String => req Ty::Str,
        /// The survey answered.
        survey_id: Option<String> => opt Ty::Str,
        /// The session it follows.
        session_id: Option<String> => opt Ty::Str,
        /// The organization owning it.
        organization_id: Option<String> => opt Ty::Str,
        /// `pending`, `finished` or `cancelled` (or a status this SDK version does not know).
        status: Option<SurveySubmissionStatus> => opt Ty::Enum(SurveySubmissionStatus::KNOWN),
        /// When it was created.
        created_at: Option<Timestamp> => opt Ty::Time,
        /// When it stops accepting answers.
        expires_at: Option<Timestamp> => opt Ty::Time,
        /// When it was answered.
        finished_at: Option<Timestamp> => opt Ty::Time,
        /// When it last changed.
        updated_at: Option<Timestamp> => opt Ty::Time,
    }
}

impl SurveySubmission {
    /// Whether it still waits for answers at `now`: pending and not expired.
    /// A submission without an expiry time does not expire.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.status == Some(SurveySubmissionStatus::Pending)
            && self.expires_at.is_none_or(|expires| now < expires)
    }
}

/// What a schedule does when its time comes.
#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleConfig {
    /// `{"type": "message", "message": <content>}`: send this message.
    Message {
        /// The content to send.
        message: MessageContent,
    },
    /// `{"type": "node", "node_id": "..."}`: run the agent from this flow node.
    Node {
        /// The node to start from.
        node_id: String,
    },
    /// A `type` this SDK version does not know, kept whole.
    Unknown {
        /// The `type` as sent.
        config_type: String,
        /// Every field as sent.
        raw: Map<String, Value>,
    },
}

impl Serialize for ScheduleConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        enum Wire<'a> {
            Message { message: &'a MessageContent },
            Node { node_id: &'a str },
        }
        match self {
            ScheduleConfig::Message { message } => Wire::Message { message }.serialize(s),
            ScheduleConfig::Node { node_id } => Wire::Node { node_id }.serialize(s),
            ScheduleConfig::Unknown { raw, .. } => raw.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for ScheduleConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        let config_type = match map.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(_) => return Err(D::Error::custom("config \"type\" must be a string")),
            None => return Err(D::Error::missing_field("type")),
        };
        match config_type.as_str() {
            "message" => {
                let message = map
                    .remove("message")
                    .ok_or_else(|| D::Error::missing_field("message"))?;
                let message = MessageContent::from_json(message).map_err(D::Error::custom)?;
                Ok(ScheduleConfig::Message { message })
            }
            "node" => match map.remove("node_id") {
                Some(Value::String(node_id)) => Ok(ScheduleConfig::Node { node_id }),
                Some(_) => Err(D::Error::custom("node_id must be a string")),
                None => Err(D::Error::missing_field("node_id")),
            },
            _ => Ok(ScheduleConfig::Unknown {
                config_type,
                raw: map,
            }),
        }
    }
}

resource! {
    /// An action scheduled on a session for a later time.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct SessionSchedule in SESSION_SCHEDULE {
        /// The schedule's id.
        id: String => req Ty::Str,
        /// The session it acts on.
        session_id: Option<String> => opt Ty::Str,
        /// The organization owning it.
        organization_id: Option<String> => opt Ty::Str,
        /// When it runs.
        scheduled_for: Option<Timestamp> => opt Ty::Time,
        /// What it does.
        config: Option<ScheduleConfig> => opt Ty::ScheduleConfig,
        /// `scheduled`, `completed` or `failed` (or a status this SDK version does not know).
        status: Option<ScheduleStatus> => opt Ty::Enum(ScheduleStatus::KNOWN),
        /// When it was created.
        created_at: Option<Timestamp> => opt Ty::Time,
    }
}

/// A string borrowed from the body when it has no escapes (serde's own `Cow`
/// always copies), so reading `type` costs no allocation.
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}
