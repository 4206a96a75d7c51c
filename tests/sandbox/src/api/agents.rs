//! `/agents`: create (201), get, update, delete (204), search.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::failure::ApiFailure;
use super::{JsonBody, window};
use crate::ids::now;
use crate::store::page;
use crate::validate::{Validator, body_object};
use crate::wire::{Agent, AgentKind, AgentType};
use crate::{AppState, ORGANIZATION_ID};

type Result<T> = std::result::Result<T, ApiFailure>;

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Agent>)> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let name = v.required_str(&obj, loc, "name");
    let kind = v.required_enum(&obj, loc, "type", AgentType::NAMES);
    let assistant_id = v.optional_str(&obj, loc, "assistant_id");
    let profile_id = v.optional_str(&obj, loc, "profile_id");
    match kind.as_deref() {
        Some("ai") if assistant_id.is_none() => v.problem(
            loc,
            Some("assistant_id"),
            "missing",
            "Field required for an ai agent",
        ),
        Some("human") if profile_id.is_none() => v.problem(
            loc,
            Some("profile_id"),
            "missing",
            "Field required for a human agent",
        ),
        _ => {}
    }
    v.finish()?;
    let kind = match (
        kind.as_deref().and_then(AgentType::parse),
        assistant_id,
        profile_id,
    ) {
        (Some(AgentType::Ai), Some(assistant_id), _) => AgentKind::Ai { assistant_id },
        (Some(AgentType::Human), _, Some(profile_id)) => AgentKind::Human { profile_id },
        _ => {
            return Err(ApiFailure::unprocessable(
                "type and its id could not be read",
            ));
        }
    };
    let agent = Agent {
        id: state.ids.next("agent"),
        kind,
        organization_id: ORGANIZATION_ID.to_string(),
        name: name.unwrap_or_default(),
        created_at: now(),
    };
    if !state.store().insert_agent(agent.clone()) {
        return Err(ApiFailure::unprocessable(format!(
            "The sandbox keeps at most {} agents: delete some first",
            state.config.limits.max_agents
        )));
    }
    Ok((StatusCode::CREATED, Json(agent)))
}

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
) -> Result<Json<Agent>> {
    state
        .store()
        .agent(&agent_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiFailure::not_found("Agent", &agent_id))
}

pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Agent>> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let fields = super::update_fields(&mut v, &obj, true).unwrap_or_default();
    let loc = &["body", "fields"][..];
    let name = v.optional_str(&fields, loc, "name");
    let assistant_id = v.optional_str(&fields, loc, "assistant_id");
    let profile_id = v.optional_str(&fields, loc, "profile_id");
    v.finish()?;

    let mut store = state.store();
    let agent = store
        .agent_mut(&agent_id)
        .ok_or_else(|| ApiFailure::not_found("Agent", &agent_id))?;
    match (&mut agent.kind, assistant_id, profile_id) {
        (_, Some(_), Some(_)) => {
            return Err(ApiFailure::unprocessable(
                "An agent has an assistant_id or a profile_id, not both",
            ));
        }
        (AgentKind::Ai { assistant_id: slot }, Some(id), None) => *slot = id,
        (AgentKind::Human { profile_id: slot }, None, Some(id)) => *slot = id,
        (_, None, None) => {}
        _ => {
            return Err(ApiFailure::unprocessable(
                "assistant_id belongs to ai agents and profile_id to human agents",
            ));
        }
    }
    if let Some(name) = name {
        agent.name = name;
    }
    Ok(Json(agent.clone()))
}

pub(crate) async fn delete(
    State(state): State<Arc<AppState>>,
    Path(agent_id): Path<String>,
) -> Result<StatusCode> {
    if state.store().remove_agent(&agent_id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiFailure::not_found("Agent", &agent_id))
    }
}

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody,
) -> Result<Json<Vec<Agent>>> {
    let obj = body_object(body, false)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let kind = v.optional_enum(&obj, loc, "type", AgentType::NAMES);
    let assistant_id = v.optional_str(&obj, loc, "assistant_id");
    let profile_id = v.optional_str(&obj, loc, "profile_id");
    let (offset, limit) = window(&mut v, &obj);
    v.finish()?;

    let store = state.store();
    let matching = store.agents().iter().filter(|a| {
        kind.as_ref().is_none_or(|k| a.agent_type().as_str() == k)
            && assistant_id.as_ref().is_none_or(
                |want| matches!(&a.kind, AgentKind::Ai { assistant_id: id } if id == want),
            )
            && profile_id.as_ref().is_none_or(
                |want| matches!(&a.kind, AgentKind::Human { profile_id: id } if id == want),
            )
    });
    Ok(Json(page(matching.cloned(), offset, limit)))
}
