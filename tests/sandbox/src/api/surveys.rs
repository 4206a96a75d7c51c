//! `/sessions/{id}/surveys/{submission_id}`: get, reply, cancel.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};

use super::failure::ApiFailure;
use crate::ids::now;
use crate::wire::{Content, Payload, SurveyStatus, SurveySubmission};
use crate::{AppState, ai};

type Result<T> = std::result::Result<Json<T>, ApiFailure>;

pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    Path((session_id, submission_id)): Path<(String, String)>,
) -> Result<SurveySubmission> {
    let store = state.store();
    let record = super::session_or_404(&store, &session_id)?;
    record
        .surveys
        .iter()
        .find(|s| s.id == submission_id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiFailure::not_found("Survey submission", &submission_id))
}

/// Has the agent (re)ask the survey's question; only while the survey is active.
pub(crate) async fn reply(
    State(state): State<Arc<AppState>>,
    Path((session_id, submission_id)): Path<(String, String)>,
) -> Result<SurveySubmission> {
    let mut store = state.store();
    let cap = store.limits.max_messages_per_session;
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let Some(index) = record.surveys.iter().position(|s| s.id == submission_id) else {
        return Err(ApiFailure::not_found("Survey submission", &submission_id));
    };
    let at = now();
    if !record.surveys[index].is_active(at) {
        return Err(ApiFailure::unprocessable(format!(
            "Survey submission {submission_id} is no longer active"
        )));
    }
    record.surveys[index].updated_at = at;
    let submission = record.surveys[index].clone();
    let question = Content::text("How would you rate this conversation, from 1 to 5?");
    let message = ai::assistant_message(&state, record, question);
    record.push_message(message.clone(), cap);
    drop(store);
    state.emit(Payload::MessageCreated(message));
    Ok(Json(submission))
}

pub(crate) async fn cancel(
    State(state): State<Arc<AppState>>,
    Path((session_id, submission_id)): Path<(String, String)>,
) -> Result<SurveySubmission> {
    let mut store = state.store();
    let record = super::session_mut_or_404(&mut store, &session_id)?;
    let submission = record
        .surveys
        .iter_mut()
        .find(|s| s.id == submission_id)
        .ok_or_else(|| ApiFailure::not_found("Survey submission", &submission_id))?;
    if submission.status != SurveyStatus::Pending {
        return Err(ApiFailure::unprocessable(format!(
            "Survey submission {submission_id} is not pending and cannot be cancelled"
        )));
    }
    let at = now();
    submission.status = SurveyStatus::Cancelled;
    submission.updated_at = at;
    Ok(Json(submission.clone()))
}
