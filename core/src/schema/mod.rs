//! The API's shapes as data: every resource's fields, their wire types and
//! presence rules, declared once as [`Shape`] tables, and one generic
//! [transcoder](transcode) that reads a response body against a shape and
//! writes the canonical JSON the typed path writes (the form the shared
//! vectors pin: timestamps normalized, unknown fields dropped, open enums
//! kept, defaults filled in).
//!
//! Why a table: a serde derive compiles one decoder and one encoder per type,
//! which is most of the WebAssembly build's size; the transcoder is one code
//! path for every type. The typed structs in [`crate::types`] stay for native
//! callers; a test checks that each struct's fields are the table's
//! (`every_resource_struct_has_its_shapes_fields`), and a differential test and
//! fuzz target check that both paths agree on every input.

mod arguments;
mod declare;
#[doc(hidden)]
pub mod differential;
pub mod python;
pub mod regions;
mod transcode;
pub mod typescript;
pub mod uniffi;

pub(crate) use declare::resource;

pub use arguments::{
    Arg, ArgPresence, ArgTy, BodyForm, Check, ReadArguments, Seg, Sent, Signature, read_arguments,
    request_parts,
};
pub(crate) use arguments::{id, optional, path_id, required};
pub use transcode::{Root, transcode};
pub(crate) use transcode::{
    TimestampText, into_text, read_timestamp, transcode_into, write_object,
};

/// How a field's value is read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    Str,
    /// A signed 64-bit integer.
    I64,
    /// `true` or `false`.
    Bool,
    /// An RFC 3339 timestamp, written back normalized (UTC, `Z`, shortest
    /// fraction).
    Time,
    /// A free-form JSON object (`metadata`), written with sorted keys.
    Map,
    /// A string from an open set: the known values are listed, any other
    /// value is kept as sent.
    Enum(&'static [&'static str]),
    /// A nested object of the given shape.
    Object(&'static Shape),
    /// A message's content: a union tagged by `type` (see [`CONTENT_KINDS`]),
    /// kept whole when the kind is unknown.
    Content,
    /// A schedule's config: `message` (with content), `node`, or kept whole.
    ScheduleConfig,
    /// Any JSON value, `null` included, written with sorted keys.
    Json,
}

/// Whether a field must be present, and what its absence means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Must be present and not null.
    Required,
    /// May be absent or null; then it is left out of the output.
    Optional,
    /// May be absent or null; then the output holds this JSON text.
    Default(&'static str),
    /// May be absent or null; checked when present, never written.
    CheckedOnly,
}

/// One field of a shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name on the wire.
    pub name: &'static str,
    /// `,"name":`, the field's key as the canonical form writes it after
    /// another field (without the comma when it comes first): one copy
    /// where writing the name, its quotes and the punctuation was five.
    pub written_key: &'static str,
    /// How the value is read and written.
    pub ty: Ty,
    /// Whether it must be there.
    pub presence: Presence,
    /// Written only when the shape's `type` field has this value (an agent's
    /// `assistant_id` belongs to `ai` agents); read and checked always.
    pub only_for_type: Option<&'static str>,
}

/// What a shape and its fields are, one sentence each: the documentation
/// every generated surface (TypeScript, Python, Kotlin, Swift) gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Docs {
    /// The shape's.
    pub shape: &'static str,
    /// Each field's, in the shape's order.
    pub fields: &'static [&'static str],
}

/// The docs of a resource shape (empty for the others).
pub fn docs(shape: &Shape) -> Docs {
    use crate::types::{Message, Session, SessionSchedule, SurveySubmission};
    match shape.name {
        "Session" => Session::DOCS,
        "Message" => Message::DOCS,
        "Agent" => crate::types::AgentWire::DOCS,
        "SurveySubmission" => SurveySubmission::DOCS,
        "SessionSchedule" => SessionSchedule::DOCS,
        _ => Docs {
            shape: "",
            fields: &[],
        },
    }
}

/// An object's fields, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The resource's name, as the bindings name its class.
    pub name: &'static str,
    /// Its fields, in output order.
    pub fields: &'static [Field],
}

/// A field of one of the shapes declared here (the resources' come from
/// [`resource!`](declare::resource)): `field!(Required "name", ty)`.
macro_rules! field {
    ($presence:ident $name:literal, $ty:expr) => {
        Field {
            name: $name,
            written_key: concat!(",\"", $name, "\":"),
            ty: $ty,
            presence: Presence::$presence,
            only_for_type: None,
        }
    };
}

