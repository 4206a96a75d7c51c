//! Generated regions inside hand-written files: each region sits between a
//! begin and an end marker line naming what it was generated from, and is
//! rewritten whole. `core/tests/generated.rs` checks every such file is
//! current (and rewrites it with `UPDATE_GENERATED=1`).

/// The begin marker of region `name`, after a line comment's `prefix`.
pub fn begin(prefix: &str, name: &str) -> String {
    format!(
        "{prefix} --- generated from core/src/schema ({name}) by core/tests/generated.rs: begin ---"
    )
}

/// The end marker of region `name`.
pub fn end(prefix: &str, name: &str) -> String {
    format!(
        "{prefix} --- generated from core/src/schema ({name}) by core/tests/generated.rs: end ---"
    )
}

/// `text` with each named region's lines replaced by its generated ones.
/// Markers are found by their text whatever their indentation; a region
/// whose markers are missing is an error naming it.
pub fn rewrite(text: &str, prefix: &str, regions: &[(String, String)]) -> Result<String, String> {
    let mut out = text.to_string();
    for (name, body) in regions {
        let (b, e) = (begin(prefix, name), end(prefix, name));
        let start = out
            .find(&b)
            .ok_or_else(|| format!("no begin marker for region {name}"))?;
        let body_start = out[start..]
            .find('\n')
            .map(|i| start + i + 1)
            .ok_or_else(|| format!("region {name}: nothing after its begin marker"))?;
        let end_marker = out[body_start..]
            .find(&e)
            .map(|i| body_start + i)
            .ok_or_else(|| format!("no end marker for region {name}"))?;
        // The end marker's own indentation stays as it was.
        let line_start = out[..end_marker].rfind('\n').map_or(0, |i| i + 1);
        out.replace_range(body_start..line_start, body);
    }
    Ok(out)
}

/// A one-line doc from a schema doc (`concat!` of `///` lines).
pub(crate) fn one_line(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `function_call` → `FunctionCall`, `message.created` → `MessageCreated`.
pub(crate) fn pascal(name: &str) -> String {
    name.split(['_', '.'])
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}
