//! One decoder for every shape: reads a JSON body against a [`Shape`] with
//! the core's own [JSON reader](crate::json) and writes the canonical JSON
//! the typed path would serialize — one code path for every type, where
//! serde derive compiles one per type (the web build's size).
//!
//! It follows the typed path's rules field by field — serde derive's for the
//! structs (unknown fields ignored, a repeated field refused, a struct read
//! from an array position by position), and the hand-written ones for
//! content and schedule configs — so that both give the same output, or an
//! error of the same kind at the same path. `tests.rs` checks that on every
//! shared vector; the `transcode` fuzz target on arbitrary bodies.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{CONTENT_KINDS, ContentField, Field, Presence, Shape, Ty, known_content_key};
use crate::error::Error;
use crate::json::{
    ReadError, Reader, Step, at, read_shaped, write_plain_str, write_read_str, write_str,
};
use crate::ops::describe_value;
use crate::time::{Timestamp, UsualForm};

/// What a response body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// One object of the shape.
    One(&'static Shape),
    /// An array of objects of the shape (a search page).
    List(&'static Shape),
}

/// Reads `body` as `root` and returns its canonical JSON, or the decode
/// error the typed path gives for it (same kind, same path).
pub fn transcode(root: Root, body: &[u8]) -> Result<String, Error> {
    let mut out = Vec::with_capacity(body.len());
    transcode_into(root, body, &mut out)?;
    into_text(out)
}

/// [`transcode`], appending to `out`.
pub(crate) fn transcode_into(root: Root, body: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let start = out.len();
    let read = match root {
        Root::One(shape) => read_shaped(body, b'{', "an object", |r| write_object(r, shape, out)),
        Root::List(shape) => read_shaped(body, b'[', "an array", |r| write_list(r, shape, out)),
    };
    if read.is_err() {
        out.truncate(start);
    }
    read
}

/// Canonical JSON as text. Every byte written is ASCII punctuation or text
/// serde_json wrote from a `str`, so this never fails; the error is for
/// form's sake.
pub(crate) fn into_text(out: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(out).map_err(|_| Error::decode("", "the canonical form is not UTF-8"))
}

/// An array of objects of `shape`.
fn write_list(
    r: &mut Reader<'_>,
    shape: &'static Shape,
    out: &mut Vec<u8>,
) -> Result<(), ReadError> {
    r.array("a sequence")?;
    out.push(b'[');
    let mut index = 0;
    while r.element(index == 0)? {
        if index > 0 {
            out.push(b',');
        }
        at(|| Step::Index(index), write_object(r, shape, out))?;
        index += 1;
    }
    r.end_array()?;
    out.push(b']');
    Ok(())
}

/// Where each field's value is, in the scratch buffer.
#[derive(Clone, Copy)]
enum Slot {
    Absent,
    Null,
    At(usize, usize),
}

/// One [`Slot`] a field: on the stack for the shapes this API has (at most
/// [`INLINE_FIELDS`] fields), on the heap past that.
// The inline variant is large on purpose: it lives on the stack for the
// one object being read, and saves an allocation per object.
#[allow(clippy::large_enum_variant)]
enum Slots {
    Inline([Slot; INLINE_FIELDS], usize),
    Heap(Vec<Slot>),
}

const INLINE_FIELDS: usize = 16;

/// The most an object's scratch buffer reserves up front: every resource of
/// this API fits, and a larger object grows it as needed.
const SCRATCH_CAP: usize = 1024;

impl Slots {
    fn new(len: usize) -> Slots {
        if len <= INLINE_FIELDS {
            Slots::Inline([Slot::Absent; INLINE_FIELDS], len)
        } else {
            Slots::Heap(vec![Slot::Absent; len])
        }
    }
}

impl std::ops::Deref for Slots {
    type Target = [Slot];
    fn deref(&self) -> &[Slot] {
        match self {
            Slots::Inline(slots, len) => &slots[..*len],
            Slots::Heap(slots) => slots,
        }
    }
}

impl std::ops::DerefMut for Slots {
    fn deref_mut(&mut self) -> &mut [Slot] {
        match self {
            Slots::Inline(slots, len) => &mut slots[..*len],
            Slots::Heap(slots) => slots,
        }
    }
}

/// Reads one object of `shape` (as serde derive does: an object, or an
/// array read field by field) and writes its canonical form.
pub(crate) fn write_object(
    r: &mut Reader<'_>,
    shape: &'static Shape,
    out: &mut Vec<u8>,
) -> Result<(), ReadError> {
    // Bodies mostly list fields in the schema's order, the order they are
    // written in: then each value is written straight to `out`. Otherwise
    // the object is read again into slots (below) and written from them. A
    // body can make every level read its object twice, but shapes nest only
    // a few levels deep.
    if r.peek()? == b'{'
        && shape.fields.iter().all(|f| f.only_for_type.is_none())
        && in_order_or_rewound(r, out, |r, out| write_object_in_order(r, shape, out))?
    {
        return Ok(());
    }
    write_object_from_slots(r, shape, out)
}

/// Runs an in-order pass ([`write_object_in_order`],
/// [`write_content_in_order`]); when it gives up (`false`), puts the reader
/// and `out` back where they were, for the long way.
fn in_order_or_rewound<'a>(
    r: &mut Reader<'a>,
    out: &mut Vec<u8>,
    pass: impl FnOnce(&mut Reader<'a>, &mut Vec<u8>) -> Result<bool, ReadError>,
) -> Result<bool, ReadError> {
    let saved = r.clone();
    let start = out.len();
    let done = pass(r, out)?;
    if !done {
        *r = saved;
        out.truncate(start);
    }
    Ok(done)
}

/// [`write_object`] for an object whose fields come in the schema's order
/// (any absent one optional, defaulted or checked only): written as read.
/// `false`, with the reader and `out` part-way, for any other object; the
/// caller then reads it again into slots. The errors are the slot path's:
/// the same reads in the same order, a repeated field is out of order, and
/// a required field missing at the end is the first missing in schema order.
fn write_object_in_order(
    r: &mut Reader<'_>,
    shape: &'static Shape,
    out: &mut Vec<u8>,
) -> Result<bool, ReadError> {
    r.enter()?;
    out.push(b'{');
    let mut first_key = true;
    let mut first_out = true;
    // The next field to write: those before it are written or left out.
    let mut next = 0;
    while let Some((i, field)) = next_field(r, shape, &mut first_key, next)? {
        // Mostly the very next field: nothing absent between, no call.
        if i < next || (i > next && !skip_absent(&shape.fields[next..i], out, &mut first_out)) {
            return Ok(false);
        }
        next = i + 1;
        let mark = out.len();
        write_key(out, field, first_out);
        let value = out.len();
        let written = at(|| Step::Field(field.name), write_field(r, field, out))?;
        match (written, field.presence) {
            (true, Presence::CheckedOnly) | (false, Presence::Optional | Presence::CheckedOnly) => {
                out.truncate(mark)
            }
            (false, Presence::Default(text)) => {
                out.truncate(value);
                out.extend_from_slice(text.as_bytes());
                first_out = false;
            }
            _ => first_out = false,
        }
    }
    r.end_object()?;
    if let Some(missing) = shape.fields[next..]
        .iter()
        .find(|f| f.presence == Presence::Required)
    {
        return Err(ReadError::missing(missing.name));
    }
    skip_absent(&shape.fields[next..], out, &mut first_out);
    out.push(b'}');
    Ok(true)
}

/// The field of the object's next known key, `None` at the object's end;
/// the value of a key `shape` does not have is skipped. The field at `hint`
/// (the one after the last read) is tried first, since bodies mostly list
/// fields in the schema's order.
// Inlined into its two loops: as a call per key it cost 4 % of a webhook's
// parse (scripts/count-instructions.sh).
#[inline(always)]
fn next_field(
    r: &mut Reader<'_>,
    shape: &'static Shape,
    first: &mut bool,
    hint: usize,
) -> Result<Option<(usize, &'static Field)>, ReadError> {
    // A key written as the canonical form writes it (its comma too, after
    // the first), which is how servers send them: taken whole, with nothing
    // to scan or compare after. The hinted field first.
    // (Written as two steps: one loop from the hint compiled to 5 % more
    // instructions a parse, scripts/count-instructions.sh.)
    if let Some(field) = shape.fields.get(hint) {
        if r.skip_exact(&field.written_key.as_bytes()[usize::from(*first)..]) {
            *first = false;
            return Ok(Some((hint, field)));
        }
        // Then the fields after it (absent ones skipped over), unless the
        // object ends here.
        if !r.next_is(b'}') {
            for (i, field) in shape.fields.iter().enumerate().skip(hint + 1) {
                if r.skip_exact(&field.written_key.as_bytes()[usize::from(*first)..]) {
                    *first = false;
                    return Ok(Some((i, field)));
                }
            }
        }
    }
    while let Some(key) = r.key(*first)? {
        *first = false;
        let found = match shape.fields.get(hint) {
            Some(field) if field.name == key => Some((hint, field)),
            _ => shape.field(&key),
        };
        match found {
            Some(found) => return Ok(Some(found)),
            None => at(|| Step::Key(key.into_owned()), r.skip()).map(drop)?,
        }
    }
    Ok(None)
}

/// Writes `field`'s key and colon, after a comma unless it is the object's
/// `first` field.
fn write_key(out: &mut Vec<u8>, field: &Field, first: bool) {
    out.extend_from_slice(&field.written_key.as_bytes()[usize::from(first)..]);
}

/// Writes what absent `fields` stand for (their defaults); `false` if one
/// of them is required, which only the slot path can tell missing from
/// later.
fn skip_absent(fields: &[Field], out: &mut Vec<u8>, first_out: &mut bool) -> bool {
    for field in fields {
        match field.presence {
            Presence::Required => return false,
            Presence::Default(text) => {
                write_key(out, field, *first_out);
                *first_out = false;
                out.extend_from_slice(text.as_bytes());
            }
            Presence::Optional | Presence::CheckedOnly => {}
        }
    }
    true
}

/// [`write_object`] through slots: every field read into a scratch buffer,
/// then written in the schema's order.
fn write_object_from_slots(
    r: &mut Reader<'_>,
    shape: &'static Shape,
    out: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let mut slots = Slots::new(shape.fields.len());
    // The object's values are at most what is left of the body (plus the
    // defaults written for absent fields), so this capacity is seldom
    // outgrown; capped so that deep nesting does not reserve the rest of a
    // large body at every level.
    let mut scratch = Vec::with_capacity(r.remaining().min(SCRATCH_CAP));
    match r.peek()? {
        b'{' => {
            r.enter()?;
            let mut first = true;
            let mut next = 0;
            while let Some((i, field)) = next_field(r, shape, &mut first, next)? {
                if !matches!(slots[i], Slot::Absent) {
                    return Err(ReadError::duplicate(field.name));
                }
                slots[i] = read_slot(r, field, &mut scratch, || Step::Field(field.name))?;
                next = i + 1;
            }
            r.end_object()?;
        }
        b'[' => {
            r.enter()?;
            let mut read = 0;
            for (i, field) in shape.fields.iter().enumerate() {
                if !r.element(i == 0)? {
                    break;
                }
                slots[i] = read_slot(r, field, &mut scratch, || Step::Index(i))?;
                read += 1;
            }
            // serde derive: a missing element is the field's default, or an
            // error for a field without one.
            if let Some(missing) = shape.fields[read..]
                .iter()
                .position(|f| f.presence == Presence::Required)
            {
                return Err(ReadError::new(format!(
                    "invalid length {}, expected struct {}",
                    read + missing,
                    shape.name
                )));
            }
            r.end_array()?;
        }
        _ => return Err(r.invalid_type(shape.name)),
    }
    write_fields(shape, &slots, &scratch, out)
}

/// Reads one field's value into `scratch` (its error at `step`): where it
/// was written, or that it was null.
fn read_slot(
    r: &mut Reader<'_>,
    field: &'static Field,
    scratch: &mut Vec<u8>,
    step: impl FnOnce() -> Step,
) -> Result<Slot, ReadError> {
    let start = scratch.len();
    Ok(if at(step, write_field(r, field, scratch))? {
        Slot::At(start, scratch.len())
    } else {
        Slot::Null
    })
}

/// Writes the object from its fields' slots.
fn write_fields(
    shape: &'static Shape,
    slots: &[Slot],
    scratch: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), ReadError> {
    let tag = type_tag(shape, slots, scratch);
    out.push(b'{');
    let mut first = true;
    for (field, slot) in shape.fields.iter().zip(slots) {
        if field
            .only_for_type
            .is_some_and(|only| tag.as_deref() != Some(only))
        {
            continue;
        }
        let value: &[u8] = match (*slot, field.presence) {
            (_, Presence::CheckedOnly) => continue,
            (Slot::At(start, end), _) => &scratch[start..end],
            (Slot::Absent, Presence::Required) => return Err(ReadError::missing(field.name)),
            (_, Presence::Default(text)) => text.as_bytes(),
            (_, _) => continue,
        };
        write_key(out, field, first);
        first = false;
        out.extend_from_slice(value);
    }
    out.push(b'}');
    Ok(())
}

/// The shape's `type` value, when some field depends on it.
fn type_tag(shape: &'static Shape, slots: &[Slot], scratch: &[u8]) -> Option<String> {
    if shape.fields.iter().all(|f| f.only_for_type.is_none()) {
        return None;
    }
    let (i, _) = shape.field("type")?;
    match slots.get(i)? {
        Slot::At(start, end) => {
            let text = std::str::from_utf8(&scratch[*start..*end]).ok()?;
            Reader::new(text).str().ok().map(Cow::into_owned)
        }
        _ => None,
    }
}

/// One field's value; `true` when a value was written, `false` for a null
/// that the field's presence rule allows.
fn write_field(
    r: &mut Reader<'_>,
    field: &'static Field,
    out: &mut Vec<u8>,
) -> Result<bool, ReadError> {
    if field.presence != Presence::Required && r.null()? {
        return Ok(false);
    }
    write_value(r, field.ty, out)?;
    Ok(true)
}

/// Reads one non-null value of type `ty` and writes its canonical form, by
/// the leaf types' own rules (the typed path's checks).
fn write_value(r: &mut Reader<'_>, ty: Ty, out: &mut Vec<u8>) -> Result<(), ReadError> {
    match ty {
        Ty::Str | Ty::Enum(_) => r.copy_str(out)?,
        Ty::I64 => write_json(out, &r.i64()?),
        Ty::Bool => write_json(out, &r.bool()?),
        Ty::Time => TimestampText::read(r)?.write_json(out),
        Ty::Map => crate::json::write_map(out, &r.map("a map")?),
        Ty::Object(shape) => write_object(r, shape, out)?,
        Ty::Content => write_content_read(r, out)?,
        Ty::Json => crate::json::write_value(out, &r.value()?),
        Ty::ScheduleConfig => {
            let map = r.map("a map")?;
            write_schedule_config(map, out).map_err(ShapeError::into_read_error)?;
        }
    }
    Ok(())
}

/// A timestamp, as [`Timestamp`]'s `Deserialize` reads one.
pub(crate) fn read_timestamp(r: &mut Reader<'_>) -> Result<Timestamp, ReadError> {
    parsed_timestamp(&timestamp_str(r)?)
}

/// A timestamp's text, not yet parsed.
fn timestamp_str<'a>(r: &mut Reader<'a>) -> Result<Cow<'a, str>, ReadError> {
    if r.peek()? != b'"' {
        return Err(r.invalid_type("an RFC 3339 timestamp string"));
    }
    r.str()
}

