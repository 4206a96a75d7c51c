//! Every call's arguments as data, and one generic request builder driven by
//! them: a [`Signature`] says which arguments a call takes (name, wire type,
//! presence), where each goes (the path or the body), and which checks run
//! before anything is sent; [`read_arguments`] and [`request_parts`] turn
//! arguments JSON into the request's path and body by those tables alone.
//!
//! It follows the typed path's rules (`ops`' argument structs, their serde
//! derives and their `build_request` checks) rule for rule, so that both give
//! the same request, or an error of the same kind on the same field: first the
//! arguments are read in the order the JSON object holds them (an unknown
//! name or a value of the wrong type stops there), then a missing required
//! argument is named, then the [`Check`]s run in their declared order. The
//! `arguments` differential test and fuzz target hold both paths together.

use serde_json::{Map, Value};

use super::transcode::{write_content_value, write_json, write_schedule_config_value};
use crate::error::Error;
use crate::http::Method;
use crate::json;
use crate::ops::{
    PathPart, check_between, check_metadata_object, check_not_blank, check_page,
    check_search_metadata, path, require_id,
};
use crate::time::Timestamp;

/// How a call's arguments become a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// The HTTP method.
    pub method: Method,
    /// The request path, as alternatives: the first whose arguments are all
    /// given is used (`messages.search` within a session, or across all).
    pub paths: &'static [&'static [Seg]],
    /// Every argument, in the order its value is written into the body.
    pub args: &'static [Arg],
    /// What the body is made of.
    pub body: BodyForm,
    /// The checks run once every argument has been read, in this order.
    pub checks: &'static [Check],
}

/// A piece of a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg {
    /// A fixed word of the API, such as `sessions`.
    Lit(&'static str),
    /// The value of this (string) argument, percent-encoded as one segment.
    Arg(&'static str),
}

/// One argument of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// Its name, in the arguments JSON and in the body.
    pub name: &'static str,
    /// The type its value must have.
    pub ty: ArgTy,
    /// Whether it must be given, and what its absence means.
    pub presence: ArgPresence,
    /// Where its value goes.
    pub sent: Sent,
}

/// The type of an argument's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgTy {
    /// A string.
    Str,
    /// A string from an open set: the known values are listed (for
    /// generated types), any other is sent as given.
    Enum(&'static [&'static str]),
    /// A signed 64-bit integer.
    I64,
    /// `true` or `false`.
    Bool,
    /// A JSON object of anything (`metadata`), sent with sorted keys.
    Map,
    /// An RFC 3339 time that states its UTC offset, sent normalized to UTC.
    TimeWithOffset,
    /// Message content to send: its kind's fields must all be given.
    Content,
    /// A schedule's config (`message` or `node`; other kinds kept whole).
    ScheduleConfig,
    /// An object of these arguments (unknown names refused).
    Object(&'static [Arg]),
}

/// Whether an argument must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgPresence {
    /// Must be given, and not null.
    Required,
    /// May be left out or null; then it is not sent.
    Optional,
    /// May be left out (then this JSON is sent); null is refused.
    Default(&'static str),
    /// May be left out or null; then `null` is sent (`"agent_id": null`
    /// removes a session's agent).
    NullSent,
}

/// Where an argument's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Into the path (see [`Signature::paths`]).
    Path,
    /// Into the body.
    Body,
}

/// What a request's body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyForm {
    /// No body.
    None,
    /// An object of the body arguments.
    Object,
    /// An object holding the body arguments' object under this name
    /// (`{"fields": {...}}`).
    Wrapped(&'static str),
}

