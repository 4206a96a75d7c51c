//! `/sessions/{id}/messages` and `/messages/search`.

use serde::{Deserialize, Serialize};

use super::PathPart::{Id, Literal};
use super::{
    Paginated, check_page, json_body, next_offset, request, require_id, require_optional_id,
};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::schema::{
    ArgPresence, ArgTy, BodyForm, Check, Seg, Sent, Signature, id, optional, path_id, required,
};
use crate::time::Timestamp;
use crate::types::{DeliveryStatus, MessageContent, MessageRole};

const ROLE: ArgTy = ArgTy::Enum(MessageRole::KNOWN);

/// `POST /sessions/{session_id}/messages`: records a message in a session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMessage {
    /// The session to add to.
    pub session_id: String,
    /// What it says.
    #[serde(deserialize_with = "crate::types::deserialize_outgoing")]
    pub content: MessageContent,
    /// `user` for the contact's messages (the default), `assistant` for the agent's.
    #[serde(default = "user_role")]
    pub role: MessageRole,
    /// The channel's id for the message (deduplication key on the server).
    #[serde(default)]
    pub provider_message_id: Option<String>,
    /// The channel's id of the message it replies to.
    #[serde(default)]
    pub replied_provider_message_id: Option<String>,
    /// The AI run it belongs to.
    #[serde(default)]
    pub run_id: Option<String>,
}

fn user_role() -> MessageRole {
    MessageRole::User
}

impl CreateMessage {
    /// The arguments and request of `messages.create`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("messages"),
        ]],
        args: &[
            path_id("session_id"),
            required("content", ArgTy::Content),
            crate::schema::Arg {
                name: "role",
                ty: ROLE,
                presence: ArgPresence::Default("\"user\""),
                sent: Sent::Body,
            },
            optional("provider_message_id", ArgTy::Str),
            optional("replied_provider_message_id", ArgTy::Str),
            optional("run_id", ArgTy::Str),
        ],
        body: BodyForm::Object,
        checks: &[
            id("session_id"),
            id("provider_message_id"),
            id("replied_provider_message_id"),
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_optional_id("provider_message_id", self.provider_message_id.as_deref())?;
        require_optional_id(
            "replied_provider_message_id",
            self.replied_provider_message_id.as_deref(),
        )?;
        #[derive(Serialize)]
        struct Body<'a> {
            content: &'a MessageContent,
            role: &'a MessageRole,
            #[serde(skip_serializing_if = "Option::is_none")]
            provider_message_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            replied_provider_message_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            run_id: Option<&'a str>,
        }
        Ok(request(
            config,
            Method::Post,
            &[
                Literal("sessions"),
                Id(&self.session_id),
                Literal("messages"),
            ],
            json_body(&Body {
                content: &self.content,
                role: &self.role,
                provider_message_id: self.provider_message_id.as_deref(),
                replied_provider_message_id: self.replied_provider_message_id.as_deref(),
                run_id: self.run_id.as_deref(),
            })?,
        ))
    }
}

/// `GET /sessions/{session_id}/messages/{message_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetMessage {
    /// The session it belongs to.
    pub session_id: String,
    /// The message to fetch.
    pub message_id: String,
}

impl GetMessage {
    /// The arguments and request of `messages.get`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Get,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("messages"),
            Seg::Arg("message_id"),
        ]],
        args: &[path_id("session_id"), path_id("message_id")],
        body: BodyForm::None,
        checks: &[id("session_id"), id("message_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_id("message_id", &self.message_id)?;
        Ok(request(
            config,
            Method::Get,
            &[
                Literal("sessions"),
                Id(&self.session_id),
                Literal("messages"),
                Id(&self.message_id),
            ],
            None,
        ))
    }
}

/// What a delivery report (or any message update) can change.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageFields {
    /// The channel's id for the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// The channel's id of the message it replies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_provider_message_id: Option<String>,
    /// How far it got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<DeliveryStatus>,
    /// The channel's error code, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error_code: Option<i64>,
    /// The channel's error message, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error_message: Option<String>,
    /// When the channel delivered it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<Timestamp>,
}

