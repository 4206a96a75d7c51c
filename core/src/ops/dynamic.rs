//! Any call driven by its declaration alone: [`DynamicCall`] reads a call's
//! arguments JSON against its [`Signature`](crate::schema::Signature) and
//! builds the request with the schema's one generic builder, so a binding
//! that speaks JSON to its host (the web build) links no decoder or encoder
//! per call. Native bindings keep the typed [`Call`]; the `arguments`
//! differential test and fuzz target prove both build the same request, or
//! fail with the same kind of error on the same field.

use serde_json::{Map, Value};

use super::{Call, next_offset, parse_canonical};
use crate::config::Config;
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::retry::RetrySafety;
use crate::schema::{ReadArguments, Root, Signature, read_arguments, request_parts};
use crate::types::json_type_name;

/// One call as data: what the registry ([`for_each_call!`](crate::for_each_call))
/// says of it, and its [`Signature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSpec {
    /// Its name, e.g. `sessions.create`.
    pub name: &'static str,
    /// Its arguments and how they become a request.
    pub signature: &'static Signature,
    /// Whether repeating it cannot duplicate a side effect.
    pub retry_safety: RetrySafety,
    /// What a successful response holds (`None`: no body).
    pub output: Option<Root>,
    /// Whether its results come in pages (`offset` / `limit`).
    pub paginated: bool,
}

impl CallSpec {
    /// The call named `name`, if there is one.
    pub fn named(name: &str) -> Option<&'static CallSpec> {
        Call::SPECS.iter().find(|spec| spec.name == name)
    }
}

/// What an [`Exchange`](crate::Exchange) needs of a call.
pub trait Callable: Clone + std::fmt::Debug {
    /// The call's name.
    fn name(&self) -> &'static str;
    /// Whether it can be repeated without duplicating a side effect.
    fn retry_safety(&self) -> RetrySafety;
    /// Checks the arguments and builds the request.
    fn build(&self, config: &Config) -> Result<HttpRequest, Error>;
    /// Reads a response as canonical JSON text (`null` for no body).
    fn parse_canonical(&self, response: &HttpResponse) -> Result<String, Error>;
}

impl Callable for Call {
    fn name(&self) -> &'static str {
        Call::name(self)
    }
    fn retry_safety(&self) -> RetrySafety {
        Call::retry_safety(self)
    }
    fn build(&self, config: &Config) -> Result<HttpRequest, Error> {
        Call::build(self, config)
    }
    fn parse_canonical(&self, response: &HttpResponse) -> Result<String, Error> {
        Call::parse_canonical(self, response)
    }
}

/// A call by name with its arguments read (types checked, canonical JSON
/// written); [`build`](Callable::build) runs the call's checks, as the typed
/// [`Call`] does.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicCall {
    spec: &'static CallSpec,
    arguments: Map<String, Value>,
    read: ReadArguments,
}

impl DynamicCall {
    /// A call from its name (e.g. `sessions.create`) and its arguments as a
    /// JSON object with the API's field names (`null`: none), read as
    /// [`Call::from_json`] reads them.
    pub fn from_json(name: &str, arguments: Value) -> Result<DynamicCall, Error> {
        let arguments = match arguments {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => {
                return Err(Error::invalid(
                    "arguments",
                    format!(
                        "must be a JSON object of named arguments, not {}",
                        json_type_name(&other)
                    ),
                ));
            }
        };
        let spec = CallSpec::named(name)
            .ok_or_else(|| Error::invalid("call", format!("no API call is named {name:?}")))?;
        let read = read_arguments(spec.signature, &arguments)?;
        Ok(DynamicCall {
            spec,
            arguments,
            read,
        })
    }

    /// The call's declaration.
    pub fn spec(&self) -> &'static CallSpec {
        self.spec
    }

    /// The arguments, as given.
    pub fn arguments(&self) -> &Map<String, Value> {
        &self.arguments
    }

    /// For searches: the call for the page after one that returned
    /// `returned` items, or `None` after the last page.
    pub fn next_page(&self, returned: usize) -> Option<DynamicCall> {
        if !self.spec.paginated {
            return None;
        }
        let int = |name: &str| self.arguments.get(name).and_then(Value::as_i64);
        let offset = next_offset(int("offset"), int("limit"), returned)?;
        let mut arguments = self.arguments.clone();
        arguments.insert("offset".to_string(), Value::from(offset));
        DynamicCall::from_json(self.spec.name, Value::Object(arguments)).ok()
    }
}

impl Callable for DynamicCall {
    fn name(&self) -> &'static str {
        self.spec.name
    }
    fn retry_safety(&self) -> RetrySafety {
        self.spec.retry_safety
    }
    fn build(&self, config: &Config) -> Result<HttpRequest, Error> {
        let (path, body) = request_parts(self.spec.signature, &self.arguments, &self.read)?;
        Ok(config.request(self.spec.signature.method, &path, body))
    }
    fn parse_canonical(&self, response: &HttpResponse) -> Result<String, Error> {
        parse_canonical(response, self.spec.output)
    }
}
