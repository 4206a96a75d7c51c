//! One request builder and one response parser per API call.
//!
//! Every call is a plain struct of its arguments implementing [`Operation`]:
//! `build` checks the arguments and turns them into an [`HttpRequest`];
//! `parse` turns the [`HttpResponse`] into the typed result or an [`Error`].
//! The structs also deserialize from JSON (see [`Call`]) so that bindings and
//! the shared test vectors can drive any call by name.

mod agents;
mod call;
mod dynamic;
mod messages;
mod registry;
mod sessions;
mod surveys;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use agents::{AgentFields, CreateAgent, DeleteAgent, GetAgent, SearchAgents, UpdateAgent};
pub use call::{Call, CallOutput, CallResult};
pub use dynamic::{CallSpec, Callable, DynamicCall};
pub use messages::{CreateMessage, GetMessage, MessageFields, SearchMessages, UpdateMessage};
pub use sessions::{
    CreateSession, FinishSession, GetSession, ReplySession, ScheduleSession, SearchSessions,
    SessionFields, TransferSession, UpdateSession,
};
pub use surveys::{
    CancelSurveySubmission, GetSurveySubmission, ReplySurveySubmission, SurveySubmissionRef,
};

use crate::config::{Config, encode_segment};
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::retry::RetrySafety;
use crate::types::json_type_name;

/// The default page size the server applies to searches without `limit`.
pub const DEFAULT_PAGE_SIZE: i64 = 100;

/// One API call: its arguments, how to send it and how to read the answer.
///
/// Implemented for every call by the registry ([`for_each_call!`](crate::for_each_call)):
/// the name, the output and the retry safety are written there once, and each
/// call's module only says how its arguments become a request.
pub trait Operation {
    /// What a successful call returns.
    type Output: CallResult;

    /// The call's name in the shared vectors and in errors, e.g. `sessions.create`.
    const NAME: &'static str;

    /// Whether this call can be repeated without duplicating a side effect.
    const RETRY_SAFETY: RetrySafety;

    /// Checks the arguments and builds the request.
    fn build(&self, config: &Config) -> Result<HttpRequest, Error>;

    /// Reads the response: the typed result for a 2xx, the matching error otherwise.
    fn parse(&self, response: &HttpResponse) -> Result<Self::Output, Error> {
        Self::Output::from_response(response)
    }
}

/// A search whose results come in pages.
pub trait Paginated: Sized {
    /// The request for the page after one that returned `returned` items, or
    /// `None` when that page was the last (it held fewer items than asked for).
    fn next_page(&self, returned: usize) -> Option<Self>;
}

/// The offset/limit arithmetic shared by every search.
pub(crate) fn next_offset(offset: Option<i64>, limit: Option<i64>, returned: usize) -> Option<i64> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    let returned = i64::try_from(returned).ok()?;
    if limit <= 0 || returned < limit {
        return None;
    }
    offset.unwrap_or(0).checked_add(returned)
}

/// The longest id accepted, in bytes: far beyond any id the API issues, and
/// short enough that a runaway value is refused before it makes a URL no
/// server or HTTP client would take.
pub const MAX_ID_BYTES: usize = 1024;

pub(crate) fn require_id(field: &str, value: &str) -> Result<(), Error> {
    if value.len() > MAX_ID_BYTES {
        return Err(Error::invalid(
            field,
            format!(
                "is {} bytes long; ids are at most {MAX_ID_BYTES}",
                value.len()
            ),
        ));
    }
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be blank"));
    }
    Ok(())
}

pub(crate) fn require_optional_id(field: &str, value: Option<&str>) -> Result<(), Error> {
    value.map_or(Ok(()), |v| require_id(field, v))
}

pub(crate) fn check_page(offset: Option<i64>, limit: Option<i64>) -> Result<(), Error> {
    if let Some(o) = offset.filter(|o| *o < 0) {
        return Err(Error::invalid(
            "offset",
            format!("must be 0 or more, got {o}"),
        ));
    }
    if let Some(l) = limit.filter(|l| *l < 0) {
        return Err(Error::invalid(
            "limit",
            format!("must be 0 or more, got {l}"),
        ));
    }
    Ok(())
}

pub(crate) fn check_metadata_object(
    field: &str,
    metadata: Option<&Map<String, Value>>,
) -> Result<(), Error> {
    if let Some(m) = metadata {
        if m.keys().any(String::is_empty) {
            return Err(Error::invalid(field, "keys must not be empty"));
        }
    }
    Ok(())
}

