//! `/sessions`: create, get, update, transfer, finish, reply, search, schedule.

use std::sync::Arc;

use antonnia_core::types::ScheduleStatus;
use antonnia_core::{
    EventPayload, ScheduleConfig, Session, SessionSchedule, SessionStatus, SurveySubmission,
    SurveySubmissionStatus, Timestamp,
};
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Map, Value};

use super::failure::ApiFailure;
use super::{JsonBody, window};
use crate::ids::now;
use crate::store::{SessionRecord, metadata_matches, page};
use crate::validate::{Validator, body_object, content};
use crate::{AppState, ORGANIZATION_ID, SEEDED_AGENT_ID, ai};

const STATUSES: &[&str] = &["open", "closed"];

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
    let status = v.optional_enum(&obj, loc, "status", STATUSES);
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
        contact_id,
        organization_id: Some(ORGANIZATION_ID.to_string()),
        conversation_id: Some(state.ids.next("conv")),
        thread_id: None,
        status: Some(SessionStatus::from_wire(
            status.as_deref().unwrap_or("open"),
        )),
        agent,
        ending_survey_submission_id: None,
        metadata: metadata.unwrap_or_default(),
        created_at: Some(at),
        updated_at: Some(at),
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
    state.emit(EventPayload::SessionCreated(Box::new(session.clone())));
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
    let status = v.optional_enum(&fields, loc, "status", STATUSES);
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
    if let Some(status) = status {
        session.status = Some(SessionStatus::from_wire(&status));
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
    session.updated_at = Some(now());
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
        && record.session.status != Some(SessionStatus::Closed)
        && agent
            .as_ref()
            .is_some_and(|a| a.agent_type() == antonnia_core::AgentType::Ai);
    record.session.agent = agent;
    record.session.updated_at = Some(now());
    let generation = answers.then(|| record.next_reply_generation());
    let session = record.session.clone();
    drop(store);
    if let Some(generation) = generation {
        ai::schedule_reply(&state, session_id, generation, 0.0);
    }
    state.emit(EventPayload::SessionTransferred(Box::new(session.clone())));
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
    if record.session.status == Some(SessionStatus::Closed) {
        // Finishing twice changes nothing and announces nothing.
        return Ok(Json(record.session.clone()));
    }
    let at = now();
    record.session.status = Some(SessionStatus::Closed);
    record.session.updated_at = Some(at);
    record.next_reply_generation(); // a pending AI answer is cancelled
    if let Some(survey_id) = ending_survey_id {
        let submission = SurveySubmission {
            id: state.ids.next("survsub"),
            survey_id: Some(survey_id),
            session_id: Some(session_id.clone()),
            organization_id: Some(ORGANIZATION_ID.to_string()),
            status: Some(SurveySubmissionStatus::Pending),
            created_at: Some(at),
            expires_at: Timestamp::from_unix_seconds(at.unix_seconds() + SURVEY_LIFETIME_SECONDS),
            finished_at: None,
            updated_at: Some(at),
        };
        record.session.ending_survey_submission_id = Some(submission.id.clone());
        record.surveys.push(submission);
    }
    let session = record.session.clone();
    drop(store);
    state.emit(EventPayload::SessionFinished {
        session: Box::new(session.clone()),
        action: None,
    });
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
    if record.session.status == Some(SessionStatus::Closed) {
        return Err(ApiFailure::unprocessable(format!(
            "Session {session_id} is closed: an agent cannot reply to it"
        )));
    }
    if record
        .session
        .agent
        .as_ref()
        .is_none_or(|a| a.agent_type() != antonnia_core::AgentType::Ai)
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
    let status = v.optional_enum(&obj, loc, "status", STATUSES);
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
        contact_id
            .as_ref()
            .is_none_or(|c| s.contact_id.as_ref() == Some(c))
            && status
                .as_ref()
                .is_none_or(|st| s.status.as_ref().map(|x| x.as_str()) == Some(st.as_str()))
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
        session_id: Some(session_id.clone()),
        organization_id: Some(ORGANIZATION_ID.to_string()),
        scheduled_for: Some(scheduled_for),
        config: Some(config),
        status: Some(ScheduleStatus::Scheduled),
        created_at: Some(now()),
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
        Some("message") => {
            let message = content(v, obj.get("message"), &["body", "config", "message"])?;
            antonnia_core::MessageContent::from_json(message)
                .ok()
                .map(|message| ScheduleConfig::Message { message })
        }
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
