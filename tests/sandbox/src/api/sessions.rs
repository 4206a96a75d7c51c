//! `/sessions`: create, get, update, transfer, finish, reply, search, schedule.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Map, Value};

use super::failure::ApiFailure;
use super::{JsonBody, window};
use crate::ids::now;
use crate::store::{SessionRecord, metadata_matches, page};
use crate::validate::{Validator, body_object, content};
use crate::wire::{
    AgentType, Payload, ScheduleConfig, ScheduleStatus, Session, SessionSchedule, SessionStatus,
    SurveyStatus, SurveySubmission,
};
use crate::{AppState, ORGANIZATION_ID, SEEDED_AGENT_ID, ai};

/// How long a survey waits for answers.
const SURVEY_LIFETIME_SECONDS: i64 = 24 * 3600;

type Result<T> = std::result::Result<Json<T>, ApiFailure>;

pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody,
) -> Result<Session> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let contact_id = v.required_str(&obj, loc, "contact_id");
    let contact_name = v.required_str(&obj, loc, "contact_name");
    let agent_id = v.optional_str(&obj, loc, "agent_id");
    let status = v.optional_enum(&obj, loc, "status", SessionStatus::NAMES);
    let metadata = v.optional_object(&obj, loc, "metadata");
    v.finish()?;

    let mut store = state.store();
    // Without an agent_id the organization's default agent takes the session.
    let agent = match agent_id.as_deref() {
        Some(_) => super::agent_or_404(&store, agent_id.as_deref())?,
        None => store.agent(SEEDED_AGENT_ID).cloned(),
    };
    let at = now();
    let session = Session {
        id: state.ids.next("sess"),
        contact_id: contact_id.unwrap_or_default(),
        organization_id: ORGANIZATION_ID.to_string(),
        conversation_id: state.ids.next("conv"),
        thread_id: None,
        status: status
            .as_deref()
            .and_then(SessionStatus::parse)
            .unwrap_or(SessionStatus::Open),
        agent,
        ending_survey_submission_id: None,
        metadata: metadata.unwrap_or_default(),
        created_at: at,
        updated_at: at,
    };
    store.insert_session(SessionRecord {
        session: session.clone(),
        contact_name: contact_name.unwrap_or_default(),
        messages: Vec::new(),
        answered: 0,
        reply_generation: 0,
        surveys: Vec::new(),
        schedules: Vec::new(),
    });
    drop(store);
    state.emit(Payload::SessionCreated(session.clone()));
    Ok(Json(session))
}

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
) -> Result<Session> {
    let store = state.store();
    let record = super::session_or_404(&store, &session_id)?;
    Ok(Json(record.session.clone()))
}

pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Session> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    // `{"fields": {...}}`; a bare top-level `metadata` is the vendor's deprecated form.
    let (fields, loc): (Map<String, Value>, &[&str]) =
        match super::update_fields(&mut v, &obj, false) {
            Some(fields) => (fields, &["body", "fields"]),
            None => {
                let mut legacy = Map::new();
                if let Some(metadata) = obj.get("metadata").filter(|_| !obj.contains_key("fields"))
                {
                    legacy.insert("metadata".into(), metadata.clone());
                }
                (legacy, &["body"])
            }
        };
    let thread_id = v.optional_str(&fields, loc, "thread_id");
    let status = v.optional_enum(&fields, loc, "status", SessionStatus::NAMES);
    let agent_id = v.optional_str(&fields, loc, "agent_id");
    let survey_id = v.optional_str(&fields, loc, "ending_survey_submission_id");
    let metadata = v.optional_object(&fields, loc, "metadata");
    v.finish()?;

    let mut store = state.store();
    let agent = super::agent_or_404(&store, agent_id.as_deref())?;
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let session = &mut record.session;
    if let Some(thread_id) = thread_id {
        session.thread_id = Some(thread_id);
    }
    if let Some(status) = status.as_deref().and_then(SessionStatus::parse) {
        session.status = status;
    }
    if fields.contains_key("agent_id") {
        session.agent = agent; // null removes the agent
    }
    if let Some(survey_id) = survey_id {
        session.ending_survey_submission_id = Some(survey_id);
    }
    if let Some(metadata) = metadata {
        session.metadata = metadata;
    }
    session.updated_at = now();
    Ok(Json(session.clone()))
}

pub(crate) async fn transfer(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Session> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    if !obj.contains_key("agent_id") {
        v.problem(loc, Some("agent_id"), "missing", "Field required");
    }
    let agent_id = v.optional_str(&obj, loc, "agent_id");
    let auto_reply = v.optional_bool(&obj, loc, "auto_reply").unwrap_or(false);
    v.finish()?;

    let mut store = state.store();
    let agent = super::agent_or_404(&store, agent_id.as_deref())?;
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let answers = auto_reply
        && record.session.status != SessionStatus::Closed
        && agent
            .as_ref()
            .is_some_and(|a| a.agent_type() == AgentType::Ai);
    record.session.agent = agent;
    record.session.updated_at = now();
    let generation = answers.then(|| record.next_reply_generation());
    let session = record.session.clone();
    drop(store);
    if let Some(generation) = generation {
        ai::schedule_reply(&state, session_id, generation, 0.0);
    }
    state.emit(Payload::SessionTransferred(session.clone()));
    Ok(Json(session))
}