/// The instant a timestamp's text says, or the error naming the text.
fn parsed_timestamp(text: &str) -> Result<Timestamp, ReadError> {
    Timestamp::parse(text).map_err(|e| ReadError::new(format!("invalid timestamp {text:?}: {e}")))
}

/// A timestamp read for its canonical JSON (at once, or after the
/// envelope's other fields): its text, and how it is written: from the
/// text alone when it is in the usual form, else from the instant it says.
pub(crate) struct TimestampText<'a> {
    text: Cow<'a, str>,
    written: Written,
}

/// How a [`TimestampText`] is written.
enum Written {
    Usual(UsualForm),
    FromInstant(Timestamp),
}

impl<'a> TimestampText<'a> {
    /// Reads a timestamp, refused as [`read_timestamp`] refuses one.
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<TimestampText<'a>, ReadError> {
        let text = timestamp_str(r)?;
        let written = match UsualForm::of(text.as_bytes()) {
            Some(form) => Written::Usual(form),
            None => Written::FromInstant(parsed_timestamp(&text)?),
        };
        Ok(TimestampText { text, written })
    }

    /// Writes its canonical JSON.
    pub(crate) fn write_json(&self, out: &mut Vec<u8>) {
        match self.written {
            Written::Usual(form) => form.write_json(self.text.as_bytes(), out),
            Written::FromInstant(instant) => instant.write_json(out),
        }
    }
}

