//! One decoder for every shape: reads a JSON body against a [`Shape`] with
//! serde's `DeserializeSeed` (so serde_json's reader is the typed path's
//! own) and writes the canonical JSON the typed path would serialize.
//!
//! It names the path of its errors itself, in its one run: each level steps
//! onto the [read path](crate::ops::read_path) as it reads a value, as
//! `serde_path_to_error` does for the typed path. The typed path runs a
//! failed decode again through that crate's wrapper deserializer, which
//! compiles a second copy of everything it reads; the web build, which
//! reads only through this decoder, carries one.
//!
//! It follows the typed path's rules field by field — serde derive's for the
//! structs (unknown fields ignored, a repeated field refused, a struct read
//! from an array position by position), and the hand-written ones for
//! content and schedule configs — so that both give the same output, or an
//! error of the same kind at the same path. `tests.rs` checks that on every
//! shared vector; the `transcode` fuzz target on arbitrary bodies.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{CONTENT_KINDS, ContentField, Field, Presence, Shape, Ty, known_content_key};
use crate::error::Error;
use crate::ops::read_path::{Segment, Tracked};
use crate::ops::{Decode, decode_shaped_with, describe_value};
use crate::time::Timestamp;
use crate::types::Text;

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
    let (open, what) = match root {
        Root::One(_) => (b'{', "an object"),
        Root::List(_) => (b'[', "an array"),
    };
    decode_shaped_with(
        body,
        open,
        what,
        RootReader {
            root,
            start: out.len(),
            out,
        },
    )
}

/// Canonical JSON as text. Every byte written is ASCII punctuation or text
/// serde_json wrote from a `str`, so this never fails; the error is for
/// form's sake.
pub(crate) fn into_text(out: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(out).map_err(|_| Error::decode("", "the canonical form is not UTF-8"))
}

/// Reads the whole body into `out`; run again (after a reset) with path
/// tracking when the first run failed.
struct RootReader<'o> {
    root: Root,
    /// Where this body's text begins in `out`.
    start: usize,
    out: &'o mut Vec<u8>,
}

impl<'de> Decode<'de> for RootReader<'_> {
    type Output = ();

    fn run<D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        match self.root {
            Root::One(shape) => ObjectSeed {
                shape,
                out: &mut *self.out,
            }
            .deserialize(d),
            Root::List(shape) => d.deserialize_seq(ListVisitor {
                shape,
                out: &mut *self.out,
            }),
        }
    }

    fn reset(&mut self) {
        self.out.truncate(self.start);
    }

    const TRACKS_PATH: bool = true;
}

struct ListVisitor<'o> {
    shape: &'static Shape,
    out: &'o mut Vec<u8>,
}

impl<'de> Visitor<'de> for ListVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.out.push(b'[');
        let mut index = 0;
        loop {
            let mark = self.out.len();
            if index > 0 {
                self.out.push(b',');
            }
            let element = Tracked {
                seed: ObjectSeed {
                    shape: self.shape,
                    out: &mut *self.out,
                },
                segment: Segment::Index(index),
            };
            if seq.next_element_seed(element)?.is_none() {
                self.out.truncate(mark);
                break;
            }
            index += 1;
        }
        self.out.push(b']');
        Ok(())
    }
}

/// Reads one object of `shape` from `d` and writes its canonical form.
pub(crate) fn write_object<'de, D: Deserializer<'de>>(
    shape: &'static Shape,
    d: D,
    out: &mut Vec<u8>,
) -> Result<(), D::Error> {
    ObjectSeed { shape, out }.deserialize(d)
}

/// One object of a shape, written to `out`.
struct ObjectSeed<'o> {
    shape: &'static Shape,
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // As serde derive does: an object, or an array read field by field.
        d.deserialize_struct(self.shape.name, &[], self)
    }
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

impl ObjectSeed<'_> {
    fn write<E: de::Error>(self, slots: &[Slot], scratch: &[u8]) -> Result<(), E> {
        let tag = self.type_tag(slots, scratch);
        let out = self.out;
        out.push(b'{');
        let mut first = true;
        for (field, slot) in self.shape.fields.iter().zip(slots) {
            if field
                .only_for_type
                .is_some_and(|only| tag.as_deref() != Some(only))
            {
                continue;
            }
            let value: &[u8] = match (*slot, field.presence) {
                (_, Presence::CheckedOnly) => continue,
                (Slot::At(start, end), _) => &scratch[start..end],
                (Slot::Absent, Presence::Required) => return Err(E::missing_field(field.name)),
                (_, Presence::Default(text)) => text.as_bytes(),
                (_, _) => continue,
            };
            if !first {
                out.push(b',');
            }
            first = false;
            write_str(out, field.name);
            out.push(b':');
            out.extend_from_slice(value);
        }
        out.push(b'}');
        Ok(())
    }

    /// The shape's `type` value, when some field depends on it.
    fn type_tag(&self, slots: &[Slot], scratch: &[u8]) -> Option<String> {
        if self.shape.fields.iter().all(|f| f.only_for_type.is_none()) {
            return None;
        }
        let (i, _) = self.shape.field("type")?;
        match slots.get(i)? {
            Slot::At(start, end) => serde_json::from_slice(&scratch[*start..*end]).ok(),
            _ => None,
        }
    }
}