/// A rule checked once every argument has been read. `arg` is where the
/// value is (`fields.agent_id`: inside an [`ArgTy::Object`]); `field` is the
/// name an error gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A given id is not empty, not blank and at most
    /// [`MAX_ID_BYTES`](crate::ops::MAX_ID_BYTES) long.
    Id {
        /// Where the value is.
        arg: &'static str,
        /// The name the error gives.
        field: &'static str,
    },
    /// As [`Check::Id`], when the value at `when` equals `equals`.
    IdWhen {
        /// Where the value is.
        arg: &'static str,
        /// The name the error gives.
        field: &'static str,
        /// Where the deciding value is.
        when: &'static str,
        /// The deciding value.
        equals: &'static str,
    },
    /// A given string is not blank.
    NotBlank {
        /// Where the value is.
        arg: &'static str,
        /// The name the error gives.
        field: &'static str,
    },
    /// A given integer is within `min..=max` (`unit` ends the message).
    Between {
        /// Where the value is.
        arg: &'static str,
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
        /// What the numbers count, for the message.
        unit: &'static str,
    },
    /// `offset` and `limit`, when given, are 0 or more.
    Page,
    /// A given metadata object has no empty key.
    MetadataKeys {
        /// Where the value is.
        arg: &'static str,
        /// The name the error gives.
        field: &'static str,
    },
    /// A given search metadata object's values are strings or numbers
    /// (an error names the key: `metadata.<key>`).
    SearchMetadataValues {
        /// Where the value is.
        arg: &'static str,
    },
    /// At least one of the object's arguments is given and not null:
    /// `within` an [`ArgTy::Object`] argument, or among the body arguments.
    AnyGiven {
        /// The object argument, or `None` for the body arguments.
        within: Option<&'static str>,
        /// The name the error gives.
        field: &'static str,
    },
    /// `arg` must be given when the value at `when` equals `equals`.
    RequiredWhen {
        /// The argument that must be given.
        arg: &'static str,
        /// Where the deciding value is.
        when: &'static str,
        /// The deciding value.
        equals: &'static str,
        /// The error's message.
        message: &'static str,
    },
}

/// Arguments read against a [`Signature`]: each one's type checked and its
/// canonical JSON written, as the typed path's `Call::from_json` reads them.
/// [`request_parts`] then runs the checks and builds the request, as the
/// typed `Call::build` does.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadArguments {
    /// Each argument's canonical JSON (`None`: not given or null), by
    /// declaration index.
    written: Vec<Option<Vec<u8>>>,
}

/// Reads `args` against `signature`: the first unknown name, value of the
/// wrong type or missing required argument is the error.
pub fn read_arguments(
    signature: &Signature,
    args: &Map<String, Value>,
) -> Result<ReadArguments, Error> {
    read_object(signature.args, args, "").map(|written| ReadArguments { written })
}

/// Runs `signature`'s checks on arguments already [read](read_arguments),
/// then gives the request's path and body.
pub fn request_parts(
    signature: &Signature,
    args: &Map<String, Value>,
    read: &ReadArguments,
) -> Result<(String, Option<Vec<u8>>), Error> {
    for check in signature.checks {
        run_check(check, signature, args)?;
    }
    let path = request_path(signature, args);
    let body = match signature.body {
        BodyForm::None => None,
        BodyForm::Object => Some(body_object(signature.args, &read.written)),
        BodyForm::Wrapped(name) => {
            let mut out = Vec::with_capacity(64);
            out.push(b'{');
            write_json(&mut out, name);
            out.push(b':');
            out.extend_from_slice(&body_object(signature.args, &read.written));
            out.push(b'}');
            Some(out)
        }
    };
    Ok((path, body))
}

/// Reads an object of `args`: each given value in the object's own order,
/// then the first missing required one. Returns each argument's canonical
/// JSON (`None`: not given or null), by declaration index.
fn read_object(
    args: &'static [Arg],
    given: &Map<String, Value>,
    prefix: &str,
) -> Result<Vec<Option<Vec<u8>>>, Error> {
    let mut written: Vec<Option<Vec<u8>>> = vec![None; args.len()];
    for (name, value) in given {
        let Some(index) = args.iter().position(|a| a.name == name) else {
            return Err(Error::invalid(
                format!("{prefix}{name}"),
                unknown_field(name, args),
            ));
        };
        let arg = &args[index];
        if value.is_null() && matches!(arg.presence, ArgPresence::Optional | ArgPresence::NullSent)
        {
            continue;
        }
        let field = format!("{prefix}{name}");
        written[index] = Some(write_arg(arg.ty, value, &field)?);
    }
    if let Some(missing) = args
        .iter()
        .find(|a| a.presence == ArgPresence::Required && !given.contains_key(a.name))
    {
        return Err(Error::invalid(
            format!("{prefix}{}", missing.name),
            format!("missing field `{}`", missing.name),
        ));
    }
    Ok(written)
}