/// Content: its fields read (a repeated one refused), then written by
/// [`write_content`]'s rules.
fn write_content_read(r: &mut Reader<'_>, out: &mut Vec<u8>) -> Result<(), ReadError> {
    // Content as the typed path writes it is written as it is read, as
    // objects in their shape's order are (see `write_object`).
    if r.peek()? == b'{'
        && in_order_or_rewound(r, out, |r, out| Ok(write_content_in_order(r, out)))?
    {
        return Ok(());
    }
    r.object("a content object with a \"type\"")?;
    let mut pairs: Vec<(Cow<'_, str>, Raw<'_>)> = Vec::new();
    while let Some(name) = r.key(pairs.is_empty())? {
        let value = at(|| Step::Key(name.to_string()), Raw::read(r))?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(match known_content_key(&name) {
                Some(known) => ReadError::duplicate(known),
                None => ReadError::duplicate(&name),
            });
        }
        pairs.push((name, value));
    }
    r.end_object()?;
    write_content(pairs, out).map_err(ShapeError::into_read_error)
}

/// [`write_content_read`] for content of a known kind written as
/// [`write_content`] writes it: `type` first, then the kind's fields in its
/// order, each a string (a text one may be absent), and no other key. Any
/// other content, or an error, is `false`, with the reader and `out`
/// part-way: the caller reads it again, and gives the errors.
fn write_content_in_order(r: &mut Reader<'_>, out: &mut Vec<u8>) -> bool {
    if r.enter().is_err() || !r.skip_exact(b"\"type\":") || r.peek().ok() != Some(b'"') {
        return false;
    }
    let Ok(Cow::Borrowed(kind)) = r.str() else {
        return false;
    };
    let Some((_, fields)) = CONTENT_KINDS.iter().find(|(k, _)| *k == kind) else {
        return false;
    };
    out.extend_from_slice(b"{\"type\":");
    write_plain_str(out, kind);
    for field in *fields {
        let name = field.name();
        let key = r.clone();
        let present = r.skip_exact(b",\"") && r.skip_exact(name.as_bytes()) && r.skip_exact(b"\":");
        if !present {
            *r = key;
        }
        match (present, field) {
            (true, ContentField::OptionalMap(_)) => return false,
            // Absent: a text field is written empty, the others left out.
            (false, ContentField::OptionalText(_) | ContentField::OptionalMap(_)) => continue,
            _ => {}
        }
        out.extend_from_slice(b",\"");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        if !present {
            out.extend_from_slice(b"\"\"");
        } else if r.copy_str(out).is_err() {
            return false;
        }
    }
    r.end_object().is_ok() && {
        out.push(b'}');
        true
    }
}

