//! The Kotlin and Swift binding's resource records: the `uniffi::Record`
//! structs in `bindings-uniffi/src/types.rs`, written from the schema. They
//! keep the wire's field names, so each is read from the core's canonical
//! JSON by one serde hop (camelCase in Kotlin and Swift is uniffi's).

use std::fmt::Write as _;

use super::regions::one_line;
use super::typescript::ENUMS;
use super::{AGENT, MESSAGE, Presence, SESSION, SESSION_SCHEDULE, SURVEY_SUBMISSION, Shape, Ty};

/// The marker prefix in a Rust file.
pub const PREFIX: &str = "//";

/// The record field's Rust type, and the serde attribute its wire form needs.
fn rust_type(ty: Ty) -> (String, Option<&'static str>) {
    match ty {
        Ty::Str | Ty::Time => ("String".into(), None),
        Ty::I64 => ("i64".into(), None),
        Ty::Bool => ("bool".into(), None),
        Ty::Map | Ty::Json => ("String".into(), Some("#[serde(with = \"json_text\")]")),
        Ty::Enum(values) => (
            ENUMS
                .iter()
                .find(|(_, known)| *known == values)
                .map_or_else(|| "String".into(), |(name, _)| (*name).into()),
            None,
        ),
        Ty::Object(shape) => (shape.name.into(), None),
        Ty::Content => ("MessageContent".into(), None),
        Ty::ScheduleConfig => ("ScheduleConfig".into(), None),
    }
}

fn record(out: &mut String, shape: &Shape) {
    let _ = writeln!(out, "/// {}", one_line(super::docs(shape).shape));
    out.push_str("#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, uniffi::Record)]\n");
    let _ = writeln!(out, "pub struct {} {{", shape.name);
    let field_docs = super::docs(shape).fields;
    for (i, f) in shape.fields.iter().enumerate() {
        let field_doc = field_docs.get(i).copied().unwrap_or("");
        if f.presence == Presence::CheckedOnly {
            continue;
        }
        let (ty, with) = rust_type(f.ty);
        let mut doc = one_line(field_doc);
        match f.ty {
            Ty::Time => doc = format!("{} (RFC 3339, UTC).", doc.trim_end_matches('.')),
            Ty::Map | Ty::Json => doc.push_str(" As JSON text (`{}` when none)."),
            _ => {}
        }
        let _ = writeln!(out, "    /// {doc}");
        let optional = f.presence == Presence::Optional;
        if f.name == "type" {
            out.push_str("    #[serde(rename = \"type\")]\n");
        }
        if optional && with.is_some() {
            let _ = writeln!(
                out,
                "    compile_error!(\"an optional {} has no record form\");",
                f.name
            );
        }
        if optional {
            out.push_str("    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n");
        }
        if let Some(with) = with {
            let _ = writeln!(out, "    {with}");
        }
        let name = if f.name == "type" {
            format!("{}_type", shape.name.to_ascii_lowercase())
        } else {
            f.name.to_string()
        };
        let ty = if optional {
            format!("Option<{ty}>")
        } else {
            ty
        };
        let _ = writeln!(out, "    pub {name}: {ty},");
    }
    out.push_str("}\n");
}

/// Every generated region of `types.rs`: its name and its lines.
pub fn regions() -> Vec<(String, String)> {
    let mut out = String::new();
    for (i, shape) in [
        &SESSION,
        &MESSAGE,
        &AGENT,
        &SURVEY_SUBMISSION,
        &SESSION_SCHEDULE,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        record(&mut out, shape);
    }
    vec![("resources".into(), out)]
}
