//! Message content: eight known kinds, tagged by `type`, and a lossless fallback.

use std::fmt;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::schema::{ContentField, known_content_key};

/// Declares every known content kind once: its struct (fields in wire
/// order, with serde's rules: a `text` field reads as `""` when absent or
/// null, an optional one is left out), its place in [`MessageContent`], its
/// reading and writing, and its row of the schema's
/// [`CONTENT_KINDS`](crate::schema::CONTENT_KINDS) with the docs the
/// generated surfaces use. Field kinds: `text` (a string, always written),
/// `optional_text` (a string or nothing), `optional_map` (a JSON object or
/// nothing).
macro_rules! content_kinds {
    ($(
        $(#[doc = $kdoc:literal])*
        $variant:ident($name:ident) = $tag:literal {
            $( $(#[doc = $fdoc:literal])* $field:ident : $kind:ident, )+
        }
    )+) => {
        $( content_kinds!(@struct [$(#[doc = $kdoc])*] $name [] $( [$(#[doc = $fdoc])*] $field $kind )+); )+

        /// The content of a message, tagged by `type` on the wire.
        #[derive(Debug, Clone, PartialEq)]
        pub enum MessageContent {
            $(
                #[doc = concat!("`", $tag, "`")]
                $variant($name),
            )+
            /// Any other `type`.
            Unknown(UnknownContent),
        }

        impl MessageContent {
            /// The `type` tag as sent on the wire.
            pub fn content_type(&self) -> &str {
                match self {
                    $( MessageContent::$variant(_) => $tag, )+
                    MessageContent::Unknown(u) => &u.content_type,
                }
            }
        }

        impl Serialize for MessageContent {
            /// A known kind with its tag first, as the vendor's models do.
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let tag = self.content_type();
                match self {
                    $( MessageContent::$variant(c) => Tagged { tag, inner: c }.serialize(s), )+
                    MessageContent::Unknown(u) => u.raw.serialize(s),
                }
            }
        }

        impl Fields {
            /// The content of known kind `tag`, or `None` for another kind.
            fn known(&mut self, tag: &str) -> Result<Option<MessageContent>, serde_json::Error> {
                Ok(Some(match tag {
                    $( $tag => MessageContent::$variant($name {
                        $( $field: self.$kind(stringify!($field))?, )+
                    }), )+
                    _ => return Ok(None),
                }))
            }
        }

        /// Every content kind this version knows: its `type` and its fields,
        /// in output order (after `type`). Any other kind is kept whole.
        pub const CONTENT_KINDS: &[(&str, &[ContentField])] = &[
            $( ($tag, &[ $( content_kinds!(@field $kind $field), )+ ]), )+
        ];

        /// The docs of each content kind and its fields, in
        /// [`CONTENT_KINDS`]' order, for the generated surfaces.
        pub const CONTENT_DOCS: &[(&str, &[&str])] = &[
            $( (concat!("" $(, $kdoc)*), &[ $( concat!("" $(, $fdoc)*), )+ ]), )+
        ];
    };
    (@field text $field:ident) => { ContentField::Text(stringify!($field)) };
    (@field optional_text $field:ident) => { ContentField::OptionalText(stringify!($field)) };
    (@field optional_map $field:ident) => { ContentField::OptionalMap(stringify!($field)) };
    (@struct [$($doc:tt)*] $name:ident [$($fields:tt)*] [$($fdoc:tt)*] $field:ident text $($rest:tt)*) => {
        content_kinds!(@struct [$($doc)*] $name [$($fields)* $($fdoc)* #[serde(default)] pub $field: String,] $($rest)*);
    };
    (@struct [$($doc:tt)*] $name:ident [$($fields:tt)*] [$($fdoc:tt)*] $field:ident optional_text $($rest:tt)*) => {
        content_kinds!(@struct [$($doc)*] $name [$($fields)* $($fdoc)*
            #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<String>,] $($rest)*);
    };
    (@struct [$($doc:tt)*] $name:ident [$($fields:tt)*] [$($fdoc:tt)*] $field:ident optional_map $($rest:tt)*) => {
        content_kinds!(@struct [$($doc)*] $name [$($fields)* $($fdoc)*
            #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<Map<String, Value>>,] $($rest)*);
    };
    (@struct [$($doc:tt)*] $name:ident [$($fields:tt)*]) => {
        $($doc)*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct $name { $($fields)* }
    };
}

content_kinds! {
    /// `type: "text"`: text, possibly rendered from a template.
    Text(TextContent) = "text" {
        /// The text.
        text: text,
        /// The template it was rendered from (WhatsApp templates).
        template_id: optional_text,
        /// The template's parameters.
        template_parameters: optional_map,
    }
    /// `type: "image"`.
    Image(ImageContent) = "image" {
        /// Where the image can be downloaded.
        url: text,
    }
    /// `type: "video"`.
    Video(VideoContent) = "video" {
        /// Where the video can be downloaded.
        url: text,
    }
    /// `type: "audio"`.
    Audio(AudioContent) = "audio" {
        /// Where the audio can be downloaded.
        url: text,
        /// What was said, when transcribed.
        transcript: optional_text,
    }
    /// `type: "file"`.
    File(FileContent) = "file" {
        /// Where the file can be downloaded.
        url: text,
        /// Its MIME type, e.g. `application/pdf`.
        mime_type: text,
        /// Its file name.
        name: text,
    }
    /// `type: "function_call"`: the AI agent calling a tool (internal, never shown to users).
    FunctionCall(FunctionCallContent) = "function_call" {
        /// The call's id, matched by the result.
        id: text,
        /// The function's name.
        name: text,
        /// The arguments, a JSON document as a string.
        input: text,
    }
    /// `type: "function_result"`: a tool's answer to a call (internal).
    FunctionResult(FunctionResultContent) = "function_result" {
        /// The id of the call answered.
        id: text,
        /// The function's name.
        name: text,
        /// The result, as a string.
        output: text,
    }
    /// `type: "thought"`: the AI agent's internal reasoning; a channel never shows it.
    Thought(ThoughtContent) = "thought" {
        /// The reasoning.
        thought: text,
    }
}

/// Content of a `type` this SDK version does not know, kept whole.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownContent {
    /// The `type` as sent.
    pub content_type: String,
    /// Every field as sent, `type` included.
    pub raw: Map<String, Value>,
}

impl MessageContent {
    /// Plain text content.
    pub fn text(text: impl Into<String>) -> MessageContent {
        MessageContent::Text(TextContent {
            text: text.into(),
            ..TextContent::default()
        })
    }

    /// Whether a channel should show this to the user: everything except the AI's
    /// internal `thought`, `function_call` and `function_result`. Content of an
    /// unknown type counts as deliverable so that it is surfaced, not dropped.
    pub fn is_deliverable(&self) -> bool {
        is_deliverable_kind(self.content_type())
    }

    /// Reads content from a JSON value (the form bindings receive from their host).
    pub fn from_json(value: Value) -> Result<MessageContent, serde_json::Error> {
        match value {
            Value::Object(map) => content_from_map(map),
            other => Err(serde_json::Error::custom(format_args!(
                "content must be an object with a \"type\", not {}",
                json_type_name(&other)
            ))),
        }
    }

    /// The content as a JSON object, `type` included.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// [`MessageContent::is_deliverable`] by the content's `type` alone.
pub(crate) fn is_deliverable_kind(content_type: &str) -> bool {
    !matches!(
        content_type,
        "thought" | "function_call" | "function_result"
    )
}

pub(crate) fn json_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn content_from_map(map: Map<String, Value>) -> Result<MessageContent, serde_json::Error> {
    let mut fields = Fields::default();
    for (key, value) in map {
        match known_content_key(&key) {
            None => fields.other.push((key, value)),
            Some(known) => fields.push(known, value)?,
        }
    }
    fields.finish()
}

/// Reads content that is to be sent: unlike a response, where a missing field
/// reads as empty, every field its kind requires must be there, so that
/// `{"type": "text"}` is refused instead of sending an empty message.
pub(crate) fn deserialize_outgoing<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<MessageContent, D::Error> {
    let map = Map::<String, Value>::deserialize(deserializer)?;
    let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
    if let Some(missing) =
        crate::schema::fields_to_send(kind).find(|key| map.get(*key).is_none_or(Value::is_null))
    {
        return Err(D::Error::custom(format_args!(
            "{kind} content needs `{missing}`"
        )));
    }
    content_from_map(map).map_err(D::Error::custom)
}

/// Every field of one content object, gathered in one pass; the kind is only
/// known once `type` has been seen, which may come last. A field some known
/// kind has is kept under the tables' own name (no allocation per key).
#[derive(Default)]
struct Fields {
    known: Vec<(&'static str, Value)>,
    other: Vec<(String, Value)>,
}

impl Fields {
    /// Adds a field; a repeated one is refused, so that a signed body cannot
    /// mean one text to a verifier that reads the first and another to one
    /// that reads the last.
    fn push(&mut self, key: &'static str, value: Value) -> Result<(), serde_json::Error> {
        if self.known.iter().any(|(k, _)| *k == key) {
            return Err(serde_json::Error::duplicate_field(key));
        }
        self.known.push((key, value));
        Ok(())
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        let i = self.known.iter().position(|(k, _)| *k == key)?;
        Some(self.known.swap_remove(i).1)
    }

    /// An `optional_text` field.
    fn optional_text(&mut self, name: &str) -> Result<Option<String>, serde_json::Error> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(serde_json::Error::custom(format_args!(
                "{name} must be a string, not {}",
                json_type_name(&other)
            ))),
        }
    }

    /// A `text` field: `""` when absent or null.
    fn text(&mut self, name: &str) -> Result<String, serde_json::Error> {
        Ok(self.optional_text(name)?.unwrap_or_default())
    }

    /// An `optional_map` field.
    fn optional_map(
        &mut self,
        name: &str,
    ) -> Result<Option<Map<String, Value>>, serde_json::Error> {
        match self.take(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(serde_json::Error::custom(format_args!(
                "{name} must be an object, not {}",
                json_type_name(&other)
            ))),
        }
    }

    fn finish(mut self) -> Result<MessageContent, serde_json::Error> {
        let content_type = match self.take("type") {
            Some(Value::String(t)) => t,
            Some(other) => {
                return Err(serde_json::Error::custom(format_args!(
                    "content \"type\" must be a string, not {}",
                    json_type_name(&other)
                )));
            }
            None => return Err(serde_json::Error::missing_field("type")),
        };
        if let Some(content) = self.known(&content_type)? {
            return Ok(content);
        }
        let mut raw = Map::new();
        raw.insert("type".to_string(), Value::String(content_type.clone()));
        for (key, value) in self.known {
            raw.insert(key.to_string(), value);
        }
        raw.extend(self.other);
        Ok(MessageContent::Unknown(UnknownContent {
            content_type,
            raw,
        }))
    }
}

impl<'de> Deserialize<'de> for MessageContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ContentVisitor;
        impl<'de> Visitor<'de> for ContentVisitor {
            type Value = MessageContent;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a content object with a \"type\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MessageContent, A::Error> {
                let mut fields = Fields::default();
                while let Some(super::Text(name)) = map.next_key::<super::Text<'de>>()? {
                    let value: Value = map.next_value()?;
                    match known_content_key(&name) {
                        None if fields.other.iter().any(|(n, _)| *n == name) => {
                            return Err(A::Error::custom(format_args!("duplicate field `{name}`")));
                        }
                        None => fields.other.push((name.into_owned(), value)),
                        Some(key) => fields.push(key, value).map_err(A::Error::custom)?,
                    }
                }
                fields.finish().map_err(A::Error::custom)
            }
        }
        deserializer.deserialize_map(ContentVisitor)
    }
}

/// Serializes a known kind with its tag first, as the vendor's models do.
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    tag: &'a str,
    #[serde(flatten)]
    inner: &'a T,
}
