//! Pieces shared by the targets that make calls from arguments.

// Each target uses only some of them.
#![allow(dead_code)]

use antonnia_core::{Call, Error};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use serde_json::{Map, Number, Value};

/// `Call::from_json`, dropping each argument the call refuses as unknown
/// (every call denies unknown fields) and trying again: a generic argument
/// object then still makes the call, instead of the target stopping at the
/// first unknown key. Returns the call and the arguments it was made from.
pub fn call_from_json(name: &str, mut args: Value) -> Result<(Call, Value), Error> {
    loop {
        match Call::from_json(name, args.clone()) {
            Ok(call) => return Ok((call, args)),
            Err(Error::InvalidRequest { field, message })
                if message.starts_with("unknown field")
                    && args
                        .as_object_mut()
                        .is_some_and(|m| m.remove(&field).is_some()) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Every argument name the calls take, so derived objects hit real fields.
pub const KEYS: &[&str] = &[
    "session_id",
    "message_id",
    "agent_id",
    "survey_submission_id",
    "contact_id",
    "contact_name",
    "metadata",
    "content",
    "fields",
    "role",
    "provider_message_id",
    "replied_provider_message_id",
    "run_id",
    "type",
    "name",
    "profile_id",
    "auto_reply",
    "scheduled_for",
    "config",
    "node_id",
    "status",
    "offset",
    "limit",
    "debounce_time",
    "text",
    "url",
    "thought",
    "id",
    "input",
    "output",
    "mime_type",
    "delivery_status",
    "template_id",
    "template_parameters",
    "ending_survey_id",
    "starting_node_id",
    "assistant_id",
    "thread_id",
    "ending_survey_submission_id",
    "delivery_error_code",
    "delivery_error_message",
    "delivered_at",
    "message",
    "description",
    "created_at",
    "updated_at",
];

/// Values that tend to matter: ids that try to leave their segment, blanks,
/// enum words, timestamps.
pub const STRINGS: &[&str] = &[
    "",
    " ",
    "s",
    "sess_1",
    "../x",
    "..",
    ".",
    "a/b",
    "a?b=c",
    "a#b",
    "%2F",
    "%",
    "olá",
    "a b",
    "\u{0}",
    "\n",
    "text",
    "image",
    "human",
    "ai",
    "open",
    "closed",
    "user",
    "assistant",
    "node",
    "2025-01-15T10:30:00Z",
    "2025-01-15T07:30:00.5-03:00",
    "not a time",
    "2025-01-15T10:30:00",
    "message",
    "sk_test_fuzz_token_0123456789",
];

/// A string: one of [`STRINGS`] half the time.
pub fn string(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 2)? {
        Ok((*u.choose(STRINGS)?).to_string())
    } else {
        u.arbitrary()
    }
}

/// An object of up to six keys, mostly argument names.
pub fn object(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let mut map = Map::new();
    for _ in 0..u.int_in_range(0..=6)? {
        let key = if u.ratio(7, 8)? {
            (*u.choose(KEYS)?).to_string()
        } else {
            u.arbitrary()?
        };
        map.insert(key, value(u, depth)?);
    }
    Ok(Value::Object(map))
}

/// Any JSON value, nested up to `depth`.
pub fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let kind = u.int_in_range(0..=if depth == 0 { 4 } else { 6 })?;
    Ok(match kind {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Number::from_f64(u.arbitrary()?).map_or(Value::Null, Value::Number),
        4 => Value::String(string(u)?),
        5 => Value::Array(
            (0..u.int_in_range(0..=3)?)
                .map(|_| value(u, depth - 1))
                .collect::<Result<_>>()?,
        ),
        _ => object(u, depth - 1)?,
    })
}

