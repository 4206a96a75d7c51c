//! Any call by name, with its arguments as JSON: how the shared test vectors,
//! and bindings that prefer one entry point, drive the core.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::schema::{self, Root};
use crate::types::{Agent, Message, Session, SessionSchedule, SurveySubmission, json_type_name};

/// What a call can return: how a response becomes it, and its place in [`CallOutput`].
pub trait CallResult: Sized {
    /// Reads a response: the value for a 2xx, the matching error otherwise.
    fn from_response(response: &HttpResponse) -> Result<Self, Error>;
    /// The value as the result of any call.
    fn into_output(self) -> CallOutput;
    /// The value's shape in the [schema](crate::schema) (None: no body).
    const ROOT: Option<Root>;
}

macro_rules! call_outputs {
    ($( $(#[$doc:meta])* $variant:ident($held:ty) from $out:ty => $wrap:expr, $read:ident, $root:expr; )+) => {
        /// What any call returns.
        #[derive(Debug, Clone, PartialEq)]
        pub enum CallOutput {
            $( $(#[$doc])* $variant($held), )+
            /// Nothing (`agents.delete`).
            Empty,
        }

        impl CallOutput {
            /// The result as JSON, in the wire's field names (`null` for `Empty`).
            pub fn to_json(&self) -> Value {
                serde_json::to_value(self).unwrap_or(Value::Null)
            }
        }

        /// The result in the wire's field names (`null` for `Empty`): written
        /// straight to JSON text, without a `Value` tree in between.
        impl serde::Serialize for CallOutput {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( CallOutput::$variant(x) => x.serialize(s), )+
                    CallOutput::Empty => s.serialize_unit(),
                }
            }
        }

        $(
            impl CallResult for $out {
                fn from_response(response: &HttpResponse) -> Result<Self, Error> {
                    $read(response)
                }
                fn into_output(self) -> CallOutput {
                    let wrap: fn($out) -> $held = $wrap;
                    CallOutput::$variant(wrap(self))
                }
                const ROOT: Option<Root> = Some($root);
            }
        )+
    };
}

call_outputs! {
    /// One session.
    Session(Box<Session>) from Session => Box::new, parse_json, Root::One(&schema::SESSION);
    /// A page of sessions.
    Sessions(Vec<Session>) from Vec<Session> => |v| v, parse_json_list, Root::List(&schema::SESSION);
    /// One message.
    Message(Box<Message>) from Message => Box::new, parse_json, Root::One(&schema::MESSAGE);
    /// A page of messages.
    Messages(Vec<Message>) from Vec<Message> => |v| v, parse_json_list, Root::List(&schema::MESSAGE);
    /// One agent.
    Agent(Box<Agent>) from Agent => Box::new, parse_json, Root::One(&schema::AGENT);
    /// A page of agents.
    Agents(Vec<Agent>) from Vec<Agent> => |v| v, parse_json_list, Root::List(&schema::AGENT);
    /// One survey submission.
    SurveySubmission(Box<SurveySubmission>) from SurveySubmission => Box::new, parse_json, Root::One(&schema::SURVEY_SUBMISSION);
    /// One schedule.
    SessionSchedule(Box<SessionSchedule>) from SessionSchedule => Box::new, parse_json, Root::One(&schema::SESSION_SCHEDULE);
}

impl CallResult for () {
    fn from_response(response: &HttpResponse) -> Result<Self, Error> {
        parse_empty(response)
    }
    fn into_output(self) -> CallOutput {
        CallOutput::Empty
    }
    const ROOT: Option<Root> = None;
}

impl CallOutput {
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

/// Whether a registry line is marked `paginated`.
macro_rules! paged {
    () => {
        false
    };
    ($paged:ident) => {
        true
    };
}

macro_rules! define_calls {
    ($( $variant:ident = $name:literal : $op:path => $out:ty, $safety:ident $(, $paged:ident)? ; )+) => {
        $(
            impl Operation for $op {
                type Output = $out;
                const NAME: &'static str = $name;
                const RETRY_SAFETY: RetrySafety = RetrySafety::$safety;

                fn build(&self, config: &Config) -> Result<HttpRequest, Error> {
                    self.build_request(config)
                }
            }
        )+

        /// Any API call, with its arguments.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Call {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant($op),
            )+
        }

        impl Call {
            /// Every call's name, as used by [`Call::from_json`].
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// Every call as data, in the registry's order: what
            /// [`DynamicCall`](super::DynamicCall) builds requests from.
            pub const SPECS: &'static [super::CallSpec] = &[$(
                super::CallSpec {
                    name: $name,
                    signature: &<$op>::SIGNATURE,
                    retry_safety: RetrySafety::$safety,
                    output: <$out as CallResult>::ROOT,
                    paginated: paged!($($paged)?),
                },
            )+];

            /// A call from its name (e.g. `sessions.create`) and its arguments as a
            /// JSON object with the API's field names.
            pub fn from_json(name: &str, arguments: Value) -> Result<Call, Error> {
                let arguments = match arguments {
                    Value::Null => Value::Object(Default::default()),
                    Value::Object(map) => Value::Object(map),
                    // serde would take an array as the fields in declaration
                    // order: a silent reading nobody means, so it is refused.
                    other => {
                        return Err(Error::invalid(
                            "arguments",
                            format!("must be a JSON object of named arguments, not {}", json_type_name(&other)),
                        ));
                    }
                };
                match name {
                    $( $name => Ok(Call::$variant(args(arguments)?)), )+
                    _ => Err(Error::invalid("call", format!("no API call is named {name:?}"))),
                }
            }

            /// The call's name.
            pub fn name(&self) -> &'static str {
                match self { $( Call::$variant(_) => $name, )+ }
            }

            /// Whether it can be repeated without duplicating a side effect.
            pub fn retry_safety(&self) -> RetrySafety {
                match self { $( Call::$variant(_) => RetrySafety::$safety, )+ }
            }

            /// Checks the arguments and builds the request.
            pub fn build(&self, config: &Config) -> Result<HttpRequest, Error> {
                match self { $( Call::$variant(op) => op.build(config), )+ }
            }

            /// Reads the response.
            pub fn parse(&self, response: &HttpResponse) -> Result<CallOutput, Error> {
                match self { $( Call::$variant(op) => op.parse(response).map(CallResult::into_output), )+ }
            }

            /// What a successful response holds, in the [schema](crate::schema)
            /// (None for a call answered with no body).
            pub fn output_root(&self) -> Option<Root> {
                match self { $( Call::$variant(_) => <$out as CallResult>::ROOT, )+ }
            }

            /// Reads the response as [`parse`](Self::parse) does, but gives
            /// the result as canonical JSON text (`null` for no body) through
            /// the schema's one generic decoder instead of the typed one:
            /// what a binding that hands JSON to its host uses.
            pub fn parse_canonical(&self, response: &HttpResponse) -> Result<String, Error> {
                parse_canonical(response, self.output_root())
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

crate::for_each_call!(define_calls);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_must_be_named() {
        for (arguments, kind) in [
            (json!(["sess_1"]), "an array"),
            (json!("sess_1"), "a string"),
            (json!(7), "a number"),
        ] {
            let error = Call::from_json("sessions.get", arguments).unwrap_err();
            let info = error.info();
            assert_eq!(info.kind, "invalid_request");
            assert_eq!(info.field.as_deref(), Some("arguments"));
            assert!(info.message.contains(kind), "{}", info.message);
        }
        assert!(Call::from_json("sessions.get", json!({"session_id": "sess_1"})).is_ok());
        assert!(Call::from_json("sessions.search", Value::Null).is_ok());
    }
}
