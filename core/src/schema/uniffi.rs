//! The Kotlin and Swift binding's resource records: the `uniffi::Record`
//! structs in `bindings-uniffi/src/types.rs`, written from the schema. They
//! keep the wire's field names, so each is read from the core's canonical
//! JSON by one serde hop (camelCase in Kotlin and Swift is uniffi's).

use std::fmt::Write as _;

use super::regions::{one_line, pascal};
use super::typescript::ENUMS;
use super::{
    AGENT, CONTENT_DOCS, CONTENT_KINDS, ContentField, MESSAGE, Presence, SESSION, SESSION_SCHEDULE,
    SURVEY_SUBMISSION, Shape, Ty,
};

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

/// The content enum, its conversion from the core's, and its wire form.
fn content() -> String {
    let mut out = String::new();
    out.push_str("/// A message's content, by kind. `Unknown` keeps a kind this SDK version\n");
    out.push_str("/// does not know, every field included.\n");
    out.push_str("#[derive(Debug, Clone, PartialEq, uniffi::Enum)]\npub enum MessageContent {\n");
    for (i, (kind, fields)) in CONTENT_KINDS.iter().enumerate() {
        let (kind_doc, docs) = CONTENT_DOCS.get(i).copied().unwrap_or(("", &[]));
        let _ = writeln!(out, "    /// {}", one_line(kind_doc));
        let _ = writeln!(out, "    {} {{", pascal(kind));
        for (j, f) in fields.iter().enumerate() {
            let mut doc = one_line(docs.get(j).copied().unwrap_or(""));
            if matches!(f, ContentField::OptionalMap(_)) {
                doc.push_str(" As a JSON object's text.");
            }
            let _ = writeln!(out, "        /// {doc}");
            let ty = match f {
                ContentField::Text(_) => "String",
                _ => {
                    out.push_str("        #[uniffi(default)]\n");
                    "Option<String>"
                }
            };
            let _ = writeln!(out, "        {}: {ty},", f.name());
        }
        out.push_str("    },\n");
    }
    out.push_str("    /// A kind this SDK version does not know.\n    Unknown {\n");
    out.push_str("        /// The `type` as sent.\n        content_type: String,\n");
    out.push_str("        /// Every field as sent (`type` included), as JSON text.\n");
    out.push_str("        raw_json: String,\n    },\n}\n\n");

    out.push_str("impl From<core::MessageContent> for MessageContent {\n");
    out.push_str("    fn from(c: core::MessageContent) -> Self {\n");
    out.push_str("        use core::MessageContent as C;\n        match c {\n");
    for (kind, fields) in CONTENT_KINDS {
        let variant = pascal(kind);
        let _ = writeln!(
            out,
            "            C::{variant}(k) => MessageContent::{variant} {{"
        );
        for f in *fields {
            let name = f.name();
            match f {
                ContentField::OptionalMap(_) => {
                    let _ = writeln!(out, "                {name}: k.{name}.map(object_text),");
                }
                _ => {
                    let _ = writeln!(out, "                {name}: k.{name},");
                }
            }
        }
        out.push_str("            },\n");
    }
    out.push_str("            C::Unknown(u) => MessageContent::Unknown {\n");
    out.push_str("                content_type: u.content_type,\n");
    out.push_str("                raw_json: object_text(u.raw),\n            },\n");
    out.push_str("        }\n    }\n}\n\n");

    out.push_str("impl MessageContent {\n");
    out.push_str(
        "    /// The content as the wire's JSON object, for the core to check and read.\n",
    );
    out.push_str("    /// Only JSON text given by the host can fail to parse.\n");
    out.push_str("    pub(crate) fn to_wire(&self) -> Result<Value, AntonniaError> {\n");
    out.push_str("        let mut o = Map::new();\n        match self {\n");
    for (kind, fields) in CONTENT_KINDS {
        let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
        let _ = writeln!(
            out,
            "            MessageContent::{} {{ {} }} => {{",
            pascal(kind),
            names.join(", ")
        );
        let _ = writeln!(
            out,
            "                o.insert(\"type\".into(), \"{kind}\".into());"
        );
        for f in *fields {
            let name = f.name();
            match f {
                ContentField::Text(_) => {
                    let _ = writeln!(
                        out,
                        "                o.insert(\"{name}\".into(), {name}.as_str().into());"
                    );
                }
                ContentField::OptionalText(_) => {
                    let _ = writeln!(out, "                if let Some(v) = {name} {{");
                    let _ = writeln!(
                        out,
                        "                    o.insert(\"{name}\".into(), v.as_str().into());"
                    );
                    out.push_str("                }\n");
                }
                ContentField::OptionalMap(_) => {
                    let _ = writeln!(out, "                if let Some(v) = {name} {{");
                    let _ = writeln!(
                        out,
                        "                    o.insert(\"{name}\".into(), json_text_value(\"content.{name}\", v)?);"
                    );
                    out.push_str("                }\n");
                }
            }
        }
        out.push_str("            }\n");
    }
    out.push_str("            MessageContent::Unknown { raw_json, .. } => {\n");
    out.push_str("                return json_text_value(\"content\", raw_json);\n            }\n");
    out.push_str("        }\n        Ok(Value::Object(o))\n    }\n}\n");
    out
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
    vec![("resources".into(), out), ("content".into(), content())]
}