impl Shape {
    /// The field called `name`, if the shape has one.
    pub fn field(&self, name: &str) -> Option<(usize, &'static Field)> {
        self.fields.iter().enumerate().find(|(_, f)| f.name == name)
    }
}

pub use crate::types::{AGENT, MESSAGE, SESSION, SESSION_SCHEDULE, SURVEY_SUBMISSION};

/// A webhook's `data` for `message.created`.
pub const MESSAGE_EVENT_DATA: Shape = Shape {
    name: "Data",
    fields: &[
        field!(Required "object", Ty::Object(&MESSAGE)),
        field!(CheckedOnly "action", Ty::Str),
    ],
};

/// A webhook's `data` for `session.created` and `session.transferred`.
pub const SESSION_EVENT_DATA: Shape = Shape {
    name: "Data",
    fields: &[
        field!(Required "object", Ty::Object(&SESSION)),
        field!(CheckedOnly "action", Ty::Str),
    ],
};

/// A webhook's `data` for `session.finished`: the session and, when it was
/// not closed by a call, why (`"expired"`).
pub const SESSION_FINISHED_EVENT_DATA: Shape = Shape {
    name: "Data",
    fields: &[
        field!(Required "object", Ty::Object(&SESSION)),
        field!(Optional "action", Ty::Str),
    ],
};

/// A webhook's `data` for `app.connection.created` (the connection's shape
/// is not specified: kept as sent).
pub const CONNECTION_EVENT_DATA: Shape = Shape {
    name: "Data",
    fields: &[
        field!(Required "object", Ty::Json),
        field!(CheckedOnly "action", Ty::Str),
    ],
};

/// The `data` shape of each event type this version knows (the others are
/// kept whole).
pub const EVENTS: &[(&str, &Shape)] = &[
    ("message.created", &MESSAGE_EVENT_DATA),
    ("session.created", &SESSION_EVENT_DATA),
    ("session.transferred", &SESSION_EVENT_DATA),
    ("session.finished", &SESSION_FINISHED_EVENT_DATA),
    ("app.connection.created", &CONNECTION_EVENT_DATA),
];

/// The `data` shape of an event type, when this version knows it.
pub fn event_data(event_type: &str) -> Option<&'static Shape> {
    EVENTS
        .iter()
        .find(|(t, _)| *t == event_type)
        .map(|(_, shape)| *shape)
}

/// A content field: a string read as empty when absent or null, or an
/// optional one left out then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentField {
    /// A string, `""` when absent or null (always written).
    Text(&'static str),
    /// A string, left out when absent or null.
    OptionalText(&'static str),
    /// A JSON object, left out when absent or null.
    OptionalMap(&'static str),
}

impl ContentField {
    /// The field's wire name.
    pub const fn name(&self) -> &'static str {
        match self {
            ContentField::Text(n)
            | ContentField::OptionalText(n)
            | ContentField::OptionalMap(n) => n,
        }
    }
}

pub use crate::types::content::{CONTENT_DOCS, CONTENT_KINDS};

/// Every content field name any kind knows, as the tables' own string
/// (`type` included): how content readers match keys and refuse repeats.
pub(crate) fn known_content_key(name: &str) -> Option<&'static str> {
    if name == "type" {
        return Some("type");
    }
    CONTENT_KINDS
        .iter()
        .flat_map(|(_, fields)| fields.iter())
        .map(ContentField::name)
        .find(|n| *n == name)
}

/// The fields content of `kind` must carry to be sent (its always-written
/// strings: `text` for text, `url` for media, ...): none for a kind this
/// version does not know.
pub fn fields_to_send(kind: &str) -> impl Iterator<Item = &'static str> {
    CONTENT_KINDS
        .iter()
        .filter(move |(k, _)| *k == kind)
        .flat_map(|(_, fields)| fields.iter())
        .filter(|f| matches!(f, ContentField::Text(_)))
        .map(ContentField::name)
}

/// Every resource shape, for generators and checks.
pub const RESOURCES: &[&Shape] = &[
    &SESSION,
    &MESSAGE,
    &AGENT,
    &SURVEY_SUBMISSION,
    &SESSION_SCHEDULE,
];

#[cfg(test)]
mod tests;

#[cfg(test)]
mod arguments_tests;
