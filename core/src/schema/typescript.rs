//! The TypeScript declarations of the shapes, for the npm package's
//! `index.d.ts`: written from the schema, so that the types a JS user sees
//! are the ones the core reads and writes. `core/tests/generated.rs` checks
//! that the package's file holds them (and rewrites it with
//! `UPDATE_GENERATED=1`).

use std::fmt::Write as _;

use super::regions::{one_line, pascal};
use super::{
    AGENT, CONTENT_KINDS, ContentField, EVENTS, Field, MESSAGE, Presence, SESSION,
    SESSION_SCHEDULE, SURVEY_SUBMISSION, Shape, Ty,
};
use crate::types::{
    AgentType, DeliveryStatus, MessageRole, ScheduleStatus, SessionStatus, SurveySubmissionStatus,
};

/// The line before the generated region.
pub const BEGIN: &str =
    "// --- generated from core/src/schema by core/tests/generated.rs: begin ---";
/// The line after it.
pub const END: &str = "// --- generated from core/src/schema by core/tests/generated.rs: end ---";

/// Every open enum, by the name the bindings give its type.
pub const ENUMS: &[(&str, &[&str])] = &[
    ("SessionStatus", SessionStatus::KNOWN),
    ("MessageRole", MessageRole::KNOWN),
    ("DeliveryStatus", DeliveryStatus::KNOWN),
    ("AgentType", AgentType::KNOWN),
    ("SurveySubmissionStatus", SurveySubmissionStatus::KNOWN),
    ("ScheduleStatus", ScheduleStatus::KNOWN),
];

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn ts_type(ty: Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::I64 => "number".into(),
        Ty::Bool => "boolean".into(),
        Ty::Time => "Timestamp".into(),
        Ty::Map => "Metadata".into(),
        Ty::Json => "JsonValue".into(),
        Ty::Enum(values) => ENUMS
            .iter()
            .find(|(_, known)| *known == values)
            .map_or_else(
                || format!("Open<{}>", quoted(values)),
                |(name, _)| (*name).into(),
            ),
        Ty::Object(shape) => shape.name.into(),
        Ty::Content => "AnyMessageContent".into(),
        Ty::ScheduleConfig => {
            "ScheduleConfig | { type: string & {}; [key: string]: unknown }".into()
        }
    }
}

fn field(out: &mut String, f: &Field, field_doc: &str) {
    let mut doc = one_line(field_doc);
    match f.presence {
        Presence::CheckedOnly => return,
        Presence::Default(json) => {
            if !doc.is_empty() {
                doc.push(' ');
            }
            let _ = write!(
                doc,
                "Always present (`{}` when the server sent none).",
                json.trim_matches('"')
            );
        }
        Presence::Required | Presence::Optional => {}
    }
    if !doc.is_empty() {
        let _ = writeln!(out, "  /** {doc} */");
    }
    let optional = if f.presence == Presence::Optional {
        "?"
    } else {
        ""
    };
    let _ = writeln!(out, "  {}{optional}: {};", f.name, ts_type(f.ty));
}

fn interface(out: &mut String, shape: &Shape) {
    if !super::docs(shape).shape.is_empty() {
        let _ = writeln!(out, "/** {} */", one_line(super::docs(shape).shape));
    }
    let _ = writeln!(out, "export interface {} {{", shape.name);
    let field_docs = super::docs(shape).fields;
    for (i, f) in shape.fields.iter().enumerate() {
        let field_doc = field_docs.get(i).copied().unwrap_or("");
        field(out, f, field_doc);
    }
    out.push_str("}\n\n");
}

fn content_doc(kind: &str) -> Option<&'static str> {
    match kind {
        "function_call" => Some("The AI calling a tool (internal, never shown to users)."),
        "function_result" => Some("A tool's answer to a call (internal)."),
        "thought" => Some("The AI's internal reasoning; a channel never shows it."),
        _ => None,
    }
}

fn event_doc(event_type: &str) -> Option<&'static str> {
    match event_type {
        "session.finished" => {
            Some("`action`: why, when not closed by a call (`expired` after inactivity).")
        }
        "app.connection.created" => Some("The connection as sent (its shape is not specified)."),
        _ => None,
    }
}

