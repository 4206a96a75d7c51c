//! `/sessions/{id}/surveys/{submission_id}`: the satisfaction survey started by `finish`.

use serde::Deserialize;

use super::PathPart::{Id, Literal};
use super::{request, require_id};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::schema::{BodyForm, Seg, Signature, id, path_id};

/// A survey submission's path, and the action after it.
macro_rules! survey_path {
    () => {
        &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("surveys"),
            Seg::Arg("survey_submission_id"),
        ]]
    };
    ($action:literal) => {
        &[&[
            Seg::Lit("sessions"),
            Seg::Arg("session_id"),
            Seg::Lit("surveys"),
            Seg::Arg("survey_submission_id"),
            Seg::Lit($action),
        ]]
    };
}

/// Identifies a survey submission; shared by its three calls.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySubmissionRef {
    /// The session the survey follows.
    pub session_id: String,
    /// The submission.
    pub survey_submission_id: String,
}

impl SurveySubmissionRef {
    fn request(
        &self,
        config: &Config,
        method: Method,
        action: Option<&'static str>,
    ) -> Result<HttpRequest, Error> {
        require_id("session_id", &self.session_id)?;
        require_id("survey_submission_id", &self.survey_submission_id)?;
        let mut parts = vec![
            Literal("sessions"),
            Id(&self.session_id),
            Literal("surveys"),
            Id(&self.survey_submission_id),
        ];
        // Like the vendor package, the actions are POSTs without a body.
        if let Some(action) = action {
            parts.push(Literal(action));
        }
        Ok(request(config, method, &parts, None))
    }
}

macro_rules! survey_call {
    ($(#[$doc:meta])* $name:ident, $method:expr, $action:expr, $paths:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub SurveySubmissionRef);

        impl $name {
            /// The call for this session's submission.
            pub fn new(session_id: impl Into<String>, survey_submission_id: impl Into<String>) -> Self {
                $name(SurveySubmissionRef {
                    session_id: session_id.into(),
                    survey_submission_id: survey_submission_id.into(),
                })
            }
        }

        impl $name {
            /// The call's arguments and request, as data (a POST action has
            /// no body, like the vendor package's).
            pub const SIGNATURE: Signature = Signature {
                method: $method,
                paths: $paths,
                args: &[path_id("session_id"), path_id("survey_submission_id")],
                body: BodyForm::None,
                checks: &[id("session_id"), id("survey_submission_id")],
            };

            pub(crate) fn build_request(&self, config: &Config) -> Result<HttpRequest, Error> {
                self.0.request(config, $method, $action)
            }
        }
    };
}

survey_call!(
    /// `GET /sessions/{session_id}/surveys/{submission_id}`.
    GetSurveySubmission,
    Method::Get,
    None,
    survey_path!()
);
survey_call!(
    /// `POST /sessions/{session_id}/surveys/{submission_id}/reply`: sends the survey's
    /// next question to the contact.
    ReplySurveySubmission,
    Method::Post,
    Some("reply"),
    survey_path!("reply")
);
survey_call!(
    /// `POST /sessions/{session_id}/surveys/{submission_id}/cancel`.
    CancelSurveySubmission,
    Method::Post,
    Some("cancel"),
    survey_path!("cancel")
);