/// A content field's value: a string as the reader returned it (borrowed
/// from the body where it has no escape: the text of nearly every message),
/// anything else as a `Value`.
enum Raw<'a> {
    Text(Cow<'a, str>),
    Other(Value),
}

impl<'a> Raw<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Raw<'a>, ReadError> {
        Ok(if r.peek()? == b'"' {
            Raw::Text(r.str()?)
        } else {
            Raw::Other(r.value()?)
        })
    }

    /// A value from a map (content being sent). Its text is owned, not
    /// borrowed: only the reader's borrowed strings are known to need no
    /// escape ([`write_read_str`]).
    fn of(value: &Value) -> Raw<'a> {
        match value {
            Value::String(text) => Raw::Text(Cow::Owned(text.clone())),
            other => Raw::Other(other.clone()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Raw::Text(text) => Value::String(text.into_owned()),
            Raw::Other(value) => value,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Raw::Text(_) => "a string",
            Raw::Other(value) => describe_value(value),
        }
    }
}

/// Writes `value` as JSON (serde_json's writer, the typed path's).
pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing a str, a number, a timestamp or a `Value` to a Vec cannot
    // fail; the result is ignored rather than unwrapped.
    let _ = value.serialize(&mut serde_json::Serializer::new(out));
}

/// Why content or a schedule config was refused, in serde's terms.
enum ShapeError {
    Missing(&'static str),
    Custom(String),
}

impl ShapeError {
    fn into_message(self) -> String {
        match self {
            ShapeError::Missing(name) => format!("missing field `{name}`"),
            ShapeError::Custom(message) => message,
        }
    }

