//! Request-body validation that answers like the service's FastAPI/pydantic
//! layer: every problem found, each with its `loc`, `msg` and `type`.

use serde_json::{Map, Value, json};

use crate::api::failure::ApiFailure;
use crate::wire::{Content, Time};

/// Collects the problems of one request body.
#[derive(Debug, Default)]
pub(crate) struct Validator {
    problems: Vec<Value>,
}

/// Where a field sits: `["body", "fields", "status"]`.
pub(crate) type Loc<'a> = &'a [&'a str];

impl Validator {
    pub(crate) fn new() -> Validator {
        Validator::default()
    }

    /// Records a problem at `loc` + `name`.
    pub(crate) fn problem(&mut self, loc: Loc<'_>, name: Option<&str>, kind: &str, msg: &str) {
        let mut path: Vec<Value> = loc.iter().map(|s| json!(s)).collect();
        if let Some(name) = name {
            path.push(json!(name));
        }
        self.problems
            .push(json!({ "type": kind, "loc": path, "msg": msg }));
    }

    /// The body (or a nested value) as an object. `Null` (no body) counts as
    /// missing when `required`, and as an empty object otherwise.
    pub(crate) fn object<'a>(
        &mut self,
        value: &'a Value,
        loc: Loc<'_>,
        required: bool,
    ) -> Option<&'a Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            Value::Null if !required => None,
            Value::Null => {
                self.problem(loc, None, "missing", "Field required");
                None
            }
            _ => {
                self.problem(
                    loc,
                    None,
                    "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from",
                );
                None
            }
        }
    }

    /// A field that may be absent or null (`None`, no problem); otherwise
    /// `read` takes its value, or a `kind` problem is recorded with `msg()`.
    fn field<T>(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
        kind: &str,
        msg: impl FnOnce() -> String,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Option<T> {
        let value = obj.get(name).filter(|v| !v.is_null())?;
        let read = read(value);
        if read.is_none() {
            self.problem(loc, Some(name), kind, &msg());
        }
        read
    }

    /// Whether a required field is there; records `missing` when it is not.
    pub(crate) fn present(&mut self, obj: &Map<String, Value>, loc: Loc<'_>, name: &str) -> bool {
        let present = obj.get(name).is_some_and(|v| !v.is_null());
        if !present {
            self.problem(loc, Some(name), "missing", "Field required");
        }
        present
    }

    /// A string that must be present and non-null.
    pub(crate) fn required_str(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<String> {
        self.present(obj, loc, name)
            .then(|| self.optional_str(obj, loc, name))
            .flatten()
    }

    /// A string that may be absent or null.
    pub(crate) fn optional_str(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<String> {
        self.field(
            obj,
            loc,
            name,
            "string_type",
            || "Input should be a valid string".into(),
            |v| v.as_str().map(str::to_owned),
        )
    }

    /// An integer in `min..=max` that may be absent or null. Like pydantic's
    /// lax mode, `3.0` is read as `3`.
    pub(crate) fn optional_int(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let n = self.field(
            obj,
            loc,
            name,
            "int_type",
            || "Input should be a valid integer".into(),
            |v| {
                v.as_i64().or_else(|| {
                    v.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
            },
        )?;
        if n < min {
            self.problem(
                loc,
                Some(name),
                "greater_than_equal",
                &format!("Input should be greater than or equal to {min}"),
            );
            return None;
        }
        if n > max {
            self.problem(
                loc,
                Some(name),
                "less_than_equal",
                &format!("Input should be less than or equal to {max}"),
            );
            return None;
        }
        Some(n)
    }

    /// A boolean that may be absent or null.
    pub(crate) fn optional_bool(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<bool> {
        self.field(
            obj,
            loc,
            name,
            "bool_type",
            || "Input should be a valid boolean".into(),
            Value::as_bool,
        )
    }

    /// One of `allowed`, absent or null allowed.
    pub(crate) fn optional_enum(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
        allowed: &[&str],
    ) -> Option<String> {
        self.field(
            obj,
            loc,
            name,
            "enum",
            || expected_one_of(allowed),
            |v| {
                v.as_str()
                    .filter(|s| allowed.contains(s))
                    .map(str::to_owned)
            },
        )
    }

    /// One of `allowed`, required.
    pub(crate) fn required_enum(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
        allowed: &[&str],
    ) -> Option<String> {
        self.present(obj, loc, name)
            .then(|| self.optional_enum(obj, loc, name, allowed))
            .flatten()
    }

    /// An object that may be absent or null.
    pub(crate) fn optional_object(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<Map<String, Value>> {
        self.field(
            obj,
            loc,
            name,
            "dict_type",
            || "Input should be a valid dictionary".into(),
            |v| v.as_object().cloned(),
        )
    }

    /// An RFC 3339 time that may be absent or null.
    pub(crate) fn optional_time(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<Time> {
        let text = self.field(
            obj,
            loc,
            name,
            "datetime_type",
            || "Input should be a valid datetime".into(),
            |v| v.as_str().map(str::to_owned),
        )?;
        let parsed = Time::parse(&text);
        if parsed.is_none() {
            self.problem(
                loc,
                Some(name),
                "datetime_from_date_parsing",
                "Input should be a valid datetime",
            );
        }
        parsed
    }

    /// An RFC 3339 time that must be present and non-null.
    pub(crate) fn required_time(
        &mut self,
        obj: &Map<String, Value>,
        loc: Loc<'_>,
        name: &str,
    ) -> Option<Time> {
        self.present(obj, loc, name)
            .then(|| self.optional_time(obj, loc, name))
            .flatten()
    }

    /// Whether nothing was wrong so far.
    #[cfg(test)]
    pub(crate) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// `Ok` when the body was valid, else the 422 listing every problem.
    pub(crate) fn finish(self) -> Result<(), ApiFailure> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ApiFailure::invalid(self.problems))
        }
    }
}

/// The request body as an object. No body at all is an empty object when
/// `required` is false (every field optional) and a 422 otherwise.
pub(crate) fn body_object(value: Value, required: bool) -> Result<Map<String, Value>, ApiFailure> {
    let mut v = Validator::new();
    match value {
        Value::Object(map) => return Ok(map),
        Value::Null if !required => return Ok(Map::new()),
        other => {
            v.object(&other, &["body"], true);
        }
    }
    Err(ApiFailure::invalid(v.problems))
}

/// pydantic's wording: `Input should be 'open' or 'closed'`.
pub(crate) fn expected_one_of(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("Input should be {} or {last}", rest.join(", "))
        }
        Some((only, _)) => format!("Input should be {only}"),
        None => "Input should be one of no values".to_string(),
    }
}

/// The content kinds the service accepts, with the string fields each requires.
const CONTENT_KINDS: &[(&str, &[&str])] = &[
    ("text", &["text"]),
    ("image", &["url"]),
    ("video", &["url"]),
    ("audio", &["url"]),
    ("file", &["url", "mime_type", "name"]),
    ("function_call", &["id", "name", "input"]),
    ("function_result", &["id", "name", "output"]),
    ("thought", &["thought"]),
];

/// Validates a message content object at `loc` and reads it.
pub(crate) fn content(v: &mut Validator, value: Option<&Value>, loc: Loc<'_>) -> Option<Content> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        v.problem(loc, None, "missing", "Field required");
        return None;
    };
    let obj = v.object(value, loc, true)?;
    let kind = match obj.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) | None => {
            v.problem(
                loc,
                None,
                "union_tag_not_found",
                "Unable to extract tag using discriminator 'type'",
            );
            return None;
        }
    };
    let Some((_, required)) = CONTENT_KINDS.iter().find(|(k, _)| *k == kind) else {
        let tags: Vec<String> = CONTENT_KINDS
            .iter()
            .map(|(k, _)| format!("'{k}'"))
            .collect();
        v.problem(
            loc,
            None,
            "union_tag_invalid",
            &format!(
                "Input tag '{kind}' found using 'type' does not match any of the expected tags: {}",
                tags.join(", ")
            ),
        );
        return None;
    };
    let mut nested: Vec<&str> = loc.to_vec();
    nested.push(kind);
    let before = v.problems.len();
    for field in *required {
        v.required_str(obj, &nested, field);
    }
    if kind == "audio" {
        v.optional_str(obj, &nested, "transcript");
    }
    if kind == "text" {
        v.optional_str(obj, &nested, "template_id");
        v.optional_object(obj, &nested, "template_parameters");
    }
    if v.problems.len() != before {
        return None;
    }
    // Every field was checked above, so this only fails if the two disagree.
    match serde_json::from_value(value.clone()) {
        Ok(content) => Some(content),
        Err(e) => {
            v.problem(loc, None, "value_error", &e.to_string());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_messages_read_like_pydantic() {
        assert_eq!(
            expected_one_of(&["open", "closed"]),
            "Input should be 'open' or 'closed'"
        );
        assert_eq!(
            expected_one_of(&["a", "b", "c"]),
            "Input should be 'a', 'b' or 'c'"
        );
    }

    #[test]
    fn content_requires_its_kind_fields() {
        let mut v = Validator::new();
        let ok = content(
            &mut v,
            Some(&json!({"type": "text", "text": "hi"})),
            &["body", "content"],
        );
        assert!(ok.is_some() && v.is_clean());
        let bad = content(
            &mut v,
            Some(&json!({"type": "file", "url": "u"})),
            &["body", "content"],
        );
        assert!(bad.is_none());
        assert_eq!(v.problems.len(), 2, "mime_type and name are both reported");
        assert_eq!(
            v.problems[0]["loc"],
            json!(["body", "content", "file", "mime_type"])
        );
        let unknown = content(
            &mut v,
            Some(&json!({"type": "sticker"})),
            &["body", "content"],
        );
        assert!(unknown.is_none());
        assert_eq!(v.problems[2]["type"], "union_tag_invalid");
    }
}