impl<'de> Visitor<'de> for ObjectSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.shape.name)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut slots = Slots::new(self.shape.fields.len());
        let mut scratch = Vec::with_capacity(256);
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            let Some((i, field)) = self.shape.field(&key) else {
                map.next_value_seed(Tracked {
                    seed: PhantomData::<IgnoredAny>,
                    segment: Segment::Key(key.into_owned()),
                })?;
                continue;
            };
            if !matches!(slots[i], Slot::Absent) {
                return Err(A::Error::duplicate_field(field.name));
            }
            let start = scratch.len();
            let (written, _) = map.next_value_seed(Tracked {
                seed: FieldSeed {
                    field,
                    out: &mut scratch,
                },
                segment: Segment::Field(field.name),
            })?;
            slots[i] = if written {
                Slot::At(start, scratch.len())
            } else {
                Slot::Null
            };
        }
        self.write(&slots, &scratch)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut slots = Slots::new(self.shape.fields.len());
        let mut scratch = Vec::with_capacity(256);
        for (i, field) in self.shape.fields.iter().enumerate() {
            let start = scratch.len();
            let element = Tracked {
                seed: FieldSeed {
                    field,
                    out: &mut scratch,
                },
                segment: Segment::Index(i),
            };
            match seq.next_element_seed(element)?.map(|(written, _)| written) {
                Some(true) => slots[i] = Slot::At(start, scratch.len()),
                Some(false) => slots[i] = Slot::Null,
                // serde derive: a missing element is the field's default,
                // or an error for a field without one.
                None if field.presence == Presence::Required => {
                    return Err(A::Error::invalid_length(i, &self));
                }
                None => {}
            }
        }
        self.write(&slots, &scratch)
    }
}

/// One field's value; `true` when a value was written, `false` for a null
/// that the field's presence rule allows.
struct FieldSeed<'o> {
    field: &'static Field,
    out: &'o mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        match self.field.presence {
            Presence::Required => {
                write_value(self.field.ty, d, self.out)?;
                Ok(true)
            }
            Presence::Optional | Presence::Default(_) | Presence::CheckedOnly => {
                d.deserialize_option(self)
            }
        }
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        write_value(self.field.ty, d, self.out)?;
        Ok(true)
    }
}

/// Reads one non-null value of type `ty` and writes its canonical form,
/// with the leaf types' own `Deserialize` (the typed path's checks and
/// messages).
fn write_value<'de, D: Deserializer<'de>>(ty: Ty, d: D, out: &mut Vec<u8>) -> Result<(), D::Error> {
    match ty {
        Ty::Str | Ty::Enum(_) => {
            let Text(text) = Text::deserialize(d)?;
            write_str(out, &text);
        }
        Ty::I64 => write_json(out, &i64::deserialize(d)?),
        Ty::Bool => write_json(out, &bool::deserialize(d)?),
        Ty::Time => write_json(out, &Timestamp::deserialize(d)?),
        Ty::Map => write_json(out, &read_map(d)?),
        Ty::Object(shape) => ObjectSeed { shape, out }.deserialize(d)?,
        Ty::Content => d.deserialize_map(ContentVisitor { out })?,
        Ty::Json => write_json(out, &ValueSeed.deserialize(d)?),
        Ty::ScheduleConfig => {
            let map = read_map(d)?;
            write_schedule_config(map, out).map_err(|e| e.into_de::<D::Error>())?;
        }
    }
    Ok(())
}

/// Reads any JSON value as serde_json's `Value` does (the typed path's
/// reading), each key and index on the [read path](read_path) as it goes.
struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        ValueSeed.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some((item, _)) = seq.next_element_seed(Tracked {
            seed: ValueSeed,
            segment: Segment::Index(items.len()),
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        MapVisitor.visit_map(map).map(Value::Object)
    }
}

/// Any JSON document as a `Value`, naming the path of an error itself (one
/// run; see [`Decode::TRACKS_PATH`]).
pub(crate) struct ValueReader;

impl<'de> Decode<'de> for ValueReader {
    type Output = Value;
    fn run<D: Deserializer<'de>>(&mut self, d: D) -> Result<Value, D::Error> {
        ValueSeed.deserialize(d)
    }
    const TRACKS_PATH: bool = true;
}

