//! `/sessions`: create, get, update, transfer, finish, reply, search, schedule.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::PathPart::{Id, Literal};
use super::{
    Paginated, check_between, check_metadata_object, check_page, check_search_metadata, json_body,
    next_offset, request, require_id, require_optional_id,
};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::schema::{
    ArgPresence, ArgTy, BodyForm, Check, Seg, Signature, id, optional, path_id, required,
};
use crate::time::Timestamp;
use crate::types::{ScheduleConfig, SessionStatus};

const STATUS: ArgTy = ArgTy::Enum(SessionStatus::KNOWN);

/// The largest `debounce_time` the server accepts, in seconds.
pub const MAX_DEBOUNCE_SECONDS: i64 = 60;

/// `POST /sessions`: opens a session for a contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    /// The integrator's id for the contact (required).
    pub contact_id: String,
    /// The contact's display name (required).
    pub contact_name: String,
    /// The agent to put in charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// `open` (the server's default) or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// Free-form data; by convention `channel_type` and `channel_user_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl CreateSession {
    /// The arguments and request of `sessions.create`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[Seg::Lit("sessions")]],
        args: &[
            required("contact_id", ArgTy::Str),
            required("contact_name", ArgTy::Str),
            optional("agent_id", ArgTy::Str),
            optional("status", STATUS),
            optional("metadata", ArgTy::Map),
        ],
        body: BodyForm::Object,
        checks: &[
            id("contact_id"),
            id("agent_id"),
            Check::MetadataKeys {
                arg: "metadata",
                field: "metadata",
            },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("contact_id", &self.contact_id)?;
        require_optional_id("agent_id", self.agent_id.as_deref())?;
        check_metadata_object("metadata", self.metadata.as_ref())?;
        Ok(request(
            config,
            Method::Post,
            &[Literal("sessions")],
            json_body(self)?,
        ))
    }
}

/// `GET /sessions/{session_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetSession {
    /// The session to fetch.
    pub session_id: String,
}

impl GetSession {
    /// The arguments and request of `sessions.get`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Get,
        paths: &[&[Seg::Lit("sessions"), Seg::Arg("session_id")]],
        args: &[path_id("session_id")],
        body: BodyForm::None,
        checks: &[id("session_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        Ok(request(
            config,
            Method::Get,
            &[Literal("sessions"), Id(&self.session_id)],
            None,
        ))
    }
}

/// The fields of a session that `update` can change; unset ones are left alone.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFields {
    /// A new thread id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// A new status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// A new agent in charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// A new ending survey submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_survey_submission_id: Option<String>,
    /// New metadata (replaces the old object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl SessionFields {
    fn is_empty(&self) -> bool {
        *self == SessionFields::default()
    }
}

/// `PATCH /sessions/{session_id}` with `{"fields": {...}}`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSession {
    /// The session to change.
    pub session_id: String,
    /// What to change (at least one field).
    #[serde(deserialize_with = "super::object_only")]
    pub fields: SessionFields,
}

impl UpdateSession {
    /// The arguments and request of `sessions.update`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Patch,
        paths: &[&[Seg::Lit("sessions"), Seg::Arg("session_id")]],
        args: &[
            path_id("session_id"),
            required(
                "fields",
                ArgTy::Object(&[
                    optional("thread_id", ArgTy::Str),
                    optional("status", STATUS),
                    optional("agent_id", ArgTy::Str),
                    optional("ending_survey_submission_id", ArgTy::Str),
                    optional("metadata", ArgTy::Map),
                ]),
            ),
        ],
        body: BodyForm::Object,
        checks: &[
            id("session_id"),
            Check::AnyGiven {
                within: Some("fields"),
                field: "fields",
            },
            id("fields.agent_id"),
            Check::MetadataKeys {
                arg: "fields.metadata",
                field: "fields.metadata",
            },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        if self.fields.is_empty() {
            return Err(Error::invalid("fields", "set at least one field to update"));
        }
        require_optional_id("fields.agent_id", self.fields.agent_id.as_deref())?;
        check_metadata_object("fields.metadata", self.fields.metadata.as_ref())?;
        #[derive(Serialize)]
        struct Body<'a> {
            fields: &'a SessionFields,
        }
        Ok(request(
            config,
            Method::Patch,
            &[Literal("sessions"), Id(&self.session_id)],
            json_body(&Body {
                fields: &self.fields,
            })?,
        ))
    }
}