/// A search's metadata: each value a string or a number (an error names
/// the key, `<field>.<key>`).
pub(crate) fn check_search_metadata(
    field: &str,
    metadata: Option<&Map<String, Value>>,
) -> Result<(), Error> {
    for (key, value) in metadata.into_iter().flatten() {
        if !matches!(value, Value::String(_) | Value::Number(_)) {
            return Err(Error::invalid(
                format!("{field}.{key}"),
                format!(
                    "must be a string or a number, not {}",
                    describe_value(value)
                ),
            ));
        }
    }
    Ok(())
}

/// A given integer within `min..=max` (`unit` ends the message).
pub(crate) fn check_between(
    field: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
    unit: &str,
) -> Result<(), Error> {
    match value {
        Some(n) if !(min..=max).contains(&n) => Err(Error::invalid(
            field,
            format!("must be between {min} and {max} {unit}, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// A given name that is not blank.
pub(crate) fn check_not_blank(field: &str, value: Option<&str>) -> Result<(), Error> {
    if value.is_some_and(|v| v.trim().is_empty()) {
        return Err(Error::invalid(field, "must not be empty"));
    }
    Ok(())
}

/// Joins already-checked path parts, encoding each id as one segment.
pub(crate) fn path(parts: &[PathPart<'_>]) -> String {
    let mut out = String::with_capacity(64);
    for part in parts {
        out.push('/');
        match part {
            PathPart::Literal(s) => out.push_str(s),
            PathPart::Id(id) => out.push_str(&encode_segment(id)),
        }
    }
    out
}

/// A piece of a request path.
pub(crate) enum PathPart<'a> {
    /// A fixed word of the API, such as `sessions`.
    Literal(&'static str),
    /// A caller-supplied id, percent-encoded as one segment.
    Id(&'a str),
}

/// Reads an argument struct only from a JSON object: serde would also read
/// it from an array, position by position, a silent reading nobody means.
pub(crate) fn object_only<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOnly<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(ObjectOnly(std::marker::PhantomData))
}

pub(crate) fn json_body<T: Serialize>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::invalid("body", e.to_string()))
}

/// Reads a 2xx response holding one JSON object (a resource).
pub(crate) fn parse_json<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, Error> {
    if !response.is_success() {
        return Err(Error::from_response(response, None));
    }
    refuse_markup(response)?;
    decode_shaped(&response.body, b'{', "an object")
}

/// Reads a 2xx response holding a JSON array (a search page).
pub(crate) fn parse_json_list<T: DeserializeOwned>(
    response: &HttpResponse,
) -> Result<Vec<T>, Error> {
    if !response.is_success() {
        return Err(Error::from_response(response, None));
    }
    refuse_markup(response)?;
    decode_shaped(&response.body, b'[', "an array")
}

/// Reads a 2xx response of the shape `root` as canonical JSON text (`null`
/// when the call has no body), with the same checks as [`parse_json`].
pub(crate) fn parse_canonical(
    response: &HttpResponse,
    root: Option<crate::schema::Root>,
) -> Result<String, Error> {
    if !response.is_success() {
        return Err(Error::from_response(response, None));
    }
    match root {
        None => Ok("null".to_string()),
        Some(root) => {
            refuse_markup(response)?;
            crate::schema::transcode(root, &response.body)
        }
    }
}

/// A 2xx HTML page is almost always a base URL that points at a web site or
/// a login proxy rather than the API: say so instead of "expected value".
fn refuse_markup(response: &HttpResponse) -> Result<(), Error> {
    let content_type = response.header("content-type").unwrap_or("");
    let starts_with_tag = response
        .body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<');
    if starts_with_tag || content_type.to_ascii_lowercase().contains("html") {
        let content_type = if content_type.is_empty() {
            "no content type"
        } else {
            content_type
        };
        return Err(Error::decode(
            "",
            format!(
                "expected JSON, got an HTML page ({content_type}, {} bytes); is the base URL the API root?",
                response.body.len()
            ),
        ));
    }
    Ok(())
}

/// A way to read one JSON document from a deserializer, run once fast and,
/// when that fails, once more with path tracking: a typed value
/// ([`Typed`]), or the webhook envelope.
pub(crate) trait Decode<'de> {
    /// What a successful read gives.
    type Output;
    /// Reads the document; called again after [`reset`](Self::reset) when the
    /// first run failed.
    fn run<D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<Self::Output, D::Error>;
    /// Forgets what a failed run wrote.
    fn reset(&mut self) {}
}

/// [`Decode`] for a type with a `Deserialize` impl.
pub(crate) struct Typed<T>(pub(crate) std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Decode<'de> for Typed<T> {
    type Output = T;
    fn run<D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// serde lets a struct be read from an array; refusing the wrong outer shape
/// first gives "expected an object" instead of a confusing error at `[0]`.
pub(crate) fn decode_shaped<'a, T: Deserialize<'a>>(
    body: &'a [u8],
    open: u8,
    what: &str,
) -> Result<T, Error> {
    decode_shaped_with(body, open, what, Typed(std::marker::PhantomData))
}

/// [`decode_shaped`] with any [`Decode`].
pub(crate) fn decode_shaped_with<'a, R: Decode<'a>>(
    body: &'a [u8],
    open: u8,
    what: &str,
    reader: R,
) -> Result<R::Output, Error> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Err(Error::decode("", "the body is empty")),
        Some(b) if *b == open => decode_with(body, reader),
        Some(b'{') => Err(Error::decode(
            "",
            format!("expected {what}, found an object"),
        )),
        Some(b'[') => Err(Error::decode(
            "",
            format!("expected {what}, found an array"),
        )),
        // A scalar: its type is named (its error path is the root's).
        Some(_) => crate::json::parse_value(body).and_then(|v| {
            Err(Error::decode(
                "",
                format!("expected {what}, found {}", json_type_name(&v)),
            ))
        }),
    }
}

/// Decodes a JSON document; on failure, decodes it again through
/// `serde_path_to_error` to say where it went wrong (the fast path pays
/// nothing). Both passes read a `&str`, so each resource type's deserializer
/// is compiled for two readers, not three (the wasm build's size is mostly these).
pub(crate) fn decode_json<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Error> {
    decode_with(body, Typed(std::marker::PhantomData))
}

/// [`decode_json`] with any [`Decode`].
pub(crate) fn decode_with<'a, R: Decode<'a>>(
    body: &'a [u8],
    mut reader: R,
) -> Result<R::Output, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode("", "the body is empty"));
    }
    // Validating UTF-8 once up front lets serde_json borrow strings instead of
    // checking each one. Invalid UTF-8 is read up to its first bad byte: the
    // tracked pass then stops inside the string holding it, which names the path.
    let (text, bad_utf8_at) = crate::json::utf8_prefix(body);
    if bad_utf8_at.is_none() {
        let mut de = serde_json::Deserializer::from_str(text);
        if let Ok(value) = reader.run(&mut de) {
            if de.end().is_ok() {
                return Ok(value);
            }
        }
    }
    reader.reset();
    let de = &mut serde_json::Deserializer::from_str(text);
    let mut track = serde_path_to_error::Track::new();
    let tracked = reader
        .run(serde_path_to_error::Deserializer::new(&mut *de, &mut track))
        .map_err(|e| (tracked_path(&track.path()), e));
    if let Some(at) = bad_utf8_at {
        let path = tracked.err().map(|(path, _)| path);
        return Err(Error::decode(
            path.unwrap_or_default(),
            format!("invalid unicode (not UTF-8) at byte {at}"),
        ));
    }
    let (path, error) = match tracked {
        Err(e) => e,
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(e) => (String::new(), e),
        },
    };
    Err(decode_error(path, error, body.len()))
}

