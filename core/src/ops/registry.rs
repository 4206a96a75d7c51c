//! The one list of API calls.
//!
//! Each line names a call once: its [`Call`](super::Call) variant, its name in
//! the shared vectors and bindings, its argument type (which builds the
//! request), what it returns, whether repeating it is safe, and whether it is
//! paginated. The [`Operation`](super::Operation) impls, [`Call`](super::Call)
//! and its dispatch are generated from it; a binding whose toolchain allows it
//! generates its typed methods from it too, by passing its own macro:
//!
//! ```
//! macro_rules! count_calls {
//!     ($( $variant:ident = $name:literal : $args:path => $output:ty, $safety:ident $(, $paged:ident)? ; )+) => {
//!         [$($name),+].len()
//!     };
//! }
//! assert_eq!(antonnia_core::for_each_call!(count_calls), antonnia_core::Call::NAMES.len());
//! ```

/// Calls `$callback!` with every API call, one entry each:
/// `Variant = "name": ArgumentType => OutputType, Idempotent | NotIdempotent [, paginated];`
///
/// Why each call has its retry safety:
/// - the `get`s and `search`es change nothing (the searches are POSTs only to carry a body);
/// - the `update`s set fields to given values, so doing it twice is doing it once;
/// - `agents.delete` of a deleted agent leaves it deleted;
/// - a repeated `create`, `reply`, `transfer`, `finish`, `schedule` or survey
///   action could record a message twice or trigger a second AI answer (the
///   server does not promise to deduplicate on `provider_message_id`).
#[macro_export]
macro_rules! for_each_call {
    ($callback:ident) => {
        $callback! {
            SessionsCreate = "sessions.create": $crate::ops::CreateSession => $crate::types::Session, NotIdempotent;
            SessionsGet = "sessions.get": $crate::ops::GetSession => $crate::types::Session, Idempotent;
            SessionsUpdate = "sessions.update": $crate::ops::UpdateSession => $crate::types::Session, Idempotent;
            SessionsTransfer = "sessions.transfer": $crate::ops::TransferSession => $crate::types::Session, NotIdempotent;
            SessionsFinish = "sessions.finish": $crate::ops::FinishSession => $crate::types::Session, NotIdempotent;
            SessionsReply = "sessions.reply": $crate::ops::ReplySession => $crate::types::Session, NotIdempotent;
            SessionsSearch = "sessions.search": $crate::ops::SearchSessions => Vec<$crate::types::Session>, Idempotent, paginated;
            SessionsSchedule = "sessions.schedule": $crate::ops::ScheduleSession => $crate::types::SessionSchedule, NotIdempotent;
            MessagesCreate = "messages.create": $crate::ops::CreateMessage => $crate::types::Message, NotIdempotent;
            MessagesGet = "messages.get": $crate::ops::GetMessage => $crate::types::Message, Idempotent;
            MessagesUpdate = "messages.update": $crate::ops::UpdateMessage => $crate::types::Message, Idempotent;
            MessagesSearch = "messages.search": $crate::ops::SearchMessages => Vec<$crate::types::Message>, Idempotent, paginated;
            AgentsCreate = "agents.create": $crate::ops::CreateAgent => $crate::types::Agent, NotIdempotent;
            AgentsGet = "agents.get": $crate::ops::GetAgent => $crate::types::Agent, Idempotent;
            AgentsUpdate = "agents.update": $crate::ops::UpdateAgent => $crate::types::Agent, Idempotent;
            AgentsDelete = "agents.delete": $crate::ops::DeleteAgent => (), Idempotent;
            AgentsSearch = "agents.search": $crate::ops::SearchAgents => Vec<$crate::types::Agent>, Idempotent, paginated;
            SurveySubmissionsGet = "survey_submissions.get": $crate::ops::GetSurveySubmission => $crate::types::SurveySubmission, Idempotent;
            SurveySubmissionsReply = "survey_submissions.reply": $crate::ops::ReplySurveySubmission => $crate::types::SurveySubmission, NotIdempotent;
            SurveySubmissionsCancel = "survey_submissions.cancel": $crate::ops::CancelSurveySubmission => $crate::types::SurveySubmission, NotIdempotent;
        }
    };
}