/// `PATCH /sessions/{session_id}/messages/{message_id}`: the delivery report.
///
/// As JSON arguments the fields stand beside the ids (as the Python keywords
/// do): `{"session_id", "message_id", "delivery_status", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(from = "UpdateMessageArgs")]
pub struct UpdateMessage {
    /// The session it belongs to.
    pub session_id: String,
    /// The message to change.
    pub message_id: String,
    /// What to change (at least one field); sent as the body itself.
    pub fields: MessageFields,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateMessageArgs {
    session_id: String,
    message_id: String,
    #[serde(default)]
    provider_message_id: Option<String>,
    #[serde(default)]
    replied_provider_message_id: Option<String>,
    #[serde(default)]
    delivery_status: Option<DeliveryStatus>,
    #[serde(default)]
    delivery_error_code: Option<i64>,
    #[serde(default)]
    delivery_error_message: Option<String>,
    #[serde(default, deserialize_with = "crate::time::deserialize_opt_with_offset")]
    delivered_at: Option<Timestamp>,
}

impl From<UpdateMessageArgs> for UpdateMessage {
    fn from(a: UpdateMessageArgs) -> Self {
        UpdateMessage {
            session_id: a.session_id,
            message_id: a.message_id,
            fields: MessageFields {
                provider_message_id: a.provider_message_id,
                replied_provider_message_id: a.replied_provider_message_id,
                delivery_status: a.delivery_status,
                delivery_error_code: a.delivery_error_code,
                delivery_error_message: a.delivery_error_message,
                delivered_at: a.delivered_at,
            },
        }
    }
}

impl UpdateMessage {
    /// The arguments and request of `messages.update`, as data: the fields
    /// stand beside the ids and are sent as the body itself.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Patch,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("messages"),
            Seg::Arg("message_id"),
        ]],
        args: &[
            path_id("session_id"),
            path_id("message_id"),
            optional("provider_message_id", ArgTy::Str),
            optional("replied_provider_message_id", ArgTy::Str),
            optional("delivery_status", ArgTy::Enum(DeliveryStatus::KNOWN)),
            optional("delivery_error_code", ArgTy::I64),
            optional("delivery_error_message", ArgTy::Str),
            optional("delivered_at", ArgTy::TimeWithOffset),
        ],
        body: BodyForm::Object,
        checks: &[
            id("session_id"),
            id("message_id"),
            Check::AnyGiven {
                within: None,
                field: "fields",
            },
            id("provider_message_id"),
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_id("message_id", &self.message_id)?;
        if self.fields == MessageFields::default() {
            return Err(Error::invalid("fields", "set at least one field to update"));
        }
        require_optional_id(
            "provider_message_id",
            self.fields.provider_message_id.as_deref(),
        )?;
        Ok(request(
            config,
            Method::Patch,
            &[
                Literal("sessions"),
                Id(&self.session_id),
                Literal("messages"),
                Id(&self.message_id),
            ],
            json_body(&self.fields)?,
        ))
    }
}

/// `POST /sessions/{session_id}/messages/search`, or `POST /messages/search`
/// across every session when `session_id` is `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchMessages {
    /// The session to search in; `None` searches every session.
    #[serde(default, skip_serializing)]
    pub session_id: Option<String>,
    /// Only the message with this channel id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_message_id: Option<String>,
    /// Only replies to this channel id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_provider_message_id: Option<String>,
    /// Only messages by this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MessageRole>,
    /// How many results to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// How many results at most (the server's default is 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

impl SearchMessages {
    /// The arguments and request of `messages.search`, as data: within
    /// one session when `session_id` is given, across all otherwise.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[
            &[
                Seg::Lit("sessions"),
                Seg::Arg("session_id"),
                Seg::Lit("messages"),
                Seg::Lit("search"),
            ],
            &[Seg::Lit("messages"), Seg::Lit("search")],
        ],
        args: &[
            crate::schema::Arg {
                name: "session_id",
                ty: ArgTy::Str,
                presence: ArgPresence::Optional,
                sent: Sent::Path,
            },
            optional("provider_message_id", ArgTy::Str),
            optional("replied_provider_message_id", ArgTy::Str),
            optional("role", ROLE),
            optional("offset", ArgTy::I64),
            optional("limit", ArgTy::I64),
        ],
        body: BodyForm::Object,
        checks: &[Check::Page, id("session_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        check_page(self.offset, self.limit)?;
        let body = json_body(self)?;
        Ok(match &self.session_id {
            Some(session_id) => {
                require_id("session_id", session_id)?;
                request(
                    config,
                    Method::Post,
                    &[
                        Literal("sessions"),
                        Id(session_id),
                        Literal("messages"),
                        Literal("search"),
                    ],
                    body,
                )
            }
            None => request(
                config,
                Method::Post,
                &[Literal("messages"), Literal("search")],
                body,
            ),
        })
    }
}

impl Paginated for SearchMessages {
    fn next_page(&self, returned: usize) -> Option<Self> {
        let offset = next_offset(self.offset, self.limit, returned)?;
        Some(SearchMessages {
            offset: Some(offset),
            ..self.clone()
        })
    }
}
