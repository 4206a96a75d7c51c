//! Message content: eight known kinds, tagged by `type`, and a lossless fallback.

use std::fmt;

use serde::de::{Error as _, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// `type: "text"`: text, possibly rendered from a template.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TextContent {
    /// The text.
    #[serde(default)]
    pub text: String,
    /// The template it was rendered from (WhatsApp templates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The template's parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_parameters: Option<Map<String, Value>>,
}

/// `type: "image"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImageContent {
    /// Where the image can be downloaded.
    #[serde(default)]
    pub url: String,
}

/// `type: "video"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VideoContent {
    /// Where the video can be downloaded.
    #[serde(default)]
    pub url: String,
}

/// `type: "audio"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AudioContent {
    /// Where the audio can be downloaded.
    #[serde(default)]
    pub url: String,
    /// What was said, when transcribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
}

/// `type: "file"`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileContent {
    /// Where the file can be downloaded.
    #[serde(default)]
    pub url: String,
    /// Its MIME type, e.g. `application/pdf`.
    #[serde(default)]
    pub mime_type: String,
    /// Its file name.
    #[serde(default)]
    pub name: String,
}

/// `type: "function_call"`: the AI agent calling a tool (internal, never shown to users).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FunctionCallContent {
    /// The call's id, matched by the result.
    #[serde(default)]
    pub id: String,
    /// The function's name.
    #[serde(default)]
    pub name: String,
    /// The arguments, a JSON document as a string.
    #[serde(default)]
    pub input: String,
}

/// `type: "function_result"`: a tool's answer to a call (internal).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FunctionResultContent {
    /// The id of the call answered.
    #[serde(default)]
    pub id: String,
    /// The function's name.
    #[serde(default)]
    pub name: String,
    /// The result, as a string.
    #[serde(default)]
    pub output: String,
}

/// `type: "thought"`: the AI agent's internal reasoning; a channel never shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ThoughtContent {
    /// The reasoning.
    #[serde(default)]
    pub thought: String,
}

/// Content of a `type` this SDK version does not know, kept whole.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownContent {
    /// The `type` as sent.
    pub content_type: String,
    /// Every field as sent, `type` included.
    pub raw: Map<String, Value>,
}

/// The content of a message, tagged by `type` on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum MessageContent {
    /// `text`
    Text(TextContent),
    /// `image`
    Image(ImageContent),
    /// `video`
    Video(VideoContent),
    /// `audio`
    Audio(AudioContent),
    /// `file`
    File(FileContent),
    /// `function_call`
    FunctionCall(FunctionCallContent),
    /// `function_result`
    FunctionResult(FunctionResultContent),
    /// `thought`
    Thought(ThoughtContent),
    /// Any other `type`.
    Unknown(UnknownContent),
}

impl MessageContent {
    /// Plain text content.
    pub fn text(text: impl Into<String>) -> MessageContent {
        MessageContent::Text(TextContent {
            text: text.into(),
            ..TextContent::default()
        })
    }

