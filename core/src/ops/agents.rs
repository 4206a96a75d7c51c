//! `/agents`: create, get, update, delete, search.

use serde::{Deserialize, Serialize};

use super::PathPart::{Id, Literal};
use super::{
    Paginated, check_not_blank, check_page, json_body, next_offset, request, require_id,
    require_optional_id,
};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::schema::{ArgTy, BodyForm, Check, Seg, Signature, id, optional, path_id, required};
use crate::types::AgentType;

const AGENT_TYPE: ArgTy = ArgTy::Enum(AgentType::KNOWN);

/// `POST /agents`: creates an AI agent (with `assistant_id`) or a human one
/// (with `profile_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAgent {
    /// Its display name.
    pub name: String,
    /// `ai` or `human`.
    #[serde(rename = "type")]
    pub agent_type: AgentType,
    /// The AI assistant behind it (required for `ai`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<String>,
    /// The person's profile (required for `human`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
}

impl CreateAgent {
    /// The arguments and request of `agents.create`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[Seg::Lit("agents")]],
        args: &[
            required("name", ArgTy::Str),
            required("type", AGENT_TYPE),
            optional("assistant_id", ArgTy::Str),
            optional("profile_id", ArgTy::Str),
        ],
        body: BodyForm::Object,
        checks: &[
            Check::NotBlank {
                arg: "name",
                field: "name",
            },
            id("assistant_id"),
            id("profile_id"),
            Check::RequiredWhen {
                arg: "assistant_id",
                when: "type",
                equals: "ai",
                message: "is required for an ai agent",
            },
            Check::RequiredWhen {
                arg: "profile_id",
                when: "type",
                equals: "human",
                message: "is required for a human agent",
            },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        check_not_blank("name", Some(&self.name))?;
        require_optional_id("assistant_id", self.assistant_id.as_deref())?;
        require_optional_id("profile_id", self.profile_id.as_deref())?;
        match self.agent_type {
            AgentType::Ai if self.assistant_id.is_none() => {
                return Err(Error::invalid(
                    "assistant_id",
                    "is required for an ai agent",
                ));
            }
            AgentType::Human if self.profile_id.is_none() => {
                return Err(Error::invalid(
                    "profile_id",
                    "is required for a human agent",
                ));
            }
            _ => {}
        }
        Ok(request(
            config,
            Method::Post,
            &[Literal("agents")],
            json_body(self)?,
        ))
    }
}

/// `GET /agents/{agent_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetAgent {
    /// The agent to fetch.
    pub agent_id: String,
}

impl GetAgent {
    /// The arguments and request of `agents.get`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Get,
        paths: &[&[Seg::Lit("agents"), Seg::Arg("agent_id")]],
        args: &[path_id("agent_id")],
        body: BodyForm::None,
        checks: &[id("agent_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("agent_id", &self.agent_id)?;
        Ok(request(
            config,
            Method::Get,
            &[Literal("agents"), Id(&self.agent_id)],
            None,
        ))
    }
}

/// What `update` can change on an agent; unset fields are left alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentFields {
    /// A new display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new AI assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<String>,
    /// A new profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
}

/// `PATCH /agents/{agent_id}` with `{"fields": {...}}`.
///
/// As JSON arguments the fields stand beside the id (as the Python keywords
/// do): `{"agent_id", "name", "assistant_id", "profile_id"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(from = "UpdateAgentArgs")]
pub struct UpdateAgent {
    /// The agent to change.
    pub agent_id: String,
    /// What to change (at least one field).
    pub fields: AgentFields,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateAgentArgs {
    agent_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    assistant_id: Option<String>,
    #[serde(default)]
    profile_id: Option<String>,
}

impl From<UpdateAgentArgs> for UpdateAgent {
    fn from(a: UpdateAgentArgs) -> Self {
        UpdateAgent {
            agent_id: a.agent_id,
            fields: AgentFields {
                name: a.name,
                assistant_id: a.assistant_id,
                profile_id: a.profile_id,
            },
        }
    }
}

impl UpdateAgent {
    /// The arguments and request of `agents.update`, as data: the fields
    /// stand beside the id and are sent under `fields`.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Patch,
        paths: &[&[Seg::Lit("agents"), Seg::Arg("agent_id")]],
        args: &[
            path_id("agent_id"),
            optional("name", ArgTy::Str),
            optional("assistant_id", ArgTy::Str),
            optional("profile_id", ArgTy::Str),
        ],
        body: BodyForm::Wrapped("fields"),
        checks: &[
            id("agent_id"),
            Check::AnyGiven {
                within: None,
                field: "fields",
            },
            Check::NotBlank {
                arg: "name",
                field: "fields.name",
            },
        ],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("agent_id", &self.agent_id)?;
        if self.fields == AgentFields::default() {
            return Err(Error::invalid("fields", "set at least one field to update"));
        }
        check_not_blank("fields.name", self.fields.name.as_deref())?;
        #[derive(Serialize)]
        struct Body<'a> {
            fields: &'a AgentFields,
        }
        Ok(request(
            config,
            Method::Patch,
            &[Literal("agents"), Id(&self.agent_id)],
            json_body(&Body {
                fields: &self.fields,
            })?,
        ))
    }
}

/// `DELETE /agents/{agent_id}` (answers 204 with no body).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteAgent {
    /// The agent to delete.
    pub agent_id: String,
}

impl DeleteAgent {
    /// The arguments and request of `agents.delete`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Delete,
        paths: &[&[Seg::Lit("agents"), Seg::Arg("agent_id")]],
        args: &[path_id("agent_id")],
        body: BodyForm::None,
        checks: &[id("agent_id")],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        require_id("agent_id", &self.agent_id)?;
        Ok(request(
            config,
            Method::Delete,
            &[Literal("agents"), Id(&self.agent_id)],
            None,
        ))
    }
}

/// `POST /agents/search`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchAgents {
    /// Only agents of this type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<AgentType>,
    /// Only agents backed by this assistant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assistant_id: Option<String>,
    /// Only agents with this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// How many results at most (the server's default is 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// How many results to skip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
}

impl SearchAgents {
    /// The arguments and request of `agents.search`, as data.
    pub const SIGNATURE: Signature = Signature {
        method: Method::Post,
        paths: &[&[Seg::Lit("agents"), Seg::Lit("search")]],
        args: &[
            optional("type", AGENT_TYPE),
            optional("assistant_id", ArgTy::Str),
            optional("profile_id", ArgTy::Str),
            optional("limit", ArgTy::I64),
            optional("offset", ArgTy::I64),
        ],
        body: BodyForm::Object,
        checks: &[Check::Page],
    };

    pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
        check_page(self.offset, self.limit)?;
        Ok(request(
            config,
            Method::Post,
            &[Literal("agents"), Literal("search")],
            json_body(self)?,
        ))
    }
}

impl Paginated for SearchAgents {
    fn next_page(&self, returned: usize) -> Option<Self> {
        let offset = next_offset(self.offset, self.limit, returned)?;
        Some(SearchAgents {
            offset: Some(offset),
            ..self.clone()
        })
    }
}