/// A JSON object read as serde_json's `Map` does, tracking its path.
struct MapVisitor;

impl<'de> Visitor<'de> for MapVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Map<String, Value>, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let (value, segment) = map.next_value_seed(Tracked {
                seed: ValueSeed,
                segment: Segment::Key(key),
            })?;
            if let Segment::Key(key) = segment {
                out.insert(key, value);
            }
        }
        Ok(out)
    }
}

/// A JSON object (`metadata`, a schedule's config), tracking its path.
fn read_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    d.deserialize_map(MapVisitor)
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_json(out, s);
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

    fn into_de<E: de::Error>(self) -> E {
        match self {
            ShapeError::Missing(name) => E::missing_field(name),
            ShapeError::Custom(message) => E::custom(message),
        }
    }
}

struct ContentVisitor<'o> {
    out: &'o mut Vec<u8>,
}

impl<'de> Visitor<'de> for ContentVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a content object with a \"type\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut pairs: Vec<(Cow<'de, str>, Value)> = Vec::new();
        while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
            let (value, _) = map.next_value_seed(Tracked {
                seed: ValueSeed,
                segment: Segment::Key(name.to_string()),
            })?;
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(match known_content_key(&name) {
                    Some(known) => A::Error::duplicate_field(known),
                    None => A::Error::custom(format_args!("duplicate field `{name}`")),
                });
            }
            pairs.push((name, value));
        }
        write_content(pairs, self.out).map_err(ShapeError::into_de)
    }
}

/// Writes content from its fields (names unique), by the typed path's rules:
/// a known kind's fields checked and written after `type`, an unknown kind
/// kept whole.
fn write_content(
    mut pairs: Vec<(Cow<'_, str>, Value)>,
    out: &mut Vec<u8>,
) -> Result<(), ShapeError> {
    let mut take = |name: &str| -> Option<Value> {
        let i = pairs.iter().position(|(n, _)| n == name)?;
        Some(pairs.swap_remove(i).1)
    };
    let kind = match take("type") {
        Some(Value::String(t)) => t,
        Some(other) => {
            return Err(ShapeError::Custom(format!(
                "content \"type\" must be a string, not {}",
                describe_value(&other)
            )));
        }
        None => return Err(ShapeError::Missing("type")),
    };
    let Some((_, fields)) = CONTENT_KINDS.iter().find(|(k, _)| *k == kind) else {
        let mut raw: Map<String, Value> = pairs
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v))
            .collect();
        raw.insert("type".to_string(), Value::String(kind));
        write_json(out, &raw);
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
        let value = match (take(name), field) {
            (None | Some(Value::Null), ContentField::Text(_)) => Value::String(String::new()),
            (None | Some(Value::Null), _) => continue,
            (Some(v @ Value::String(_)), ContentField::Text(_) | ContentField::OptionalText(_)) => {
                v
            }
            (Some(v @ Value::Object(_)), ContentField::OptionalMap(_)) => v,
            (Some(other), ContentField::OptionalMap(_)) => {
                return Err(ShapeError::Custom(format!(
                    "{name} must be an object, not {}",
                    describe_value(&other)
                )));
            }
            (Some(other), _) => {
                return Err(ShapeError::Custom(format!(
                    "{name} must be a string, not {}",
                    describe_value(&other)
                )));
            }
        };
        out.push(b',');
        write_str(out, name);
        out.push(b':');
        write_json(out, &value);
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
        .map(|(n, v)| (Cow::Borrowed(n.as_str()), v.clone()))
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
fn write_schedule_config(mut map: Map<String, Value>, out: &mut Vec<u8>) -> Result<(), ShapeError> {
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
            let message = map
                .remove("message")
                .ok_or(ShapeError::Missing("message"))?;
            let Value::Object(content) = message else {
                return Err(ShapeError::Custom(format!(
                    "content must be an object with a \"type\", not {}",
                    describe_value(&message)
                )));
            };
            out.extend_from_slice(br#"{"type":"message","message":"#);
            let pairs = content
                .into_iter()
                .map(|(n, v)| (Cow::Owned(n), v))
                .collect();
            write_content(pairs, out)?;
            out.push(b'}');
        }
        "node" => match map.remove("node_id") {
            Some(Value::String(node_id)) => {
                out.extend_from_slice(br#"{"type":"node","node_id":"#);
                write_str(out, &node_id);
                out.push(b'}');
            }
            Some(_) => return Err(ShapeError::Custom("node_id must be a string".into())),
            None => return Err(ShapeError::Missing("node_id")),
        },
        _ => write_json(out, &map),
    }
    Ok(())
}