    fn into_read_error(self) -> ReadError {
        match self {
            ShapeError::Missing(name) => ReadError::missing(name),
            ShapeError::Custom(message) => ReadError::new(message),
        }
    }
}

/// Writes content from its fields (names unique), by the typed path's rules:
/// a known kind's fields checked and written after `type`, an unknown kind
/// kept whole.
fn write_content(
    mut pairs: Vec<(Cow<'_, str>, Raw<'_>)>,
    out: &mut Vec<u8>,
) -> Result<(), ShapeError> {
    let mut take = |name: &str| -> Option<Raw<'_>> {
        let i = pairs.iter().position(|(n, _)| n == name)?;
        Some(pairs.swap_remove(i).1)
    };
    let kind = match take("type") {
        Some(Raw::Text(t)) => t,
        Some(other) => {
            return Err(ShapeError::Custom(format!(
                "content \"type\" must be a string, not {}",
                other.describe()
            )));
        }
        None => return Err(ShapeError::Missing("type")),
    };
    let Some((_, fields)) = CONTENT_KINDS.iter().find(|(k, _)| *k == kind) else {
        // Inserted one by one rather than collected: `collect` into a map
        // compiles a sort per call site (≈ 6 KB of the web build's wasm).
        let mut raw = Map::new();
        for (name, value) in pairs {
            raw.insert(name.into_owned(), value.into_value());
        }
        raw.insert("type".to_string(), Value::String(kind.into_owned()));
        crate::json::write_map(out, &raw);
        return Ok(());
    };
    // Written straight into `out`: a refusal below fails the whole read,
    // which discards what was written.
    out.push(b'{');
    write_str(out, "type");
    out.push(b':');
    write_str(out, &kind);
    for field in *fields {
        let name = field.name();
        let value = take(name);
        if let Some(Raw::Other(Value::Null)) | None = value {
            if let ContentField::Text(_) = field {
                out.push(b',');
                write_str(out, name);
                out.extend_from_slice(b":\"\"");
            }
            continue;
        }
        out.push(b',');
        write_str(out, name);
        out.push(b':');
        match (value, field) {
            (Some(Raw::Text(text)), ContentField::Text(_) | ContentField::OptionalText(_)) => {
                write_read_str(out, &text)
            }
            (Some(Raw::Other(map @ Value::Object(_))), ContentField::OptionalMap(_)) => {
                crate::json::write_value(out, &map)
            }
            (Some(other), ContentField::OptionalMap(_)) => {
                return Err(ShapeError::Custom(format!(
                    "{name} must be an object, not {}",
                    other.describe()
                )));
            }
            (Some(other), _) => {
                return Err(ShapeError::Custom(format!(
                    "{name} must be a string, not {}",
                    other.describe()
                )));
            }
            // Absent and null were written or skipped above.
            (None, _) => {}
        }
    }
    out.push(b'}');
    Ok(())
}

