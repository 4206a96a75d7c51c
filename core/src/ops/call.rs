//! Any call by name, with its arguments as JSON: how the shared test vectors,
//! and bindings that prefer one entry point, drive the core.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::types::{Agent, Message, Session, SessionSchedule, SurveySubmission};

/// What any call returns.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutput {
    /// One session.
    Session(Box<Session>),
    /// A page of sessions.
    Sessions(Vec<Session>),
    /// One message.
    Message(Box<Message>),
    /// A page of messages.
    Messages(Vec<Message>),
    /// One agent.
    Agent(Box<Agent>),
    /// A page of agents.
    Agents(Vec<Agent>),
    /// One survey submission.
    SurveySubmission(Box<SurveySubmission>),
    /// One schedule.
    SessionSchedule(Box<SessionSchedule>),
    /// Nothing (`agents.delete`).
    Empty,
}

impl CallOutput {
    /// The result as JSON, in the wire's field names (`null` for `Empty`).
    pub fn to_json(&self) -> Value {
        let v = match self {
            CallOutput::Session(x) => serde_json::to_value(x),
            CallOutput::Sessions(x) => serde_json::to_value(x),
            CallOutput::Message(x) => serde_json::to_value(x),
            CallOutput::Messages(x) => serde_json::to_value(x),
            CallOutput::Agent(x) => serde_json::to_value(x),
            CallOutput::Agents(x) => serde_json::to_value(x),
            CallOutput::SurveySubmission(x) => serde_json::to_value(x),
            CallOutput::SessionSchedule(x) => serde_json::to_value(x),
            CallOutput::Empty => Ok(Value::Null),
        };
        v.unwrap_or(Value::Null)
    }

    /// How many items a page holds (1 or 0 for single results).
    pub fn len(&self) -> usize {
        match self {
            CallOutput::Sessions(x) => x.len(),
            CallOutput::Messages(x) => x.len(),
            CallOutput::Agents(x) => x.len(),
            CallOutput::Empty => 0,
            _ => 1,
        }
    }

    /// Whether there is nothing in it.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

trait IntoOutput {
    fn into_output(self) -> CallOutput;
}

impl IntoOutput for Session {
    fn into_output(self) -> CallOutput {
        CallOutput::Session(Box::new(self))
    }
}
impl IntoOutput for Vec<Session> {
    fn into_output(self) -> CallOutput {
        CallOutput::Sessions(self)
    }
}
impl IntoOutput for Message {
    fn into_output(self) -> CallOutput {
        CallOutput::Message(Box::new(self))
    }
}
impl IntoOutput for Vec<Message> {
    fn into_output(self) -> CallOutput {
        CallOutput::Messages(self)
    }
}
impl IntoOutput for Agent {
    fn into_output(self) -> CallOutput {
        CallOutput::Agent(Box::new(self))
    }
}
impl IntoOutput for Vec<Agent> {
    fn into_output(self) -> CallOutput {
        CallOutput::Agents(self)
    }
}
impl IntoOutput for SurveySubmission {
    fn into_output(self) -> CallOutput {
        CallOutput::SurveySubmission(Box::new(self))
    }
}
impl IntoOutput for SessionSchedule {
    fn into_output(self) -> CallOutput {
        CallOutput::SessionSchedule(Box::new(self))
    }
}
impl IntoOutput for () {
    fn into_output(self) -> CallOutput {
        CallOutput::Empty
    }
}

fn args<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = if path == "." || path.is_empty() {
            // serde names a missing or unknown field only in its message.
            message
                .split('`')
                .nth(1)
                .map(str::to_string)
                .unwrap_or_else(|| "arguments".to_string())
        } else {
            path
        };
        Error::invalid(field, message)
    })
}

macro_rules! calls {
    ($( $variant:ident($op:ty) $(paginated $paged:tt)? ),+ $(,)?) => {
        /// Any API call, with its arguments.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Call {
            $(
                #[doc = concat!("`", stringify!($op), "`")]
                $variant($op),
            )+
        }

        impl Call {
            /// Every call's name, as used by [`Call::from_json`].
            pub const NAMES: &'static [&'static str] = &[$(<$op as Operation>::NAME),+];

            /// A call from its name (e.g. `sessions.create`) and its arguments as a
            /// JSON object with the API's field names.
            pub fn from_json(name: &str, arguments: Value) -> Result<Call, Error> {
                let arguments = match arguments {
                    Value::Null => Value::Object(Default::default()),
                    other => other,
                };
                $(
                    if name == <$op as Operation>::NAME {
                        return Ok(Call::$variant(args(arguments)?));
                    }
                )+
                Err(Error::invalid("call", format!("no API call is named {name:?}")))
            }

            /// The call's name.
            pub fn name(&self) -> &'static str {
                match self { $( Call::$variant(_) => <$op as Operation>::NAME, )+ }
            }

            /// Whether it can be repeated without duplicating a side effect.
            pub fn retry_safety(&self) -> RetrySafety {
                match self { $( Call::$variant(_) => <$op as Operation>::RETRY_SAFETY, )+ }
            }

            /// Checks the arguments and builds the request.
            pub fn build(&self, config: &Config) -> Result<HttpRequest, Error> {
                match self { $( Call::$variant(op) => op.build(config), )+ }
            }

            /// Reads the response.
            pub fn parse(&self, response: &HttpResponse) -> Result<CallOutput, Error> {
                match self { $( Call::$variant(op) => op.parse(response).map(IntoOutput::into_output), )+ }
            }

            /// For searches: the call for the next page after one of `returned` items.
            pub fn next_page(&self, returned: usize) -> Option<Call> {
                match self {
                    $( $( Call::$variant(op) => {
                        let _ = stringify!($paged);
                        op.next_page(returned).map(Call::$variant)
                    } )? )+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }
    };
}

calls! {
    SessionsCreate(CreateSession),
    SessionsGet(GetSession),
    SessionsUpdate(UpdateSession),
    SessionsTransfer(TransferSession),
    SessionsFinish(FinishSession),
    SessionsReply(ReplySession),
    SessionsSearch(SearchSessions) paginated yes,
    SessionsSchedule(ScheduleSession),
    MessagesCreate(CreateMessage),
    MessagesGet(GetMessage),
    MessagesUpdate(UpdateMessage),
    MessagesSearch(SearchMessages) paginated yes,
    AgentsCreate(CreateAgent),
    AgentsGet(GetAgent),
    AgentsUpdate(UpdateAgent),
    AgentsDelete(DeleteAgent),
    AgentsSearch(SearchAgents) paginated yes,
    SurveySubmissionsGet(GetSurveySubmission),
    SurveySubmissionsReply(ReplySurveySubmission),
    SurveySubmissionsCancel(CancelSurveySubmission),
}