/// `POST /sessions/{session_id}/transfer`: hands the session to another agent,
/// or to none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSession {
    /// The session to transfer.
    pub session_id: String,
    /// The new agent; `None` removes the agent (sent as `"agent_id": null`).
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Whether the new agent should answer straight away.
    #[serde(default)]
    pub auto_reply: Option<bool>,
}

impl TransferSession {
    /// The arguments and request of `sessions.transfer`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("transfer"),
        ]],
        args: &[
            path_id("session_id"),
            crate::schema::Arg {
                name: "agent_id",
                ty: ArgTy::Str,
                presence: ArgPresence::NullSent,
                sent: crate::schema::Sent::Body,
            },
            optional("auto_reply", ArgTy::Bool),
        ],
        body: BodyForm::Object,
        checks: &[id("session_id"), id("agent_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_optional_id("agent_id", self.agent_id.as_deref())?;
        #[derive(Serialize)]
        struct Body<'a> {
            // Always present: null means "remove the agent".
            agent_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            auto_reply: Option<bool>,
        }
        Ok(request(
            config,
            Method::Post,
            &[
                Literal("sessions"),
                Id(&self.session_id),
                Literal("transfer"),
            ],
            json_body(&Body {
                agent_id: self.agent_id.as_deref(),
                auto_reply: self.auto_reply,
            })?,
        ))
    }
}

/// `POST /sessions/{session_id}/finish`: closes the session, optionally
/// starting a satisfaction survey.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinishSession {
    /// The session to close.
    pub session_id: String,
    /// The survey to send the contact.
    #[serde(default)]
    pub ending_survey_id: Option<String>,
}

impl FinishSession {
    /// The arguments and request of `sessions.finish`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("finish"),
        ]],
        args: &[
            path_id("session_id"),
            optional("ending_survey_id", ArgTy::Str),
        ],
        body: BodyForm::Object,
        checks: &[id("session_id"), id("ending_survey_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_optional_id("ending_survey_id", self.ending_survey_id.as_deref())?;
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            ending_survey_id: Option<&'a str>,
        }
        Ok(request(
            config,
            Method::Post,
            &[Literal("sessions"), Id(&self.session_id), Literal("finish")],
            json_body(&Body {
                ending_survey_id: self.ending_survey_id.as_deref(),
            })?,
        ))
    }
}

/// `POST /sessions/{session_id}/reply`: asks the AI agent to answer, once the
/// contact has been quiet for `debounce_time` seconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplySession {
    /// The session to answer in.
    pub session_id: String,
    /// Seconds of quiet to wait for, 0..=60 (the server's default is 3).
    #[serde(default)]
    pub debounce_time: Option<i64>,
    /// The flow node to start from.
    #[serde(default)]
    pub starting_node_id: Option<String>,
}

impl ReplySession {
    /// The arguments and request of `sessions.reply`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("reply"),
        ]],
        args: &[
            path_id("session_id"),
            optional("debounce_time", ArgTy::I64),
            optional("starting_node_id", ArgTy::Str),
        ],
        body: BodyForm::Object,
        checks: &[
            id("session_id"),
            Check::Between {
                arg: "debounce_time",
                min: 0,
                max: MAX_DEBOUNCE_SECONDS,
                unit: "seconds",
            },
            id("starting_node_id"),
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        check_between(
            "debounce_time",
            self.debounce_time,
            0,
            MAX_DEBOUNCE_SECONDS,
            "seconds",
        )?;
        require_optional_id("starting_node_id", self.starting_node_id.as_deref())?;
        #[derive(Serialize)]
        struct Body<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            debounce_time: Option<i64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            starting_node_id: Option<&'a str>,
        }
        Ok(request(
            config,
            Method::Post,
            &[Literal("sessions"), Id(&self.session_id), Literal("reply")],
            json_body(&Body {
                debounce_time: self.debounce_time,
                starting_node_id: self.starting_node_id.as_deref(),
            })?,
        ))
    }
}

/// `POST /sessions/search`: finds sessions by contact, status or metadata.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSessions {
    /// Only this contact's sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Only sessions in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// Metadata equal to these values; keys may be dotted paths (`internal.user_id`),
    /// values strings or numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// How many results to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// How many results at most (the server's default is 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