/// The generated region's lines (without the marker lines).
pub fn declarations() -> String {
    let mut out = String::new();
    for (name, values) in ENUMS {
        let _ = writeln!(out, "export type {name} = Open<{}>;", quoted(values));
    }
    out.push('\n');
    let mut kinds = Vec::new();
    for (kind, fields) in CONTENT_KINDS {
        let name = format!("{}Content", pascal(kind));
        if let Some(doc) = content_doc(kind) {
            let _ = writeln!(out, "/** {doc} */");
        }
        let _ = write!(out, "export interface {name} {{ type: '{kind}';");
        for f in *fields {
            let (optional, ty) = match f {
                ContentField::Text(_) => ("", "string"),
                ContentField::OptionalText(_) => ("?", "string"),
                ContentField::OptionalMap(_) => ("?", "Metadata"),
            };
            let _ = write!(out, " {}{optional}: {ty};", f.name());
        }
        out.push_str(" }\n");
        kinds.push(name);
    }
    out.push_str("/** Content of a type this SDK version does not know, kept whole. */\n");
    out.push_str("export interface UnknownContent { type: string; [key: string]: unknown }\n");
    out.push_str("/** What a message says, discriminated on `type`. */\n");
    let _ = writeln!(
        out,
        "export type MessageContent =\n  | {};",
        kinds.join(" | ")
    );
    out.push('\n');
    for shape in [&AGENT, &SESSION, &MESSAGE, &SURVEY_SUBMISSION] {
        interface(&mut out, shape);
    }
    out.push_str("/** What a schedule does when its time comes. */\n");
    out.push_str("export type ScheduleConfig =\n");
    out.push_str("  | { type: 'message'; message: MessageContent }\n");
    out.push_str("  | { type: 'node'; node_id: string };\n\n");
    interface(&mut out, &SESSION_SCHEDULE);
    out.push_str("interface EventBase { id?: string; created_at?: Timestamp }\n");
    let mut events = Vec::new();
    for (event_type, data) in EVENTS {
        let name = format!("{}Event", pascal(event_type));
        if let Some(doc) = event_doc(event_type) {
            let _ = writeln!(out, "/** {doc} */");
        }
        let data_fields: Vec<String> = data
            .fields
            .iter()
            .filter(|f| f.presence != Presence::CheckedOnly)
            .map(|f| {
                let optional = if f.presence == Presence::Optional {
                    "?"
                } else {
                    ""
                };
                format!("{}{optional}: {}", f.name, ts_type(f.ty))
            })
            .collect();
        let _ = writeln!(
            out,
            "export interface {name} extends EventBase {{ type: '{event_type}'; data: {{ {} }} }}",
            data_fields.join("; ")
        );
        events.push(name);
    }
    out.push_str("export interface UnknownEvent { type: string; [key: string]: unknown }\n");
    let _ = writeln!(out, "export type KnownEvent =\n  | {};", events.join(" | "));
    out
}

/// `text` with its generated region replaced by [`declarations`]; `None`
/// when the markers are missing.
pub fn regenerate(text: &str) -> Option<String> {
    let begin = text.find(BEGIN)? + BEGIN.len();
    let end = text[begin..].find(END)? + begin;
    Some(format!(
        "{}\n{}{}",
        &text[..begin],
        declarations(),
        &text[end..]
    ))
}

/// The TypeScript type of an argument.
fn arg_type(ty: super::ArgTy) -> String {
    use super::ArgTy;
    match ty {
        ArgTy::Str => "string".into(),
        ArgTy::Enum(values) => ts_type(Ty::Enum(values)),
        ArgTy::I64 => "number".into(),
        ArgTy::Bool => "boolean".into(),
        ArgTy::Map => "Metadata".into(),
        ArgTy::TimeWithOffset => "TimestampInput".into(),
        ArgTy::Content => "MessageContent".into(),
        ArgTy::ScheduleConfig => "ScheduleConfig".into(),
        ArgTy::Object(args) => {
            let fields: Vec<String> = args.iter().map(arg_member).collect();
            format!("{{ {} }}", fields.join("; "))
        }
    }
}

/// One member of a parameters interface.
fn arg_member(arg: &super::Arg) -> String {
    use super::ArgPresence;
    match arg.presence {
        ArgPresence::Required => format!("{}: {}", arg.name, arg_type(arg.ty)),
        ArgPresence::Optional | ArgPresence::Default(_) => {
            format!("{}?: {}", arg.name, arg_type(arg.ty))
        }
        // Must be given, as null to mean "none" (`agent_id: null` removes it).
        ArgPresence::NullSent => format!("{}: {} | null", arg.name, arg_type(arg.ty)),
    }
}