/// Checks one value's type and writes its canonical JSON.
fn write_arg(ty: ArgTy, value: &Value, field: &str) -> Result<Vec<u8>, Error> {
    let wrong = |expected: &str| Error::invalid(field, invalid_type(value, expected));
    let mut out = Vec::new();
    match ty {
        ArgTy::Str | ArgTy::Enum(_) => match value {
            Value::String(s) => write_json(&mut out, s),
            _ => return Err(wrong("a string")),
        },
        ArgTy::I64 => match (value.as_i64(), value.as_u64()) {
            (Some(n), _) => write_json(&mut out, &n),
            (None, Some(big)) => {
                return Err(Error::invalid(
                    field,
                    format!("invalid value: integer `{big}`, expected i64"),
                ));
            }
            (None, None) => return Err(wrong("i64")),
        },
        ArgTy::Bool => match value {
            Value::Bool(b) => write_json(&mut out, b),
            _ => return Err(wrong("a boolean")),
        },
        ArgTy::Map => match value {
            Value::Object(m) => crate::json::write_map(&mut out, m),
            _ => return Err(wrong("a map")),
        },
        ArgTy::TimeWithOffset => match value {
            Value::String(text) => match Timestamp::parse_with_offset(text) {
                Ok(t) => write_json(&mut out, &t),
                Err(e) => {
                    return Err(Error::invalid(
                        field,
                        format!("invalid timestamp {text:?}: {e}"),
                    ));
                }
            },
            _ => return Err(wrong("a string")),
        },
        ArgTy::Content => {
            let Value::Object(map) = value else {
                return Err(wrong("a map"));
            };
            let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
            if let Some(missing) =
                super::fields_to_send(kind).find(|key| map.get(*key).is_none_or(Value::is_null))
            {
                return Err(Error::invalid(
                    field,
                    format!("{kind} content needs `{missing}`"),
                ));
            }
            write_content_value(map, &mut out).map_err(|m| Error::invalid(field, m))?;
        }
        ArgTy::ScheduleConfig => {
            let Value::Object(map) = value else {
                return Err(wrong("a map"));
            };
            write_schedule_config_value(map, &mut out).map_err(|m| Error::invalid(field, m))?;
        }
        ArgTy::Object(inner) => {
            let Value::Object(map) = value else {
                return Err(wrong("an object"));
            };
            let written = read_object(inner, map, &format!("{field}."))?;
            out = body_object(inner, &written);
        }
    }
    Ok(out)
}

/// serde's own words for an unknown argument, as the typed path says them.
fn unknown_field(name: &str, args: &[Arg]) -> String {
    let names: Vec<String> = args.iter().map(|a| format!("`{}`", a.name)).collect();
    let expected = match names.as_slice() {
        [] => "there are no fields".to_string(),
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        more => format!("expected one of {}", more.join(", ")),
    };
    format!("unknown field `{name}`, {expected}")
}

/// serde's own words for a value of the wrong type, as the typed path says
/// them (`invalid type: string "3", expected i64`). Written out here rather
/// than through `serde::de::Unexpected`, whose `Display` formats floats with
/// `f64`'s own `Display` (13.9 KB of the web build's wasm); serde_json says a
/// float in its shortest form, which [`json::value_text`] writes too.
fn invalid_type(value: &Value, expected: &str) -> String {
    let unexpected = match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => format!("floating point `{}`", json::value_text(value)),
        Value::Number(_) => format!("integer `{}`", json::value_text(value)),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_string(),
        Value::Object(_) => "map".to_string(),
    };
    format!("invalid type: {unexpected}, expected {expected}")
}