/// A decode error at `path`, in the SDK's words.
fn decode_error(path: String, error: serde_json::Error, len: usize) -> Error {
    if error.is_eof() {
        return Error::decode(
            path,
            format!("the JSON ends early, after {len} bytes (a truncated body?)"),
        );
    }
    Error::decode(path, strip_position(&error.to_string()))
}

/// The path in the SDK's form (`a.b`, `a[0].b`), built from the segments
/// rather than from serde_path_to_error's text, in which a key holding `.`
/// or `?` cannot be told from its separators: a trailing key never read
/// (`?`) is dropped, as is a trailing `.` (the root, or an empty last key).
fn tracked_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut segments: Vec<&Segment> = path.iter().collect();
    while let Some(Segment::Unknown) = segments.last() {
        segments.pop();
    }
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    let kept = out.trim_end_matches('.').len();
    out.truncate(kept);
    out
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

pub(crate) fn parse_empty(response: &HttpResponse) -> Result<(), Error> {
    if !response.is_success() {
        return Err(Error::from_response(response, None));
    }
    Ok(())
}

pub(crate) fn request(
    config: &Config,
    method: Method,
    parts: &[PathPart<'_>],
    body: Option<Vec<u8>>,
) -> HttpRequest {
    config.request(method, &path(parts), body)
}

pub(crate) fn describe_value(v: &Value) -> &'static str {
    json_type_name(v)
}