/// The interfaces of the calls' parameter objects, from their signatures:
/// `sessions.create` → `SessionCreateParams` (every argument but the ids
/// the method takes positionally); an update's fields → `...UpdateFields`.
pub fn parameters() -> String {
    use super::{ArgPresence, ArgTy, Sent};
    let mut out = String::new();
    for spec in crate::ops::Call::SPECS {
        let (area, verb) = spec.name.split_once('.').unwrap_or((spec.name, ""));
        // `survey_submissions` → `SurveySubmission`, `sessions` → `Session`.
        let area = pascal(area.strip_suffix('s').unwrap_or(area));
        let verb = pascal(verb);
        let args = spec.signature.args;
        // An update's one object argument is its fields.
        let nested = args.iter().find_map(|a| match a.ty {
            ArgTy::Object(inner) if a.name == "fields" => Some(inner),
            _ => None,
        });
        let (name, members): (String, Vec<String>) = match nested {
            Some(inner) => (
                format!("{area}{verb}Fields"),
                inner.iter().map(arg_member).collect(),
            ),
            None => (
                format!(
                    "{area}{verb}{}",
                    if verb == "Update" { "Fields" } else { "Params" }
                ),
                args.iter()
                    .filter(|a| !(a.sent == Sent::Path && a.presence == ArgPresence::Required))
                    .map(arg_member)
                    .collect(),
            ),
        };
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "/** The parameters of `{}`. */", spec.name);
        let _ = writeln!(out, "export interface {name} {{");
        for m in members {
            let _ = writeln!(out, "  {m};");
        }
        out.push_str("}\n");
    }
    out
}

/// The npm package's `core_constants.js`: the core's constants that the JS
/// wrapper reads when it is evaluated, which may be before its WebAssembly is
/// loaded (an edge runtime calls `init()` after importing). Written here, from
/// the core's own declarations, so that the browser's wasm need not carry an
/// export per constant (`core/tests/generated.rs` keeps the file current).
pub fn constants_js() -> String {
    use serde_json::{Map, Value, json};
    let content: Map<String, Value> = CONTENT_KINDS
        .iter()
        .map(|(kind, _)| {
            let fields: Vec<&str> = super::fields_to_send(kind).collect();
            ((*kind).to_string(), json!(fields))
        })
        .collect();
    let tape_ops = json!({
        "bits": crate::tape::OP_BITS,
        "object": crate::tape::op::OBJECT,
        "array": crate::tape::op::ARRAY,
        "key": crate::tape::op::KEY,
        "keyText": crate::tape::op::KEY_TEXT,
        "keyEscaped": crate::tape::op::KEY_ESCAPED,
        "string": crate::tape::op::STRING,
        "stringEscaped": crate::tape::op::STRING_ESCAPED,
        "number": crate::tape::op::NUMBER,
        "true": crate::tape::op::TRUE,
        "false": crate::tape::op::FALSE,
        "null": crate::tape::op::NULL,
    });
    let values: [(&str, Value); 10] = [
        ("version", json!(crate::SDK_VERSION)),
        ("defaultBaseUrl", json!(crate::DEFAULT_BASE_URL)),
        (
            "defaultTotalTimeoutMs",
            json!(crate::exchange::DEFAULT_TOTAL_TIMEOUT.as_millis() as u64),
        ),
        ("knownEventTypes", json!(crate::webhook::KNOWN_EVENT_TYPES)),
        ("signatureHeaders", json!(crate::webhook::SIGNATURE_HEADERS)),
        ("callNames", json!(crate::Call::NAMES)),
        ("contentFieldsToSend", Value::Object(content)),
        ("whatsappErrors", json!(crate::channel::WHATSAPP_ERRORS)),
        // The web build's event tape (core/src/tape.rs): its item kinds, and
        // the keys it gives by index.
        ("tapeOps", tape_ops),
        ("tapeKeys", json!(crate::tape::keys())),
    ];
    let mut out = String::from(
        "// Generated from the core by core/tests/generated.rs: do not edit.\n\
         // The core's constants, readable before its WebAssembly is loaded.\n",
    );
    for (name, value) in values {
        let _ = writeln!(out, "export const {name} = {value};");
    }
    out
}