pub(crate) async fn finish(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Session> {
    let obj = body_object(body, false)?;
    let mut v = Validator::new();
    let ending_survey_id = v.optional_str(&obj, &["body"], "ending_survey_id");
    v.finish()?;

    let mut store = state.store();
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    if record.session.status == SessionStatus::Closed {
        // Finishing twice changes nothing and announces nothing.
        return Ok(Json(record.session.clone()));
    }
    let at = now();
    record.session.status = SessionStatus::Closed;
    record.session.updated_at = at;
    record.next_reply_generation(); // a pending AI answer is cancelled
    if let Some(survey_id) = ending_survey_id {
        let submission = SurveySubmission {
            id: state.ids.next("survsub"),
            survey_id,
            session_id: session_id.clone(),
            organization_id: ORGANIZATION_ID.to_string(),
            status: SurveyStatus::Pending,
            created_at: at,
            expires_at: at.plus_seconds(SURVEY_LIFETIME_SECONDS),
            finished_at: None,
            updated_at: at,
        };
        record.session.ending_survey_submission_id = Some(submission.id.clone());
        record.surveys.push(submission);
    }
    let session = record.session.clone();
    drop(store);
    state.emit(Payload::SessionFinished(session.clone()));
    Ok(Json(session))
}

pub(crate) async fn reply(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Session> {
    let obj = body_object(body, false)?;
    let mut v = Validator::new();
    let debounce = v
        .optional_int(&obj, &["body"], "debounce_time", 0, 60)
        .unwrap_or(3);
    v.optional_str(&obj, &["body"], "starting_node_id");
    v.finish()?;

    let mut store = state.store();
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    if record.session.status == SessionStatus::Closed {
        return Err(ApiFailure::unprocessable(format!(
            "Session {session_id} is closed: an agent cannot reply to it"
        )));
    }
    if record
        .session
        .agent
        .as_ref()
        .is_none_or(|a| a.agent_type() != AgentType::Ai)
    {
        return Err(ApiFailure::unprocessable(format!(
            "Session {session_id} has no AI agent to reply: transfer it to one first"
        )));
    }
    let generation = record.next_reply_generation();
    let session = record.session.clone();
    drop(store);
    ai::schedule_reply(&state, session_id, generation, debounce as f64);
    Ok(Json(session))
}

pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody,
) -> Result<Vec<Session>> {
    let obj = body_object(body, false)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let contact_id = v.optional_str(&obj, loc, "contact_id");
    let status = v.optional_enum(&obj, loc, "status", SessionStatus::NAMES);
    let metadata = v.optional_object(&obj, loc, "metadata").unwrap_or_default();
    for (key, value) in &metadata {
        if !(value.is_string() || value.is_number()) {
            v.problem(
                &["body", "metadata"],
                Some(key),
                "string_type",
                "Input should be a valid string, integer or number",
            );
        }
    }
    let (offset, limit) = window(&mut v, &obj);
    v.finish()?;

    let store = state.store();
    let matching = store.sessions().map(|r| &r.session).filter(|s| {
        contact_id.as_ref().is_none_or(|c| &s.contact_id == c)
            && status.as_ref().is_none_or(|st| s.status.as_str() == st)
            && metadata
                .iter()
                .all(|(k, want)| metadata_matches(&s.metadata, k, want))
    });
    Ok(Json(page(matching.cloned(), offset, limit)))
}

pub(crate) async fn schedule(
    State(state): State<Arc<AppState>>,
    Path(session_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<SessionSchedule> {
    let obj = body_object(body, true)?;
    let mut v = Validator::new();
    let loc = &["body"][..];
    let scheduled_for = v.required_time(&obj, loc, "scheduled_for");
    let config = if v.present(&obj, loc, "config") {
        schedule_config(&mut v, &obj["config"])
    } else {
        None
    };
    v.finish()?;
    let (Some(scheduled_for), Some(config)) = (scheduled_for, config) else {
        return Err(ApiFailure::unprocessable(
            "scheduled_for and config are required",
        ));
    };

    let mut store = state.store();
    let cap = store.limits.max_messages_per_session;
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let schedule = SessionSchedule {
        id: state.ids.next("sched"),
        session_id: session_id.clone(),
        organization_id: ORGANIZATION_ID.to_string(),
        scheduled_for,
        config,
        status: ScheduleStatus::Scheduled,
        created_at: now(),
    };
    record.push_schedule(schedule.clone(), cap);
    drop(store);
    ai::run_schedule(&state, session_id, schedule.id.clone(), scheduled_for);
    Ok(Json(schedule))
}

/// `{"type": "message", "message": <content>}` or `{"type": "node", "node_id": "..."}`.
fn schedule_config(v: &mut Validator, config: &Value) -> Option<ScheduleConfig> {
    let loc = &["body", "config"][..];
    let obj = v.object(config, loc, true)?;
    match obj.get("type").and_then(Value::as_str) {
        Some("message") => content(v, obj.get("message"), &["body", "config", "message"])
            .map(|message| ScheduleConfig::Message { message }),
        Some("node") => v
            .required_str(obj, &["body", "config", "node"], "node_id")
            .map(|node_id| ScheduleConfig::Node { node_id }),
        _ => {
            v.problem(
                loc,
                None,
                "union_tag_invalid",
                "Input tag found using 'type' does not match any of the expected tags: 'message', 'node'",
            );
            None
        }
    }
}