    /// The `type` tag as sent on the wire.
    pub fn content_type(&self) -> &str {
        match self {
            MessageContent::Text(_) => "text",
            MessageContent::Image(_) => "image",
            MessageContent::Video(_) => "video",
            MessageContent::Audio(_) => "audio",
            MessageContent::File(_) => "file",
            MessageContent::FunctionCall(_) => "function_call",
            MessageContent::FunctionResult(_) => "function_result",
            MessageContent::Thought(_) => "thought",
            MessageContent::Unknown(u) => &u.content_type,
        }
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
        match Key::from_name(&key) {
            Key::Other => fields.other.push((key, value)),
            known => fields.push(known, value)?,
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

/// A field name of any known content kind, matched without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    Text,
    TemplateId,
    TemplateParameters,
    Url,
    Transcript,
    MimeType,
    Name,
    Id,
    Input,
    Output,
    Thought,
    Other,
}

impl Key {
    const ALL: [(&'static str, Key); 12] = [
        ("type", Key::Type),
        ("text", Key::Text),
        ("template_id", Key::TemplateId),
        ("template_parameters", Key::TemplateParameters),
        ("url", Key::Url),
        ("transcript", Key::Transcript),
        ("mime_type", Key::MimeType),
        ("name", Key::Name),
        ("id", Key::Id),
        ("input", Key::Input),
        ("output", Key::Output),
        ("thought", Key::Thought),
    ];

    fn from_name(name: &str) -> Key {
        Key::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Key::Other, |(_, k)| *k)
    }
}

/// Every field of one content object, gathered in one pass; the kind is only
/// known once `type` has been seen, which may come last.
#[derive(Default)]
struct Fields {
    known: Vec<(Key, Value)>,
    other: Vec<(String, Value)>,
}

impl Fields {
    /// Adds a field; a repeated one is refused, so that a signed body cannot
    /// mean one text to a verifier that reads the first and another to one
    /// that reads the last.
    fn push(&mut self, key: Key, value: Value) -> Result<(), serde_json::Error> {
        if key != Key::Other && self.known.iter().any(|(k, _)| *k == key) {
            let name = Key::ALL
                .iter()
                .find(|(_, k)| *k == key)
                .map_or("?", |(n, _)| *n);
            return Err(serde_json::Error::duplicate_field(name));
        }
        self.known.push((key, value));
        Ok(())
    }

    fn take(&mut self, key: Key) -> Option<Value> {
        let i = self.known.iter().position(|(k, _)| *k == key)?;
        Some(self.known.swap_remove(i).1)
    }

    fn string(&mut self, key: Key, name: &str) -> Result<Option<String>, serde_json::Error> {
        match self.take(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(serde_json::Error::custom(format_args!(
                "{name} must be a string, not {}",
                json_type_name(&other)
            ))),
        }
    }

    fn text(&mut self, key: Key, name: &str) -> Result<String, serde_json::Error> {
        Ok(self.string(key, name)?.unwrap_or_default())
    }

    fn finish(mut self) -> Result<MessageContent, serde_json::Error> {
        let content_type = match self.take(Key::Type) {
            Some(Value::String(t)) => t,
            Some(other) => {
                return Err(serde_json::Error::custom(format_args!(
                    "content \"type\" must be a string, not {}",
                    json_type_name(&other)
                )));
            }
            None => return Err(serde_json::Error::missing_field("type")),
        };
        Ok(match content_type.as_str() {
            "text" => MessageContent::Text(TextContent {
                text: self.text(Key::Text, "text")?,
                template_id: self.string(Key::TemplateId, "template_id")?,
                template_parameters: match self.take(Key::TemplateParameters) {
                    None | Some(Value::Null) => None,
                    Some(Value::Object(m)) => Some(m),
                    Some(other) => {
                        return Err(serde_json::Error::custom(format_args!(
                            "template_parameters must be an object, not {}",
                            json_type_name(&other)
                        )));
                    }
                },
            }),
            "image" => MessageContent::Image(ImageContent {
                url: self.text(Key::Url, "url")?,
            }),
            "video" => MessageContent::Video(VideoContent {
                url: self.text(Key::Url, "url")?,
            }),
            "audio" => MessageContent::Audio(AudioContent {
                url: self.text(Key::Url, "url")?,
                transcript: self.string(Key::Transcript, "transcript")?,
            }),
            "file" => MessageContent::File(FileContent {
                url: self.text(Key::Url, "url")?,
                mime_type: self.text(Key::MimeType, "mime_type")?,
                name: self.text(Key::Name, "name")?,
            }),
            "function_call" => MessageContent::FunctionCall(FunctionCallContent {
                id: self.text(Key::Id, "id")?,
                name: self.text(Key::Name, "name")?,
                input: self.text(Key::Input, "input")?,
            }),
            "function_result" => MessageContent::FunctionResult(FunctionResultContent {
                id: self.text(Key::Id, "id")?,
                name: self.text(Key::Name, "name")?,
                output: self.text(Key::Output, "output")?,
            }),
            "thought" => MessageContent::Thought(ThoughtContent {
                thought: self.text(Key::Thought, "thought")?,
            }),
            _ => {
                let mut raw = Map::new();
                raw.insert("type".to_string(), Value::String(content_type.clone()));
                for (key, value) in self.known {
                    if let Some((name, _)) = Key::ALL.iter().find(|(_, k)| *k == key) {
                        raw.insert((*name).to_string(), value);
                    }
                }
                raw.extend(self.other);
                MessageContent::Unknown(UnknownContent { content_type, raw })
            }
        })
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
                    match Key::from_name(&name) {
                        Key::Other if fields.other.iter().any(|(n, _)| *n == name) => {
                            return Err(A::Error::custom(format_args!("duplicate field `{name}`")));
                        }
                        Key::Other => fields.other.push((name.into_owned(), value)),
                        key => fields.push(key, value).map_err(A::Error::custom)?,
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

impl Serialize for MessageContent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let tag = self.content_type();
        match self {
            MessageContent::Text(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::Image(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::Video(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::Audio(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::File(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::FunctionCall(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::FunctionResult(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::Thought(c) => Tagged { tag, inner: c }.serialize(s),
            MessageContent::Unknown(u) => u.raw.serialize(s),
        }
    }
}