impl SearchSessions {
    /// The arguments and request of `sessions.search`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[Seg::Lit("sessions"), Seg::Lit("search")]],
        args: &[
            optional("contact_id", ArgTy::Str),
            optional("status", STATUS),
            optional("metadata", ArgTy::Map),
            optional("offset", ArgTy::I64),
            optional("limit", ArgTy::I64),
        ],
        body: BodyForm::Object,
        checks: &[
            Check::Page,
            Check::MetadataKeys {
                arg: "metadata",
                field: "metadata",
            },
            Check::SearchMetadataValues { arg: "metadata" },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        check_page(self.offset, self.limit)?;
        check_metadata_object("metadata", self.metadata.as_ref())?;
        check_search_metadata("metadata", self.metadata.as_ref())?;
        Ok(request(
            config,
            Method::Post,
            &[Literal("sessions"), Literal("search")],
            json_body(self)?,
        ))
    }
}

impl Paginated for SearchSessions {
    fn next_page(&self, returned: usize) -> Option<Self> {
        let offset = next_offset(self.offset, self.limit, returned)?;
        Some(SearchSessions {
            offset: Some(offset),
            ..self.clone()
        })
    }
}

/// `POST /sessions/{session_id}/schedule`: sends a message or runs a flow node later.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSession {
    /// The session to act on.
    pub session_id: String,
    /// When (sent in UTC; as an argument it must state its offset).
    #[serde(deserialize_with = "crate::time::deserialize_with_offset")]
    pub scheduled_for: Timestamp,
    /// What to do.
    pub config: ScheduleConfig,
}

impl ScheduleSession {
    /// The arguments and request of `sessions.schedule`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("schedule"),
        ]],
        args: &[
            path_id("session_id"),
            required("scheduled_for", ArgTy::TimeWithOffset),
            required("config", ArgTy::ScheduleConfig),
        ],
        body: BodyForm::Object,
        checks: &[
            id("session_id"),
            Check::IdWhen {
                arg: "config.node_id",
                field: "config.node_id",
                when: "config.type",
                equals: "node",
            },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        if let ScheduleConfig::Node { node_id } = &self.config {
            require_id("config.node_id", node_id)?;
        }
        #[derive(Serialize)]
        struct Body<'a> {
            scheduled_for: Timestamp,
            config: &'a ScheduleConfig,
        }
        Ok(request(
            config,
            Method::Post,
            &[
                Literal("sessions"),
                Id(&self.session_id),
                Literal("schedule"),
            ],
            json_body(&Body {
                scheduled_for: self.scheduled_for,
                config: &self.config,
            })?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Operation;

    fn cfg() -> Config {
        Config::new("sk_test").unwrap()
    }

    #[test]
    fn transfer_without_agent_sends_null() {
        let req = TransferSession {
            session_id: "s".into(),
            ..Default::default()
        }
        .build(&cfg())
        .unwrap();
        assert_eq!(req.body_text(), Some(r#"{"agent_id":null}"#));
    }

    #[test]
    fn ids_stay_in_their_segment() {
        let req = GetSession {
            session_id: "../x?y#z".into(),
        }
        .build(&cfg())
        .unwrap();
        assert!(req.url.ends_with("/sessions/..%2Fx%3Fy%23z"), "{}", req.url);
    }

    #[test]
    fn debounce_bounds() {
        for (d, ok) in [(0, true), (60, true), (61, false), (-1, false)] {
            let r = ReplySession {
                session_id: "s".into(),
                debounce_time: Some(d),
                ..Default::default()
            }
            .build(&cfg());
            assert_eq!(r.is_ok(), ok, "{d}");
        }
    }

    #[test]
    fn pages_follow_each_other() {
        let first = SearchSessions {
            limit: Some(2),
            ..Default::default()
        };
        let second = first.next_page(2).unwrap();
        assert_eq!(second.offset, Some(2));
        assert_eq!(second.next_page(2).unwrap().offset, Some(4));
        assert!(second.next_page(1).is_none());
        assert!(SearchSessions::default().next_page(99).is_none());
        assert_eq!(
            SearchSessions::default().next_page(100).unwrap().offset,
            Some(100)
        );
    }
}
