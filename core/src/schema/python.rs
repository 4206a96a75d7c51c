//! The Python binding's resource attributes: each resource class's
//! `model!` entries in `bindings-python/src/models.rs` (and so the getters
//! and `_core.pyi`'s stubs, which that table drives), written from the
//! schema. Attributes computed from others (`channel_type`, `is_outbound`)
//! stay hand-written below each generated region.

use std::fmt::Write as _;

use super::regions::one_line;
use super::{
    AGENT, CONTENT_DOCS, CONTENT_KINDS, ContentField, MESSAGE, Presence, SESSION, SESSION_SCHEDULE,
    SURVEY_SUBMISSION, Shape, Ty,
};

/// The marker prefix in a Rust file.
pub const PREFIX: &str = "//";

/// The `model!` kind of a field: how its getter reads the Rust value and
/// what Python type the stub gives it.
fn kind(name: &str, ty: Ty, presence: Presence, var: &str) -> String {
    let optional = presence == Presence::Optional;
    match (ty, optional) {
        (Ty::Str, false) => "str".into(),
        (Ty::Str, true) => "opt_str".into(),
        // An agent's `type` is its kind's: read through the core's accessor.
        (Ty::Enum(_), false) if name == "type" => format!("enum_str = {var}.agent_type()"),
        (Ty::Enum(_), false) => "enum_str".into(),
        (Ty::Enum(_), true) => "opt_enum_str".into(),
        (Ty::I64, true) => "opt_int".into(),
        (Ty::Time, true) => "opt_time".into(),
        (Ty::Map, false) => "map".into(),
        (Ty::Json | Ty::ScheduleConfig, true) => "opt_json".into(),
        (Ty::Content, false) => "model(content_to_py) => \"_Content\"".into(),
        (Ty::Object(shape), true) => format!(
            "opt_model({}_to_py) => \"Optional[_{}]\"",
            shape.name.to_ascii_lowercase(),
            shape.name
        ),
        (other, _) => format!("compile_error!(\"no model! kind for {other:?}\")"),
    }
}

fn attributes(shape: &Shape, only_for_type: Option<&str>, var: &str) -> String {
    let mut out = String::new();
    let field_docs = super::docs(shape).fields;
    for (i, f) in shape.fields.iter().enumerate() {
        let field_doc = field_docs.get(i).copied().unwrap_or("");
        if f.only_for_type != only_for_type || f.presence == Presence::CheckedOnly {
            continue;
        }
        let name = if f.name == "type" { "r#type" } else { f.name };
        let _ = writeln!(out, "        /// {}", one_line(field_doc));
        let _ = writeln!(
            out,
            "        {name}: {};",
            kind(f.name, f.ty, f.presence, var)
        );
    }
    out
}

/// A content kind's fields for `content_classes!`: the always-written
/// ones, then (after `;`) the optional ones.
fn content_fields(kind: &str) -> String {
    let Some(i) = CONTENT_KINDS.iter().position(|(k, _)| *k == kind) else {
        return format!("        compile_error!(\"no content kind {kind}\");\n");
    };
    let docs = CONTENT_DOCS.get(i).map_or(&[][..], |(_, d)| *d);
    let fields: Vec<(usize, &ContentField)> = CONTENT_KINDS[i].1.iter().enumerate().collect();
    let line = |out: &mut String, (j, f): &(usize, &ContentField), kind: &str| {
        let _ = writeln!(
            out,
            "        /// {}",
            one_line(docs.get(*j).copied().unwrap_or(""))
        );
        let _ = writeln!(out, "        {}: {kind},", f.name());
    };
    let mut out = String::new();
    for field in fields
        .iter()
        .filter(|(_, f)| matches!(f, ContentField::Text(_)))
    {
        line(&mut out, field, "str");
    }
    let optional: Vec<_> = fields
        .iter()
        .filter(|(_, f)| !matches!(f, ContentField::Text(_)))
        .collect();
    if !optional.is_empty() {
        out.push_str("        ;\n");
        for field in optional {
            let kind = match field.1 {
                ContentField::OptionalMap(_) => "opt_map",
                _ => "opt_str",
            };
            line(&mut out, field, kind);
        }
    }
    out
}

/// Every generated region of `models.rs`: its name and its lines.
pub fn regions() -> Vec<(String, String)> {
    let content = CONTENT_KINDS
        .iter()
        .map(|(kind, _)| (format!("content {kind}"), content_fields(kind)));
    content
        .chain([
            ("Session".into(), attributes(&SESSION, None, "s")),
            ("Message".into(), attributes(&MESSAGE, None, "m")),
            ("Agent".into(), attributes(&AGENT, None, "a")),
            ("Agent, type ai".into(), attributes(&AGENT, Some("ai"), "a")),
            (
                "Agent, type human".into(),
                attributes(&AGENT, Some("human"), "a"),
            ),
            (
                "SurveySubmission".into(),
                attributes(&SURVEY_SUBMISSION, None, "s"),
            ),
            (
                "SessionSchedule".into(),
                attributes(&SESSION_SCHEDULE, None, "s"),
            ),
        ])
        .collect()
}