/// The body object: every body argument given (or defaulted), in
/// declaration order.
fn body_object(args: &[Arg], written: &[Option<Vec<u8>>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    out.push(b'{');
    for (arg, value) in args.iter().zip(written) {
        if arg.sent != Sent::Body {
            continue;
        }
        let value: &[u8] = match (value, arg.presence) {
            (Some(v), _) => v,
            (None, ArgPresence::Default(json)) => json.as_bytes(),
            (None, ArgPresence::NullSent) => b"null",
            (None, _) => continue,
        };
        if out.len() > 1 {
            out.push(b',');
        }
        write_json(&mut out, arg.name);
        out.push(b':');
        out.extend_from_slice(value);
    }
    out.push(b'}');
    out
}

/// The value at a dotted `path` (`fields.agent_id`), if given and not null.
fn lookup<'a>(args: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = args.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    (!value.is_null()).then_some(value)
}

fn run_check(check: &Check, signature: &Signature, args: &Map<String, Value>) -> Result<(), Error> {
    let int = |arg: &str| lookup(args, arg).and_then(Value::as_i64);
    let text = |arg: &str| lookup(args, arg).and_then(Value::as_str);
    let object = |arg: &str| lookup(args, arg).and_then(Value::as_object);
    // Each rule is the typed path's own function (`crate::ops`).
    match *check {
        Check::Id { arg, field } => text(arg).map_or(Ok(()), |id| require_id(field, id)),
        Check::IdWhen {
            arg,
            field,
            when,
            equals,
        } => match text(arg) {
            Some(id) if text(when) == Some(equals) => require_id(field, id),
            _ => Ok(()),
        },
        Check::NotBlank { arg, field } => check_not_blank(field, text(arg)),
        Check::Between {
            arg,
            min,
            max,
            unit,
        } => check_between(arg, int(arg), min, max, unit),
        Check::Page => check_page(int("offset"), int("limit")),
        Check::MetadataKeys { arg, field } => check_metadata_object(field, object(arg)),
        Check::SearchMetadataValues { arg } => check_search_metadata(arg, object(arg)),
        Check::AnyGiven { within, field } => {
            let any = match within {
                Some(name) => object(name).is_some_and(|m| m.values().any(|v| !v.is_null())),
                None => signature
                    .args
                    .iter()
                    .filter(|a| a.sent == Sent::Body)
                    .any(|a| lookup(args, a.name).is_some()),
            };
            if any {
                Ok(())
            } else {
                Err(Error::invalid(field, "set at least one field to update"))
            }
        }
        Check::RequiredWhen {
            arg,
            when,
            equals,
            message,
        } => {
            if text(when) == Some(equals) && lookup(args, arg).is_none() {
                Err(Error::invalid(arg, message))
            } else {
                Ok(())
            }
        }
    }
}

/// The first path whose arguments are all given.
fn request_path(signature: &Signature, args: &Map<String, Value>) -> String {
    let given = |seg: &Seg| match seg {
        Seg::Lit(_) => true,
        Seg::Arg(name) => lookup(args, name).is_some(),
    };
    let Some(segs) = signature
        .paths
        .iter()
        .find(|segs| segs.iter().all(given))
        .or(signature.paths.last())
    else {
        return String::new();
    };
    let parts: Vec<PathPart<'_>> = segs
        .iter()
        .map(|seg| match seg {
            Seg::Lit(word) => PathPart::Literal(word),
            Seg::Arg(name) => {
                PathPart::Id(lookup(args, name).and_then(Value::as_str).unwrap_or(""))
            }
        })
        .collect();
    path(&parts)
}

/// A required path argument (an id).
pub(crate) const fn path_id(name: &'static str) -> Arg {
    Arg {
        name,
        ty: ArgTy::Str,
        presence: ArgPresence::Required,
        sent: Sent::Path,
    }
}

/// A required body argument.
pub(crate) const fn required(name: &'static str, ty: ArgTy) -> Arg {
    Arg {
        name,
        ty,
        presence: ArgPresence::Required,
        sent: Sent::Body,
    }
}

/// An optional body argument.
pub(crate) const fn optional(name: &'static str, ty: ArgTy) -> Arg {
    Arg {
        name,
        ty,
        presence: ArgPresence::Optional,
        sent: Sent::Body,
    }
}

/// [`Check::Id`] on an argument reported under its own name.
pub(crate) const fn id(arg: &'static str) -> Check {
    Check::Id { arg, field: arg }
}