/// Writes content to send from its fields, or says why it is refused.
pub(crate) fn write_content_value(
    map: &Map<String, Value>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let pairs = map
        .iter()
        .map(|(n, v)| (Cow::Borrowed(n.as_str()), Raw::of(v)))
        .collect();
    write_content(pairs, out).map_err(ShapeError::into_message)
}

/// Writes a schedule config argument, or says why it is refused.
pub(crate) fn write_schedule_config_value(
    map: &Map<String, Value>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    write_schedule_config(map.clone(), out).map_err(ShapeError::into_message)
}

/// A schedule config: `message` with its content, `node` with its node id,
/// any other `type` kept whole.
fn write_schedule_config(map: Map<String, Value>, out: &mut Vec<u8>) -> Result<(), ShapeError> {
    let kind = match map.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(_) => {
            return Err(ShapeError::Custom(
                "config \"type\" must be a string".into(),
            ));
        }
        None => return Err(ShapeError::Missing("type")),
    };
    match kind.as_str() {
        "message" => {
            // Taken by iterating, not with `remove`: `remove` compiles
            // BTreeMap's rebalancing into the web build for this alone.
            let message = map
                .into_iter()
                .find_map(|(name, value)| (name == "message").then_some(value))
                .ok_or(ShapeError::Missing("message"))?;
            let Value::Object(content) = message else {
                return Err(ShapeError::Custom(format!(
                    "content must be an object with a \"type\", not {}",
                    describe_value(&message)
                )));
            };
            out.extend_from_slice(br#"{"type":"message","message":"#);
            let pairs = content
                .iter()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Raw::of(v)))
                .collect();
            write_content(pairs, out)?;
            out.push(b'}');
        }
        "node" => match map.get("node_id") {
            Some(Value::String(node_id)) => {
                out.extend_from_slice(br#"{"type":"node","node_id":"#);
                write_str(out, node_id);
                out.push(b'}');
            }
            Some(_) => return Err(ShapeError::Custom("node_id must be a string".into())),
            None => return Err(ShapeError::Missing("node_id")),
        },
        _ => crate::json::write_map(out, &map),
    }
    Ok(())
}
